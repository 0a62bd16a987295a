"""BigCommerce v2 orders (with `include=consignments.line_items&consignment_structure=object`)
turned into the plain values the hub stores. Pure functions: no database, no network.

`normalize_order(payload)` raises `UnreadableOrder` when the payload lacks what every order
has (id, status, dates); everything else is read leniently (BigCommerce leaves fields out or
null on old orders and custom products).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connections.bigcommerce.dates import parse_date

from .storable import (
    ADDRESS_LIMITS,
    MAX_BIGINT,
    UnstorableOrder,
    bound_warning,
    check_amount,
    check_int,
    clean_payload,
    cleaned_warning,
)

ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "street_1",
    "street_2",
    "city",
    "state",
    "zip",
    "country",
    "country_iso2",
    "phone",
    "email",
)
ZERO = Decimal("0")
_ADDRESS_LIMITS = tuple((name, ADDRESS_LIMITS[name]) for name in ADDRESS_FIELDS)


class UnreadableOrder(ValueError):
    """The payload is not an order the hub can read (says which field)."""


__all__ = [
    "NormalizedPage",
    "UnreadableOrder",
    "UnstorableOrder",
    "normalize_order",
    "normalize_page",
]


def _dec(value: Any) -> Decimal:
    if value is None or value == "":
        return ZERO
    try:
        number = Decimal(value if type(value) is str else str(value))
    except (InvalidOperation, ValueError):
        return ZERO
    return number if number.is_finite() else ZERO


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _str(value: Any, limit: int | None = None) -> str:
    text = "" if value is None else str(value)
    return text[:limit] if limit else text


def _address(data: Any, where: str, warnings: list[str]) -> dict[str, str]:
    data = data if isinstance(data, dict) else {}
    address, too_long = {}, []
    for name, limit in _ADDRESS_LIMITS:
        value = data.get(name)
        text = (value if type(value) is str else "" if value is None else str(value)).strip()
        address[name] = text
        if len(text) > limit:
            too_long.append(name)
    address["country_iso2"] = address["country_iso2"][:2].upper()
    address["email"] = address["email"].lower()
    for name in too_long:
        bound_warning(address, name, where, warnings)
    return address


def _options(line: dict) -> str:
    parts = []
    for option in line.get("product_options") or []:
        if isinstance(option, dict):
            name = option.get("display_name") or option.get("name") or ""
            value = option.get("display_value") or option.get("value") or ""
            if name or value:
                parts.append(f"{name}: {value}" if name else str(value))
    return ", ".join(parts)[:500]


def _line(item: dict, address_id: int, bc_order_id: int) -> dict[str, Any]:
    if not isinstance(item, dict) or "id" not in item:
        raise UnreadableOrder("a line item without an id")
    line_id = _int(item.get("id"))
    what = f"line {line_id}"
    price = f"price of {what}"

    def big(name: str, default: int = 0) -> int:
        return check_int(
            _int(item.get(name), default), f"{what} {name}", bc_order_id, limit=MAX_BIGINT
        )

    return {
        "bc_line_id": check_int(line_id, f"{what} id", bc_order_id, limit=MAX_BIGINT),
        "bc_product_id": big("product_id"),
        "bc_variant_id": big("variant_id"),
        "bc_address_id": big("order_address_id", address_id) or address_id,
        "sku": _str(item.get("sku")).strip()[:255],
        "raw_sku": _str(item.get("sku")),
        "name": _str(item.get("name"), 500),
        "options": _options(item),
        # Negative and zero quantities are kept: the checks report them.
        "quantity": check_int(_int(item.get("quantity")), f"{what} quantity", bc_order_id),
        "quantity_shipped": check_int(
            max(0, _int(item.get("quantity_shipped"))), f"{what} shipped quantity", bc_order_id
        ),
        "price_ex_tax": check_amount(_dec(item.get("price_ex_tax")), price, bc_order_id),
        "price_inc_tax": check_amount(_dec(item.get("price_inc_tax")), price, bc_order_id),
        "total_inc_tax": check_amount(_dec(item.get("total_inc_tax")), price, bc_order_id),
    }


def consignments_inline(payload: dict) -> bool:
    """Whether the order carries its consignments with full line items inline (object or
    legacy array form), rather than links to its sub-resources."""
    consignments = payload.get("consignments")
    if not isinstance(consignments, list | dict) or (
        isinstance(consignments, dict) and "url" in consignments
    ):
        return False
    shipping, _ = _consignment_groups(payload)
    return all(
        isinstance(item, dict) and "quantity" in item
        for consignment in shipping
        for item in consignment.get("line_items") or []
    )


def _consignment_groups(payload: dict) -> tuple[list[dict], bool]:
    """The shipping consignments, and whether the order has pickup consignments."""
    consignments = payload.get("consignments")
    groups = consignments if isinstance(consignments, list) else [consignments]
    shipping, pickups = [], False
    for group in groups:
        if not isinstance(group, dict):
            continue
        shipping.extend(c for c in group.get("shipping") or [] if isinstance(c, dict))
        pickups = pickups or bool(group.get("pickups"))
    return shipping, pickups


def consignments_from_sub_resources(addresses: list[dict], products: list[dict]) -> dict:
    """The `consignments` object built from `/shipping_addresses` and `/products` (for a store
    that did not send them inline)."""
    shipping = []
    by_id = {}
    for address in addresses:
        entry = {**address, "line_items": []}
        shipping.append(entry)
        by_id[_int(address.get("id"))] = entry
    for product in products:
        target = by_id.get(_int(product.get("order_address_id")))
        if target is None and shipping:
            target = shipping[0]
        if target is not None:
            target["line_items"].append(product)
    return {"pickups": [], "shipping": shipping, "downloads": [], "email": {}}


def _encode(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def _digest(value: Any) -> str:
    return hashlib.sha1(_encode(value).encode()).hexdigest()


@dataclass(slots=True)
class NormalizedOrder:
    bc_order_id: int
    status_id: int
    status_name: str
    date_created: datetime
    date_modified: datetime
    date_shipped: datetime | None
    bc_customer_id: int
    email: str
    currency_code: str
    subtotal_ex_tax: Decimal
    subtotal_inc_tax: Decimal
    shipping_cost_inc_tax: Decimal
    total_tax: Decimal
    total_ex_tax: Decimal
    total_inc_tax: Decimal
    items_total: int
    payment_method: str
    payment_status: str
    customer_message: str
    staff_notes: str
    order_source: str
    is_deleted: bool
    is_digital: bool
    has_pickups: bool
    billing: dict[str, str]
    shipping: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    raw: dict
    raw_text: str = ""  # `raw` as the compact JSON the hub stores
    content_hash: str = ""
    source_hash: str = ""
    extra: dict = field(default_factory=dict)

    def content(self) -> dict:
        """What an edit changes: lines (without shipped quantities) and addresses."""
        return {
            "lines": sorted(
                (
                    line["bc_line_id"],
                    line["sku"],
                    line["bc_product_id"],
                    line["bc_variant_id"],
                    line["quantity"],
                    line["bc_address_id"],
                )
                for line in self.lines
            ),
            "shipping": sorted(
                (address["bc_address_id"], *(address[n] for n in ADDRESS_FIELDS))
                for address in self.shipping
            ),
            "billing": [self.billing[n] for n in ADDRESS_FIELDS],
        }


def normalize_order(payload: Any) -> NormalizedOrder:
    if not isinstance(payload, dict):
        raise UnreadableOrder("not an object")
    bc_order_id = _int(payload.get("id"))
    if bc_order_id <= 0:
        raise UnreadableOrder("no order id")
    if bc_order_id > MAX_BIGINT:
        raise UnreadableOrder("an order id too large to be one")
    payload, cleaned, raw_text = clean_payload(payload)
    warnings = [cleaned_warning(bc_order_id, cleaned)] if cleaned else []
    bounded: list[str] = []
    if not isinstance(payload.get("status_id"), int):
        raise UnreadableOrder("no status_id")
    date_created = parse_date(payload.get("date_created"))
    if date_created is None:
        raise UnreadableOrder("no readable date_created")
    date_modified = parse_date(payload.get("date_modified")) or date_created
    billing = _address(payload.get("billing_address"), "billing address", bounded)
    consignments, has_pickups = _consignment_groups(payload)
    shipping, lines = [], []
    for consignment in consignments:
        address_id = _int(consignment.get("id"))
        address = _address(consignment, f"shipping address {address_id}", bounded)
        address["bc_address_id"] = address_id
        address["shipping_method"] = _str(consignment.get("shipping_method"), 250)
        shipping.append(address)
        for item in consignment.get("line_items") or []:
            if isinstance(item, dict) and "quantity" not in item:
                raise UnreadableOrder("its line items are links, not included")
            lines.append(_line(item, address_id, bc_order_id))

    def amount(name: str) -> Decimal:
        return check_amount(_dec(payload.get(name)), name.replace("_", " "), bc_order_id)

    zero = [str(line["bc_line_id"]) for line in lines if line["quantity"] == 0]
    if zero:
        warnings.append(
            f"Order {bc_order_id}: line(s) {', '.join(zero)} have quantity 0 in BigCommerce, so "
            "the warehouse ships nothing of them; if something should ship, correct the "
            "quantity in BigCommerce."
        )
    if bounded:
        warnings.append(f"Order {bc_order_id}: " + "; ".join(bounded) + ".")
    order = NormalizedOrder(
        bc_order_id=bc_order_id,
        status_id=payload["status_id"],
        status_name=_str(payload.get("custom_status") or payload.get("status"), 100),
        date_created=date_created,
        date_modified=date_modified,
        date_shipped=parse_date(payload.get("date_shipped")),
        bc_customer_id=check_int(
            max(0, _int(payload.get("customer_id"))), "customer id", bc_order_id, limit=MAX_BIGINT
        ),
        email=(billing["email"] or _str(payload.get("email")).strip().lower())[:254],
        currency_code=_str(payload.get("currency_code"), 3),
        subtotal_ex_tax=amount("subtotal_ex_tax"),
        subtotal_inc_tax=amount("subtotal_inc_tax"),
        shipping_cost_inc_tax=amount("shipping_cost_inc_tax"),
        total_tax=amount("total_tax"),
        total_ex_tax=amount("total_ex_tax"),
        total_inc_tax=amount("total_inc_tax"),
        items_total=check_int(max(0, _int(payload.get("items_total"))), "items total", bc_order_id),
        payment_method=_str(payload.get("payment_method"), 100),
        payment_status=_str(payload.get("payment_status"), 100),
        customer_message=_str(payload.get("customer_message")),
        staff_notes=_str(payload.get("staff_notes")),
        order_source=_str(payload.get("order_source"), 100),
        is_deleted=bool(payload.get("is_deleted")),
        is_digital=bool(payload.get("order_is_digital")),
        has_pickups=has_pickups,
        billing=billing,
        shipping=shipping,
        lines=lines,
        raw=payload,
        raw_text=raw_text,
        extra={"warnings": warnings} if warnings else {},
    )
    content = _encode(order.content())
    order.content_hash = hashlib.sha1(content.encode()).hexdigest()
    order.source_hash = _digest(
        {
            "content": order.content_hash,
            "status": order.status_id,
            "deleted": order.is_deleted,
            "shipped": sorted((line["bc_line_id"], line["quantity_shipped"]) for line in lines),
            "message": order.customer_message,
            "notes": order.staff_notes,
            "total": str(order.total_inc_tax),
            "payment": [order.payment_method, order.payment_status],
            "customer": order.bc_customer_id,
        }
    )
    return order


@dataclass
class NormalizedPage:
    """A page of orders read and checked for what is storable (no database): the orders by
    BigCommerce id (the latest version of each), the unreadable ones' error texts by id, and
    the (error text, id) of every order not imported for that."""

    orders: dict[int, NormalizedOrder] = field(default_factory=dict)
    unreadable: dict[int, str] = field(default_factory=dict)
    failures: list[tuple[str, int | None]] = field(default_factory=list)


def normalize_page(payloads: Iterable[dict]) -> NormalizedPage:
    page = NormalizedPage()
    for payload in payloads:
        try:
            order = normalize_order(payload)
        except (UnreadableOrder, UnstorableOrder) as exc:
            bc_id = payload.get("id") if isinstance(payload, dict) else None
            text = (
                str(exc)
                if isinstance(exc, UnstorableOrder)
                else f"BigCommerce sent order {bc_id} in a form the hub cannot read ({exc}); "
                "it was not imported. Retry it once the store answers normally."
            )
            page.failures.append((text, bc_id if isinstance(bc_id, int) else None))
            if isinstance(bc_id, int) and 0 < bc_id <= MAX_BIGINT:
                page.unreadable[bc_id] = text
            continue
        seen = page.orders.get(order.bc_order_id)
        if seen is None or order.date_modified >= seen.date_modified:
            page.orders[order.bc_order_id] = order
    return page
