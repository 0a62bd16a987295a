"""Catalog (v3): products with their variants, and variants alone."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..dates import DateLike, format_v3_date
from .base import IDS_PER_REQUEST, MAX_PAGE_SIZE, ResourceBase, chunks


class CatalogAPI(ResourceBase):
    def iter_product_pages(
        self,
        *,
        include_variants: bool = True,
        date_modified_min: DateLike | None = None,
        ids: Sequence[int] | None = None,
        limit: int = MAX_PAGE_SIZE,
    ) -> Iterator[list[dict[str, Any]]]:
        """``GET /v3/catalog/products`` page by page (``include=variants`` by default).

        ``ids`` are asked in groups of at most 250 per request sequence.
        """
        params: dict[str, Any] = {}
        if include_variants:
            params["include"] = "variants"
        if date_modified_min is not None:
            params["date_modified:min"] = format_v3_date(date_modified_min)
        if ids is None:
            yield from self._iter_v3_pages("/v3/catalog/products", params, limit=limit)
            return
        for group in chunks(dict.fromkeys(int(i) for i in ids), IDS_PER_REQUEST):
            group_params = {**params, "id:in": ",".join(str(i) for i in group)}
            yield from self._iter_v3_pages("/v3/catalog/products", group_params, limit=limit)

    def iter_variant_pages(
        self, *, limit: int = MAX_PAGE_SIZE, product_ids: Sequence[int] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """``GET /v3/catalog/variants`` page by page (all variants of the store)."""
        if product_ids is None:
            yield from self._iter_v3_pages("/v3/catalog/variants", {}, limit=limit)
            return
        for group in chunks(dict.fromkeys(int(i) for i in product_ids), IDS_PER_REQUEST):
            params = {"product_id:in": ",".join(str(i) for i in group)}
            yield from self._iter_v3_pages("/v3/catalog/variants", params, limit=limit)
