"""Webhooks (v3 hooks)."""

from __future__ import annotations

from typing import Any

from .base import ResourceBase


class WebhooksAPI(ResourceBase):
    def list_webhooks(self) -> list[dict[str, Any]]:
        return self._all_v3("/v3/hooks")

    def create_webhook(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``POST /v3/hooks`` (not retried on an unclear outcome: list the hooks to check)."""
        return self._v3_data(
            "POST", "/v3/hooks", self._request("POST", "/v3/hooks", json_body=payload)
        )

    def update_webhook(self, hook_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        path = f"/v3/hooks/{int(hook_id)}"
        return self._v3_data("PUT", path, self._request("PUT", path, json_body=payload))

    def delete_webhook(self, hook_id: int) -> None:
        self._request("DELETE", f"/v3/hooks/{int(hook_id)}")
