"""Order changes through the sandbox control API (`/_sandbox/...`): orders created or patched
by tests and the demo, beyond what BigCommerce's API allows."""

from __future__ import annotations

from ..statuses import OrderStatus
from . import render
from .errors import ApiError
from .params import now, parse_date
from .records import Line, Order
from .seed import SHIPPING_METHODS, make_address


class ControlMixin:
    """The control API's order writes on `Store`."""

    def _control_lines(self, specs, ship_id: int) -> list[Line]:
        if not isinstance(specs, list) or not specs:
            raise ApiError(400, "'lines' must be a non-empty list")
        lines = []
        for spec in specs:
            if not isinstance(spec, dict):
                raise ApiError(400, "each line must be an object")
            qty = spec.get("quantity", 1)
            if not isinstance(qty, int) or qty < 1:
                raise ApiError(400, "line quantity must be a positive integer")
            v = None
            if "variant_id" in spec:
                v = self.variant_by_id.get(spec["variant_id"])
                if v is None:
                    raise ApiError(400, f"unknown variant_id {spec['variant_id']!r}")
            elif "product_id" in spec and spec["product_id"] in self.product_by_id:
                v = self.product_by_id[spec["product_id"]].variants[0]
            elif "sku" in spec and spec["sku"] in self.sku_index:
                v = self.sku_index[spec["sku"]][0]
            if v is not None:
                p = v.product
                option = (p.option_id, v.option_value_id, p.option_name, v.label) \
                    if v.label is not None else None
                line = Line(self.next_line, p.id, v.id, v.sku, spec.get("name", p.name), v.upc,
                            spec.get("price_cents", v.price), qty, ship_id, p.weight, option)
            else:
                # Not in the catalog: a custom product line.
                line = Line(self.next_line, spec.get("product_id", 0), 0,
                            str(spec.get("sku", "")), spec.get("name", "Custom item"), "",
                            spec.get("price_cents", 1000), qty, ship_id, 0.5, None)
            shipped = spec.get("quantity_shipped", 0)
            if isinstance(shipped, int) and 0 <= shipped <= qty:
                line.shipped = shipped
            if "id" in spec and isinstance(spec["id"], int):
                line.id = spec["id"]
            else:
                self.next_line += 1
            lines.append(line)
        return lines

    def control_create_order(self, body: dict) -> Order:
        if not isinstance(body, dict):
            raise ApiError(400, "body must be a JSON object")
        rng = self.rng
        o = Order(self.next_order)
        ts = now()
        o.created = parse_date(str(body["date_created"]), "date_created") \
            if "date_created" in body else ts
        o.status_id = body.get("status_id", int(OrderStatus.AWAITING_FULFILLMENT))
        if o.status_id not in render.STATUSES:
            raise ApiError(400, "invalid status_id")
        cust = body.get("customer_id")
        if cust is None:
            c = self.customers[rng.randrange(len(self.customers))] if self.customers else None
            o.customer_id = c.id if c else 0
            o.billing = c.address if c else make_address(rng)
        else:
            o.customer_id = int(cust)
            match = [c for c in self.customers if c.id == o.customer_id]
            o.billing = match[0].address if match else make_address(rng)
        if "billing_address" in body:
            o.billing = self._merge_address(o.billing, body["billing_address"], "billing_address")
        o.email = body.get("email", o.billing[11])
        o.ship_addr = o.billing
        if "shipping_address" in body:
            o.ship_addr = self._merge_address(o.ship_addr, body["shipping_address"],
                                              "shipping_address")
        o.ship_id = self.next_address
        o.ship_method, o.ship_cost = SHIPPING_METHODS[1]
        o.payment_method = "Credit Card"
        o.source = "www"
        o.ip = "203.0.113.10"
        o.is_deleted = bool(body.get("is_deleted", False))
        o.customer_message = body.get("customer_message", "")
        o.staff_notes = body.get("staff_notes", "")
        if "lines" in body:
            lines = self._control_lines(body["lines"], o.ship_id)
        else:
            picks = [self.variants[rng.randrange(len(self.variants))]
                     for _ in range(rng.randint(1, 3))] if self.variants else []
            lines = self._control_lines(
                [{"variant_id": v.id, "quantity": rng.randint(1, 3)} for v in picks]
                or [{"sku": "CUSTOM-1", "quantity": 1}], o.ship_id)
        o.lines = lines
        o.modified = parse_date(str(body["date_modified"]), "date_modified") \
            if "date_modified" in body else max(o.created, ts)
        self.next_address += 1
        self.next_order += 1
        self.orders.append(o)
        self._order_ids.append(o.id)
        self.order_by_id[o.id] = o
        self.emit_order_change(o, before_status=o.status_id, before_deleted=False, created=True)
        return o

    def control_patch_order(self, oid, body: dict) -> Order:
        o = self.get_order(oid)
        if not isinstance(body, dict):
            raise ApiError(400, "body must be a JSON object")
        before = (o.status_id, o.is_deleted)
        if "status_id" in body:
            if body["status_id"] not in render.STATUSES:
                raise ApiError(400, "invalid status_id")
            o.status_id = body["status_id"]
        if "is_deleted" in body:
            o.is_deleted = bool(body["is_deleted"])
        if "customer_id" in body:
            o.customer_id = int(body["customer_id"])
        if "billing_address" in body:
            o.billing = self._merge_address(o.billing, body["billing_address"], "billing_address")
            o.email = o.billing[11]
        if "email" in body:
            o.email = str(body["email"])
        if "shipping_address" in body:
            o.ship_addr = self._merge_address(o.ship_addr, body["shipping_address"],
                                              "shipping_address")
        for key in ("customer_message", "staff_notes"):
            if key in body:
                setattr(o, key, str(body[key]))
        if "lines" in body:
            o.lines = self._control_lines(body["lines"], o.ship_id)
        if "date_modified" in body:
            o.modified = parse_date(str(body["date_modified"]), "date_modified")
        else:
            self.touch(o)
        self.emit_order_change(o, before_status=before[0], before_deleted=before[1])
        return o
