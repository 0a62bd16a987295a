"""The sandbox store: a simulated BigCommerce served over real HTTP, in its own process.

Start it with ``python manage.py sandbox --port 0`` (or `serve()` below). It prints one line,
``sandbox listening on http://HOST:PORT``, once it accepts connections.

URL layout
----------
- BigCommerce API: ``/stores/{store_hash}/v2/...`` and ``/stores/{store_hash}/v3/...``
  (so ``BIGCOMMERCE_API_URL=http://HOST:PORT``), header ``X-Auth-Token``.
- OAuth token endpoint: ``POST /oauth2/token`` (so ``BIGCOMMERCE_LOGIN_URL=http://HOST:PORT``).
- Control API: ``/_sandbox/...`` (JSON, no auth), described below.

API endpoints served (shapes follow the vendored OpenAPI specs)
---------------------------------------------------------------
v2: ``GET /store``, ``GET /time``, ``GET /order_statuses``, ``GET /order_statuses/{id}``,
``GET /orders`` (page, limit <= 250, min_id, max_id, status_id, customer_id, email,
min/max_date_created, min/max_date_modified, is_deleted, channel_id, sort=field[:asc|:desc],
include=consignments[.line_items] with consignment_structure=object, include=fees),
``GET /orders/count``, ``GET|PUT|DELETE /orders/{id}``, ``GET /orders/{id}/products[/{id}]``,
``GET /orders/{id}/shipping_addresses``, ``GET|POST /orders/{id}/shipments``,
``GET /orders/{id}/shipments/{id}``. An empty v2 list answers 204 with an empty body.
v3: ``GET /catalog/products`` (include=variants,options; page, limit <= 250, id, id:in,
id:not_in, id:min, id:max, sku, sku:in, upc, mpn, name, is_visible, date_modified:min/max,
sort, direction), ``GET /catalog/products/{id}``, ``GET /catalog/products/{id}/variants``,
``GET /catalog/variants`` (id, id:in, product_id:in, sku, sku:in, upc), ``GET
/inventory/locations``, ``PUT /inventory/adjustments/absolute``, ``GET|POST /hooks``,
``GET|PUT|DELETE /hooks/{id}``.

Rate limit, latency and faults
------------------------------
Per store, a fixed window of ``window_ms`` starts at the first request; ``quota`` requests fit
in it. Every authenticated API response carries ``X-Rate-Limit-Time-Window-Ms``,
``X-Rate-Limit-Time-Reset-Ms``, ``X-Rate-Limit-Requests-Quota`` and
``X-Rate-Limit-Requests-Left``; past the quota the answer is 429 with those headers.
401 answers carry none and use no quota. Each API request first waits ``latency_ms``.
After the rate limit, a request may get a fault: with probability ``fault_rate`` (drawn from
a generator seeded with the store seed, so a given sequence of requests gets the same faults)
or because one was forced through ``POST /_sandbox/faults``. Kinds:

- ``500``: 500 with a v2/v3 error body and rate-limit headers; nothing is changed.
- ``502`` / ``503``: gateway error, HTML body, no rate-limit headers; nothing is changed.
- ``429``: platform-load 429 *without* rate-limit headers; nothing is changed.
- ``timeout``: the server waits ``fault_hang_ms`` (default 10000) and drops the connection
  without an answer; nothing is changed.
- ``malformed``: the request IS carried out, then answered 200 with a truncated JSON body.
- ``lost_response``: the request IS carried out (e.g. the shipment is created), then the
  connection is dropped without an answer. Drawn at random only for
  ``POST /v2/orders/{id}/shipments``; forcible on any request.

Faulted requests count against the quota (they reached the store).

Control API (JSON in and out, no auth)
--------------------------------------
``GET  /_sandbox/health``                     -> ``{"ok": true}``
``POST /_sandbox/reset``                      re-seed every store from the start-up options;
    the body may override ``orders``, ``products``, ``variants``, ``seed``, ``quota``,
    ``window_ms``, ``latency_ms``, ``fault_rate``, ``fault_hang_ms``, ``webhook_https_only``
    and ``stores``
    (``"HASH:TOKEN,..."`` or a list of ``{"hash", "token"}``). Overrides last until the next
    reset. Also clears stats, rate-limit windows, forced faults, hooks and OAuth clients.
    Answers the config.
``GET  /_sandbox/config``                     the running config.
``POST /_sandbox/config``                     change ``quota``, ``window_ms``, ``latency_ms``,
    ``fault_rate``, ``fault_hang_ms``, ``webhook_https_only`` at run time (a quota/window
    change restarts the windows). ``webhook_https_only: false`` lets ``/v3/hooks`` accept
    ``http://`` destinations on any port (BigCommerce only takes https on port 443, e.g. for a
    local demo). Answers the config.
``GET  /_sandbox/stats``                      ``{"requests", "by_store": {hash: {"requests",
    "http_429", "faults", "endpoints": {"GET /v2/orders": n}}}, "endpoints": {...},
    "status_codes": {"200": n}, "http_429", "faults": {kind: n}, "faults_total",
    "cpu_ms": {endpoint: {"n", "total", "max"}}}``. Endpoint keys put ``{id}`` for numeric
    path segments; ``cpu_ms`` is the server's CPU time to build and send the answers that
    were carried out normally (no fault), excluding the configured latency.
``POST /_sandbox/stats/reset``                zero the stats.
``GET  /_sandbox/faults``                     the pending forced faults.
``POST /_sandbox/faults``                     ``{"kind": "500|502|503|429|timeout|malformed|
    lost_response", "count": 1, "method": "POST", "path": "/v2/orders/{id}/shipments",
    "store": "HASH", "hang_ms": 10000}``: the next ``count`` API requests matching the
    optional method, path prefix (store-relative, ``{id}`` or ``*`` matches one segment)
    and store get that fault.
``DELETE /_sandbox/faults``                   drop the pending forced faults.
``GET  /_sandbox/stores``                     the stores with their order/product/variant
    counts and tokens.
``POST /_sandbox/stores/{hash}/orders``       create an order (201, the v2 order). Body
    optional: ``status_id`` (11), ``customer_id``, ``email``, ``lines`` ([{``variant_id`` |
    ``product_id`` | ``sku``, ``quantity``, ``price_cents``, ``name``,
    ``quantity_shipped``}]; an unknown SKU gives a custom line), ``billing_address`` and
    ``shipping_address`` (partial v2 address objects), ``is_deleted``, ``customer_message``,
    ``staff_notes``, ``date_created``, ``date_modified`` (RFC-2822/ISO-8601/epoch).
``PATCH /_sandbox/stores/{hash}/orders/{id}`` change ``status_id``, ``is_deleted``,
    ``customer_id``, ``email``, ``lines`` (replace all; a line with an existing ``id``
    keeps it), ``billing_address``/``shipping_address`` (partial), ``customer_message``,
    ``staff_notes``; moves ``date_modified`` to now unless ``date_modified`` is given.
``GET  /_sandbox/stores/{hash}/inventory``    ``{"location_id", "products": {id: {"sku",
    "inventory_tracking", "inventory_level"}}, "variants": {id: {"product_id", "sku",
    "inventory_level"}}}``.
``POST /_sandbox/oauth/clients``              ``{"client_id", "client_secret", "code",
    "store_hash", "scope", "redirect_uri"?, "user"?: {"id", "username", "email"}}``: the
    one-time ``code`` may then be exchanged at ``POST /oauth2/token``; the access token it
    gives is accepted by that store's API. Answers 201.
"""

from __future__ import annotations

import gc
import hashlib
import json
import random
import re
import socket
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import render
from .store import V3_MAX_LIMIT, ApiError, Store, paging

FAULT_KINDS = ("500", "502", "503", "429", "timeout", "malformed", "lost_response")
RANDOM_FAULT_KINDS = ("500", "502", "503", "429", "timeout", "malformed")
ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"


def _dumps(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def parse_stores(spec) -> list[tuple[str, str]]:
    """``"HASH:TOKEN,HASH:TOKEN"`` or a list of ``{"hash", "token"}`` -> [(hash, token)]."""
    out = []
    if isinstance(spec, str):
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            store_hash, sep, token = part.partition(":")
            if not sep or not store_hash or not token:
                raise ValueError(f"store {part!r} is not HASH:TOKEN")
            out.append((store_hash, token))
    elif isinstance(spec, list):
        for item in spec:
            out.append((str(item["hash"]), str(item["token"])))
    if not out:
        raise ValueError("at least one store is needed")
    return out


@dataclass
class Config:
    stores: list = field(default_factory=lambda: [("demo01", "demo-token-01")])
    orders: int = 500
    products: int = 100
    variants: int = 3
    quota: int = 150
    window_ms: int = 30000
    latency_ms: int = 0
    fault_rate: float = 0.0
    fault_hang_ms: int = 10000
    seed: int = 1
    webhook_https_only: bool = True

    RUNTIME = ("quota", "window_ms", "latency_ms", "fault_rate", "fault_hang_ms",
               "webhook_https_only")
    SEEDING = ("orders", "products", "variants", "seed")

    def public(self) -> dict:
        d = asdict(self)
        d["stores"] = [{"hash": h, "token": t} for h, t in self.stores]
        return d

    def apply(self, body: dict, keys) -> None:
        for key in keys:
            if key not in body:
                continue
            val = body[key]
            if key == "stores":
                self.stores = parse_stores(val)
            elif key == "webhook_https_only":
                if not isinstance(val, bool):
                    raise ValueError("webhook_https_only must be true or false")
                self.webhook_https_only = val
            elif key == "fault_rate":
                val = float(val)
                if not 0 <= val <= 1:
                    raise ValueError("fault_rate must be between 0 and 1")
                self.fault_rate = val
            else:
                val = int(val)
                if val < (1 if key in ("quota", "window_ms") else 0):
                    raise ValueError(f"{key} is out of range")
                setattr(self, key, val)


class Response:
    __slots__ = ("status", "body", "content_type", "headers")

    def __init__(self, status, body=None, content_type="application/json", headers=None):
        self.status = status
        self.body = body  # object (serialised as JSON), bytes, or None
        self.content_type = content_type
        self.headers = headers or {}


class ForcedFault:
    def __init__(self, kind, count, method, path, store, hang_ms):
        self.kind = kind
        self.count = count
        self.method = method.upper() if method else None
        self.path = path
        self.store = store
        self.hang_ms = hang_ms
        self.regex = None
        if path:
            parts = [re.escape(seg) if seg not in ("{id}", "*") else "[^/]+"
                     for seg in path.split("/")]
            self.regex = re.compile("/".join(parts))

    def matches(self, method, store_hash, rel_path, full_path) -> bool:
        if self.method and self.method != method:
            return False
        if self.store and self.store != store_hash:
            return False
        if self.regex is not None:
            target = full_path if self.path.startswith("/stores/") else rel_path
            if not self.regex.match(target):
                return False
        return True

    def public(self) -> dict:
        return {"kind": self.kind, "count": self.count, "method": self.method,
                "path": self.path, "store": self.store, "hang_ms": self.hang_ms}


def _new_stats() -> dict:
    return {"requests": 0, "by_store": {}, "endpoints": {}, "status_codes": {},
            "http_429": 0, "faults": dict.fromkeys(FAULT_KINDS, 0), "faults_total": 0,
            "cpu_ms": {}}


_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


class Sandbox:
    """All state of the server: config, stores, rate-limit windows, stats, faults, OAuth."""

    def __init__(self, config: Config):
        self.lock = threading.RLock()
        self.base_config = config
        self.stores: dict[str, Store] = {}
        self.reset({})

    # ------------------------------------------------------------ state

    def reset(self, overrides: dict) -> None:
        """Re-seed from the start-up config plus `overrides`; requests wait meanwhile."""
        cfg = Config(**asdict(self.base_config))
        cfg.apply(overrides, ("stores",) + Config.SEEDING + Config.RUNTIME)
        with self.lock:
            # Drop the old stores first (peak memory), and seed without the cyclic GC, which
            # would otherwise rescan the growing heap many times.
            self.stores = {}
            gc.unfreeze()
            gc.collect()
            gc.disable()
            try:
                stores = {}
                for index, (store_hash, token) in enumerate(cfg.stores):
                    client_id = f"sandbox-client-{store_hash}"
                    if store_hash in stores:
                        stores[store_hash].tokens[token] = client_id
                        continue
                    stores[store_hash] = Store(
                        store_hash, {token: client_id}, index, seed=cfg.seed,
                        orders=cfg.orders, products=cfg.products, variants=cfg.variants)
            finally:
                gc.enable()
            self.config = cfg
            self.stores = stores
            self.windows: dict[str, list] = {}
            self.stats = _new_stats()
            self.forced: list[ForcedFault] = []
            self.fault_rng = random.Random(cfg.seed * 7919 + 17)
            self.oauth_clients: dict[str, dict] = {}
            # The seeded records live until the next reset: keep them out of the cyclic GC's
            # scans (a full collection over a big store would stall responses).
            gc.collect()
            gc.freeze()

    # ------------------------------------------------------------ rate limit

    def take_quota(self, store_hash: str) -> tuple[bool, dict]:
        """Count one request; (allowed, rate-limit headers)."""
        cfg = self.config
        t = time.monotonic() * 1000
        win = self.windows.get(store_hash)
        if win is None or t - win[0] >= cfg.window_ms:
            win = [t, 0]
            self.windows[store_hash] = win
        reset_ms = max(0, int(win[0] + cfg.window_ms - t))
        allowed = win[1] < cfg.quota
        if allowed:
            win[1] += 1
        headers = {
            "X-Rate-Limit-Time-Window-Ms": str(cfg.window_ms),
            "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
            "X-Rate-Limit-Requests-Quota": str(cfg.quota),
            "X-Rate-Limit-Requests-Left": str(max(0, cfg.quota - win[1])),
        }
        return allowed, headers

    # ------------------------------------------------------------ faults

    def pick_fault(self, method, store_hash, rel_path, full_path, is_shipment_post):
        """(kind, hang_ms) or None; forced faults first, then the random draw."""
        for ff in self.forced:
            if ff.matches(method, store_hash, rel_path, full_path):
                ff.count -= 1
                if ff.count <= 0:
                    self.forced.remove(ff)
                return ff.kind, ff.hang_ms if ff.hang_ms is not None else self.config.fault_hang_ms
        rate = self.config.fault_rate
        if rate <= 0:
            return None
        rng = self.fault_rng
        if rng.random() >= rate:
            return None
        kinds = RANDOM_FAULT_KINDS + (("lost_response",) if is_shipment_post else ())
        return rng.choice(kinds), self.config.fault_hang_ms

    # ------------------------------------------------------------ stats

    def time(self, endpoint: str, cpu_ms: float) -> None:
        t = self.stats["cpu_ms"].setdefault(endpoint, {"n": 0, "total": 0.0, "max": 0.0})
        t["n"] += 1
        t["total"] = round(t["total"] + cpu_ms, 3)
        t["max"] = round(max(t["max"], cpu_ms), 3)

    def count(self, store_hash, endpoint, status, fault=None) -> None:
        st = self.stats
        st["requests"] += 1
        st["endpoints"][endpoint] = st["endpoints"].get(endpoint, 0) + 1
        code = str(status)
        st["status_codes"][code] = st["status_codes"].get(code, 0) + 1
        if store_hash is not None:
            per = st["by_store"].setdefault(
                store_hash, {"requests": 0, "http_429": 0, "faults": 0, "endpoints": {}})
            per["requests"] += 1
            per["endpoints"][endpoint] = per["endpoints"].get(endpoint, 0) + 1
            if status == 429 and fault is None:
                per["http_429"] += 1
            if fault is not None:
                per["faults"] += 1
        if status == 429 and fault is None:
            st["http_429"] += 1
        if fault is not None:
            st["faults"][fault] += 1
            st["faults_total"] += 1


# ====================================================================== API handlers

def _v2_list(items: list) -> Response:
    return Response(200, items) if items else Response(204)


def _v3_page(items: list, params: dict, render_one=None, render_json=None) -> Response:
    """A v3 list page; `render_json` (an object's encoded JSON) is the faster alternative."""
    page, limit = paging(params, 50, V3_MAX_LIMIT)
    total = len(items)
    total_pages = (total + limit - 1) // limit
    chunk = items[(page - 1) * limit: page * limit]
    links = {"current": f"?page={page}&limit={limit}"}
    if page > 1:
        links["previous"] = f"?page={page - 1}&limit={limit}"
    if page < total_pages:
        links["next"] = f"?page={page + 1}&limit={limit}"
    meta = {"pagination": {"total": total, "count": len(chunk), "per_page": limit,
                           "current_page": page, "total_pages": total_pages, "links": links}}
    if render_json is not None:
        data = ",".join(render_json(x) for x in chunk)
        return Response(200, f'{{"data":[{data}],"meta":{_dumps(meta).decode()}}}'.encode())
    return Response(200, {"data": [render_one(x) for x in chunk], "meta": meta})


def _includes(params: dict) -> frozenset:
    return frozenset(x.strip() for x in params.get("include", "").split(",") if x.strip())


def h_store(ctx, m):
    s = ctx.store
    return Response(200, {
        "id": s.hash, "account_uuid": s.account_uuid, "domain": f"{s.hash}.example.com",
        "secure_url": f"https://store-{s.hash}.mybigcommerce.com",
        "control_panel_base_url": f"https://store-{s.hash}.mybigcommerce.com",
        "status": "live", "name": f"Sandbox Store {s.hash}", "first_name": "Sam",
        "last_name": "Sandbox", "address": "1 Sandbox Way, Austin, Texas 78701",
        "country": "United States", "country_code": "US", "infrastructure_region": "us-central1",
        "phone": "+1 555-010-0000", "admin_email": f"admin@{s.hash}.example.com",
        "order_email": f"orders@{s.hash}.example.com", "favicon_url": "",
        "timezone": {"name": "Etc/UTC", "raw_offset": 0, "dst_offset": 0,
                     "dst_correction": False,
                     "date_format": {"display": "jS M Y", "export": "M jS Y",
                                     "extended_display": "M jS Y @ g:i A"}},
        "language": "en", "currency": "USD", "currency_symbol": "$",
        "decimal_separator": ".", "thousands_separator": ",", "decimal_places": 2,
        "currency_symbol_location": "left", "weight_units": "kg", "dimension_units": "Centimeters",
        "dimension_decimal_places": 2, "dimension_decimal_token": ".",
        "dimension_thousands_token": ",", "plan_name": "Standard", "plan_level": "Standard",
        "plan_is_trial": False, "industry": "Apparel", "logo": [],
        "is_price_entered_with_tax": False, "store_id": 1000000 + s.index,
        "default_channel_id": 1, "default_site_id": 1000, "active_comparison_modules": [],
        "features": {"stencil_enabled": True, "sitewidehttps_enabled": True,
                     "facebook_catalog_id": "", "checkout_type": "optimized",
                     "wishlists_enabled": False, "graphql_storefront_api_enabled": True,
                     "shopper_consent_tracking_enabled": False,
                     "multi_storefront_enabled": False,
                     "storefront_limits": {"active": 1, "total_including_inactive": 1}},
    })


def h_time(ctx, m):
    return Response(200, {"time": int(time.time())})


def h_statuses(ctx, m):
    return Response(200, [render.status_dict(sid) for sid in render.STATUSES])


def h_status(ctx, m):
    sid = int(m.group(1))
    if sid not in render.STATUSES:
        raise ApiError(404, "The requested resource was not found.")
    return Response(200, render.status_dict(sid))


def h_orders(ctx, m):
    orders, _, _ = ctx.store.list_orders(ctx.params)
    inc = _includes(ctx.params)
    obj = ctx.params.get("consignment_structure", "") == "object"
    if not orders:
        return Response(204)
    return Response(200, render.orders_json(orders, ctx.api_v2, inc, obj))


def h_orders_count(ctx, m):
    return Response(200, ctx.store.count_orders(ctx.params))


def h_order(ctx, m):
    o = ctx.store.get_order(m.group(1))
    inc = _includes(ctx.params)
    obj = ctx.params.get("consignment_structure", "") == "object"
    return Response(200, render.order_dict(o, ctx.api_v2, inc, obj))


def h_order_put(ctx, m):
    o = ctx.store.update_order(m.group(1), ctx.json())
    return Response(200, render.order_dict(o, ctx.api_v2, frozenset(), False))


def h_order_delete(ctx, m):
    ctx.store.archive_order(m.group(1))
    return Response(204)


def h_order_products(ctx, m):
    o = ctx.store.get_order(m.group(1))
    page, limit = paging(ctx.params, 50, 250)
    return _v2_list(render.order_lines(o)[(page - 1) * limit: page * limit])


def h_order_product(ctx, m):
    o = ctx.store.get_order(m.group(1))
    for line in render.order_lines(o):
        if str(line["id"]) == m.group(2):
            return Response(200, line)
    raise ApiError(404, "The requested resource was not found.")


def h_order_addresses(ctx, m):
    o = ctx.store.get_order(m.group(1))
    rate = render.TAX_RATES.get(o.ship_addr[9], 0)
    return _v2_list([render.shipping_address_dict(o, ctx.api_v2, rate)])


def h_shipments(ctx, m):
    o = ctx.store.get_order(m.group(1))
    page, limit = paging(ctx.params, 50, 250)
    ships = (o.shipments or [])[(page - 1) * limit: page * limit]
    return _v2_list([render.shipment_dict(o, s) for s in ships])


def h_shipment(ctx, m):
    o = ctx.store.get_order(m.group(1))
    for s in o.shipments or []:
        if str(s.id) == m.group(2):
            return Response(200, render.shipment_dict(o, s))
    raise ApiError(404, "The requested resource was not found.")


def h_shipment_post(ctx, m):
    o, s = ctx.store.create_shipment(m.group(1), ctx.json())
    return Response(201, render.shipment_dict(o, s))


def h_products(ctx, m):
    items = ctx.store.list_products(ctx.params)
    inc = _includes(ctx.params)
    return _v3_page(items, ctx.params, render_json=lambda p: render.product_json(p, inc))


def h_product(ctx, m):
    p = ctx.store.get_product(m.group(1))
    return Response(200, {"data": render.product_dict(p, _includes(ctx.params)), "meta": {}})


def h_product_variants(ctx, m):
    p = ctx.store.get_product(m.group(1))
    return _v3_page(p.variants, ctx.params, render_json=render.variant_json)


def h_variants(ctx, m):
    return _v3_page(ctx.store.list_variants(ctx.params), ctx.params,
                    render_json=render.variant_json)


LOCATION = {
    "id": 1, "code": "BC-LOCATION-1", "label": "Default location",
    "description": "The store's default location", "managed_by_external_source": False,
    "type_id": "PHYSICAL", "enabled": True,
    "operating_hours": {day: {"open": False, "opening": "00:00", "closing": "00:00"}
                        for day in ("sunday", "monday", "tuesday", "wednesday", "thursday",
                                    "friday", "saturday")},
    "time_zone": "Etc/UTC", "created_at": "2023-01-01T00:00:00Z",
    "updated_at": "2023-01-01T00:00:00Z",
    "address": {"address1": "1 Sandbox Way", "address2": "", "city": "Austin",
                "state": "Texas", "zip": "78701", "email": "warehouse@example.com",
                "phone": "+1 555-010-0000",
                "geo_coordinates": {"latitude": 30.2672, "longitude": -97.7431},
                "country_code": "US"},
    "storefront_visibility": True, "special_hours": [],
}


def h_locations(ctx, m):
    return _v3_page([LOCATION], ctx.params, lambda x: x)


def h_adjust_absolute(ctx, m):
    try:
        tid = ctx.store.adjust_absolute(ctx.json())
    except ApiError as exc:
        if exc.status == 422:
            return Response(422, {"status": 422, "title": exc.message, "type": ERROR_TYPE,
                                  "errors": exc.errors}, "application/problem+json")
        raise
    return Response(200, {"transaction_id": tid})


def _hook_out(hook: dict) -> dict:
    return dict(hook)


def h_hooks(ctx, m):
    return _v3_page(ctx.store.list_hooks(ctx.params), ctx.params, _hook_out)


def h_hook_post(ctx, m):
    hook = ctx.store.create_hook(ctx.client_id, ctx.json(), ctx.https_only)
    return Response(200, {"data": _hook_out(hook), "meta": {}})


def h_hook(ctx, m):
    return Response(200, {"data": _hook_out(ctx.store.get_hook(m.group(1))), "meta": {}})


def h_hook_put(ctx, m):
    hook = ctx.store.update_hook(m.group(1), ctx.json(), ctx.https_only)
    return Response(200, {"data": _hook_out(hook), "meta": {}})


def h_hook_delete(ctx, m):
    return Response(200, {"data": _hook_out(ctx.store.delete_hook(m.group(1))), "meta": {}})


_N = r"(\d+)"
ROUTES = {
    "v2": [
        (r"/store", {"GET": h_store}),
        (r"/time", {"GET": h_time}),
        (r"/order_statuses", {"GET": h_statuses}),
        (rf"/order_statuses/{_N}", {"GET": h_status}),
        (r"/orders", {"GET": h_orders}),
        (r"/orders/count", {"GET": h_orders_count}),
        (r"/orders/([^/]+)", {"GET": h_order, "PUT": h_order_put, "DELETE": h_order_delete}),
        (r"/orders/([^/]+)/products", {"GET": h_order_products}),
        (r"/orders/([^/]+)/products/([^/]+)", {"GET": h_order_product}),
        (r"/orders/([^/]+)/shipping_addresses", {"GET": h_order_addresses}),
        (r"/orders/([^/]+)/shipments", {"GET": h_shipments, "POST": h_shipment_post}),
        (r"/orders/([^/]+)/shipments/([^/]+)", {"GET": h_shipment}),
    ],
    "v3": [
        (r"/catalog/products", {"GET": h_products}),
        (r"/catalog/products/([^/]+)", {"GET": h_product}),
        (r"/catalog/products/([^/]+)/variants", {"GET": h_product_variants}),
        (r"/catalog/variants", {"GET": h_variants}),
        (r"/inventory/locations", {"GET": h_locations}),
        (r"/inventory/adjustments/absolute", {"PUT": h_adjust_absolute}),
        (r"/hooks", {"GET": h_hooks, "POST": h_hook_post}),
        (rf"/hooks/{_N}", {"GET": h_hook, "PUT": h_hook_put, "DELETE": h_hook_delete}),
    ],
}
ROUTES = {v: [(re.compile(p + "$"), methods) for p, methods in routes]
          for v, routes in ROUTES.items()}


class ApiContext:
    __slots__ = ("store", "params", "raw_body", "api_v2", "client_id", "https_only")

    def __init__(self, store, params, raw_body, api_v2, client_id, https_only=True):
        self.store = store
        self.params = params
        self.raw_body = raw_body
        self.api_v2 = api_v2
        self.client_id = client_id
        self.https_only = https_only

    def json(self):
        if not self.raw_body:
            raise ApiError(400, "The request body is empty; a JSON body is required.")
        try:
            return json.loads(self.raw_body)
        except ValueError:
            raise ApiError(400, "The request body is not valid JSON.") from None


def error_response(version: str, status: int, message: str, errors: dict | None = None):
    if version == "v2":
        return Response(status, [{"status": status, "message": message}])
    body = {"status": status, "title": message, "type": ERROR_TYPE}
    if errors or status == 422:
        body["errors"] = errors or {}
    return Response(status, body)


# ====================================================================== HTTP layer

class _Drop(Exception):
    """Close the connection without an answer."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    sandbox: Sandbox  # set on the subclass made by make_server

    def version_string(self):
        return "BigCommerceSandbox/1.0"

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, format, *args):  # noqa: A002 - quiet server
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PATCH(self):
        self._dispatch("PATCH")

    # ------------------------------------------------------------ plumbing

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, resp: Response, truncate: bool = False) -> None:
        body = resp.body
        if body is None:
            payload = b""
        elif isinstance(body, bytes | bytearray):
            payload = bytes(body)
        else:
            payload = _dumps(body)
        status = resp.status
        if truncate:
            status = 200
            payload = payload[: max(1, len(payload) // 2)] if payload else b'{"data":['
        self.send_response(status)
        if payload or status not in (204, 304):
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for key, val in resp.headers.items():
            self.send_header(key, val)
        if self.close_connection:
            self.send_header("Connection", "close")
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(payload)
        self.wfile.write(b"".join(self._headers_buffer))
        self._headers_buffer = []

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _dispatch(self, method: str) -> None:
        try:
            parts = urlsplit(self.path)
            path = parts.path.rstrip("/") or "/"
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            body = self._read_body()
            if path.startswith("/stores/"):
                self._api(method, path, params, body)
            elif path == "/oauth2/token":
                self._send(self._oauth_token(method, body))
            elif path.startswith("/_sandbox"):
                self._send(self._control(method, path, params, body))
            else:
                self._send(Response(404, {"status": 404, "title": "Not Found",
                                          "type": ERROR_TYPE}))
        except _Drop:
            self._drop()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # pragma: no cover - a bug: answer 500 and log it
            traceback.print_exc(file=sys.stderr)
            try:
                self._send(Response(500, {"status": 500, "title": "sandbox internal error",
                                          "type": ERROR_TYPE}))
            except OSError:
                self.close_connection = True

    # ------------------------------------------------------------ BigCommerce API

    def _api(self, method, path, params, raw_body) -> None:
        sb = self.sandbox
        m = re.match(r"^/stores/([^/]+)/(v2|v3)(/.*)?$", path)
        if not m:
            self._send(Response(404, {"status": 404, "title": "Not Found", "type": ERROR_TYPE}))
            return
        store_hash, version, rel = m.group(1), m.group(2), m.group(3) or "/"
        endpoint = f"{method} /{version}{_ID_SEGMENT.sub('/{id}', rel)}"
        token = self.headers.get("X-Auth-Token", "")
        with sb.lock:
            store = sb.stores.get(store_hash)
            client_id = store.tokens.get(token) if store is not None and token else None
            if client_id is None:
                sb.count(store_hash if store is not None else None, endpoint, 401)
                resp = error_response(version, 401, "No valid credentials were found in this "
                                                    "request.")
                unauthorized = True
            else:
                unauthorized = False
            latency = sb.config.latency_ms
        if unauthorized:
            self._send(resp)
            return
        if latency:
            time.sleep(latency / 1000)
        handler, match = None, None
        for regex, methods in ROUTES[version]:
            mm = regex.match(rel)
            if mm:
                match = mm
                handler = methods.get(method)
                if handler is None:
                    handler = "405"
                break
        is_shipment_post = handler is h_shipment_post
        with sb.lock:
            allowed, rl_headers = sb.take_quota(store_hash)
            if not allowed:
                sb.count(store_hash, endpoint, 429)
                resp = error_response(version, 429, "Too many requests. Try again after "
                                                    "the reset time.")
                resp.headers = rl_headers
                fault = None
            else:
                fault = sb.pick_fault(method, store_hash, f"/{version}{rel}", path,
                                      is_shipment_post)
        if not allowed:
            self._send(resp)
            return
        kind = fault[0] if fault else None
        if kind in ("500", "502", "503", "429", "timeout"):
            with sb.lock:
                sb.count(store_hash, endpoint, "dropped" if kind == "timeout" else int(kind), kind)
            if kind == "timeout":
                time.sleep(fault[1] / 1000)
                raise _Drop()
            if kind == "500":
                r = error_response(version, 500, "Internal Server Error")
                r.headers = rl_headers
            elif kind == "429":
                r = error_response(version, 429, "The platform is under load; try again later.")
            else:
                text = "Bad Gateway" if kind == "502" else "Service Unavailable"
                r = Response(int(kind), f"<html><body><h1>{kind} {text}</h1></body></html>"
                             .encode(), "text/html")
            self._send(r)
            return
        cpu_start = time.thread_time()
        ctx = ApiContext(store, params, raw_body, f"http://{self._host()}/stores/{store_hash}/v2",
                         client_id, sb.config.webhook_https_only)
        with sb.lock:
            try:
                if handler is None:
                    resp = error_response(version, 404, "The requested resource was not found.")
                elif handler == "405":
                    resp = error_response(version, 405, f"Method {method} is not allowed here.")
                else:
                    resp = handler(ctx, match)
            except ApiError as exc:
                resp = error_response(version, exc.status, exc.message, exc.errors)
            sb.count(store_hash, endpoint, "dropped" if kind == "lost_response" else resp.status,
                     kind)
        resp.headers.update(rl_headers)
        if kind == "lost_response":
            raise _Drop()
        if kind is None:
            # Recorded before the answer goes out, so a client that reads /stats right after
            # its answer always sees it (building the answer is most of the CPU).
            cpu_ms = (time.thread_time() - cpu_start) * 1000
            with sb.lock:
                sb.time(endpoint, cpu_ms)
        self._send(resp, truncate=kind == "malformed")

    def _host(self) -> str:
        host = self.headers.get("Host")
        if host:
            return host
        addr = self.server.server_address
        return f"{addr[0]}:{addr[1]}"

    # ------------------------------------------------------------ OAuth

    def _oauth_token(self, method, raw_body) -> Response:
        if method != "POST":
            return Response(405, {"error": "method_not_allowed"})
        ctype = self.headers.get("Content-Type", "")
        try:
            if "application/x-www-form-urlencoded" in ctype:
                body = dict(parse_qsl(raw_body.decode()))
            else:
                body = json.loads(raw_body or b"{}")
        except ValueError:
            return Response(400, {"error": "invalid_request",
                                  "error_description": "The body is not valid JSON."})
        if not isinstance(body, dict):
            return Response(400, {"error": "invalid_request"})
        sb = self.sandbox
        with sb.lock:
            client = sb.oauth_clients.get(body.get("client_id"))
            if client is None or client["client_secret"] != body.get("client_secret"):
                return Response(400, {"error": "invalid_client",
                                      "error_description": "Invalid client id or secret."})
            if body.get("grant_type") != "authorization_code":
                return Response(400, {"error": "unsupported_grant_type",
                                      "error_description": "grant_type must be "
                                                           "authorization_code."})
            grant = client["codes"].get(body.get("code"))
            if grant is None or grant["used"]:
                return Response(400, {"error": "invalid_grant",
                                      "error_description": "Invalid or already used code."})
            if body.get("context") != f"stores/{grant['store_hash']}":
                return Response(400, {"error": "invalid_grant",
                                      "error_description": "The context does not match."})
            if grant["redirect_uri"] and body.get("redirect_uri") != grant["redirect_uri"]:
                return Response(400, {"error": "invalid_grant",
                                      "error_description": "The redirect_uri does not match."})
            store = sb.stores.get(grant["store_hash"])
            if store is None:
                return Response(400, {"error": "invalid_grant",
                                      "error_description": "Unknown store."})
            grant["used"] = True
            digest = hashlib.sha256(
                f"{client['client_id']}:{body['code']}:{store.hash}:{sb.config.seed}".encode())
            token = f"sbx{digest.hexdigest()[:29]}"
            store.tokens[token] = client["client_id"]
            user = grant["user"]
            return Response(200, {
                "access_token": token, "scope": grant["scope"], "user": user,
                "owner": user, "context": f"stores/{store.hash}",
                "account_uuid": store.account_uuid,
            })

    # ------------------------------------------------------------ control API

    def _control(self, method, path, params, raw_body) -> Response:
        sb = self.sandbox
        try:
            body = json.loads(raw_body) if raw_body else {}
        except ValueError:
            return Response(400, {"error": "the body is not valid JSON"})
        if not isinstance(body, dict):
            return Response(400, {"error": "the body must be a JSON object"})
        rel = path[len("/_sandbox"):] or "/"
        try:
            return self._control_route(sb, method, rel, params, body)
        except ApiError as exc:
            return Response(exc.status, {"error": exc.message})
        except (ValueError, TypeError, KeyError) as exc:
            return Response(400, {"error": str(exc)})

    def _control_route(self, sb: Sandbox, method, rel, params, body) -> Response:
        if rel == "/health" and method == "GET":
            return Response(200, {"ok": True})
        if rel == "/reset" and method == "POST":
            sb.reset(body)
            return Response(200, sb.config.public())
        if rel == "/config":
            with sb.lock:
                if method == "POST":
                    before = (sb.config.quota, sb.config.window_ms)
                    cfg = Config(**asdict(sb.config))
                    cfg.apply(body, Config.RUNTIME)
                    sb.config = cfg
                    if (cfg.quota, cfg.window_ms) != before:
                        sb.windows = {}
                elif method != "GET":
                    return Response(405, {"error": "method not allowed"})
                return Response(200, sb.config.public())
        if rel == "/stats":
            with sb.lock:
                return Response(200, json.loads(json.dumps(sb.stats)))
        if rel == "/stats/reset" and method == "POST":
            with sb.lock:
                sb.stats = _new_stats()
            return Response(200, {"ok": True})
        if rel == "/faults":
            with sb.lock:
                if method == "POST":
                    kind = str(body.get("kind", ""))
                    if kind not in FAULT_KINDS:
                        return Response(400, {"error": f"kind must be one of {FAULT_KINDS}"})
                    count = int(body.get("count", 1))
                    if count < 1:
                        return Response(400, {"error": "count must be at least 1"})
                    hang = body.get("hang_ms")
                    sb.forced.append(ForcedFault(kind, count, body.get("method"),
                                                 body.get("path"), body.get("store"),
                                                 int(hang) if hang is not None else None))
                elif method == "DELETE":
                    sb.forced = []
                elif method != "GET":
                    return Response(405, {"error": "method not allowed"})
                return Response(200, {"pending": [f.public() for f in sb.forced]})
        if rel == "/stores" and method == "GET":
            with sb.lock:
                return Response(200, {"stores": [
                    {"hash": s.hash, "tokens": sorted(s.tokens), "orders": len(s.orders),
                     "products": len(s.products), "variants": len(s.variants)}
                    for s in sb.stores.values()]})
        if rel == "/oauth/clients" and method == "POST":
            for key in ("client_id", "client_secret", "code", "store_hash"):
                if not isinstance(body.get(key), str) or not body[key]:
                    return Response(400, {"error": f"'{key}' is required"})
            with sb.lock:
                if body["store_hash"] not in sb.stores:
                    return Response(400, {"error": "unknown store_hash"})
                client = sb.oauth_clients.setdefault(
                    body["client_id"], {"client_id": body["client_id"], "codes": {}})
                client["client_secret"] = body["client_secret"]
                user = body.get("user") or {"id": 1, "username": "owner@example.com",
                                            "email": "owner@example.com"}
                client["codes"][body["code"]] = {
                    "store_hash": body["store_hash"],
                    "scope": body.get("scope", "store_v2_orders store_v2_products "
                                               "store_inventory store_v2_information"),
                    "redirect_uri": body.get("redirect_uri"), "user": user, "used": False,
                }
            return Response(201, {"client_id": body["client_id"], "code": body["code"],
                                  "store_hash": body["store_hash"]})
        m = re.match(r"^/stores/([^/]+)/(orders|inventory)(?:/(\d+))?$", rel)
        if m:
            with sb.lock:
                store = sb.stores.get(m.group(1))
                if store is None:
                    return Response(404, {"error": "unknown store"})
                api = f"http://{self._host()}/stores/{store.hash}/v2"
                if m.group(2) == "inventory" and method == "GET" and not m.group(3):
                    return Response(200, store.inventory_snapshot())
                if m.group(2) == "orders" and method == "POST" and not m.group(3):
                    o = store.control_create_order(body)
                    return Response(201, render.order_dict(
                        o, api, frozenset({"consignments.line_items"}), True))
                if m.group(2) == "orders" and method == "PATCH" and m.group(3):
                    o = store.control_patch_order(m.group(3), body)
                    return Response(200, render.order_dict(
                        o, api, frozenset({"consignments.line_items"}), True))
        return Response(404, {"error": f"no control endpoint {method} /_sandbox{rel}"})


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(host: str, port: int, config: Config) -> SandboxServer:
    sandbox = Sandbox(config)
    handler = type("BoundHandler", (Handler,), {"sandbox": sandbox})
    server = SandboxServer((host, port), handler)
    server.sandbox = sandbox
    return server


def serve(host: str, port: int, config: Config, out=None) -> None:
    """Seed, listen, print the ready line, serve until interrupted."""
    out = out or sys.stdout
    server = make_server(host, port, config)
    addr = server.server_address
    out.write(f"sandbox listening on http://{addr[0]}:{addr[1]}\n")
    out.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
