"""Inventory (v3): locations and absolute stock adjustments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import BigCommerceError
from .base import ResourceBase, chunks, endpoint_key

INVENTORY_BATCH_SIZE = 2000


class InventoryAPI(ResourceBase):
    def list_locations(self) -> list[dict[str, Any]]:
        return self._all_v3("/v3/inventory/locations")

    def set_inventory_absolute(
        self, items: Iterable[dict[str, Any]], *, reason: str | None = None
    ) -> list[dict[str, Any]]:
        """``PUT /v3/inventory/adjustments/absolute`` in chunks of at most 2000 items.

        Chunks go one after the other, each after the previous answer; the answers (each
        with a ``transaction_id``) are returned in order. If a chunk fails, the error carries
        ``items_applied``: how many items the earlier chunks set.
        """
        answers: list[dict[str, Any]] = []
        applied = 0
        path = "/v3/inventory/adjustments/absolute"
        for chunk in chunks(items, INVENTORY_BATCH_SIZE):
            body: dict[str, Any] = {"items": chunk}
            if reason:
                body["reason"] = reason
            try:
                answer = self._request("PUT", path, json_body=body)
            except BigCommerceError as exc:
                exc.items_applied = applied  # type: ignore[attr-defined]
                raise
            if answer is not None and not isinstance(answer, dict):
                raise self._malformed(endpoint_key("PUT", path), "an object", answer)
            answers.append(answer or {})
            applied += len(chunk)
        return answers
