"""BigCommerce JSON shapes for the sandbox records: what the order and catalog shapes share.

The orders (v2) are rendered by `render_orders.py`, the catalog (v3) by `render_catalog.py`.

Field names, types and nullability follow the vendored OpenAPI specs: v2 money fields are
strings with four decimals, v2 dates RFC-2822 (`Tue, 05 Mar 2024 10:00:00 +0000`), v3 dates
ISO-8601. Order products (`orderProducts`) forbid extra fields in the spec, so they carry
exactly the documented ones.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache

import orjson

from .seed import CITIES

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# id: (name, system description, sort_order)
STATUSES = {
    0: ("Incomplete", "An incomplete order happens when a shopper reached the payment page, but did not complete the transaction.", 0),  # noqa: E501
    1: ("Pending", "Customer started the checkout process, but did not complete it.", 1),
    2: ("Shipped", "Order has been shipped, but receipt has not been confirmed; seller has used the Ship Items action.", 8),  # noqa: E501
    3: ("Partially Shipped", "Only some items in the order have been shipped, due to some products being pre-order only or other reasons.", 6),  # noqa: E501
    4: ("Refunded", "Seller has used the Refund action.", 11),
    5: ("Cancelled", "Seller has cancelled an order, due to a stock inconsistency or other reasons.", 9),  # noqa: E501
    6: ("Declined", "Seller has marked the order as declined for lack of manual payment, or other reasons.", 10),  # noqa: E501
    7: ("Awaiting Payment", "Customer has completed checkout process, but payment has yet to be confirmed.", 2),  # noqa: E501
    8: ("Awaiting Pickup", "Order has been pulled, and is awaiting customer pickup from a seller-specified location.", 5),  # noqa: E501
    9: ("Awaiting Shipment", "Order has been pulled and packaged, and is awaiting collection from a shipping provider.", 4),  # noqa: E501
    10: ("Completed", "Client has paid for their digital product and their file(s) are available for download.", 7),  # noqa: E501
    11: ("Awaiting Fulfillment", "Customer has completed the checkout process and payment has been confirmed.", 3),  # noqa: E501
    12: ("Manual Verification Required", "Order is on hold while some aspect needs to be manually confirmed.", 13),  # noqa: E501
    13: ("Disputed", "Customer has initiated a dispute resolution process for the PayPal transaction that paid for the order.", 12),  # noqa: E501
    14: ("Partially Refunded", "Seller has partially refunded the order.", 14),
}
# The merchant relabelled two statuses (the ids stay fixed).
CUSTOM_LABELS = {11: "Ready to Pick", 9: "Awaiting Courier"}

PAYMENT_STATUS = {
    0: "", 1: "pending", 2: "captured", 3: "captured", 4: "refunded", 5: "void",
    6: "declined", 7: "pending", 8: "captured", 9: "captured", 10: "captured",
    11: "captured", 12: "held for review", 13: "captured", 14: "partially refunded",
}
TAX_RATES = {c[4]: c[7] for c in CITIES}
ZONES = {c[4]: (c[5], c[6]) for c in CITIES}


def custom_label(status_id: int) -> str:
    return CUSTOM_LABELS.get(status_id, STATUSES[status_id][0])


@lru_cache(maxsize=1 << 17)
def rfc2822(ts: int) -> str:
    t = time.gmtime(ts)
    return (f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000")


def iso(ts: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts))


@lru_cache(maxsize=1 << 16)
def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}00"


def tax_of(cents: int, rate: int) -> int:
    return (cents * rate + 50) // 100


def status_dict(sid: int) -> dict:
    name, desc, order = STATUSES[sid]
    return {"id": sid, "name": name, "system_label": name, "custom_label": custom_label(sid),
            "system_description": desc, "order": order}


def address_dict(a: tuple) -> dict:
    return {"first_name": a[0], "last_name": a[1], "company": a[2], "street_1": a[3],
            "street_2": a[4], "city": a[5], "state": a[6], "zip": a[7], "country": a[8],
            "country_iso2": a[9], "phone": a[10], "email": a[11]}


# Fields that never vary are kept apart from the per-record ones: `*_dict` merges them into
# one dict, `*_json` splices their pre-encoded JSON into the encoded per-record part (the
# hot path of `GET /v2/orders` pages). Tests check that both give the same object.

_stdlib_json = json.JSONEncoder(separators=(",", ":")).encode


def compact_json(value) -> str:
    """Compact JSON text, non-ASCII as UTF-8 (as BigCommerce sends it). orjson: the sandbox
    shares the machine with the hub it serves in the bench, so its own CPU time counts."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # lone surrogates, integers beyond 64 bits, non-string keys
        return _stdlib_json(value)  # ASCII, escaped: a lone surrogate stays encodable


def const_tail(const: dict) -> str:
    """`,"k":v,...}`: the constant fields to append to an encoded dict minus its `}`."""
    return "," + compact_json(const)[1:]
