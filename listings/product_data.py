"""The hub catalog data a listing needs, set in bulk (REST `product-data/`): name, codes,
description, price, weight and dimensions, brand, image URLs, category names, attributes and
variant groups (a parent SKU and the variant's option values). Products the hub does not know
are created (with no stock yet); a variant's parent must be in the request or in the hub."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.models import Product
from connections.models import Tenant

MAX_ITEMS = 1000
DATA_FIELDS = (
    "name",
    "description",
    "ean",
    "upc",
    "mpn",
    "price",
    "weight",
    "width",
    "height",
    "depth",
    "brand",
    "image_urls",
    "categories",
    "attributes",
    "option_values",
)


@dataclass
class ProductDataResult:
    received: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def product_data_set_bulk(*, tenant: Tenant, items: list[dict]) -> ProductDataResult:
    """Create or update the products of `items` (each a dict with `sku`, optional
    `parent_sku` and any of DATA_FIELDS; SKUs unique and stripped: the serializer checks), in
    one transaction. A parent is set before its variants; a parent that is itself a variant,
    or unknown, is refused (ValidationError, nothing applied)."""
    result = ProductDataResult(received=len(items))
    now = timezone.now()
    skus = [item["sku"] for item in items]
    parents = {item["parent_sku"] for item in items if item.get("parent_sku")}
    with transaction.atomic():
        known = {
            p.sku: p
            for p in Product.objects.select_for_update().filter(
                tenant=tenant, sku__in=set(skus) | parents
            )
        }
        missing = sorted(parents - set(skus) - set(known))
        if missing:
            raise ValidationError(
                {
                    "items": [
                        f"Parent SKU {sku!r} is neither in the hub nor in this request."
                        for sku in missing[:50]
                    ]
                }
            )
        nested = sorted({item["sku"] for item in items if item.get("parent_sku")} & parents)
        if nested:
            raise ValidationError(
                {
                    "items": [
                        f"SKU {nested[0]!r} is a variant and a parent: variant groups have "
                        "one level."
                    ]
                }
            )
        # Parents first, so that variants can point at them.
        ordered = sorted(items, key=lambda item: bool(item.get("parent_sku")))
        for item in ordered:
            product = known.get(item["sku"])
            values = {name: item[name] for name in DATA_FIELDS if name in item}
            parent = known.get(item["parent_sku"]) if item.get("parent_sku") else None
            if "parent_sku" in item:
                values["parent"] = parent
            if product is None:
                product = Product.objects.create(tenant=tenant, sku=item["sku"], **values)
                known[product.sku] = product
                result.created.append(product.sku)
                continue
            changed = [name for name, value in values.items() if getattr(product, name) != value]
            if not changed:
                result.unchanged.append(product.sku)
                continue
            for name in changed:
                setattr(product, name, values[name])
            product.updated_at = now
            product.save(update_fields=[*changed, "updated_at"])
            result.updated.append(product.sku)
    return result
