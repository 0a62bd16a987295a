"""A fake of the driver's ListingsAPI (the contract in the listings brief): keeps products,
counts requests the way the driver batches them (products 10, variants 50, deletes 50), and
refuses what it is told to (a SKU, a name over 250 characters)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ItemOutcome:
    key: str
    ok: bool
    product_id: int | None = None
    variant_ids: dict = field(default_factory=dict)
    status: int | None = None
    error: str = ""


@dataclass
class Stats:
    requests: int = 0


class FakeListingsAPI:
    def __init__(self):
        self.stats = Stats()
        self.products: dict[int, dict] = {}
        self.calls: list[tuple[str, object]] = []
        self.fail_skus: set[str] = set()
        self.categories: dict[str, int] = {}
        self.brands: dict[str, int] = {}
        self.option_types: dict[int, str] = {}
        self.new_option_types: dict[int, str] = {}  # given to variant_create
        self._ids = itertools.count(100)
        self.crash_after_requests: int | None = None

    def _request(self, name, body):
        if (
            self.crash_after_requests is not None
            and self.stats.requests >= self.crash_after_requests
        ):
            raise RuntimeError("worker killed")
        self.stats.requests += 1
        self.calls.append((name, body))

    def _refusal(self, payload) -> str:
        sku = payload.get("sku", "")
        if sku in self.fail_skus or any(
            v.get("sku") in self.fail_skus for v in payload.get("variants", [])
        ):
            return f"The product could not be saved: SKU {sku} is refused (422)."
        for cf in payload.get("custom_fields", []):
            if len(cf["name"]) > 250 or len(cf["value"]) > 250:
                return "custom_fields: name and value must be 250 characters at most (422)."
        return ""

    def product_create(self, *, payload):
        self._request("product_create", payload)
        error = self._refusal(payload)
        if error:
            return ItemOutcome(key=payload.get("sku", ""), ok=False, status=422, error=error)
        pid = next(self._ids)
        variants = payload.get("variants") or [{"sku": payload["sku"]}]
        ids = {v["sku"]: next(self._ids) for v in variants}
        self.products[pid] = {**payload, "variant_ids": ids}
        return ItemOutcome(key=payload["sku"], ok=True, product_id=pid, variant_ids=ids, status=200)

    def _batched(self, name, items, size):
        out = []
        for start in range(0, len(items), size):
            batch = items[start : start + size]
            self._request(name, batch)
            for key, payload in batch:
                error = self._refusal(payload)
                if not error and name == "products_update":
                    self.products.setdefault(payload["id"], {}).update(payload)
                out.append(
                    ItemOutcome(key=key, ok=not error, error=error, status=422 if error else 200)
                )
        return out

    def products_update(self, *, items):
        return self._batched("products_update", items, 10)

    def variants_update(self, *, items):
        return self._batched("variants_update", items, 50)

    def products_delete(self, *, product_ids):
        out = []
        for start in range(0, len(product_ids), 50):
            batch = product_ids[start : start + 50]
            self._request("products_delete", batch)
            for pid in batch:
                self.products.pop(pid, None)
                out.append(ItemOutcome(key=str(pid), ok=True, product_id=pid, status=204))
        return out

    def categories_ensure(self, *, names):
        self._request("categories_ensure", names)
        for name in names:
            self.categories.setdefault(name, next(self._ids))
        return {name: self.categories[name] for name in names}

    def brands_ensure(self, *, names):
        self._request("brands_ensure", names)
        for name in names:
            self.brands.setdefault(name, next(self._ids))
        return {name: self.brands[name] for name in names}

    def variant_create(self, *, product_id, payload, key="", option_type=""):
        self._request("variant_create", (product_id, payload))
        self.new_option_types[product_id] = option_type
        error = self._refusal(payload)
        if error:
            return ItemOutcome(key=key or payload["sku"], ok=False, status=422, error=error)
        vid = next(self._ids)
        self.products[product_id]["variant_ids"][payload["sku"]] = vid
        return ItemOutcome(
            key=key or payload["sku"],
            ok=True,
            product_id=product_id,
            variant_ids={payload["sku"]: vid},
            status=200,
        )

    def product_options_set_type(self, *, product_id, option_type, key=""):
        self._request("product_options_set_type", (product_id, option_type))
        self.option_types[product_id] = option_type
        return ItemOutcome(key=str(product_id), ok=True, product_id=product_id, status=200)

    def named(self, name):
        return [body for call, body in self.calls if call == name]
