"""What a listing sends to BigCommerce, built from the hub's catalog data and the connection's
listing settings. Content is built with names (brand, categories) and hashed, so that Sync
Listings knows what changed without asking the store; names become ids only when sent.

Settings applied here: override names (updates leave the store's name alone when off), the
250-character policy for custom fields (truncate, skip the field, fail the product), only
push mapped attributes (with the attribute mapping hub name -> custom field name), protected
fields (never in an update) and create-only (updates send nothing)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from catalog.models import Product

CUSTOM_FIELD_MAX = 250  # BigCommerce: custom field name and value, 1 to 250 characters


class ListingProblem(Exception):
    """The product cannot be listed as it is (a message for the operator)."""


@dataclass(frozen=True)
class BuildOptions:
    variant_option_type: str = ""
    push_only_mapped: bool = False
    mapping: tuple[tuple[str, str], ...] = ()
    override_names: bool = True
    long_policy: str = "truncate"
    update_mode: str = "create_and_overwrite"
    protected: frozenset = frozenset({"description"})
    paused: bool = False
    master_field: str = "sku"


def build_options(*, connection, settings) -> BuildOptions:
    return BuildOptions(
        variant_option_type=connection.variant_option_type or "",
        push_only_mapped=connection.push_only_mapped_attributes,
        mapping=tuple(sorted((settings.attribute_mapping or {}).items())),
        override_names=settings.override_names,
        long_policy=settings.long_attribute_policy,
        update_mode=settings.update_mode,
        protected=frozenset(settings.protected_fields or ()),
        paused=settings.new_listings_paused,
        master_field=connection.master_sku_field,
    )


def custom_fields(attributes: list, opts: BuildOptions) -> tuple[list[dict], list[str]]:
    """The product's attributes as custom fields, and the notes about fields left out."""
    mapping = dict(opts.mapping)
    fields, notes = [], []
    for attribute in attributes or []:
        name = str(attribute.get("name", "")).strip()
        value = str(attribute.get("value", "")).strip()
        if not name or not value:
            continue
        if name in mapping:
            name = mapping[name]
        elif opts.push_only_mapped:
            continue
        if len(name) > CUSTOM_FIELD_MAX or len(value) > CUSTOM_FIELD_MAX:
            part = "name" if len(name) > CUSTOM_FIELD_MAX else "value"
            what = f"Attribute {name[:40]!r} has a {part} over {CUSTOM_FIELD_MAX} characters"
            if opts.long_policy == "fail":
                raise ListingProblem(
                    f"{what}: BigCommerce refuses it, and this connection fails such products. "
                    "Shorten it in the hub, or choose truncate or skip in the listing settings."
                )
            if opts.long_policy == "skip":
                notes.append(f"{what}: not sent (the listing settings skip such fields).")
                continue
            name, value = name[:CUSTOM_FIELD_MAX], value[:CUSTOM_FIELD_MAX]
            notes.append(f"{what}: cut to {CUSTOM_FIELD_MAX}.")
        fields.append({"name": name, "value": value})
    return fields, notes


def _number(value):
    return None if value is None else float(value)


def _codes(product: Product) -> dict:
    out = {}
    for key, field in (("upc", "upc"), ("mpn", "mpn"), ("gtin", "ean")):
        if getattr(product, field):
            out[key] = getattr(product, field)
    return out


def _dimensions(product: Product) -> dict:
    out = {}
    for field in ("weight", "width", "height", "depth"):
        if getattr(product, field) is not None:
            out[field] = _number(getattr(product, field))
    return out


def product_content(product: Product, opts: BuildOptions) -> tuple[dict, list[str]]:
    """Everything the store product carries (names, not ids), before protection."""
    fields, notes = custom_fields(product.attributes, opts)
    content = {
        "name": product.name or product.sku,
        "description": product.description,
        **_dimensions(product),
        **_codes(product),
        "brand": product.brand,
        "categories": list(product.categories or []),
        "images": list(product.image_urls or []),
        "custom_fields": fields,
    }
    if product.price is not None:
        content["price"] = _number(product.price)
    return content, notes


def variant_content(variant: Product) -> dict:
    content = {**_dimensions(variant), **_codes(variant)}
    if variant.price is not None:
        content["price"] = _number(variant.price)
    return content


def update_content(product: Product, variants: list[Product], opts: BuildOptions):
    """What an update may send: (product part, {variant SKU: part}, notes). Create-only sends
    nothing; protected fields and (override names off) the name are left out."""
    if opts.update_mode == "create_only":
        return {}, {}, []
    content, notes = product_content(product, opts)
    skip = set(opts.protected) | (set() if opts.override_names else {"name"})
    content = {k: v for k, v in content.items() if k not in skip}
    return content, {v.sku: variant_content(v) for v in variants}, notes


def digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:24]


def content_hash(product_part: dict, variant_parts: dict) -> str:
    """Two halves, so that a sync can tell the product's change from its variants'."""
    return f"{digest(product_part)}:{digest(variant_parts)}"


def names_used(product_part: dict) -> tuple[set[str], set[str]]:
    brand = product_part.get("brand") or ""
    return set(product_part.get("categories") or ()), {brand} if brand else set()


def to_bigcommerce(part: dict, *, category_ids: dict, brand_ids: dict) -> dict:
    """A content part as BigCommerce's product fields (names resolved to ids)."""
    out = {k: v for k, v in part.items() if k not in ("brand", "categories", "images")}
    if part.get("brand") in brand_ids:
        out["brand_id"] = brand_ids[part["brand"]]
    if "categories" in part:
        out["categories"] = [
            category_ids[name] for name in part["categories"] if name in category_ids
        ]
    if "images" in part:
        out["images"] = [
            {"image_url": url, "is_thumbnail": index == 0}
            for index, url in enumerate(part["images"])
        ]
    if "custom_fields" in part and not part["custom_fields"]:
        out.pop("custom_fields")
    return out


def create_payload(
    product: Product,
    variants: list[Product],
    opts: BuildOptions,
    *,
    category_ids: dict,
    brand_ids: dict,
) -> tuple[dict, list[str]]:
    """POST /v3/catalog/products: the product with its variants inline (a variant group) or
    as a simple product tracked by product."""
    content, notes = product_content(product, opts)
    payload = {
        "type": "physical",
        "sku": product.sku,
        "is_visible": True,
        **to_bigcommerce(content, category_ids=category_ids, brand_ids=brand_ids),
    }
    payload.setdefault("weight", 0.0)
    if variants:
        payload["inventory_tracking"] = "variant"
        payload["variants"] = []
        for variant in variants:
            if not variant.option_values:
                raise ListingProblem(
                    f"Variant {variant.sku} has no option values (e.g. Size M): BigCommerce "
                    "cannot tell it from the other variants. Set them in the hub."
                )
            payload["variants"].append(
                {
                    "sku": variant.sku,
                    **variant_content(variant),
                    "option_values": [
                        {"option_display_name": o["option"], "label": o["value"]}
                        for o in variant.option_values
                    ],
                }
            )
    else:
        payload["inventory_tracking"] = "product"
    return payload, notes
