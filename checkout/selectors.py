"""Reads: a connection's checkout settings and options, the options as the quote endpoint
uses them (cached per settings version), stock of a cart's SKUs, the quotes-served table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Sum

from catalog.models import Product

from .models import CheckoutSettings, DeliveryOption, QuotesServed

OPTIONS_CACHE_SECONDS = 3600  # keyed by version: a change makes a new key, never a stale hit


@dataclass(frozen=True)
class OptionRule:
    id: int
    code: str
    display_name: str
    carrier: str
    service_level: str
    pricing: str
    price: Decimal
    bands: tuple
    free_above: Decimal | None
    countries: tuple
    ranges: tuple
    transit_min: int
    transit_max: int
    cutoff: time
    needs_stock: bool


def settings_for_key(*, key: str) -> CheckoutSettings | None:
    """The settings (and connection) a checkout key belongs to: one query on a unique index."""
    if not key:
        return None
    return CheckoutSettings.objects.select_related("connection").filter(key=key).first()


def settings_for_connection(*, connection) -> CheckoutSettings | None:
    return CheckoutSettings.objects.filter(connection=connection).first()


def options_for_connection(*, connection):
    return DeliveryOption.objects.filter(connection=connection).order_by("code")


def option_rules(*, settings: CheckoutSettings) -> list[OptionRule]:
    """The connection's enabled options as plain values, cached under the settings' version."""
    key = f"checkout:options:{settings.pk}:{settings.version}"
    rules = cache.get(key)
    if rules is None:
        rules = [
            OptionRule(
                id=o.pk,
                code=o.code,
                display_name=o.display_name,
                carrier=o.carrier,
                service_level=o.service_level,
                pricing=o.pricing,
                price=o.price,
                bands=tuple(tuple(b) for b in o.bands),
                free_above=o.free_above,
                countries=tuple(o.countries),
                ranges=tuple(tuple(r) for r in o.postcode_ranges),
                transit_min=o.transit_min,
                transit_max=o.transit_max,
                cutoff=o.cutoff,
                needs_stock=o.needs_stock,
            )  # fmt: skip
            for o in DeliveryOption.objects.filter(
                connection_id=settings.connection_id, enabled=True
            ).order_by("code")
        ]
        cache.set(key, rules, OPTIONS_CACHE_SECONDS)
    return rules


def stock_available(*, tenant_id: int, skus) -> dict[str, int]:
    """Available stock of the hub products with these SKUs (one query on the tenant+SKU unique
    index); a SKU the hub does not have is absent."""
    skus = [s for s in set(skus) if s]
    if not skus:
        return {}
    return dict(
        Product.objects.filter(tenant_id=tenant_id, sku__in=skus).values_list("sku", "available")
    )


def quotes_served_table(*, connection, days: int = 14, today: date) -> dict:
    """{"days": [newest first], "rows": [(option code, [count per day], total)]}."""
    since = today - timedelta(days=days - 1)
    day_list = [today - timedelta(days=i) for i in range(days)]
    counts: dict[tuple[int, date], int] = {}
    for option_id, day, count in QuotesServed.objects.filter(
        option__connection=connection, day__gte=since
    ).values_list("option_id", "day", "count"):
        counts[(option_id, day)] = count
    rows = []
    for option in options_for_connection(connection=connection):
        per_day = [counts.get((option.pk, d), 0) for d in day_list]
        rows.append((option, per_day, sum(per_day)))
    return {"days": day_list, "rows": rows}


def quotes_served_total(*, option) -> int:
    return option.served.aggregate(total=Sum("count"))["total"] or 0
