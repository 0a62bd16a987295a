"""The sandbox's control API (``/_sandbox/...``, JSON, no auth), described in README.md."""

from __future__ import annotations

import json
import re
from dataclasses import asdict

from . import render_orders
from .errors import ApiError
from .responses import Response
from .state import FAULT_KINDS, Config, ForcedFault, Sandbox, new_stats


def control(
    sb: Sandbox, method: str, path: str, params: dict, raw_body: bytes, host: str
) -> Response:
    """Answer a ``/_sandbox/...`` request (see README.md)."""
    try:
        body = json.loads(raw_body) if raw_body else {}
    except ValueError:
        return Response(400, {"error": "the body is not valid JSON"})
    if not isinstance(body, dict):
        return Response(400, {"error": "the body must be a JSON object"})
    rel = path[len("/_sandbox"):] or "/"
    try:
        return _route(sb, method, rel, params, body, host)
    except ApiError as exc:
        return Response(exc.status, {"error": exc.message})
    except (ValueError, TypeError, KeyError) as exc:
        return Response(400, {"error": str(exc)})

def _route(sb: Sandbox, method, rel, params, body, host: str) -> Response:
    if rel == "/health" and method == "GET":
        return Response(200, {"ok": True})
    if rel == "/reset" and method == "POST":
        sb.reset(body)
        return Response(200, sb.config.public())
    if rel == "/config":
        with sb.lock:
            if method == "POST":
                before = (sb.config.quota, sb.config.window_ms)
                seeded = sb.config.fault_seed
                cfg = Config(**asdict(sb.config))
                cfg.apply(body, Config.RUNTIME)
                sb.config = cfg
                if (cfg.quota, cfg.window_ms) != before:
                    sb.windows = {}
                if "fault_seed" in body and cfg.fault_seed != seeded:
                    sb.fault_rngs = {}  # the draws start again from the new seed
            elif method != "GET":
                return Response(405, {"error": "method not allowed"})
            return Response(200, sb.config.public())
    if rel == "/stats":
        with sb.lock:
            return Response(200, json.loads(json.dumps(sb.stats)))
    if rel == "/stats/reset" and method == "POST":
        with sb.lock:
            sb.stats = new_stats()
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
                skip = int(body.get("skip", 0))
                if skip < 0:
                    return Response(400, {"error": "skip must be 0 or more"})
                sb.forced.append(ForcedFault(kind, count, body.get("method"),
                                             body.get("path"), body.get("store"),
                                             int(hang) if hang is not None else None, skip))
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
    if rel.startswith("/webhooks"):
        return _webhooks(sb, method, rel, body)
    m = re.match(r"^/stores/([^/]+)/events$", rel)
    if m and method == "POST":
        with sb.lock:
            store = sb.stores.get(m.group(1))
            if store is None:
                return Response(404, {"error": "unknown store"})
            if not isinstance(body.get("scope"), str) or not isinstance(body.get("data"), dict):
                return Response(400, {"error": "'scope' (a string) and 'data' (an object) "
                                               "are required"})
            store.emit(body["scope"], body["data"])
        return Response(201, sb.outbox.status())
    m = re.match(r"^/stores/([^/]+)/failing_skus$", rel)
    if m:
        with sb.lock:
            store = sb.stores.get(m.group(1))
            if store is None:
                return Response(404, {"error": "unknown store"})
            return _failing_skus(store, method, body)
    m = re.match(r"^/stores/([^/]+)/(orders|inventory)(?:/(\d+))?$", rel)
    if m:
        with sb.lock:
            store = sb.stores.get(m.group(1))
            if store is None:
                return Response(404, {"error": "unknown store"})
            api = f"http://{host}/stores/{store.hash}/v2"
            if m.group(2) == "inventory" and method == "GET" and not m.group(3):
                return Response(200, store.inventory_snapshot())
            if m.group(2) == "orders" and method == "POST" and not m.group(3):
                o = store.control_create_order(body)
                return Response(201, render_orders.order_dict(
                    o, api, frozenset({"consignments.line_items"}), True))
            if m.group(2) == "orders" and method == "PATCH" and m.group(3):
                o = store.control_patch_order(m.group(3), body)
                return Response(200, render_orders.order_dict(
                    o, api, frozenset({"consignments.line_items"}), True))
    return Response(404, {"error": f"no control endpoint {method} /_sandbox{rel}"})


FAIL_ACTIONS = ("create", "update")


def _failing_skus(store, method, body) -> Response:
    """SKUs whose product create or update BigCommerce refuses (the whole request)."""
    if method == "POST":
        skus = body.get("skus", [body["sku"]] if "sku" in body else None)
        if not isinstance(skus, list) or not skus or not all(
                isinstance(s, str) and s for s in skus):
            return Response(400, {"error": "'sku' (a string) or 'skus' (a list) is required"})
        on = body.get("on", list(FAIL_ACTIONS))
        on = [on] if isinstance(on, str) else on
        if not isinstance(on, list) or not on or any(a not in FAIL_ACTIONS for a in on):
            return Response(400, {"error": f"'on' must be some of {FAIL_ACTIONS}"})
        status = int(body.get("status", 422))
        if status not in (400, 409, 422):
            return Response(400, {"error": "'status' must be 400, 409 or 422"})
        message = str(body.get("message") or "The product was refused by the sandbox's "
                      "control API (a forced failure).")
        for sku in skus:
            store.failing_skus[sku] = {"on": sorted(on), "status": status, "message": message}
    elif method == "DELETE":
        for sku in body.get("skus", [body["sku"]] if "sku" in body else list(store.failing_skus)):
            store.failing_skus.pop(sku, None)
    elif method != "GET":
        return Response(405, {"error": "method not allowed"})
    return Response(200, {"failing_skus": store.failing_skus})


def _webhooks(sb: Sandbox, method, rel, body) -> Response:
    """Deliveries: their state, sending the pending ones now, deactivating a hook."""
    if rel == "/webhooks" and method == "GET":
        return Response(200, {**sb.outbox.status(), "log": list(sb.outbox.log)})
    if rel == "/webhooks/flush" and method == "POST":
        ignore = body.get("ignore_delays", False)
        if not isinstance(ignore, bool):
            return Response(400, {"error": "ignore_delays must be true or false"})
        return Response(200, sb.outbox.flush(ignore_delays=ignore,
                                             rounds=int(body.get("rounds", 1))))
    if rel == "/webhooks/clear" and method == "POST":
        sb.outbox.clear()
        return Response(200, sb.outbox.status())
    return Response(404, {"error": f"no control endpoint {method} /_sandbox{rel}"})
