"""Shipments (v2) of a sandbox store: BigCommerce's checks on a new shipment, and the order
status it leaves (Shipped, or Partially Shipped while items are left)."""

from __future__ import annotations

from ..carriers import tracking_carriers
from ..statuses import OrderStatus
from .errors import ApiError
from .params import now
from .records import Order, Shipment

TRACKING_CARRIERS = frozenset(tracking_carriers())


class ShipmentsMixin:
    """The v2 shipments of `Store` (on its orders, `get_order` and `touch` of `OrdersMixin`)."""

    def create_shipment(self, oid, body) -> tuple[Order, Shipment]:
        o = self.get_order(oid)
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        if o.status_id == OrderStatus.CANCELLED:
            raise ApiError(422, "This order has been cancelled; it cannot be shipped.")
        addr = body.get("order_address_id")
        if not isinstance(addr, int) or isinstance(addr, bool) or addr != o.ship_id:
            raise ApiError(422, "The field 'order_address_id' is invalid.",
                           {"order_address_id": "not a shipping address of this order"})
        items = body.get("items")
        if not isinstance(items, list) or not items:
            raise ApiError(422, "The field 'items' is invalid.", {"items": "required, not empty"})
        for key, limit in (("tracking_number", 50), ("tracking_link", 500),
                           ("comments", 65535), ("tracking_carrier", 100),
                           ("shipping_provider", 100), ("shipping_method", 250)):
            val = body.get(key, "")
            if not isinstance(val, str) or len(val) > limit:
                raise ApiError(422, f"The field '{key}' is invalid.", {key: "invalid"})
        carrier = body.get("tracking_carrier", "")
        if carrier and TRACKING_CARRIERS and carrier not in TRACKING_CARRIERS:
            raise ApiError(422, "The field 'tracking_carrier' is invalid.",
                           {"tracking_carrier": f"'{carrier}' is not a known tracking carrier"})
        lines = {ln.id: ln for ln in o.lines}
        wanted: dict[int, int] = {}
        for item in items:
            if not isinstance(item, dict):
                raise ApiError(422, "The field 'items' is invalid.")
            op_id, qty = item.get("order_product_id"), item.get("quantity")
            if not isinstance(op_id, int) or op_id not in lines:
                raise ApiError(422, f"The order product {op_id!r} is not part of this order.",
                               {"order_product_id": "unknown"})
            if lines[op_id].address_id != addr:
                raise ApiError(422, f"The order product {op_id} does not ship to address {addr}.")
            if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
                raise ApiError(422, "The field 'quantity' is invalid.", {"quantity": "invalid"})
            wanted[op_id] = wanted.get(op_id, 0) + qty
        for op_id, qty in wanted.items():
            ln = lines[op_id]
            if ln.shipped + qty > ln.qty:
                raise ApiError(422, f"Quantity {qty} of order product {op_id} is more than the "
                                    f"{ln.qty - ln.shipped} left to ship.",
                               {"quantity": "over-shipment"})
        for op_id, qty in wanted.items():
            lines[op_id].shipped += qty
        s = Shipment(self.next_shipment, addr, now(), body.get("tracking_number", ""),
                     body.get("shipping_provider", ""), carrier, body.get("comments", ""),
                     tuple((op_id, lines[op_id].product_id, qty) for op_id, qty in wanted.items()),
                     body.get("shipping_method", o.ship_method), body.get("tracking_link", ""))
        self.next_shipment += 1
        if o.shipments is None:
            o.shipments = []
        o.shipments.append(s)
        shipped_all = all(ln.shipped >= ln.qty for ln in o.lines)
        o.status_id = int(OrderStatus.SHIPPED if shipped_all else OrderStatus.PARTIALLY_SHIPPED)
        o.shipped_at = s.created
        self.touch(o, s.created)
        return o, s
