"""In-memory state of one simulated BigCommerce store and the semantics of its API.

The HTTP layer (`server.py`) parses requests and turns `ApiError`s into BigCommerce error
bodies; `Store` only knows records, filters and rules, one part per module: orders
(`store_orders`), shipments (`store_shipments`), catalog and inventory (`store_catalog`),
webhooks (`store_hooks`), the catalog writes of listings (`store_listings`,
`store_options`, `store_taxonomy`) and the control
API's order writes (`store_control`). Every method
expects the caller to hold the sandbox lock.
"""

from __future__ import annotations

import uuid

from .seed import ORDER_ID_START, build_catalog, build_orders, store_rng
from .store_catalog import CatalogMixin
from .store_control import ControlMixin
from .store_hooks import HooksMixin
from .store_listings import ListingsMixin
from .store_options import OptionsMixin
from .store_orders import OrdersMixin
from .store_shipments import ShipmentsMixin
from .store_taxonomy import TaxonomyMixin, seed_brands, seed_categories


class Store(OrdersMixin, ShipmentsMixin, CatalogMixin, ListingsMixin, OptionsMixin, TaxonomyMixin,
            HooksMixin, ControlMixin):
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
        self.outbox = None  # the sandbox's webhook outbox (webhook_delivery.Outbox)
        self.transactions = 0
        self.account_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{store_hash}"))
        # Listings (store_listings): ids of written records, indexes, forced SKU failures.
        self.next_product_id = max(self.product_by_id, default=99) + 1
        self.next_variant_id = max(self.variant_by_id, default=999) + 1
        self.next_custom_field = 0
        self.next_image = 0
        self.product_skus: dict[str, list] = {}
        self.product_names: dict[str, list] = {}
        for p in self.products:
            self._index_product(p)
        self.categories = seed_categories()
        self.brands = seed_brands()
        self.failing_skus: dict[str, dict] = {}
        self.next_option_id = 5000000
        self.next_option_value_id = 6000000

    @property
    def store_id(self) -> int:
        return 1000000 + self.index

    def emit(self, scope: str, data: dict) -> None:
        """An event for the store's webhooks (sent by the outbox to the matching hooks)."""
        if self.outbox is not None:
            self.outbox.event(self, scope, data)

    def emit_order_change(self, o, *, before_status: int, before_deleted: bool,
                          created: bool = False) -> None:
        """The order webhooks BigCommerce sends for a change of `o`."""
        data = {"type": "order", "id": o.id}
        if created:
            self.emit("store/order/created", data)
            return
        self.emit("store/order/updated", data)
        if o.status_id != before_status:
            self.emit("store/order/statusUpdated", {**data, "status": {
                "previous_status_id": before_status, "new_status_id": o.status_id}})
        if o.is_deleted and not before_deleted:
            self.emit("store/order/archived", data)
