"""Listings (v3 catalog writes): products created, updated in batches, deleted; variants
updated in batches; categories and brands found or created.

Every method answers one ``ItemOutcome`` per item: a product BigCommerce refuses is that
item's failure, never the run's. A batch refused as a whole (400/404/409/413/422) is split in
halves until the bad items stand alone, so each gets BigCommerce's own message and the good
ones go through. Failures that are not about an item (401/403, 429 or 5xx after the
transport's retries, an unreadable answer) raise the driver's typed errors: the caller stops.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import (
    BigCommerceError,
    MalformedResponseError,
    NotFoundError,
    ServerError,
    TransportError,
    ValidationError,
    describe_details,
    parse_error_body,
)
from .base import IDS_PER_REQUEST, MAX_PAGE_SIZE, chunks, endpoint_key
from .listing_outcomes import (
    ItemOutcome,
    int_or_none,
    item_error_text,
    option_labels,
    same_product,
    variant_ids_of,
)
from .listing_variants import ListingVariantsAPI

logger = logging.getLogger(__name__)

#: Batch limits of the spec (PUT /v3/catalog/products, PUT /v3/catalog/variants, DELETE).
PRODUCTS_BATCH_SIZE = 10
VARIANTS_BATCH_SIZE = 50
DELETE_BATCH_SIZE = 250
#: Answers that refuse the content of a batch (an item of it): split, never raise.
ITEM_STATUSES = frozenset({400, 404, 409, 413, 422})
PRODUCTS_PATH = "/v3/catalog/products"
VARIANTS_PATH = "/v3/catalog/variants"


class ListingsAPI(ListingVariantsAPI):
    """The hub -> store direction of the catalog (mixed into ``BigCommerceClient``)."""

    @property
    def listings(self) -> ListingsAPI:
        """``client.listings.product_create(...)`` reads as the contract; same object."""
        return self

    # ------------------------------------------------------------------ products

    def product_create(self, *, payload: dict[str, Any], key: str = "") -> ItemOutcome:
        """``POST /v3/catalog/products`` (variants inline): one product per request.

        An unclear outcome (5xx, timeout, unreadable answer) may still have created the
        product: it is looked up by its SKU before posting again (at most ``max_retries``
        times), so a product is never created twice. A 409 for a product of the same SKU,
        name and variant SKUs is that product, created by an earlier call whose answer was
        lost (a worker killed mid-request): it is answered as created, not refused.
        """
        key = key or str(payload.get("sku") or payload.get("name") or "")
        sku = payload.get("sku") if isinstance(payload.get("sku"), str) else ""
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = self._request("POST", PRODUCTS_PATH, json_body=payload)
            except ValidationError as exc:
                existing = self._product_found(sku) if sku and exc.status == 409 else None
                if existing is not None and same_product(existing, payload):
                    logger.info(
                        "BigCommerce store %s: product %s (SKU %s) was created earlier",
                        self.store_hash,
                        existing.get("id"),
                        sku,
                    )
                    return self._created(key, existing)
                return self._refused(key, exc)
            except (ServerError, TransportError, MalformedResponseError) as exc:
                if not sku:
                    raise
                existing = self._product_by_sku(sku, exc)
                if existing is not None:
                    logger.info(
                        "BigCommerce store %s: product %s (SKU %s) was created after all",
                        self.store_hash,
                        existing.get("id"),
                        sku,
                    )
                    return self._created(key, existing)
                if attempt > self.max_retries:
                    raise
                self._backoff(
                    attempt, "a product POST that was not applied", "POST " + PRODUCTS_PATH
                )
                continue
            return self._created(key, self._v3_data("POST", PRODUCTS_PATH, answer))

    def _product_found(self, sku: str) -> dict[str, Any] | None:
        """The store's product of this SKU, if any (a failure to ask stops the caller)."""
        data = self._get_dict(PRODUCTS_PATH, {"sku": sku, "include": "variants"}).get("data")
        return data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else None

    def _product_by_sku(self, sku: str, unclear: BigCommerceError) -> dict[str, Any] | None:
        try:
            return self._product_found(sku)
        except BigCommerceError as listing_failed:
            unclear.hint = (
                f"BigCommerce may have created the product with SKU {sku} without confirming "
                "it, and the store could not be asked: look for the SKU in the store's "
                "catalog before publishing it again."
            )
            unclear.product_may_exist = True  # type: ignore[attr-defined]
            raise unclear from listing_failed

    @staticmethod
    def _created(key: str, product: dict[str, Any]) -> ItemOutcome:
        return ItemOutcome(
            key=key,
            ok=True,
            product_id=int_or_none(product.get("id")),
            variant_ids=variant_ids_of(product),
            status=200,
        )

    @staticmethod
    def _refused(key: str, exc: BigCommerceError, product_id: int | None = None) -> ItemOutcome:
        return ItemOutcome(
            key=key, ok=False, product_id=product_id, status=exc.status, error=item_error_text(exc)
        )

    def variant_create(
        self, *, product_id: int, payload: dict[str, Any], key: str = "", option_type: str = ""
    ) -> ItemOutcome:
        """Add one variant to a product on the store (``POST .../variants``); ``payload`` has
        ``sku`` and ``option_values`` ``[{option_display_name, label}]``, as inline in a
        product create. Missing options (of ``option_type``, else rectangles) and values are
        created first (listing_variants.py). A 409 for a variant of that SKU on this very
        product (same option values) is the variant an earlier call made (its answer lost):
        answered as created.
        """
        product_id = int(product_id)
        key = key or str(payload.get("sku") or "")
        path = f"/v3/catalog/products/{product_id}/variants"
        try:
            values = self._option_value_ids(
                f"/v3/catalog/products/{product_id}",
                payload.get("option_values") or [],
                option_type,
            )
            body = {**payload, "product_id": product_id, "option_values": values}
            answer = self._request("POST", path, json_body=body)
        except (ValidationError, NotFoundError) as exc:
            sku = payload.get("sku")
            if exc.status == 409 and isinstance(sku, str) and sku:
                found = self._get_dict(VARIANTS_PATH, {"sku": sku}).get("data")
                mine = [
                    v
                    for v in (found if isinstance(found, list) else [])
                    if isinstance(v, dict)
                    and v.get("product_id") == product_id
                    and option_labels(v.get("option_values"))
                    == option_labels(payload.get("option_values"))
                ]
                if mine and int_or_none(mine[0].get("id")):
                    return ItemOutcome(
                        key=key,
                        ok=True,
                        product_id=product_id,
                        variant_ids={sku: mine[0]["id"]},
                        status=200,
                    )
            return self._refused(key, exc, product_id)
        data = self._v3_data("POST", path, answer)
        sku, vid = data.get("sku"), int_or_none(data.get("id"))
        return ItemOutcome(
            key=key,
            ok=True,
            product_id=product_id,
            variant_ids={sku: vid} if isinstance(sku, str) and vid else {},
            status=200,
        )

    def product_options_set_type(
        self, *, product_id: int, option_type: str, key: str = ""
    ) -> ItemOutcome:
        """Give the product's variant options the display ``option_type`` (radio_buttons,
        rectangles, dropdown, product_list, product_list_with_images, swatch): the options
        are listed and only those of another type are changed (no change when all match).
        BigCommerce's refusal (e.g. an unknown type) is the outcome's error."""
        product_id = int(product_id)
        key = key or str(product_id)
        try:
            self._options_set_type(product_id, option_type)
        except (ValidationError, NotFoundError) as exc:
            return self._refused(key, exc, product_id)
        return ItemOutcome(key=key, ok=True, product_id=product_id, status=200)

    def products_update(self, *, items: Sequence[tuple[str, dict[str, Any]]]) -> list[ItemOutcome]:
        """``PUT /v3/catalog/products`` in batches of 10; each payload carries ``id``."""
        return self._batch_update(PRODUCTS_PATH, items, PRODUCTS_BATCH_SIZE, product_ids=True)

    def variants_update(self, *, items: Sequence[tuple[str, dict[str, Any]]]) -> list[ItemOutcome]:
        """``PUT /v3/catalog/variants`` in batches of 50; each payload carries ``id``."""
        return self._batch_update(VARIANTS_PATH, items, VARIANTS_BATCH_SIZE, product_ids=False)

    def _batch_update(
        self,
        path: str,
        items: Sequence[tuple[str, dict[str, Any]]],
        size: int,
        *,
        product_ids: bool,
    ) -> list[ItemOutcome]:
        outcomes: dict[int, ItemOutcome] = {}
        indexed = list(enumerate(items))
        for batch in chunks(indexed, size):
            self._send_batch(path, batch, outcomes, product_ids=product_ids, known_bad=False)
        return [outcomes[i] for i, _ in indexed]

    def _send_batch(
        self,
        path: str,
        batch: list[tuple[int, tuple[str, dict[str, Any]]]],
        outcomes: dict[int, ItemOutcome],
        *,
        product_ids: bool,
        known_bad: bool,
    ) -> bool:
        """Send ``batch`` (or, when it is known to fail, only its halves); True if all went."""
        if known_bad and len(batch) > 1:
            self._split(path, batch, outcomes, product_ids=product_ids)
            return False
        try:
            answer = self._request("PUT", path, json_body=[payload for _, (_, payload) in batch])
        except (ValidationError, NotFoundError) as exc:
            if exc.status not in ITEM_STATUSES:
                raise
            if len(batch) == 1:
                index, (key, payload) = batch[0]
                own_id = int_or_none(payload.get("id"))
                pid = own_id if product_ids else int_or_none(payload.get("product_id"))
                outcomes[index] = self._refused(key, exc, pid)
                return False
            logger.info(
                "BigCommerce store %s: %s refused a batch of %d (%s); splitting it to find "
                "the refused items",
                self.store_hash,
                endpoint_key("PUT", path),
                len(batch),
                exc.status,
            )
            # A 413 is about the size, not an item: both halves are sent.
            self._split(path, batch, outcomes, product_ids=product_ids, infer=exc.status != 413)
            return False
        self._record_batch(path, batch, answer, outcomes, product_ids=product_ids)
        return True

    def _split(self, path, batch, outcomes, *, product_ids: bool, infer: bool = True) -> None:
        """Halves of a refused batch: when the first half goes through, the refusal is in
        the second, which is split at once instead of being sent whole again (``infer``)."""
        middle = len(batch) // 2
        first, second = batch[:middle], batch[middle:]
        first_ok = self._send_batch(path, first, outcomes, product_ids=product_ids, known_bad=False)
        known_bad = infer and first_ok
        self._send_batch(path, second, outcomes, product_ids=product_ids, known_bad=known_bad)

    def _record_batch(self, path, batch, answer, outcomes, *, product_ids: bool) -> None:
        if answer is not None and not isinstance(answer, dict):
            raise self._malformed(endpoint_key("PUT", path), "an object", answer)
        data = (answer or {}).get("data")
        by_id = {
            d["id"]: d for d in (data if isinstance(data, list) else []) if isinstance(d, dict)
        }
        warning = ""
        if isinstance((answer or {}).get("errors"), dict) and answer["errors"]:
            # 207: saved, but part of it (e.g. the inventory or the URL) was not.
            title, details = parse_error_body(answer)
            warning = "; ".join(p for p in (title, describe_details(details)) if p)
        for index, (key, payload) in batch:
            own_id = int_or_none(payload.get("id"))
            got = by_id.get(own_id, {})
            if product_ids:
                pid, variants = own_id, variant_ids_of(got)
            else:
                pid = int_or_none(got.get("product_id")) or int_or_none(payload.get("product_id"))
                sku = got.get("sku") if isinstance(got.get("sku"), str) else payload.get("sku")
                variants = {sku: own_id} if isinstance(sku, str) and own_id else {}
            outcomes[index] = ItemOutcome(
                key=key, ok=True, product_id=pid, variant_ids=variants, status=200, error=warning
            )

    def products_delete(self, *, product_ids: Iterable[int]) -> list[ItemOutcome]:
        """``DELETE /v3/catalog/products?id:in=...``, 250 ids a request (the spec's maximum).

        BigCommerce answers 204 whether or not an id existed: a product already gone counts
        as deleted. ``key`` is the product id as text.
        """
        ids = list(dict.fromkeys(int(i) for i in product_ids))
        outcomes: list[ItemOutcome] = []
        for group in chunks(ids, DELETE_BATCH_SIZE):
            outcomes.extend(self._delete_group(group))
        return outcomes

    def _delete_group(self, group: list[int]) -> list[ItemOutcome]:
        params = {"id:in": ",".join(str(i) for i in group)}
        try:
            self._request("DELETE", PRODUCTS_PATH, params=params)
        except (ValidationError, NotFoundError) as exc:
            if exc.status not in ITEM_STATUSES:
                raise
            if len(group) == 1:
                return [self._refused(str(group[0]), exc, group[0])]
            middle = len(group) // 2
            return self._delete_group(group[:middle]) + self._delete_group(group[middle:])
        return [ItemOutcome(key=str(i), ok=True, product_id=i, status=204) for i in group]

    def products_get(
        self, *, product_ids: Sequence[int], include: str = "variants,custom_fields,images"
    ) -> list[dict[str, Any]]:
        """The products with these ids (250 ids a request), with ``include`` inline."""
        out: list[dict[str, Any]] = []
        for group in chunks(dict.fromkeys(int(i) for i in product_ids), IDS_PER_REQUEST):
            params = {"include": include, "id:in": ",".join(str(i) for i in group)}
            for page in self._iter_v3_pages(PRODUCTS_PATH, params, limit=MAX_PAGE_SIZE):
                out.extend(page)
        return out

    # ------------------------------------------------------------------ categories, brands

    def categories_ensure(self, *, names: Iterable[str]) -> dict[str, int]:
        """Top-level categories by name (case and surrounding spaces ignored), created when
        missing; answers ``{name as given: category id}``."""
        return self._ensure_named("/v3/catalog/categories", names, {"parent_id": 0})

    def brands_ensure(self, *, names: Iterable[str]) -> dict[str, int]:
        """Brands by name (case and surrounding spaces ignored), created when missing."""
        return self._ensure_named("/v3/catalog/brands", names, {})

    def _ensure_named(
        self, path: str, names: Iterable[str], scope: dict[str, Any]
    ) -> dict[str, int]:
        wanted: dict[str, list[str]] = {}
        for name in names:
            if isinstance(name, str) and name.strip():
                wanted.setdefault(name.strip().casefold(), []).append(name)
        if not wanted:
            return {}
        found: dict[str, int] = {}
        # One listing (a page holds 250) instead of one lookup per name; stops once all found.
        for page in self._iter_v3_pages(path, dict(scope), limit=MAX_PAGE_SIZE):
            for record in page:
                norm = str(record.get("name") or "").strip().casefold()
                if norm in wanted and norm not in found and int_or_none(record.get("id")):
                    found[norm] = record["id"]
            if len(found) == len(wanted):
                break
        for norm, given in wanted.items():
            if norm in found:
                continue
            body = {"name": given[0].strip(), **scope}
            try:
                created = self._v3_data("POST", path, self._request("POST", path, json_body=body))
                found[norm] = int(created["id"])
            except ValidationError as exc:
                if exc.status != 409:  # 409: created meanwhile by someone else
                    raise
                again = self._all_v3(path, {"name": body["name"], **scope})
                if not again:
                    raise
                found[norm] = int(again[0]["id"])
        return {name: found[norm] for norm, given in wanted.items() for name in given}
