"""The v3 catalog writes of the sandbox (listings): products created, updated in batches and
deleted, variants updated in batches or added (with the product's options and values),
categories and brands listed and created."""

from __future__ import annotations

from . import render_catalog
from .errors import ApiError
from .responses import ERROR_TYPE, Response, v3_page

_NO_INCLUDE: frozenset = frozenset()
_CREATED_INCLUDE = frozenset({"variants", "custom_fields", "images"})


def h_product_post(ctx, m):
    p = ctx.store.create_product(ctx.json())
    return Response(200, {"data": render_catalog.product_dict(p, _CREATED_INCLUDE), "meta": {}})


def h_products_put(ctx, m):
    products = ctx.store.update_products(ctx.json())
    return Response(200, {"data": [render_catalog.product_dict(p, _NO_INCLUDE)
                                   for p in products], "meta": {}})


def h_products_delete(ctx, m):
    ctx.store.delete_products(ctx.params)
    return Response(204)


def h_variants_put(ctx, m):
    try:
        variants = ctx.store.update_variants(ctx.json())
    except ApiError as exc:
        if exc.status != 422:
            raise
        # The variants batch answers its refusals as `batch_errors` (the spec's 422).
        return Response(422, {"batch_errors": [{"status": 422, "title": exc.message,
                                                "type": ERROR_TYPE, "errors": exc.errors}]})
    data = [render_catalog.variant_dict(v) for v in variants]
    meta = {"pagination": {"total": len(data), "count": len(data), "per_page": len(data),
                           "current_page": 1, "total_pages": 1, "links": {}}}
    return Response(200, {"data": data, "meta": meta})


def h_options(ctx, m):
    return v3_page(ctx.store.product_options(m.group(1)), ctx.params, lambda o: o)


def h_option_post(ctx, m):
    return Response(200, {"data": ctx.store.create_option(m.group(1), ctx.json()), "meta": {}})


def h_option_put(ctx, m):
    option = ctx.store.update_option(m.group(1), m.group(2), ctx.json())
    return Response(200, {"data": option, "meta": {}})


def h_option_value_post(ctx, m):
    value = ctx.store.create_option_value(m.group(1), m.group(2), ctx.json())
    return Response(200, {"data": value, "meta": {}})


def h_variant_post(ctx, m):
    v = ctx.store.create_variant(m.group(1), ctx.json())
    return Response(200, {"data": render_catalog.variant_dict(v), "meta": {}})


def category_dict(c: dict) -> dict:
    return {"id": c["id"], "parent_id": c["parent_id"], "name": c["name"], "description": "",
            "views": 0, "sort_order": 0, "page_title": "", "meta_keywords": [""],
            "meta_description": "", "layout_file": "category.html", "image_url": "",
            "is_visible": True, "search_keywords": "", "default_product_sort": "use_store_settings",
            "custom_url": {"url": f"/{c['name'].lower().replace(' ', '-')}/",
                           "is_customized": False}}


def brand_dict(b: dict) -> dict:
    return {"id": b["id"], "name": b["name"], "page_title": "", "meta_keywords": [""],
            "meta_description": "", "image_url": "", "search_keywords": "",
            "custom_url": {"url": f"/brands/{b['name'].replace(' ', '-')}.html",
                           "is_customized": False}}


def h_categories(ctx, m):
    return v3_page(ctx.store.list_categories(ctx.params), ctx.params, category_dict)


def h_category_post(ctx, m):
    return Response(200, {"data": category_dict(ctx.store.create_category(ctx.json())),
                          "meta": {}})


def h_brands(ctx, m):
    return v3_page(ctx.store.list_brands(ctx.params), ctx.params, brand_dict)


def h_brand_post(ctx, m):
    return Response(200, {"data": brand_dict(ctx.store.create_brand(ctx.json())), "meta": {}})


#: Methods added to the catalog's routes (merged in v3.py).
LISTINGS_METHODS = {
    r"/catalog/products": {"POST": h_product_post, "PUT": h_products_put,
                           "DELETE": h_products_delete},
    r"/catalog/variants": {"PUT": h_variants_put},
    r"/catalog/products/([^/]+)/variants": {"POST": h_variant_post},
}
LISTINGS_ROUTES = [
    (r"/catalog/products/([^/]+)/options", {"GET": h_options, "POST": h_option_post}),
    (r"/catalog/products/([^/]+)/options/([^/]+)", {"PUT": h_option_put}),
    (r"/catalog/products/([^/]+)/options/([^/]+)/values", {"POST": h_option_value_post}),
    (r"/catalog/categories", {"GET": h_categories, "POST": h_category_post}),
    (r"/catalog/brands", {"GET": h_brands, "POST": h_brand_post}),
]
