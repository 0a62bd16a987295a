"""A rate answer for a cart: the connection's options that serve the destination, priced,
dated and converted, minus those the stock setting hides. Cached briefly per (connection
settings version, cart and destination, whether the cart is short of stock, minute): a change
of options, settings or stock, or the clock passing a cut-off, makes a new key."""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.cache import cache

from .counters import quotes_served_record
from .models import CheckoutSettings
from .payloads import Cart, message, no_quotes, rate_answer
from .rules.currency import UnknownCurrency, currency_rate, money_round
from .rules.dates import calendar_build, delivery_window, dispatch_date, warehouse_now
from .rules.destinations import destination_served
from .rules.pricing import option_cost
from .selectors import QuoteSettings, option_rules, stock_available

log = logging.getLogger(__name__)

QUOTE_CACHE_SECONDS = 60
MAX_TRANSIT = 90  # the spec's transit_time.duration maximum


def short_skus(cart: Cart, available: dict[str, int]) -> list[str]:
    """The cart's SKUs the warehouse cannot ship now: no hub product, or too little available
    stock for the quantity (a line without a SKU cannot be found, so it counts as short)."""
    return sorted(sku for sku, qty in cart.quantities().items() if available.get(sku, 0) < qty)


def quotes_for_cart(
    *, settings: QuoteSettings, cart: Cart, now: datetime, count: bool = True
) -> dict:
    """The rate answer for `cart` (the endpoint's and the Checkout tab preview's); `count`
    records the options offered (the preview does not)."""
    if not settings.active:
        log.info("checkout: connection %s is disabled; answered no quotes", settings.connection_id)
        return no_quotes()
    available = stock_available(tenant_id=settings.tenant_id, skus=cart.quantities())
    short = short_skus(cart, available)
    calendar = calendar_build(
        timezone=settings.timezone, working_days=settings.working_days,
        holidays=list(settings.holidays),
    )  # fmt: skip
    local = warehouse_now(calendar, now)
    key = (
        f"checkout:quote:{settings.id}:{settings.version}:{cart.fingerprint()}:"
        f"{int(bool(short))}:{local:%Y%m%d%H%M}"
    )
    answer, offered = cache.get(key) or (None, None)
    if answer is None:
        answer, offered = quotes_build(
            settings=settings, cart=cart, short=short, calendar=calendar, now=now
        )
        cache.set(key, (answer, offered), QUOTE_CACHE_SECONDS)
    if count and offered:
        quotes_served_record(option_ids=offered, day=local.date())
    return {**answer, "quote_id": rate_answer([])["quote_id"]}


def quotes_build(*, settings, cart: Cart, short: list[str], calendar, now: datetime):
    """(answer, ids of the options offered)."""
    currency = cart.currency or settings.currency
    try:
        rate = currency_rate(base=settings.currency, rates=settings.rates, currency=currency)
    except UnknownCurrency:
        log.warning(
            "checkout: connection %s has no exchange rate for %s; answered no quotes",
            settings.connection_id, currency,
        )  # fmt: skip
        return no_quotes(f"Delivery options cannot be priced in {currency}.", "WARNING"), []
    mode = CheckoutSettings.StockMode
    if short and settings.stock_mode == mode.HIDE_ALL:
        return no_quotes(), []
    value = cart.value / rate  # in the connection's currency, as the bands and threshold are
    delay = settings.backorder_days if short else 0
    carriers: dict[str, dict] = {}
    offered = []
    for option in option_rules(settings=settings):
        if short and option.needs_stock and settings.stock_mode == mode.HIDE_FLAGGED:
            continue
        if not destination_served(
            countries=list(option.countries), ranges=[list(r) for r in option.ranges],
            country=cart.country, postcode=cart.postcode,
        ):  # fmt: skip
            continue
        cost = option_cost(
            pricing=option.pricing, price=option.price, bands=list(option.bands),
            free_above=option.free_above, weight=cart.weight, value=value,
        )  # fmt: skip
        if cost is None:
            continue
        dispatch = dispatch_date(calendar, now=now, cutoff=option.cutoff, delay_days=delay)
        earliest, latest = delivery_window(
            calendar, dispatch=dispatch, transit_min=option.transit_min,
            transit_max=option.transit_max,
        )  # fmt: skip
        quote = {
            "code": option.code,
            "display_name": option.display_name,
            "cost": {"currency": currency, "amount": float(money_round(cost * rate))},
            "description": arrival_text(earliest, latest)[:500],
            "dispatch_date": dispatch.isoformat(),
            "messages": [],
        }
        if option.transit_max >= 1:
            quote["transit_time"] = {
                "units": "BUSINESS_DAYS",
                "duration": min(option.transit_max, MAX_TRANSIT),
            }
        if short:
            quote["messages"].append(
                message(f"Some items are back-ordered: the order ships on {dispatch:%a %d %b}.")
            )
        carrier = carriers.setdefault(
            option.carrier,
            {"carrier_info": {"code": option.carrier[:50], "display_name": option.carrier[:100]},
             "quotes": []},
        )  # fmt: skip
        carrier["quotes"].append(quote)
        offered.append(option.id)
    return rate_answer(list(carriers.values())), offered


def arrival_text(earliest, latest) -> str:
    if earliest == latest:
        return f"Arrives {earliest:%a %d %b}"
    return f"Arrives {earliest:%a %d %b} – {latest:%a %d %b}"
