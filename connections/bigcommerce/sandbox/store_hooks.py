"""Webhooks (v3) of a sandbox store: validation, duplicates, create, read, update, delete."""

from __future__ import annotations

import re

from .errors import ApiError
from .params import now, parse_bool

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


class HooksMixin:
    """The v3 webhooks of `Store` (its `hooks`, keyed by id)."""

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
