"""The store's profile and its order statuses (v2)."""

from __future__ import annotations

from typing import Any

from .base import ResourceBase


class StoreAPI(ResourceBase):
    def get_store(self) -> dict[str, Any]:
        """``GET /v2/store``: the store's profile (also a cheap credentials check)."""
        return self._get_dict("/v2/store")

    def list_order_statuses(self) -> list[dict[str, Any]]:
        """``GET /v2/order_statuses``: the statuses with the store's own labels."""
        return self._get_list("/v2/order_statuses")
