"""Reads: a connection's checkout settings and options, the options as the quote endpoint
uses them (cached per settings version), stock of a cart's SKUs, the quotes-served table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import connection as db
from django.db.models import Sum

from catalog.models import Product
from connections.models import Connection

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


@dataclass(frozen=True)
class QuoteSettings:
    """What answering a rate request needs of a connection's checkout settings: plain values,
    read in one query without building model instances (the shopper waits for it)."""

    id: int
    connection_id: int
    tenant_id: int
    active: bool  # the connection is active and its checkout quotes are enabled
    version: int
    currency: str
    rates: dict
    stock_mode: str
    backorder_days: int
    timezone: str
    working_days: str
    holidays: tuple

    @classmethod
    def of(cls, settings: CheckoutSettings) -> QuoteSettings:
        connection = settings.connection
        return cls(
            id=settings.pk, connection_id=connection.pk, tenant_id=connection.tenant_id,
            active=settings.enabled and connection.is_active, version=settings.version,
            currency=settings.currency, rates=dict(settings.rates),
            stock_mode=settings.stock_mode, backorder_days=settings.backorder_days,
            timezone=settings.timezone, working_days=settings.working_days,
            holidays=tuple(settings.holidays),
        )  # fmt: skip


def _json(value):
    return json.loads(value) if isinstance(value, str) else value  # SQLite hands JSON as text


def quote_settings_for_key(*, key: str) -> QuoteSettings | None:
    """The quote endpoint's settings by checkout key: one query on the key's unique index.
    Hand-written SQL because compiling the equivalent ORM query costs more than running it."""
    if not key:
        return None
    qn = db.ops.quote_name
    sql = (
        "SELECT s.id, s.connection_id, c.tenant_id, s.enabled, c.status, s.version, "
        "s.currency, s.rates, s.stock_mode, s.backorder_days, s.timezone, s.working_days, "
        f"s.holidays FROM {qn(CheckoutSettings._meta.db_table)} s "
        f"JOIN {qn(Connection._meta.db_table)} c ON c.id = s.connection_id WHERE s.{qn('key')} = %s"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    (pk, connection_id, tenant_id, enabled, status, version, currency, rates, stock_mode,
     backorder_days, timezone, working_days, holidays) = row  # fmt: skip
    return QuoteSettings(
        id=pk, connection_id=connection_id, tenant_id=tenant_id,
        active=bool(enabled) and status == Connection.Status.ACTIVE, version=version,
        currency=currency, rates=_json(rates), stock_mode=stock_mode,
        backorder_days=backorder_days, timezone=timezone, working_days=working_days,
        holidays=tuple(_json(holidays)),
    )  # fmt: skip


def settings_for_key(*, key: str) -> CheckoutSettings | None:
    """The settings (and connection) a checkout key belongs to: one query on a unique index."""
    if not key:
        return None
    return CheckoutSettings.objects.select_related("connection").filter(key=key).first()


def settings_for_connection(*, connection) -> CheckoutSettings | None:
    return CheckoutSettings.objects.filter(connection=connection).first()


def options_for_connection(*, connection):
    return DeliveryOption.objects.filter(connection=connection).order_by("code")


def option_rules(*, settings: QuoteSettings) -> list[OptionRule]:
    """The connection's enabled options as plain values, cached under the settings' version."""
    key = f"checkout:options:{settings.id}:{settings.version}"
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
    # Hand-written for the same reason as quote_settings_for_key.
    qn = db.ops.quote_name
    sql = (
        f"SELECT sku, available FROM {qn(Product._meta.db_table)} "
        f"WHERE tenant_id = %s AND sku IN ({', '.join(['%s'] * len(skus))})"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [tenant_id, *skus])
        return dict(cursor.fetchall())


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
