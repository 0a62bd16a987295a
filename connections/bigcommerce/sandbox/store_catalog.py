"""Catalog and inventory (v3) of a sandbox store: product and variant filters, absolute
inventory adjustments (all or nothing, as BigCommerce does)."""

from __future__ import annotations

import uuid

from .errors import ApiError
from .params import now, opt, parse_bool, parse_date, parse_id_list, parse_int
from .seed import LOCATION_ID

ADJUSTMENT_MAX_ITEMS = 2000
MAX_INVENTORY = 2147483647

PRODUCT_SORTS = {
    "id": lambda p: p.id,
    "name": lambda p: (p.name, p.id),
    "sku": lambda p: (p.sku, p.id),
    "price": lambda p: (p.price, p.id),
    "date_modified": lambda p: (p.modified, p.id),
    "inventory_level": lambda p: (p.inventory, p.id),
    "is_visible": lambda p: (p.is_visible, p.id),
}


class CatalogMixin:
    """The v3 catalog and inventory of `Store` (its `products`, `variants`, `sku_index`)."""

    def get_product(self, pid):
        try:
            p = self.product_by_id.get(int(pid))
        except (TypeError, ValueError):
            p = None
        if p is None:
            raise ApiError(404, "The requested product was not found.")
        return p

    def list_products(self, params: dict):
        tests = []
        ids = opt(params, "id:in", parse_id_list)
        if ids is not None:
            tests.append(lambda p: p.id in ids)
        not_ids = opt(params, "id:not_in", parse_id_list)
        if not_ids is not None:
            tests.append(lambda p: p.id not in not_ids)
        one = opt(params, "id", parse_int)
        if one is not None:
            tests.append(lambda p: p.id == one)
        id_min = opt(params, "id:min", parse_int)
        if id_min is not None:
            tests.append(lambda p: p.id >= id_min)
        id_max = opt(params, "id:max", parse_int)
        if id_max is not None:
            tests.append(lambda p: p.id <= id_max)
        for key in ("sku", "upc", "mpn", "name"):
            if params.get(key) is not None:
                tests.append(lambda p, key=key, val=params[key]: getattr(p, key) == val)
        if params.get("sku:in"):
            skus = set(params["sku:in"].split(","))
            tests.append(lambda p: p.sku in skus)
        m_min = opt(params, "date_modified:min", parse_date)
        if m_min is not None:
            tests.append(lambda p: p.modified >= m_min)
        m_max = opt(params, "date_modified:max", parse_date)
        if m_max is not None:
            tests.append(lambda p: p.modified <= m_max)
        visible = opt(params, "is_visible", parse_bool)
        if visible is not None:
            tests.append(lambda p: p.is_visible == visible)
        out = [p for p in self.products if all(t(p) for t in tests)] if tests else self.products
        sort = params.get("sort") or "id"
        direction = (params.get("direction") or "asc").lower()
        if sort not in PRODUCT_SORTS or direction not in ("asc", "desc"):
            raise ApiError(422, "The sort or direction parameter is invalid.",
                           {"sort": "invalid"})
        if sort != "id" or direction != "asc":
            out = sorted(out, key=PRODUCT_SORTS[sort], reverse=direction == "desc")
        return out

    def list_variants(self, params: dict):
        tests = []
        ids = opt(params, "id:in", parse_id_list)
        if ids is not None:
            tests.append(lambda v: v.id in ids)
        one = opt(params, "id", parse_int)
        if one is not None:
            tests.append(lambda v: v.id == one)
        pids = opt(params, "product_id:in", parse_id_list)
        if pids is not None:
            tests.append(lambda v: v.product.id in pids)
        for key in ("sku", "upc"):
            if params.get(key) is not None:
                tests.append(lambda v, key=key, val=params[key]: getattr(v, key) == val)
        if params.get("sku:in"):
            skus = set(params["sku:in"].split(","))
            tests.append(lambda v: v.sku in skus)
        return [v for v in self.variants if all(t(v) for t in tests)] if tests else self.variants

    # ---------------------------------------------------------------- inventory (v3)

    def adjust_absolute(self, body) -> str:
        """All-or-nothing absolute adjustment; answers the transaction id."""
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise ApiError(422, "The field 'items' is required.", {"items": "required"})
        items = body["items"]
        if not items:
            raise ApiError(422, "The field 'items' must not be empty.", {"items": "empty"})
        if len(items) > ADJUSTMENT_MAX_ITEMS:
            raise ApiError(422, f"At most {ADJUSTMENT_MAX_ITEMS} items per request; got "
                                f"{len(items)}.", {"items": "too many"})
        if "reason" in body and not isinstance(body["reason"], str):
            raise ApiError(422, "The field 'reason' is invalid.", {"reason": "invalid"})
        plan = []
        errors = {}
        for n, item in enumerate(items):
            try:
                plan.append(self._adjustment_target(item))
            except ApiError as exc:
                errors[f"items.{n}"] = exc.message
        if errors:
            first = next(iter(errors.values()))
            raise ApiError(422, f"[{first}]", errors)
        when = now()
        touched = set()
        for target, qty in plan:
            if target.inventory != qty:
                target.inventory = qty
                touched.add(target)
        for target in touched:
            target.modified = when
            p = getattr(target, "product", target)
            if p is not target:
                p.inventory = sum(v.inventory for v in p.variants)
            p.modified = when
            for v in p.variants:
                v.modified = when
            self._emit_inventory(target, p)
        self.transactions += 1
        return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{self.hash}:{self.seed}:{self.transactions}"))

    def _emit_inventory(self, target, product) -> None:
        """BigCommerce's inventory webhooks: per variant (sku) or per product."""
        method = {"method": "absolute", "value": target.inventory}
        if target is not product:
            self.emit("store/sku/inventory/updated", {"type": "sku", "id": target.id,
                      "inventory": {**method, "product_id": product.id,
                                    "variant_id": target.id}})
        else:
            self.emit("store/product/inventory/updated", {"type": "product", "id": product.id,
                      "inventory": {**method, "product_id": product.id}})

    def _adjustment_target(self, item):
        if not isinstance(item, dict):
            raise ApiError(422, "Item is not an object")
        loc = item.get("location_id")
        if loc != LOCATION_ID:
            raise ApiError(422, f"Location with id {loc!r} does not exist")
        qty = item.get("quantity")
        if not isinstance(qty, int) or isinstance(qty, bool):
            raise ApiError(422, "Quantity must be an integer")
        if qty < 0:
            raise ApiError(422, f"Quantity {qty} must not be negative")
        if qty > MAX_INVENTORY:
            raise ApiError(422, f"Quantity {qty} is above the maximum inventory level")
        keys = [k for k in ("variant_id", "product_id", "sku") if k in item]
        if len(keys) != 1:
            raise ApiError(422, "Exactly one of variant_id, product_id or sku is required")
        key = keys[0]
        ref = item[key]
        if key == "sku":
            matches = self.sku_index.get(ref, []) if isinstance(ref, str) else []
            if not matches:
                raise ApiError(422, f"Item with sku {ref!r} does not exist")
            if len(matches) > 1:
                raise ApiError(422, f"Item with sku {ref!r} is not unique")
            v = matches[0]
            key, ref = "variant_id", v.id
        if key == "variant_id":
            v = self.variant_by_id.get(ref) if isinstance(ref, int) else None
            if v is None:
                raise ApiError(422, f"Item with variant_id {ref!r} does not exist")
            tracking = v.product.tracking
            if tracking == "none":
                raise ApiError(422, f"Item with variant_id {ref} has inventory tracking "
                                    "disabled")
            if tracking == "product":
                raise ApiError(422, f"Item with variant_id {ref} is tracked by product, please "
                                    "update stock by product id")
            return v, qty
        p = self.product_by_id.get(ref) if isinstance(ref, int) else None
        if p is None:
            raise ApiError(422, f"Item with product_id {ref!r} does not exist")
        if p.tracking == "none":
            raise ApiError(422, f"Item with product_id {ref} has inventory tracking disabled")
        if p.tracking == "variant":
            raise ApiError(422, f"Item with product_id {ref} is tracked by variant, please "
                                "update stock by variant id")
        return p, qty

    def inventory_snapshot(self) -> dict:
        return {
            "location_id": LOCATION_ID,
            "products": {str(p.id): {"sku": p.sku, "inventory_tracking": p.tracking,
                                     "inventory_level": p.inventory} for p in self.products},
            "variants": {str(v.id): {"product_id": v.product.id, "sku": v.sku,
                                     "inventory_level": v.inventory} for v in self.variants},
        }
