"""In-memory state of one simulated BigCommerce store and the semantics of its API.

The HTTP layer (`server.py`) parses requests and turns `ApiError`s into BigCommerce error
bodies; this module only knows records, filters and rules. Every method expects the caller to
hold the sandbox lock.
"""

from __future__ import annotations

import bisect
import re
import time
import uuid

from ..carriers import tracking_carriers
from ..dates import parse_date as parse_bigcommerce_date
from ..statuses import OrderStatus
from . import render
from .seed import (
    ADDRESS_FIELDS,
    LOCATION_ID,
    ORDER_ID_START,
    SHIPPING_METHODS,
    Line,
    Order,
    Shipment,
    build_catalog,
    build_orders,
    make_address,
    store_rng,
)

V2_MAX_LIMIT = 250
V3_MAX_LIMIT = 250
ADJUSTMENT_MAX_ITEMS = 2000
MAX_INVENTORY = 2147483647

KNOWN_SCOPES = {
    "store/order/*", "store/order/created", "store/order/updated", "store/order/archived",
    "store/order/statusUpdated", "store/order/message/created", "store/order/refund/created",
    "store/order/transaction/created", "store/order/transaction/updated",
    "store/product/*", "store/product/created", "store/product/updated",
    "store/product/deleted", "store/product/inventory/updated",
    "store/product/inventory/order/updated", "store/sku/*", "store/sku/created",
    "store/sku/updated", "store/sku/deleted", "store/sku/inventory/updated",
    "store/sku/inventory/order/updated", "store/app/uninstalled", "store/customer/*",
    "store/customer/created", "store/customer/updated", "store/customer/deleted",
    "store/shipment/*", "store/shipment/created", "store/shipment/updated",
    "store/shipment/deleted", "store/cart/*", "store/category/*", "store/channel/*",
    "store/information/updated", "store/inventory/*",
}


class ApiError(Exception):
    """An error answer. `errors` is the v3 `errors` object; v2 answers use `message`."""

    def __init__(self, status: int, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or {}


TRACKING_CARRIERS = frozenset(tracking_carriers())


def now() -> int:
    return int(time.time())


# ------------------------------------------------------------------ parameter parsing

def parse_date(value: str, name: str) -> int:
    """RFC-2822 or ISO-8601 (date or date-time, naive = UTC) or a Unix timestamp."""
    raw = value.strip()
    if re.fullmatch(r"\d{9,11}", raw):
        return int(raw)
    candidates = [raw]
    # An unencoded '+' in a query string arrives as a space.
    m = re.fullmatch(r"(.*\d) (\d\d:?\d\d)", raw)
    if m:
        candidates.append(f"{m.group(1)}+{m.group(2)}")
    for cand in candidates:
        moment = parse_bigcommerce_date(cand)
        if moment is not None:
            return int(moment.timestamp())
    raise ApiError(400, f"The field '{name}' is invalid: '{value}' is not an RFC-2822 or "
                        "ISO-8601 date.")


def parse_int(value: str, name: str, minimum: int | None = None) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"The field '{name}' is invalid: expected an integer.") from None
    if minimum is not None and n < minimum:
        raise ApiError(400, f"The field '{name}' is invalid: must be at least {minimum}.")
    return n


def parse_bool(value: str, name: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "1"):
        return True
    if v in ("false", "0"):
        return False
    raise ApiError(400, f"The field '{name}' is invalid: expected true or false.")


def parse_id_list(value: str, name: str) -> set[int]:
    out = set()
    for part in value.split(","):
        part = part.strip()
        if part:
            out.add(parse_int(part, name))
    return out


def opt(params: dict, name: str, parser, default=None):
    """A parsed optional query parameter (absent or blank -> default)."""
    value = params.get(name)
    return parser(value, name) if value else default


def paging(params: dict, default_limit: int, max_limit: int) -> tuple[int, int]:
    page = parse_int(params["page"], "page", 1) if params.get("page") else 1
    limit = parse_int(params["limit"], "limit", 1) if params.get("limit") else default_limit
    return page, min(limit, max_limit)


# ------------------------------------------------------------------ the store

ORDER_SORTS = {
    "id": lambda o: o.id,
    "date_created": lambda o: (o.created, o.id),
    "date_modified": lambda o: (o.modified, o.id),
    "status_id": lambda o: (o.status_id, o.id),
    "customer_id": lambda o: (o.customer_id, o.id),
    "channel_id": lambda o: o.id,
}

PRODUCT_SORTS = {
    "id": lambda p: p.id,
    "name": lambda p: (p.name, p.id),
    "sku": lambda p: (p.sku, p.id),
    "price": lambda p: (p.price, p.id),
    "date_modified": lambda p: (p.modified, p.id),
    "inventory_level": lambda p: (p.inventory, p.id),
    "is_visible": lambda p: (p.is_visible, p.id),
}

PUT_ORDER_WRITABLE = {"status_id", "is_deleted", "staff_notes", "customer_message",
                      "payment_method", "billing_address"}


class Store:
    """One store: catalog, orders, shipments, hooks, stock."""

    def __init__(self, store_hash: str, tokens: dict[str, str], index: int, *, seed: int,
                 orders: int, products: int, variants: int):
        self.hash = store_hash
        self.tokens = dict(tokens)  # access token -> client id
        self.index = index
        self.seed = seed
        rng = store_rng(seed, index)
        self.products, self.variants = build_catalog(rng, products, variants)
        self.orders, self.customers, ids = build_orders(rng, orders, self.variants)
        self._order_ids = [o.id for o in self.orders]
        self.order_by_id = {o.id: o for o in self.orders}
        self.product_by_id = {p.id: p for p in self.products}
        self.variant_by_id = {v.id: v for v in self.variants}
        self.sku_index: dict[str, list] = {}
        for v in self.variants:
            if v.sku:
                self.sku_index.setdefault(v.sku, []).append(v)
        self.next_line = ids["line"]
        self.next_address = ids["address"]
        self.next_shipment = ids["shipment"]
        self.next_order = (self.orders[-1].id + 1) if self.orders else ORDER_ID_START
        self.rng = store_rng(seed + 7, index)  # orders created through the control API
        self.hooks: dict[int, dict] = {}
        self.next_hook = 1
        self.transactions = 0
        self.account_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{store_hash}"))

    # ---------------------------------------------------------------- orders (v2)

    def get_order(self, oid) -> Order:
        try:
            o = self.order_by_id.get(int(oid))
        except (TypeError, ValueError):
            o = None
        if o is None:
            raise ApiError(404, "The requested resource was not found.")
        return o

    def filter_orders(self, params: dict, *, with_status: bool = True) -> list[Order]:
        """Orders matching the v2 filters, archived ones left out unless is_deleted=true."""
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
        return out

    def list_orders(self, params: dict) -> tuple[list[Order], int, int]:
        orders = self.filter_orders(params)
        sort = params.get("sort", "").strip() or "id"
        field, _, direction = sort.partition(":")
        direction = direction.lower() or "asc"
        if field not in ORDER_SORTS or direction not in ("asc", "desc"):
            raise ApiError(400, f"The field 'sort' is invalid: '{sort}'.")
        if field != "id" or direction != "asc":
            orders.sort(key=ORDER_SORTS[field], reverse=direction == "desc")
        page, limit = paging(params, 50, V2_MAX_LIMIT)
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
        if "status_id" in body:
            o.status_id = body["status_id"]
        if "is_deleted" in body:
            o.is_deleted = body["is_deleted"]
        for key in ("staff_notes", "customer_message", "payment_method"):
            if key in body:
                setattr(o, key, body[key])
        self.touch(o)
        return o

    def archive_order(self, oid) -> None:
        o = self.get_order(oid)
        o.is_deleted = True
        self.touch(o)

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

    # ---------------------------------------------------------------- catalog (v3)

    def get_product(self, pid):
        try:
            p = self.product_by_id.get(int(pid))
        except (TypeError, ValueError):
            p = None
        if p is None:
            raise ApiError(404, "The requested product was not found.")
        return p

    def list_products(self, params: dict):
        tests = []
        ids = opt(params, "id:in", parse_id_list)
        if ids is not None:
            tests.append(lambda p: p.id in ids)
        not_ids = opt(params, "id:not_in", parse_id_list)
        if not_ids is not None:
            tests.append(lambda p: p.id not in not_ids)
        one = opt(params, "id", parse_int)
        if one is not None:
            tests.append(lambda p: p.id == one)
        id_min = opt(params, "id:min", parse_int)
        if id_min is not None:
            tests.append(lambda p: p.id >= id_min)
        id_max = opt(params, "id:max", parse_int)
        if id_max is not None:
            tests.append(lambda p: p.id <= id_max)
        for key in ("sku", "upc", "mpn", "name"):
            if params.get(key) is not None:
                tests.append(lambda p, key=key, val=params[key]: getattr(p, key) == val)
        if params.get("sku:in"):
            skus = set(params["sku:in"].split(","))
            tests.append(lambda p: p.sku in skus)
        m_min = opt(params, "date_modified:min", parse_date)
        if m_min is not None:
            tests.append(lambda p: p.modified >= m_min)
        m_max = opt(params, "date_modified:max", parse_date)
        if m_max is not None:
            tests.append(lambda p: p.modified <= m_max)
        visible = opt(params, "is_visible", parse_bool)
        if visible is not None:
            tests.append(lambda p: p.is_visible == visible)
        out = [p for p in self.products if all(t(p) for t in tests)] if tests else self.products
        sort = params.get("sort") or "id"
        direction = (params.get("direction") or "asc").lower()
        if sort not in PRODUCT_SORTS or direction not in ("asc", "desc"):
            raise ApiError(422, "The sort or direction parameter is invalid.",
                           {"sort": "invalid"})
        if sort != "id" or direction != "asc":
            out = sorted(out, key=PRODUCT_SORTS[sort], reverse=direction == "desc")
        return out

    def list_variants(self, params: dict):
        tests = []
        ids = opt(params, "id:in", parse_id_list)
        if ids is not None:
            tests.append(lambda v: v.id in ids)
        one = opt(params, "id", parse_int)
        if one is not None:
            tests.append(lambda v: v.id == one)
        pids = opt(params, "product_id:in", parse_id_list)
        if pids is not None:
            tests.append(lambda v: v.product.id in pids)
        for key in ("sku", "upc"):
            if params.get(key) is not None:
                tests.append(lambda v, key=key, val=params[key]: getattr(v, key) == val)
        if params.get("sku:in"):
            skus = set(params["sku:in"].split(","))
            tests.append(lambda v: v.sku in skus)
        return [v for v in self.variants if all(t(v) for t in tests)] if tests else self.variants

    # ---------------------------------------------------------------- inventory (v3)

    def adjust_absolute(self, body) -> str:
        """All-or-nothing absolute adjustment; answers the transaction id."""
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise ApiError(422, "The field 'items' is required.", {"items": "required"})
        items = body["items"]
        if not items:
            raise ApiError(422, "The field 'items' must not be empty.", {"items": "empty"})
        if len(items) > ADJUSTMENT_MAX_ITEMS:
            raise ApiError(422, f"At most {ADJUSTMENT_MAX_ITEMS} items per request; got "
                                f"{len(items)}.", {"items": "too many"})
        if "reason" in body and not isinstance(body["reason"], str):
            raise ApiError(422, "The field 'reason' is invalid.", {"reason": "invalid"})
        plan = []
        errors = {}
        for n, item in enumerate(items):
            try:
                plan.append(self._adjustment_target(item))
            except ApiError as exc:
                errors[f"items.{n}"] = exc.message
        if errors:
            first = next(iter(errors.values()))
            raise ApiError(422, f"[{first}]", errors)
        when = now()
        touched = set()
        for target, qty in plan:
            if target.inventory != qty:
                target.inventory = qty
                touched.add(target)
        for target in touched:
            target.modified = when
            p = getattr(target, "product", target)
            if p is not target:
                p.inventory = sum(v.inventory for v in p.variants)
            p.modified = when
            for v in p.variants:
                v.modified = when
        self.transactions += 1
        return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{self.hash}:{self.seed}:{self.transactions}"))

    def _adjustment_target(self, item):
        if not isinstance(item, dict):
            raise ApiError(422, "Item is not an object")
        loc = item.get("location_id")
        if loc != LOCATION_ID:
            raise ApiError(422, f"Location with id {loc!r} does not exist")
        qty = item.get("quantity")
        if not isinstance(qty, int) or isinstance(qty, bool):
            raise ApiError(422, "Quantity must be an integer")
        if qty < 0:
            raise ApiError(422, f"Quantity {qty} must not be negative")
        if qty > MAX_INVENTORY:
            raise ApiError(422, f"Quantity {qty} is above the maximum inventory level")
        keys = [k for k in ("variant_id", "product_id", "sku") if k in item]
        if len(keys) != 1:
            raise ApiError(422, "Exactly one of variant_id, product_id or sku is required")
        key = keys[0]
        ref = item[key]
        if key == "sku":
            matches = self.sku_index.get(ref, []) if isinstance(ref, str) else []
            if not matches:
                raise ApiError(422, f"Item with sku {ref!r} does not exist")
            if len(matches) > 1:
                raise ApiError(422, f"Item with sku {ref!r} is not unique")
            v = matches[0]
            key, ref = "variant_id", v.id
        if key == "variant_id":
            v = self.variant_by_id.get(ref) if isinstance(ref, int) else None
            if v is None:
                raise ApiError(422, f"Item with variant_id {ref!r} does not exist")
            tracking = v.product.tracking
            if tracking == "none":
                raise ApiError(422, f"Item with variant_id {ref} has inventory tracking "
                                    "disabled")
            if tracking == "product":
                raise ApiError(422, f"Item with variant_id {ref} is tracked by product, please "
                                    "update stock by product id")
            return v, qty
        p = self.product_by_id.get(ref) if isinstance(ref, int) else None
        if p is None:
            raise ApiError(422, f"Item with product_id {ref!r} does not exist")
        if p.tracking == "none":
            raise ApiError(422, f"Item with product_id {ref} has inventory tracking disabled")
        if p.tracking == "variant":
            raise ApiError(422, f"Item with product_id {ref} is tracked by variant, please "
                                "update stock by variant id")
        return p, qty

    def inventory_snapshot(self) -> dict:
        return {
            "location_id": LOCATION_ID,
            "products": {str(p.id): {"sku": p.sku, "inventory_tracking": p.tracking,
                                     "inventory_level": p.inventory} for p in self.products},
            "variants": {str(v.id): {"product_id": v.product.id, "sku": v.sku,
                                     "inventory_level": v.inventory} for v in self.variants},
        }

    # ---------------------------------------------------------------- webhooks (v3)

    def _check_hook(self, body: dict, *, partial: bool, https_only: bool = True) -> None:
        if not isinstance(body, dict):
            raise ApiError(422, "The request body must be a JSON object.")
        for key in ("scope", "destination"):
            if key not in body:
                if not partial:
                    raise ApiError(422, f"The field '{key}' is required.", {key: "required"})
                continue
            if not isinstance(body[key], str) or not body[key]:
                raise ApiError(422, f"The field '{key}' is invalid.", {key: "invalid"})
        scope = body.get("scope")
        if scope is not None and scope not in KNOWN_SCOPES:
            raise ApiError(422, f"Unknown webhook scope '{scope}'.", {"scope": "unknown"})
        dest = body.get("destination")
        if dest is not None and not https_only:
            if not re.match(r"^https?://[^/?#]+", dest):
                raise ApiError(422, "The destination must be an http(s) URL.",
                               {"destination": "invalid"})
        elif dest is not None:
            m = re.match(r"^https://[^/:?#]+(?::(\d+))?(?:[/?#].*)?$", dest)
            if not m or (m.group(1) and m.group(1) != "443"):
                raise ApiError(422, "The destination must be an https URL on port 443.",
                               {"destination": "must be https on port 443"})
        if "is_active" in body and not isinstance(body["is_active"], bool):
            raise ApiError(422, "The field 'is_active' is invalid.", {"is_active": "invalid"})
        history = body.get("events_history_enabled", False)
        if not isinstance(history, bool):
            raise ApiError(422, "The field 'events_history_enabled' is invalid.")
        headers = body.get("headers")
        if headers is not None and (not isinstance(headers, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in headers.items())):
            raise ApiError(422, "The field 'headers' must be an object of strings.",
                           {"headers": "invalid"})

    def _duplicate_hook(self, client_id, scope, dest, exclude=None) -> bool:
        return any(h["client_id"] == client_id and h["scope"] == scope
                   and h["destination"] == dest and h["id"] != exclude
                   for h in self.hooks.values())

    def create_hook(self, client_id: str, body, https_only: bool = True) -> dict:
        self._check_hook(body, partial=False, https_only=https_only)
        if self._duplicate_hook(client_id, body["scope"], body["destination"]):
            raise ApiError(422, "A webhook with this scope and destination already exists.",
                           {"scope": "duplicate"})
        ts = now()
        hook = {
            "id": self.next_hook, "client_id": client_id, "store_hash": self.hash,
            "scope": body["scope"], "destination": body["destination"],
            "headers": body.get("headers"), "is_active": body.get("is_active", True),
            "events_history_enabled": body.get("events_history_enabled", False),
            "created_at": ts, "updated_at": ts,
        }
        self.hooks[hook["id"]] = hook
        self.next_hook += 1
        return hook

    def get_hook(self, hid) -> dict:
        try:
            hook = self.hooks.get(int(hid))
        except (TypeError, ValueError):
            hook = None
        if hook is None:
            raise ApiError(404, "The requested webhook was not found.")
        return hook

    def update_hook(self, hid, body, https_only: bool = True) -> dict:
        hook = self.get_hook(hid)
        self._check_hook(body, partial=True, https_only=https_only)
        scope = body.get("scope", hook["scope"])
        dest = body.get("destination", hook["destination"])
        if self._duplicate_hook(hook["client_id"], scope, dest, exclude=hook["id"]):
            raise ApiError(422, "A webhook with this scope and destination already exists.")
        for key in ("scope", "destination", "headers", "is_active", "events_history_enabled"):
            if key in body:
                hook[key] = body[key]
        hook["updated_at"] = now()
        return hook

    def delete_hook(self, hid) -> dict:
        hook = self.get_hook(hid)
        del self.hooks[hook["id"]]
        return hook

    def list_hooks(self, params: dict) -> list[dict]:
        out = list(self.hooks.values())
        if params.get("is_active"):
            active = parse_bool(params["is_active"], "is_active")
            out = [h for h in out if h["is_active"] == active]
        if params.get("scope"):
            out = [h for h in out if h["scope"] == params["scope"]]
        if params.get("destination"):
            out = [h for h in out if h["destination"] == params["destination"]]
        return out

    # ---------------------------------------------------------------- control API

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
        return o

    def control_patch_order(self, oid, body: dict) -> Order:
        o = self.get_order(oid)
        if not isinstance(body, dict):
            raise ApiError(400, "body must be a JSON object")
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
        return o
