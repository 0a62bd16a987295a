"""Orders (v2) of a sandbox store: filters, sorting, counts, edits and archiving."""

from __future__ import annotations

import bisect

from . import render
from .errors import ApiError
from .params import V2_MAX_LIMIT, now, opt, paging, parse_bool, parse_date, parse_int
from .records import ADDRESS_FIELDS, Order

ORDER_SORTS = {
    "id": lambda o: o.id,
    "date_created": lambda o: (o.created, o.id),
    "date_modified": lambda o: (o.modified, o.id),
    "status_id": lambda o: (o.status_id, o.id),
    "customer_id": lambda o: (o.customer_id, o.id),
    "channel_id": lambda o: o.id,
}

PUT_ORDER_WRITABLE = {"status_id", "is_deleted", "staff_notes", "customer_message",
                      "payment_method", "billing_address"}


class OrdersMixin:
    """The v2 orders of `Store` (its `orders`, `order_by_id`, `_order_ids`)."""

    def get_order(self, oid) -> Order:
        try:
            o = self.order_by_id.get(int(oid))
        except (TypeError, ValueError):
            o = None
        if o is None:
            raise ApiError(404, "The requested resource was not found.")
        return o

    def filter_orders(
        self, params: dict, *, with_status: bool = True, enough: int | None = None
    ) -> list[Order]:
        """Orders matching the v2 filters, archived ones left out unless is_deleted=true;
        `enough`: the first that many by id are all that is needed."""
        lo = opt(params, "min_id", parse_int)
        hi = opt(params, "max_id", parse_int)
        status = None
        if with_status and params.get("status_id", "") != "":
            status = parse_int(params["status_id"], "status_id")
        customer = opt(params, "customer_id", parse_int)
        email = params.get("email", "").strip().lower() or None
        c_min = opt(params, "min_date_created", parse_date)
        c_max = opt(params, "max_date_created", parse_date)
        m_min = opt(params, "min_date_modified", parse_date)
        m_max = opt(params, "max_date_modified", parse_date)
        deleted = opt(params, "is_deleted", parse_bool, False)
        channel = opt(params, "channel_id", parse_int)
        if channel is not None and channel != 1:
            return []
        start = bisect.bisect_left(self._order_ids, lo) if lo is not None else 0
        out = []
        for o in self.orders[start:] if start else self.orders:
            if hi is not None and o.id > hi:
                break
            if o.is_deleted != deleted:
                continue
            if status is not None and o.status_id != status:
                continue
            if customer is not None and o.customer_id != customer:
                continue
            if email is not None and o.email.lower() != email:
                continue
            if c_min is not None and o.created < c_min:
                continue
            if c_max is not None and o.created > c_max:
                continue
            if m_min is not None and o.modified < m_min:
                continue
            if m_max is not None and o.modified > m_max:
                continue
            out.append(o)
            if len(out) == enough:
                break
        return out

    def list_orders(self, params: dict) -> tuple[list[Order], int, int]:
        sort = params.get("sort", "").strip() or "id"
        field, _, direction = sort.partition(":")
        direction = direction.lower() or "asc"
        if field not in ORDER_SORTS or direction not in ("asc", "desc"):
            raise ApiError(400, f"The field 'sort' is invalid: '{sort}'.")
        page, limit = paging(params, 50, V2_MAX_LIMIT)
        by_id = field == "id" and direction == "asc"  # the stored order: stop at the page's end
        orders = self.filter_orders(params, enough=page * limit if by_id else None)
        if not by_id:
            orders.sort(key=ORDER_SORTS[field], reverse=direction == "desc")
        return orders[(page - 1) * limit: page * limit], page, limit

    def count_orders(self, params: dict) -> dict:
        orders = self.filter_orders(params)
        counts = dict.fromkeys(render.STATUSES, 0)
        for o in orders:
            counts[o.status_id] += 1
        statuses = []
        for sid in sorted(render.STATUSES, key=lambda s: render.STATUSES[s][2]):
            d = render.status_dict(sid)
            d.pop("order")
            d["count"] = counts[sid]
            d["sort_order"] = render.STATUSES[sid][2]
            statuses.append(d)
        return {"statuses": statuses, "count": len(orders)}

    def touch(self, o: Order, when: int | None = None) -> None:
        o.modified = max(o.created, when if when is not None else now())

    def update_order(self, oid, body) -> Order:
        o = self.get_order(oid)
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        for key in body:
            if key not in PUT_ORDER_WRITABLE:
                raise ApiError(400, f"The field '{key}' cannot be written to. Please remove it "
                                    "from your request before trying again.")
        if "status_id" in body:
            sid = body["status_id"]
            if not isinstance(sid, int) or isinstance(sid, bool) or sid not in render.STATUSES:
                raise ApiError(400, "The field 'status_id' is invalid.",
                               {"status_id": "must be an order status id (0-14)"})
        if "is_deleted" in body and not isinstance(body["is_deleted"], bool):
            raise ApiError(400, "The field 'is_deleted' is invalid.")
        for key in ("staff_notes", "customer_message", "payment_method"):
            if key in body and not isinstance(body[key], str):
                raise ApiError(400, f"The field '{key}' is invalid.")
        if "billing_address" in body:
            o.billing = self._merge_address(o.billing, body["billing_address"], "billing_address")
            o.email = o.billing[11]
        before = (o.status_id, o.is_deleted)
        if "status_id" in body:
            o.status_id = body["status_id"]
        if "is_deleted" in body:
            o.is_deleted = body["is_deleted"]
        for key in ("staff_notes", "customer_message", "payment_method"):
            if key in body:
                setattr(o, key, body[key])
        self.touch(o)
        self.emit_order_change(o, before_status=before[0], before_deleted=before[1])
        return o

    def archive_order(self, oid) -> None:
        o = self.get_order(oid)
        before = o.is_deleted
        o.is_deleted = True
        self.touch(o)
        self.emit_order_change(o, before_status=o.status_id, before_deleted=before)

    @staticmethod
    def _merge_address(current: tuple, patch, name: str) -> tuple:
        if not isinstance(patch, dict):
            raise ApiError(400, f"The field '{name}' is invalid.")
        values = list(current)
        for key, val in patch.items():
            if key == "form_fields":
                continue
            if key not in ADDRESS_FIELDS or not isinstance(val, str):
                raise ApiError(400, f"The field '{name}.{key}' is invalid.")
            values[ADDRESS_FIELDS.index(key)] = val
        return tuple(values)
