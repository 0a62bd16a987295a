"""Orders (v2): listing with filters, counting, reading and updating one order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..dates import DateLike, format_v2_date
from .base import MAX_PAGE_SIZE, Decoder, ResourceBase

# Orders with their consignments, line items and shipping addresses in one answer.
CONSIGNMENTS_INLINE = {"include": "consignments.line_items", "consignment_structure": "object"}


class OrdersAPI(ResourceBase):
    @staticmethod
    def _order_filters(
        *,
        status_id: int | None = None,
        min_id: int | None = None,
        max_id: int | None = None,
        min_date_created: DateLike | None = None,
        max_date_created: DateLike | None = None,
        min_date_modified: DateLike | None = None,
        max_date_modified: DateLike | None = None,
        is_deleted: bool | None = None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for name, value in (("status_id", status_id), ("min_id", min_id), ("max_id", max_id)):
            if value is not None:
                params[name] = int(value)
        for name, value in (
            ("min_date_created", min_date_created),
            ("max_date_created", max_date_created),
            ("min_date_modified", min_date_modified),
            ("max_date_modified", max_date_modified),
        ):
            if value is not None:
                params[name] = format_v2_date(value)
        if is_deleted is not None:
            params["is_deleted"] = "true" if is_deleted else "false"
        return params

    def iter_order_pages(
        self,
        *,
        sort: str | None = None,
        include_consignments: bool = True,
        limit: int = MAX_PAGE_SIZE,
        start_page: int = 1,
        decode: Decoder | None = None,
        **filters: Any,
    ) -> Iterator[list[dict[str, Any]]]:
        """``GET /v2/orders`` page by page (each page fetched when the previous is consumed).

        ``filters`` are those of ``_order_filters`` (status_id, min_id, max_id, min/max
        date_created, min/max date_modified, is_deleted). With ``include_consignments`` each
        order carries its consignments, line items and shipping addresses. ``decode`` reads
        each answer's body instead of ``json.loads`` (see ``_iter_v2_pages``).
        """
        params = self._order_filters(**filters)
        if sort:
            params["sort"] = sort
        if include_consignments:
            params.update(CONSIGNMENTS_INLINE)
        return self._iter_v2_pages(
            "/v2/orders", params, limit=limit, start_page=start_page, decode=decode
        )

    def iter_orders(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """The orders of ``iter_order_pages`` (same keywords), one by one."""
        for page in self.iter_order_pages(**filters):
            yield from page

    def count_orders(self, **filters: Any) -> int:
        """``GET /v2/orders/count`` with the same filters as the listing."""
        params = self._order_filters(**filters)
        payload = self._get_dict("/v2/orders/count", params)
        count = payload.get("count")
        if isinstance(count, bool) or not isinstance(count, int | float):
            raise self._malformed("GET /v2/orders/count", "an object with 'count'", payload)
        return int(count)

    def get_order(self, order_id: int, *, include_consignments: bool = True) -> dict[str, Any]:
        params = dict(CONSIGNMENTS_INLINE) if include_consignments else None
        return self._get_dict(f"/v2/orders/{int(order_id)}", params)

    def update_order(self, order_id: int, payload: dict[str, Any]) -> dict[str, Any]:
        """``PUT /v2/orders/{id}`` (idempotent: retried like a GET)."""
        return self._send_dict("PUT", f"/v2/orders/{int(order_id)}", payload)

    def update_order_status(self, order_id: int, status_id: int) -> dict[str, Any]:
        return self.update_order(order_id, {"status_id": int(status_id)})

    def list_order_products(self, order_id: int) -> list[dict[str, Any]]:
        return self._all_v2(f"/v2/orders/{int(order_id)}/products")

    def list_order_shipping_addresses(self, order_id: int) -> list[dict[str, Any]]:
        return self._all_v2(f"/v2/orders/{int(order_id)}/shipping_addresses")
