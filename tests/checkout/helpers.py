"""Rate requests as BigCommerce sends them (shipping_provider.yml), and delivery options."""

from datetime import time
from decimal import Decimal

from checkout.services import checkout_settings_update, delivery_option_create


def item(sku="SKU-1", *, grams=1000, quantity=1, price=10, currency="EUR", **extra):
    body = {
        "sku": sku,
        "quantity": quantity,
        "weight": {"units": "g", "value": grams},
        "discounted_price": {"currency": currency, "amount": price},
        **extra,
    }
    return body


def rate_request(key, *, items=None, country="DE", zip="10115", **base):
    return {
        "base_options": {
            "origin": {"zip": "1011AB", "country_iso2": "NL"},
            "destination": {"zip": zip, "country_iso2": country, "city": "Berlin"},
            "items": [item()] if items is None else items,
            "store_id": "1001",
            **base,
        },
        "connection_options": {"checkout_key": key},
        "zone_options": {},
    }


def option(connection, code="STANDARD", **fields):
    defaults = {
        "display_name": f"{code.title()} delivery",
        "carrier": "DHL",
        "pricing": "flat",
        "price": Decimal("4.95"),
        "countries": ["DE", "NL"],
        "transit_min": 1,
        "transit_max": 2,
        "cutoff": time(15, 0),
    }
    return delivery_option_create(connection=connection, code=code, **{**defaults, **fields})


def checkout_for(connection, **settings):
    return checkout_settings_update(
        connection=connection,
        **{"timezone": "Europe/Berlin", "rates": {"USD": "1.10"}, **settings},
    )


def quotes(answer) -> dict:
    """{code: quote} of a rate answer."""
    return {q["code"]: q for c in answer["carrier_quotes"] for q in c["quotes"]}
