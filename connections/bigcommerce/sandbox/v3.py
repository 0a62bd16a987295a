"""The v3 API of the sandbox: catalog, inventory and webhooks (catalog writes: v3_listings)."""

from __future__ import annotations

from . import render_catalog
from .errors import ApiError
from .responses import ERROR_TYPE, Response, includes, v3_page
from .v3_listings import LISTINGS_METHODS, LISTINGS_ROUTES


def h_products(ctx, m):
    items = ctx.store.list_products(ctx.params)
    inc = includes(ctx.params)
    return v3_page(items, ctx.params, render_json=lambda p: render_catalog.product_json(p, inc))


def h_product(ctx, m):
    p = ctx.store.get_product(m.group(1))
    return Response(200, {"data": render_catalog.product_dict(p, includes(ctx.params)), "meta": {}})


def h_product_variants(ctx, m):
    p = ctx.store.get_product(m.group(1))
    return v3_page(p.variants, ctx.params, render_json=render_catalog.variant_json)


def h_variants(ctx, m):
    return v3_page(ctx.store.list_variants(ctx.params), ctx.params,
                    render_json=render_catalog.variant_json)


LOCATION = {
    "id": 1, "code": "BC-LOCATION-1", "label": "Default location",
    "description": "The store's default location", "managed_by_external_source": False,
    "type_id": "PHYSICAL", "enabled": True,
    "operating_hours": {day: {"open": False, "opening": "00:00", "closing": "00:00"}
                        for day in ("sunday", "monday", "tuesday", "wednesday", "thursday",
                                    "friday", "saturday")},
    "time_zone": "Etc/UTC", "created_at": "2023-01-01T00:00:00Z",
    "updated_at": "2023-01-01T00:00:00Z",
    "address": {"address1": "1 Sandbox Way", "address2": "", "city": "Austin",
                "state": "Texas", "zip": "78701", "email": "warehouse@example.com",
                "phone": "+1 555-010-0000",
                "geo_coordinates": {"latitude": 30.2672, "longitude": -97.7431},
                "country_code": "US"},
    "storefront_visibility": True, "special_hours": [],
}


def h_locations(ctx, m):
    return v3_page([LOCATION], ctx.params, lambda x: x)


def h_adjust_absolute(ctx, m):
    try:
        tid = ctx.store.adjust_absolute(ctx.json())
    except ApiError as exc:
        if exc.status == 422:
            return Response(422, {"status": 422, "title": exc.message, "type": ERROR_TYPE,
                                  "errors": exc.errors}, "application/problem+json")
        raise
    return Response(200, {"transaction_id": tid})


def _hook_out(hook: dict) -> dict:
    return dict(hook)


def h_hooks(ctx, m):
    return v3_page(ctx.store.list_hooks(ctx.params), ctx.params, _hook_out)


def h_hook_post(ctx, m):
    hook = ctx.store.create_hook(ctx.client_id, ctx.json(), ctx.https_only)
    return Response(200, {"data": _hook_out(hook), "meta": {}})


def h_hook(ctx, m):
    return Response(200, {"data": _hook_out(ctx.store.get_hook(m.group(1))), "meta": {}})


def h_hook_put(ctx, m):
    hook = ctx.store.update_hook(m.group(1), ctx.json(), ctx.https_only)
    return Response(200, {"data": _hook_out(hook), "meta": {}})


def h_hook_delete(ctx, m):
    return Response(200, {"data": _hook_out(ctx.store.delete_hook(m.group(1))), "meta": {}})



_N = r"(\d+)"
V3_ROUTES = [
        (r"/catalog/products", {"GET": h_products}),
        (r"/catalog/products/([^/]+)", {"GET": h_product}),
        (r"/catalog/products/([^/]+)/variants", {"GET": h_product_variants}),
        (r"/catalog/variants", {"GET": h_variants}),
        (r"/inventory/locations", {"GET": h_locations}),
        (r"/inventory/adjustments/absolute", {"PUT": h_adjust_absolute}),
        (r"/hooks", {"GET": h_hooks, "POST": h_hook_post}),
        (rf"/hooks/{_N}", {"GET": h_hook, "PUT": h_hook_put, "DELETE": h_hook_delete}),
        *LISTINGS_ROUTES,
]
for _pattern, _methods in V3_ROUTES:
    _methods.update(LISTINGS_METHODS.get(_pattern, {}))
