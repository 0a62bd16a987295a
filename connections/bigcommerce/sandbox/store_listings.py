"""Catalog writes of a sandbox store (the hub's listings): products created with inline
variants, batch updates of products (10) and variants (50), deletes by `id:in` (250)
(categories and brands: `store_taxonomy`). All or nothing per request, as BigCommerce does:
one bad item refuses the whole batch. Written products join the records the reads serve
(Product Match sees them).

`failing_skus` (control API) makes a SKU's create or update fail on demand.
"""

from __future__ import annotations

from . import listings_checks as checks
from .errors import ApiError
from .params import now, opt, parse_id_list
from .records import Product, Variant

PRODUCTS_BATCH_MAX = 10
VARIANTS_BATCH_MAX = 50
DELETE_MAX = 250
# Product members kept as written (rendered over the defaults); the others map to slots.
_PRODUCT_EXTRA = ("description", "retail_price", "sale_price", "width", "height", "depth",
                  "availability", "availability_description", "search_keywords", "page_title",
                  "meta_description", "gtin", "condition", "is_featured", "warranty")
_VARIANT_EXTRA = ("sale_price", "retail_price", "weight", "width", "height", "depth",
                  "purchasing_disabled", "purchasing_disabled_message", "image_url", "gtin",
                  "bin_picking_number", "mpn")


def _cents(val) -> int:
    return int(round(float(val) * 100))


class ListingsMixin:
    """The catalog writes of `Store` (its `products`, `variants`, indexes, `failing_skus`)."""

    # ---------------------------------------------------------------- shared rules

    def _forced_failure(self, skus, action: str) -> None:
        for sku in skus:
            rule = self.failing_skus.get(sku)
            if rule and action in rule["on"]:
                raise ApiError(rule["status"], rule["message"], {"sku": sku})

    def _sku_taken(self, sku: str, ignore=()) -> bool:
        """Is `sku` a variant's or a product's SKU (other than those in `ignore`)?"""
        if any(v not in ignore for v in self.sku_index.get(sku, ())):
            return True
        return any(p not in ignore for p in self.product_skus.get(sku, ()))

    def _name_taken(self, name: str, ignore=None) -> bool:
        return any(p is not ignore for p in self.product_names.get(name.strip().casefold(), ()))

    def _index_product(self, p, *, drop: bool = False) -> None:
        """Add `p` to (or drop it from) the product SKU and name indexes."""
        for index, key in ((self.product_skus, p.sku), (self.product_names,
                                                         p.name.strip().casefold())):
            if not key:
                continue
            same = index.setdefault(key, [])
            if drop:
                if p in same:
                    same.remove(p)
                if not same:
                    del index[key]
            else:
                same.append(p)

    def _check_refs(self, body: dict, errors: dict, where: str = "") -> None:
        for cid in body.get("categories") or []:
            if cid not in self.categories:
                errors[f"{where}categories"] = f"Category {cid} does not exist."
        brand = body.get("brand_id")
        if isinstance(brand, int) and brand and brand not in self.brands:
            errors[f"{where}brand_id"] = f"Brand {brand} does not exist."

    def _index_sku(self, v, old=None) -> None:
        if old:
            same = self.sku_index.get(old, [])
            if v in same:
                same.remove(v)
            if not same:
                self.sku_index.pop(old, None)
        if v.sku:
            self.sku_index.setdefault(v.sku, []).append(v)

    # ---------------------------------------------------------------- create

    def create_product(self, body) -> Product:
        if not isinstance(body, dict):
            raise ApiError(422, "The request body must be a product object.")
        errors: dict = {}
        checks.check_product(errors, body, create=True)
        variants = body.get("variants") or []
        if not isinstance(variants, list):
            errors["variants"] = "The field 'variants' must be a list."
            variants = []
        for n, vb in enumerate(variants):
            if not isinstance(vb, dict):
                errors[f"variants.{n}"] = "A variant must be an object."
            else:
                checks.check_variant(errors, vb, create=True, where=f"variants.{n}.")
        if errors:
            raise ApiError(422, "The product is not valid.",
                           errors)
        skus = [body["sku"]] if body.get("sku") else []
        skus += [vb["sku"] for vb in variants]
        self._forced_failure(skus, "create")
        conflicts: dict = {}
        name = body["name"].strip()
        if self._name_taken(name):
            conflicts["name"] = f"A product with the name '{name}' already exists."
        seen: set = set()
        for sku in skus:
            if self._sku_taken(sku) or sku in seen:
                conflicts.setdefault("sku", f"The SKU '{sku}' is already in use.")
            seen.add(sku)
        self._check_refs(body, conflicts)
        if conflicts:
            raise ApiError(409, "The product conflicts with the store's catalog.",
                           conflicts)
        return self._add_product(body, variants)

    def _add_product(self, body: dict, variants: list) -> Product:
        ts = now()
        p = Product(self.next_product_id)
        self.next_product_id += 1
        p.name = body["name"].strip()
        p.sku = body.get("sku") or ""
        p.upc = body.get("upc") or ""
        p.mpn = body.get("mpn") or ""
        p.brand_id = body.get("brand_id") or 0
        p.price = _cents(body["price"])
        p.cost = _cents(body.get("cost_price") or 0)
        p.weight = float(body["weight"])
        p.tracking = body.get("inventory_tracking", "none")
        p.inventory = body.get("inventory_level", 0) if p.tracking == "product" else 0
        p.warning = body.get("inventory_warning_level", 0) or 0
        p.created = p.modified = ts
        p.is_visible = body.get("is_visible", True)
        cats = list(body.get("categories") or [])
        p.category = cats[0] if cats else 0
        p.option_id, p.option_name = 0, ""
        p.extra = {"categories": cats, "custom_fields": [], "images": [], "_options": []}
        for key in _PRODUCT_EXTRA:
            if key in body:
                p.extra[key] = body[key]
        self._merge_custom_fields(p, body.get("custom_fields") or [])
        self._merge_images(p, body.get("images") or [])
        if variants:
            options: dict[str, dict] = {}
            for j, vb in enumerate(variants):
                values = []
                for ov in vb["option_values"]:
                    opt_ = options.get(ov["option_display_name"])
                    if opt_ is None:
                        opt_ = {"id": p.id * 10 + len(options), "product_id": p.id,
                                "display_name": ov["option_display_name"], "type": "rectangles",
                                "sort_order": len(options), "config": {}, "option_values": []}
                        options[ov["option_display_name"]] = opt_
                    value = next((x for x in opt_["option_values"] if x["label"] == ov["label"]),
                                 None)
                    if value is None:
                        value = {"id": opt_["id"] * 100 + len(opt_["option_values"]),
                                 "label": ov["label"], "sort_order": len(opt_["option_values"]),
                                 "value_data": None, "is_default": False}
                        opt_["option_values"].append(value)
                    values.append({"id": value["id"], "label": value["label"],
                                   "option_id": opt_["id"],
                                   "option_display_name": opt_["display_name"]})
                v = self._new_variant(p, j, vb, vb["option_values"][0]["label"], body)
                v.extra["option_values"] = values
            p.extra["_options"] = list(options.values())
            first = next(iter(options.values()))
            p.option_id, p.option_name = first["id"], first["display_name"]
        else:
            self._new_variant(p, 0, {"sku": p.sku}, None, body)
        if p.tracking == "variant":
            p.inventory = sum(v.inventory for v in p.variants)
        self.products.append(p)
        self.product_by_id[p.id] = p
        self._index_product(p)
        self.emit("store/product/created", {"type": "product", "id": p.id})
        return p

    def _new_variant(self, p: Product, index: int, vb: dict, label, body: dict) -> Variant:
        price = vb.get("price") if vb.get("price") is not None else body["price"]
        inventory = vb.get("inventory_level", 0) if p.tracking == "variant" else 0
        v = Variant(self.next_variant_id, p, index, vb.get("sku") or "", _cents(price),
                    inventory, label)
        self.next_variant_id += 1
        v.upc_override = vb.get("upc") or (body.get("upc") if label is None else "") or ""
        v.extra = {"mpn": vb.get("mpn") or (p.mpn if label is None else "")}
        for key in _VARIANT_EXTRA:
            if vb.get(key) is not None:
                v.extra[key] = vb[key]
        p.variants.append(v)
        self.variants.append(v)
        self.variant_by_id[v.id] = v
        self._index_sku(v)
        return v

    def _merge_custom_fields(self, p: Product, fields: list) -> None:
        """A field with an `id` changes that field; one without changes the field of the
        same name, or is added."""
        have = p.extra.setdefault("custom_fields", [])
        for cf in fields:
            old = next((f for f in have if ("id" in cf and f["id"] == cf["id"])
                        or ("id" not in cf and f["name"] == cf["name"])), None)
            if old is None:
                self.next_custom_field += 1
                have.append({"id": self.next_custom_field, "name": cf["name"],
                             "value": cf["value"]})
            else:
                old.update(name=cf["name"], value=cf["value"])

    def _merge_images(self, p: Product, images: list) -> None:
        have = p.extra.setdefault("images", [])
        for img in images:
            old = next((i for i in have if i["id"] == img.get("id")
                        or i["image_url"] == img.get("image_url")), None)
            if old is None:
                self.next_image += 1
                url = img["image_url"]
                old = {"id": self.next_image, "product_id": p.id, "image_url": url,
                       "is_thumbnail": not have, "sort_order": len(have), "description": "",
                       "url_zoom": url, "url_standard": url, "url_thumbnail": url,
                       "url_tiny": url, "date_modified": "2024-01-01T00:00:00+00:00"}
                have.append(old)
            for key in ("is_thumbnail", "sort_order", "description"):
                if key in img:
                    old[key] = img[key]

    # ---------------------------------------------------------------- batch updates

    def _batch(self, body, limit: int) -> list:
        if not isinstance(body, list) or not body:
            raise ApiError(422, "The request body must be a non-empty array.")
        if len(body) > limit:
            raise ApiError(413, "The request payload is too large. The maximum items allowed "
                                f"in the array is {limit}.")
        return body

    def update_products(self, body) -> list[Product]:
        items = self._batch(body, PRODUCTS_BATCH_MAX)
        errors: dict = {}
        targets = []
        for n, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("id"), int):
                errors[f"{n}.id"] = "The field 'id' is required."
                continue
            checks.check_product(errors, item, create=False, where=f"{n}.")
            p = self.product_by_id.get(item["id"])
            if p is None:
                raise ApiError(404, f"Product {item['id']} was not found.")
            targets.append((p, item))
        if errors:
            raise ApiError(422, "The products are not valid.",
                           errors)
        for p, item in targets:
            skus = [item["sku"]] if item.get("sku") else []
            self._forced_failure(skus + [p.sku] + [v.sku for v in p.variants], "update")
        conflicts: dict = {}
        moving = {p for p, _ in targets}
        moving |= {v for p, _ in targets for v in p.variants}
        for n, (p, item) in enumerate(targets):
            if item.get("name") and self._name_taken(item["name"], ignore=p):
                conflicts[f"{n}.name"] = f"A product with the name '{item['name']}' exists."
            if item.get("sku") and self._sku_taken(item["sku"], ignore=moving):
                conflicts[f"{n}.sku"] = f"The SKU '{item['sku']}' is already in use."
            self._check_refs(item, conflicts, f"{n}.")
        if conflicts:
            raise ApiError(409, "The products conflict with the store's catalog.",
                           conflicts)
        for p, item in targets:
            self._apply_product(p, item)
        return [p for p, _ in targets]

    def _apply_product(self, p: Product, item: dict) -> None:
        if p.extra is None:
            p.extra = {}
        self._index_product(p, drop=True)
        if "name" in item:
            p.name = item["name"].strip()
        if "sku" in item:
            p.sku = item["sku"]
            base = p.variants[0] if len(p.variants) == 1 and p.variants[0].label is None else None
            if base is not None and base.sku != p.sku:
                old, base.sku = base.sku, p.sku
                self._index_sku(base, old)
        for key, slot in (("upc", "upc"), ("mpn", "mpn"), ("is_visible", "is_visible"),
                          ("brand_id", "brand_id"), ("inventory_tracking", "tracking")):
            if key in item:
                setattr(p, slot, item[key])
        if "price" in item:
            p.price = _cents(item["price"])
        if "cost_price" in item:
            p.cost = _cents(item["cost_price"])
        if "weight" in item:
            p.weight = float(item["weight"])
        if "inventory_level" in item and p.tracking == "product":
            p.inventory = item["inventory_level"]
        if "categories" in item:
            p.extra["categories"] = list(item["categories"])
            p.category = item["categories"][0] if item["categories"] else 0
        for key in _PRODUCT_EXTRA:
            if key in item:
                p.extra[key] = item[key]
        if "custom_fields" in item:
            self._merge_custom_fields(p, item["custom_fields"])
        if "images" in item:
            self._merge_images(p, item["images"])
        self._index_product(p)
        p.modified = now()
        self.emit("store/product/updated", {"type": "product", "id": p.id})

    def update_variants(self, body) -> list[Variant]:
        items = self._batch(body, VARIANTS_BATCH_MAX)
        errors: dict = {}
        targets = []
        for n, item in enumerate(items):
            v = self.variant_by_id.get(item.get("id")) if isinstance(item, dict) else None
            if v is None:
                errors[f"{n}.id"] = ("The field 'id' must be the id of an existing variant"
                                     + (f"; {item.get('id')!r} is not." if isinstance(item, dict)
                                        else "."))
                continue
            checks.check_variant(errors, item, create=False, where=f"{n}.")
            targets.append((v, item))
        if errors:
            raise ApiError(422, "The variants are not valid.",
                           errors)
        for v, item in targets:
            self._forced_failure([s for s in (item.get("sku"), v.sku) if s], "update")
        moving = {v for v, _ in targets} | {v.product for v, _ in targets}
        for n, (_v, item) in enumerate(targets):
            if item.get("sku") and self._sku_taken(item["sku"], ignore=moving):
                raise ApiError(409, f"The SKU '{item['sku']}' is already in use.",
                               {f"{n}.sku": "duplicate"})
        ts = now()
        for v, item in targets:
            if "sku" in item:
                old, v.sku = v.sku, item["sku"]
                self._index_sku(v, old)
            if item.get("price") is not None:
                v.price = _cents(item["price"])
            if "upc" in item:
                v.upc_override = item["upc"] or ""
            if "inventory_level" in item and v.product.tracking == "variant":
                v.inventory = item["inventory_level"]
                v.product.inventory = sum(x.inventory for x in v.product.variants)
            extra = dict(v.extra or {})
            for key in _VARIANT_EXTRA:
                if key in item:
                    extra[key] = item[key]
            v.extra = extra or None
            v.modified = v.product.modified = ts
            self.emit("store/sku/updated", {"type": "sku", "id": v.id})
        return [v for v, _ in targets]

    # ---------------------------------------------------------------- delete

    def delete_products(self, params: dict) -> int:
        ids = opt(params, "id:in", parse_id_list)
        if not ids:
            raise ApiError(422, "A filter is required to delete products, e.g. id:in=1,2,3.",
                           {"id:in": "required"})
        if len(ids) > DELETE_MAX:
            raise ApiError(413, f"At most {DELETE_MAX} products can be deleted at a time; got "
                                f"{len(ids)}.")
        gone = [self.product_by_id[i] for i in ids if i in self.product_by_id]
        if not gone:
            return 0
        dropped = {v for p in gone for v in p.variants}
        for p in gone:
            del self.product_by_id[p.id]
            self._index_product(p, drop=True)
        for v in dropped:
            del self.variant_by_id[v.id]
            same = self.sku_index.get(v.sku)
            if same and v in same:
                same.remove(v)
                if not same:
                    del self.sku_index[v.sku]
        gone_set = set(gone)
        self.products[:] = [p for p in self.products if p not in gone_set]
        self.variants[:] = [v for v in self.variants if v not in dropped]
        for p in gone:
            self.emit("store/product/deleted", {"type": "product", "id": p.id})
        return len(gone)
