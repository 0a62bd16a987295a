"""The v2 API of the sandbox: store, order statuses, orders, their products, addresses
and shipments."""

from __future__ import annotations

import time

from . import render, render_orders
from .errors import ApiError
from .params import paging
from .responses import Response, includes, v2_list


def h_store(ctx, m):
    s = ctx.store
    return Response(200, {
        "id": s.hash, "account_uuid": s.account_uuid, "domain": f"{s.hash}.example.com",
        "secure_url": f"https://store-{s.hash}.mybigcommerce.com",
        "control_panel_base_url": f"https://store-{s.hash}.mybigcommerce.com",
        "status": "live", "name": f"Sandbox Store {s.hash}", "first_name": "Sam",
        "last_name": "Sandbox", "address": "1 Sandbox Way, Austin, Texas 78701",
        "country": "United States", "country_code": "US", "infrastructure_region": "us-central1",
        "phone": "+1 555-010-0000", "admin_email": f"admin@{s.hash}.example.com",
        "order_email": f"orders@{s.hash}.example.com", "favicon_url": "",
        "timezone": {"name": "Etc/UTC", "raw_offset": 0, "dst_offset": 0,
                     "dst_correction": False,
                     "date_format": {"display": "jS M Y", "export": "M jS Y",
                                     "extended_display": "M jS Y @ g:i A"}},
        "language": "en", "currency": "USD", "currency_symbol": "$",
        "decimal_separator": ".", "thousands_separator": ",", "decimal_places": 2,
        "currency_symbol_location": "left", "weight_units": "kg", "dimension_units": "Centimeters",
        "dimension_decimal_places": 2, "dimension_decimal_token": ".",
        "dimension_thousands_token": ",", "plan_name": "Standard", "plan_level": "Standard",
        "plan_is_trial": False, "industry": "Apparel", "logo": [],
        "is_price_entered_with_tax": False, "store_id": 1000000 + s.index,
        "default_channel_id": 1, "default_site_id": 1000, "active_comparison_modules": [],
        "features": {"stencil_enabled": True, "sitewidehttps_enabled": True,
                     "facebook_catalog_id": "", "checkout_type": "optimized",
                     "wishlists_enabled": False, "graphql_storefront_api_enabled": True,
                     "shopper_consent_tracking_enabled": False,
                     "multi_storefront_enabled": False,
                     "storefront_limits": {"active": 1, "total_including_inactive": 1}},
    })


def h_time(ctx, m):
    return Response(200, {"time": int(time.time())})


def h_statuses(ctx, m):
    return Response(200, [render.status_dict(sid) for sid in render.STATUSES])


def h_status(ctx, m):
    sid = int(m.group(1))
    if sid not in render.STATUSES:
        raise ApiError(404, "The requested resource was not found.")
    return Response(200, render.status_dict(sid))


def h_orders(ctx, m):
    orders, _, _ = ctx.store.list_orders(ctx.params)
    inc = includes(ctx.params)
    obj = ctx.params.get("consignment_structure", "") == "object"
    if not orders:
        return Response(204)
    return Response(200, render_orders.orders_json(orders, ctx.api_v2, inc, obj))


def h_orders_count(ctx, m):
    return Response(200, ctx.store.count_orders(ctx.params))


def h_order(ctx, m):
    o = ctx.store.get_order(m.group(1))
    inc = includes(ctx.params)
    obj = ctx.params.get("consignment_structure", "") == "object"
    return Response(200, render_orders.order_dict(o, ctx.api_v2, inc, obj))


def h_order_put(ctx, m):
    o = ctx.store.update_order(m.group(1), ctx.json())
    return Response(200, render_orders.order_dict(o, ctx.api_v2, frozenset(), False))


def h_order_delete(ctx, m):
    ctx.store.archive_order(m.group(1))
    return Response(204)


def h_order_products(ctx, m):
    o = ctx.store.get_order(m.group(1))
    page, limit = paging(ctx.params, 50, 250)
    return v2_list(render_orders.order_lines(o)[(page - 1) * limit: page * limit])


def h_order_product(ctx, m):
    o = ctx.store.get_order(m.group(1))
    for line in render_orders.order_lines(o):
        if str(line["id"]) == m.group(2):
            return Response(200, line)
    raise ApiError(404, "The requested resource was not found.")


def h_order_addresses(ctx, m):
    o = ctx.store.get_order(m.group(1))
    rate = render.TAX_RATES.get(o.ship_addr[9], 0)
    return v2_list([render_orders.shipping_address_dict(o, ctx.api_v2, rate)])


def h_shipments(ctx, m):
    o = ctx.store.get_order(m.group(1))
    page, limit = paging(ctx.params, 50, 250)
    ships = (o.shipments or [])[(page - 1) * limit: page * limit]
    return v2_list([render_orders.shipment_dict(o, s) for s in ships])


def h_shipment(ctx, m):
    o = ctx.store.get_order(m.group(1))
    for s in o.shipments or []:
        if str(s.id) == m.group(2):
            return Response(200, render_orders.shipment_dict(o, s))
    raise ApiError(404, "The requested resource was not found.")


def h_shipment_post(ctx, m):
    o, s = ctx.store.create_shipment(m.group(1), ctx.json())
    return Response(201, render_orders.shipment_dict(o, s))



_N = r"(\d+)"
V2_ROUTES = [
        (r"/store", {"GET": h_store}),
        (r"/time", {"GET": h_time}),
        (r"/order_statuses", {"GET": h_statuses}),
        (rf"/order_statuses/{_N}", {"GET": h_status}),
        (r"/orders", {"GET": h_orders}),
        (r"/orders/count", {"GET": h_orders_count}),
        (r"/orders/([^/]+)", {"GET": h_order, "PUT": h_order_put, "DELETE": h_order_delete}),
        (r"/orders/([^/]+)/products", {"GET": h_order_products}),
        (r"/orders/([^/]+)/products/([^/]+)", {"GET": h_order_product}),
        (r"/orders/([^/]+)/shipping_addresses", {"GET": h_order_addresses}),
        (r"/orders/([^/]+)/shipments", {"GET": h_shipments, "POST": h_shipment_post}),
        (r"/orders/([^/]+)/shipments/([^/]+)", {"GET": h_shipment}),
]
