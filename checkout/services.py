"""Writes: the checkout settings, the delivery options, the checkout key. Every write bumps the
settings' version, which is what the quote endpoint's caches are keyed by."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from .models import CheckoutSettings, DeliveryOption, checkout_key_new

SETTINGS_FIELDS = (
    "enabled", "currency", "rates", "stock_mode", "backorder_days", "timezone",
    "working_days", "holidays",
)  # fmt: skip
OPTION_FIELDS = (
    "code", "display_name", "carrier", "service_level", "pricing", "price", "bands",
    "free_above", "countries", "postcode_ranges", "transit_min", "transit_max", "cutoff",
    "needs_stock", "enabled",
)  # fmt: skip


def checkout_settings_ensure(*, connection) -> CheckoutSettings:
    settings, _ = CheckoutSettings.objects.get_or_create(connection=connection)
    return settings


def checkout_version_bump(*, connection) -> None:
    CheckoutSettings.objects.filter(connection=connection).update(version=F("version") + 1)


@transaction.atomic
def checkout_settings_update(*, connection, **fields) -> CheckoutSettings:
    settings = checkout_settings_ensure(connection=connection)
    for name, value in fields.items():
        if name not in SETTINGS_FIELDS:
            raise TypeError(f"not a checkout setting: {name}")
        setattr(settings, name, value)
    settings.version = F("version") + 1
    settings.save()
    settings.refresh_from_db()
    return settings


@transaction.atomic
def checkout_key_rotate(*, connection) -> CheckoutSettings:
    """A new key: the old one stops working at once (BigCommerce must be given the new one)."""
    settings = checkout_settings_ensure(connection=connection)
    settings.key = checkout_key_new()
    settings.version = F("version") + 1
    settings.save()
    settings.refresh_from_db()
    return settings


@transaction.atomic
def delivery_option_create(*, connection, **fields) -> DeliveryOption:
    checkout_settings_ensure(connection=connection)
    option = DeliveryOption(connection=connection)
    for name, value in fields.items():
        if name not in OPTION_FIELDS:
            raise TypeError(f"not a delivery option field: {name}")
        setattr(option, name, value)
    option.full_clean()
    option.save()
    checkout_version_bump(connection=connection)
    return option


@transaction.atomic
def delivery_option_update(*, option: DeliveryOption, **fields) -> DeliveryOption:
    for name, value in fields.items():
        if name not in OPTION_FIELDS:
            raise TypeError(f"not a delivery option field: {name}")
        setattr(option, name, value)
    option.full_clean()
    option.save()
    checkout_version_bump(connection=option.connection)
    return option


@transaction.atomic
def delivery_option_delete(*, option: DeliveryOption) -> None:
    connection = option.connection
    option.delete()
    checkout_version_bump(connection=connection)
