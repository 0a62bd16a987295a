"""BigCommerce JSON shapes of the catalog (v3): products, variants and their options."""

from __future__ import annotations

from .render import compact_json, const_tail, iso

VARIANT_CONST = {
    "sale_price": 0.0, "retail_price": 0.0, "map_price": 0.0, "width": 0.0, "height": 0.0,
    "depth": 0.0, "is_free_shipping": False, "fixed_cost_shipping_price": 0.0,
    "purchasing_disabled": False, "purchasing_disabled_message": "", "image_url": "",
    "gtin": "", "bin_picking_number": "",
}
_VARIANT_TAIL = const_tail(VARIANT_CONST)


def _variant_parts(v) -> dict:
    p = v.product
    price = v.price / 100
    if v.label is None:
        option_values = []
    else:
        option_values = [{"id": v.option_value_id, "label": v.label, "option_id": p.option_id,
                          "option_display_name": p.option_name}]
    return {
        "id": v.id, "product_id": p.id, "sku": v.sku, "sku_id": v.id + 500000, "price": price,
        "calculated_price": price, "weight": p.weight, "calculated_weight": p.weight,
        "cost_price": p.cost / 100, "upc": v.upc, "mpn": v.mpn, "inventory_level": v.inventory,
        "inventory_warning_level": p.warning if p.tracking == "variant" else 0,
        "option_values": option_values,
    }


def variant_dict(v) -> dict:
    d = _variant_parts(v)
    d.update(VARIANT_CONST)
    if v.extra:
        d.update(v.extra)
    return d


def variant_json(v) -> str:
    if v.extra:
        return compact_json(variant_dict(v))
    return compact_json(_variant_parts(v))[:-1] + _VARIANT_TAIL


def option_dicts(p) -> list[dict]:
    if p.extra and "_options" in p.extra:
        return p.extra["_options"]
    if not p.option_name:
        return []
    return [{
        "id": p.option_id, "product_id": p.id, "display_name": p.option_name,
        "type": "dropdown", "sort_order": 0, "config": {},
        "option_values": [{"id": v.option_value_id, "label": v.label, "sort_order": j,
                           "value_data": None, "is_default": False}
                          for j, v in enumerate(p.variants)],
    }]


PRODUCT_CONST = {
    "type": "physical", "width": 0.0, "depth": 0.0, "height": 0.0, "retail_price": 0.0,
    "sale_price": 0.0, "map_price": 0.0, "tax_class_id": 0, "product_tax_code": "",
    "option_set_display": "right", "reviews_rating_sum": 0, "reviews_count": 0,
    "total_sold": 0, "fixed_cost_shipping_price": 0.0, "is_free_shipping": False,
    "is_featured": False, "related_products": [-1], "warranty": "", "bin_picking_number": "",
    "layout_file": "product.html", "gtin": "", "search_keywords": "",
    "availability": "available", "availability_description": "",
    "gift_wrapping_options_type": "any", "gift_wrapping_options_list": [], "sort_order": 0,
    "condition": "New", "is_condition_shown": False, "order_quantity_minimum": 0,
    "order_quantity_maximum": 0, "page_title": "", "meta_keywords": [],
    "meta_description": "", "view_count": 0, "preorder_release_date": None,
    "preorder_message": "", "is_preorder_only": False, "is_price_hidden": False,
    "price_hidden_label": "", "open_graph_type": "product", "open_graph_title": "",
    "open_graph_description": "", "open_graph_use_meta_description": True,
    "open_graph_use_product_name": True, "open_graph_use_image": True,
}
_PRODUCT_TAIL = const_tail(PRODUCT_CONST)
_EMPTY_INCLUDES = ("images", "custom_fields", "bulk_pricing_rules", "modifiers")


def _product_parts(p, include: frozenset) -> dict:
    price = p.price / 100
    d = {
        "id": p.id, "name": p.name, "sku": p.sku, "description": f"<p>{p.name}.</p>",
        "weight": p.weight, "price": price, "cost_price": p.cost / 100,
        "calculated_price": price, "categories": [p.category], "brand_id": p.brand_id,
        "inventory_level": p.inventory,
        "inventory_warning_level": p.warning if p.tracking != "none" else 0,
        "inventory_tracking": p.tracking, "is_visible": p.is_visible, "upc": p.upc,
        "mpn": p.mpn, "date_created": iso(p.created), "date_modified": iso(p.modified),
        "custom_url": {"url": f"/products/{p.id}/", "is_customized": False},
    }
    if len(p.variants) == 1:
        d["base_variant_id"] = p.variants[0].id
    if "options" in include:
        d["options"] = option_dicts(p)
    for key in _EMPTY_INCLUDES:
        if key in include:
            d[key] = []
    return d


#: Members of a written product shown only when asked for with `include`.
INCLUDED_ONLY = ("custom_fields", "images")


def product_dict(p, include: frozenset) -> dict:
    d = _product_parts(p, include)
    if "variants" in include:
        d["variants"] = [variant_dict(v) for v in p.variants]
    d.update(PRODUCT_CONST)
    if p.extra:
        for key, val in p.extra.items():
            if key[0] != "_" and (key not in INCLUDED_ONLY or key in include):
                d[key] = val
    return d


def product_json(p, include: frozenset) -> str:
    if p.extra:
        return compact_json(product_dict(p, include))
    head = compact_json(_product_parts(p, include))[:-1]
    if "variants" in include:
        head += ',"variants":[' + ",".join(variant_json(v) for v in p.variants) + "]"
    return head + _PRODUCT_TAIL
