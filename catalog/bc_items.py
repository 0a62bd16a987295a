"""BigCommerce catalog data as Product Match reads it: a page of products (with their variants
inline) flattened to one `BcItem` per variant (a simple product's base variant included)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .models import ProductLink


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return number.quantize(Decimal("0.0001"))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def parse_bc_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class BcItem:
    """One BigCommerce variant (a simple product's base variant included), flattened."""

    product_id: int
    variant_id: int
    sku: str
    upc: str
    mpn: str
    gtin: str
    product_name: str
    name: str
    description: str
    weight: Decimal | None
    width: Decimal | None
    height: Decimal | None
    depth: Decimal | None
    price: Decimal | None
    tracking: str
    inventory_level: int | None
    is_simple: bool
    variant_count: int
    date_modified: datetime | None
    master_raw: str = ""
    key: str = ""

    def value_for(self, field_name: str):
        return {
            "name": self.name,
            "description": self.description,
            "ean": self.gtin,
            "upc": self.upc,
            "mpn": self.mpn,
            "weight": self.weight,
            "width": self.width,
            "height": self.height,
            "depth": self.depth,
            "price": self.price,
        }[field_name]

    def describe(self) -> str:
        what = "product" if self.is_simple else "variant"
        ident = (
            f"{self.product_id}"
            if self.is_simple
            else f"{self.variant_id} of product {self.product_id}"
        )
        return f"BigCommerce {what} {ident} ({self.name or 'no name'})"


def _option_label(variant: dict) -> str:
    labels = []
    for value in variant.get("option_values") or []:
        if isinstance(value, dict) and value.get("label"):
            labels.append(str(value["label"]))
    return ", ".join(labels)


def _weight(product: dict, variant: dict) -> Decimal | None:
    candidates = (variant.get("calculated_weight"), variant.get("weight"), product.get("weight"))
    return _decimal(next((w for w in candidates if w is not None), None))


def bc_items_from_products(products: Iterable[dict], *, master_field: str) -> list[BcItem]:
    """The variants of a page of products (`include=variants`), one BcItem each."""
    items = []
    for product in products:
        if not isinstance(product, dict) or not isinstance(product.get("id"), int):
            continue
        variants = [v for v in product.get("variants") or [] if isinstance(v, dict)]
        tracking = product.get("inventory_tracking") or "none"
        if tracking not in ProductLink.Tracking.values:
            tracking = "none"
        simple = len(variants) == 1 and not variants[0].get("option_values")
        modified = parse_bc_datetime(product.get("date_modified"))
        for variant in variants:
            if not isinstance(variant.get("id"), int):
                continue
            label = _option_label(variant)
            name = _text(product.get("name"))
            full_name = f"{name} - {label}" if label and not simple else name
            if tracking == "product":
                level = product.get("inventory_level")
            elif tracking == "variant":
                level = variant.get("inventory_level")
            else:
                level = None
            item = BcItem(
                product_id=product["id"],
                variant_id=variant["id"],
                sku=_text(variant.get("sku")),
                upc=_text(variant.get("upc")),
                mpn=_text(variant.get("mpn")),
                gtin=_text(variant.get("gtin")),
                product_name=name,
                name=full_name[:500],
                description=_text(product.get("description")),
                weight=_weight(product, variant),
                width=_decimal(variant.get("width") or product.get("width")),
                height=_decimal(variant.get("height") or product.get("height")),
                depth=_decimal(variant.get("depth") or product.get("depth")),
                price=_decimal(
                    variant.get("price")
                    if variant.get("price") is not None
                    else product.get("price")
                ),
                tracking=tracking,
                inventory_level=level if isinstance(level, int) else None,
                is_simple=simple,
                variant_count=len(variants),
                date_modified=modified,
            )
            item.master_raw = {"sku": item.sku, "upc": item.upc, "mpn": item.mpn}[master_field]
            item.key = item.master_raw.strip()
            items.append(item)
    return items
