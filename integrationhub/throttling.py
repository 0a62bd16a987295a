"""DRF's throttles (per token or session user; per address for anonymous callers) with the
rates read from the settings at each request, so an override (a test's, or a reload) applies:
DRF's own classes keep the rates they saw at import."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _CurrentRates:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(_CurrentRates, UserRateThrottle):
    pass


class AnonThrottle(_CurrentRates, AnonRateThrottle):
    pass
