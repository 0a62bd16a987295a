"""BigCommerce shipments: the body of ``POST /v2/orders/{id}/shipments`` and how to
recognise an existing shipment as the one a body would create."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def shipment_payload(
    *,
    order_address_id: int,
    items: Iterable[tuple[int, int]],
    tracking_number: str,
    carrier_code: str = "",
    shipping_method: str = "",
    comments: str = "",
) -> dict[str, Any]:
    """The shipment body: ``items`` are (order product id, quantity) pairs.

    ``carrier_code`` is BigCommerce's tracking carrier code (see ``carriers.carrier_code``);
    blank optional fields are left out, as BigCommerce would store them empty anyway.
    """
    payload: dict[str, Any] = {
        "order_address_id": order_address_id,
        "items": [
            {"order_product_id": order_product_id, "quantity": quantity}
            for order_product_id, quantity in items
        ],
        "tracking_number": tracking_number,
    }
    if carrier_code:
        payload["tracking_carrier"] = carrier_code
    if shipping_method:
        payload["shipping_method"] = shipping_method
    if comments:
        payload["comments"] = comments
    return payload


def _normalise_tracking(value: Any) -> str:
    return "".join(str(value or "").split()).upper()


def _items_key(items: Any) -> list[tuple[int, int]] | None:
    if not isinstance(items, list):
        return None
    key = []
    for item in items:
        try:
            key.append((int(item["order_product_id"]), int(item["quantity"])))
        except (KeyError, TypeError, ValueError):
            return None
    return sorted(key)


def shipment_matches(existing: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Whether an existing shipment is the one ``payload`` would create.

    The tracking number decides (compared without spaces, case-insensitively; a payload
    without one only matches a shipment without one); the shipping address and the items
    (order product id and quantity), where both sides give them, must agree too.
    """
    if _normalise_tracking(existing.get("tracking_number")) != _normalise_tracking(
        payload.get("tracking_number")
    ):
        return False
    want_address, have_address = payload.get("order_address_id"), existing.get("order_address_id")
    if want_address is not None and have_address is not None:
        if str(want_address) != str(have_address):
            return False
    want_items, have_items = _items_key(payload.get("items")), _items_key(existing.get("items"))
    if want_items is not None and have_items is not None and want_items != have_items:
        return False
    return True
