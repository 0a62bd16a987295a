"""The Shipping Provider payloads (`shipping_provider.yml`): a rate request read into a Cart,
and the answers BigCommerce expects. A payload the hub cannot read is a PayloadError, whose
message names the field (the endpoint answers it with a 400)."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal

from .rules.pricing import GRAMS_PER_UNIT, weight_kg

KEY_OPTION = "checkout_key"  # the connection option the merchant fills in BigCommerce


class PayloadError(ValueError):
    pass


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int


@dataclass(frozen=True)
class Cart:
    country: str
    postcode: str
    lines: tuple[CartLine, ...]
    weight: Decimal  # kg
    value: Decimal  # in `currency`
    currency: str | None  # None: the items carry no price (the connection's own currency)

    def fingerprint(self) -> str:
        """What the answer depends on, hashed (the quote cache's key part)."""
        text = json.dumps(
            [self.country, self.postcode, [(ln.sku, ln.quantity) for ln in self.lines],
             str(self.weight), str(self.value), self.currency],
            separators=(",", ":"),
        )  # fmt: skip
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def quantities(self) -> dict[str, int]:
        wanted: dict[str, int] = {}
        for line in self.lines:
            wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
        return wanted


def json_load(body: bytes):
    try:
        return json.loads(body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(
            f"The request body is not JSON ({exc}); send the JSON object the Shipping Provider "
            "API describes."
        ) from exc


def _object(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise PayloadError(f"{where} must be a JSON object.")
    return value


def _number(value, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError(f"{where} must be a number.")
    number = Decimal(str(value))
    if number < 0 or not number.is_finite():
        raise PayloadError(f"{where} must be a number of at least 0.")
    return number


def connection_key(payload) -> str:
    """The checkout key from `connection_options` ('' when absent: an unknown connection)."""
    options = _object(payload, "The request body").get("connection_options") or {}
    key = _object(options, "connection_options").get(KEY_OPTION, "")
    return key if isinstance(key, str) else ""


def cart_read(payload) -> Cart:
    base = _object(_object(payload, "The request body").get("base_options"), "base_options")
    destination = _object(base.get("destination"), "base_options.destination")
    country = destination.get("country_iso2")
    postcode = destination.get("zip")
    if not isinstance(country, str) or not isinstance(postcode, str):
        raise PayloadError("base_options.destination needs country_iso2 and zip as strings.")
    items = base.get("items")
    if not isinstance(items, list):
        raise PayloadError("base_options.items must be a list of cart items.")
    lines, weight, value, currencies = [], Decimal(0), Decimal(0), set()
    for index, raw in enumerate(items):
        where = f"base_options.items[{index}]"
        item = _object(raw, where)
        quantity = _number(item.get("quantity", 1), f"{where}.quantity")
        if quantity != quantity.to_integral_value():
            raise PayloadError(f"{where}.quantity must be a whole number.")
        sku = item.get("sku", "")
        if not isinstance(sku, str):
            raise PayloadError(f"{where}.sku must be a string.")
        lines.append(CartLine(sku=sku.strip(), quantity=int(quantity)))
        if item.get("weight") is not None:
            w = _object(item["weight"], f"{where}.weight")
            if w.get("units") not in GRAMS_PER_UNIT:
                raise PayloadError(f"{where}.weight.units must be one of g, oz.")
            grams_value = _number(w.get("value"), f"{where}.weight.value")
            weight += weight_kg(grams_value, w["units"]) * quantity
        price = item.get("discounted_price") or item.get("declared_value")
        if price is not None:
            money = _object(price, f"{where}.discounted_price")
            currency = money.get("currency")
            if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
                raise PayloadError(f"{where}: the price's currency must be a 3-letter code.")
            currencies.add(currency)
            value += _number(money.get("amount"), f"{where}.discounted_price.amount") * quantity
    if len(currencies) > 1:
        raise PayloadError(
            f"The items are priced in several currencies ({', '.join(sorted(currencies))}); "
            "a cart has one."
        )
    return Cart(
        country=country.upper(),
        postcode=postcode,
        lines=tuple(lines),
        weight=weight,
        value=value,
        currency=next(iter(currencies), None),
    )


def message(text: str, kind: str = "INFO") -> dict:
    return {"text": text[:500], "type": kind}


def rate_answer(carrier_quotes: list[dict], messages: list[dict] | None = None) -> dict:
    return {
        "quote_id": uuid.uuid4().hex,
        "messages": messages or [],
        "carrier_quotes": carrier_quotes,
    }


def no_quotes(text: str = "", kind: str = "INFO") -> dict:
    """The spec's "without shipping rates" answer (BigCommerce shows its other options)."""
    return rate_answer([], [message(text, kind)] if text else [])
