"""The REST API's throttles (DRF's, per token or user, per address when anonymous): beyond
the rate a 429 that says when to come back. The rest of the suite runs without them
(tests/conftest.py)."""

import pytest
from django.core.cache import cache

from integrationhub import settings as production
from tests.fixtures.tenants import api_client_for
from tests.integrationhub.test_settings import start_django


@pytest.fixture
def rates(settings):
    """The throttles of settings.py, at low rates, on an empty throttle history."""

    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **production.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": rates,
        }

    cache.clear()
    yield set_rates
    cache.clear()


def test_a_token_beyond_its_rate_gets_a_429_with_retry_after(rates, manager, viewer):
    rates(user="3/minute", anon="1/minute")
    api = api_client_for(manager)

    answers = [api.get("/api/v1/connections/").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = api.get("/api/v1/connections/")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Request was throttled" in refused.json()["detail"]
    # Per token: another user's calls are counted apart.
    assert api_client_for(viewer).get("/api/v1/connections/").status_code == 200


def test_anonymous_callers_are_throttled_per_address(rates, client):
    rates(user="100/minute", anon="2/minute")

    answers = [client.get("/api/v1/docs/").status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    assert "Retry-After" in client.get("/api/v1/docs/")


def test_production_throttles_every_api_view_at_generous_rates():
    assert production.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "integrationhub.throttling.UserThrottle",
        "integrationhub.throttling.AnonThrottle",
    ]
    assert production.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "user": "2000/hour",
        "anon": "100/hour",
    }


@pytest.mark.parametrize("variable", ["API_THROTTLE_USER_RATE", "API_THROTTLE_ANON_RATE"])
def test_a_rate_that_is_not_requests_per_period_stops_start_up(variable):
    result = start_django(**{variable: "lots"})

    assert result.returncode != 0
    assert variable in result.stderr.splitlines()[-1]
    assert "not a rate like 2000/hour" in result.stderr.splitlines()[-1]
