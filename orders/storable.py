"""What the hub's order columns can hold, and making a BigCommerce payload fit them. Pure
functions: no database.

- Text: NUL characters are dropped and lone surrogates replaced (neither PostgreSQL nor a
  UTF-8 encoder accepts them), everywhere in the payload, the stored raw copy included.
- Address fields longer than their column keep the column's length; the full text stays in
  the order's raw BigCommerce data, and the order carries a warning.
- Numbers beyond a column (a price of 10^10 or more, a quantity or id past the integer
  columns) cannot be stored faithfully: the order is refused with `UnstorableOrder`.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import orjson

# Column lengths of `Address` (and the customer's e-mail).
ADDRESS_LIMITS = {
    "first_name": 255,
    "last_name": 255,
    "company": 255,
    "street_1": 255,
    "street_2": 255,
    "city": 100,
    "state": 100,
    "zip": 32,
    "country": 100,
    "country_iso2": 2,
    "phone": 64,
    "email": 254,
}
ADDRESS_LABELS = {"street_1": "street", "street_2": "street (2nd line)", "zip": "postal code"}
# DecimalField(max_digits=14, decimal_places=4): below 10^10 in absolute value.
MAX_AMOUNT = Decimal("9999999999.9999")
MAX_INT = 2**31 - 1  # PositiveIntegerField (PostgreSQL integer)
MAX_BIGINT = 2**63 - 1  # PositiveBigIntegerField

_SURROGATE = re.compile("[\ud800-\udfff]")


class UnstorableOrder(ValueError):
    """The order holds a value the hub cannot store faithfully; the message says which and what
    the operator can do."""


def clean_payload(payload: dict) -> tuple[dict, list[str], str]:
    """The payload with NULs dropped and lone surrogates replaced (U+FFFD), the dotted paths of
    the strings that changed, and the payload's compact JSON text (what the hub stores; made
    once here, it is also the cheap test for a clean payload)."""
    text = _json(payload)
    if "\\u0000" not in text and (text.isascii() or _encodable(text)):
        return payload, [], text
    changed: list[str] = []
    payload = _clean(payload, "", changed)
    return payload, changed, _json(payload)


def _json(value) -> str:
    try:
        return orjson.dumps(value).decode()  # ten times Python's json on a page's payloads
    except TypeError:  # lone surrogates, integers beyond 64 bits: Python's json writes them
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _clean(value: Any, path: str, changed: list[str]) -> Any:
    if isinstance(value, str):
        cleaned = _clean_text(value)
        if cleaned != value:
            changed.append(path)
        return cleaned
    if isinstance(value, dict):
        return {
            _clean_text(str(k)): _clean(v, f"{path}.{k}" if path else str(k), changed)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_clean(v, f"{path}[{n}]", changed) for n, v in enumerate(value)]
    return value


def _clean_text(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text.replace("\x00", ""))


def cleaned_warning(bc_order_id: int, paths: list[str]) -> str:
    fields = ", ".join(dict.fromkeys(_field_label(p) for p in paths[:10]))
    more = f" and {len(paths) - 10} more" if len(paths) > 10 else ""
    return (
        f"Order {bc_order_id} contained characters the hub cannot store (NUL or broken "
        f"Unicode) in {fields}{more}: they were removed or replaced by “\ufffd”. Check these "
        "fields in BigCommerce."
    )


def _field_label(path: str) -> str:
    return re.sub(r"\[\d+\]", "", path)


def bound_warning(address: dict[str, str], name: str, where: str, warnings: list[str]) -> None:
    """Cut a field longer than its column, with a warning."""
    value, limit = address[name], ADDRESS_LIMITS[name]
    address[name] = value[:limit]
    if name != "country_iso2":
        label = ADDRESS_LABELS.get(name, name.replace("_", " "))
        warnings.append(
            f"the {label} of the {where} has {len(value)} characters, more than the {limit} "
            f"the hub keeps: the hub kept the first {limit} (the full text is in the order's "
            "BigCommerce data); check the address before shipping"
        )


def check_amount(value: Decimal, what: str, bc_order_id: int) -> Decimal:
    if abs(value) > MAX_AMOUNT:
        raise UnstorableOrder(
            f"Order {bc_order_id}: the {what} ({value}) is larger than the hub can store (at most "
            f"{MAX_AMOUNT:,}); it was not imported. Correct the order in BigCommerce, then retry "
            "this error."
        )
    return value


def check_int(value: int, what: str, bc_order_id: int, *, limit: int = MAX_INT) -> int:
    if abs(value) > limit:
        raise UnstorableOrder(
            f"Order {bc_order_id}: the {what} ({value}) is larger than the hub can store (at most "
            f"{limit:,}); it was not imported. Correct the order in BigCommerce, then retry this "
            "error."
        )
    return value
