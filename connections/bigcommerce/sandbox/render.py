"""BigCommerce JSON shapes for the sandbox records (orders v2, catalog/inventory v3).

Field names, types and nullability follow the vendored OpenAPI specs: v2 money fields are
strings with four decimals, v2 dates RFC-2822 (`Tue, 05 Mar 2024 10:00:00 +0000`), v3 dates
ISO-8601. Order products (`orderProducts`) forbid extra fields in the spec, so they carry
exactly the documented ones.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache

from .seed import CITIES

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# id: (name, system description, sort_order)
STATUSES = {
    0: ("Incomplete", "An incomplete order happens when a shopper reached the payment page, but did not complete the transaction.", 0),  # noqa: E501
    1: ("Pending", "Customer started the checkout process, but did not complete it.", 1),
    2: ("Shipped", "Order has been shipped, but receipt has not been confirmed; seller has used the Ship Items action.", 8),  # noqa: E501
    3: ("Partially Shipped", "Only some items in the order have been shipped, due to some products being pre-order only or other reasons.", 6),  # noqa: E501
    4: ("Refunded", "Seller has used the Refund action.", 11),
    5: ("Cancelled", "Seller has cancelled an order, due to a stock inconsistency or other reasons.", 9),  # noqa: E501
    6: ("Declined", "Seller has marked the order as declined for lack of manual payment, or other reasons.", 10),  # noqa: E501
    7: ("Awaiting Payment", "Customer has completed checkout process, but payment has yet to be confirmed.", 2),  # noqa: E501
    8: ("Awaiting Pickup", "Order has been pulled, and is awaiting customer pickup from a seller-specified location.", 5),  # noqa: E501
    9: ("Awaiting Shipment", "Order has been pulled and packaged, and is awaiting collection from a shipping provider.", 4),  # noqa: E501
    10: ("Completed", "Client has paid for their digital product and their file(s) are available for download.", 7),  # noqa: E501
    11: ("Awaiting Fulfillment", "Customer has completed the checkout process and payment has been confirmed.", 3),  # noqa: E501
    12: ("Manual Verification Required", "Order is on hold while some aspect needs to be manually confirmed.", 13),  # noqa: E501
    13: ("Disputed", "Customer has initiated a dispute resolution process for the PayPal transaction that paid for the order.", 12),  # noqa: E501
    14: ("Partially Refunded", "Seller has partially refunded the order.", 14),
}
# The merchant relabelled two statuses (the ids stay fixed).
CUSTOM_LABELS = {11: "Ready to Pick", 9: "Awaiting Courier"}

PAYMENT_STATUS = {
    0: "", 1: "pending", 2: "captured", 3: "captured", 4: "refunded", 5: "void",
    6: "declined", 7: "pending", 8: "captured", 9: "captured", 10: "captured",
    11: "captured", 12: "held for review", 13: "captured", 14: "partially refunded",
}
TAX_RATES = {c[4]: c[7] for c in CITIES}
ZONES = {c[4]: (c[5], c[6]) for c in CITIES}


def custom_label(status_id: int) -> str:
    return CUSTOM_LABELS.get(status_id, STATUSES[status_id][0])


@lru_cache(maxsize=1 << 17)
def rfc2822(ts: int) -> str:
    t = time.gmtime(ts)
    return (f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000")


def iso(ts: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ts))


@lru_cache(maxsize=1 << 16)
def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}00"


def tax_of(cents: int, rate: int) -> int:
    return (cents * rate + 50) // 100


def status_dict(sid: int) -> dict:
    name, desc, order = STATUSES[sid]
    return {"id": sid, "name": name, "system_label": name, "custom_label": custom_label(sid),
            "system_description": desc, "order": order}


def address_dict(a: tuple) -> dict:
    return {"first_name": a[0], "last_name": a[1], "company": a[2], "street_1": a[3],
            "street_2": a[4], "city": a[5], "state": a[6], "zip": a[7], "country": a[8],
            "country_iso2": a[9], "phone": a[10], "email": a[11]}


def billing_dict(a: tuple) -> dict:
    d = address_dict(a)
    d["form_fields"] = []
    return d


# Fields that never vary are kept apart from the per-record ones: `*_dict` merges them into
# one dict, `*_json` splices their pre-encoded JSON into the encoded per-record part (the
# hot path of `GET /v2/orders` pages). Tests check that both give the same object.

_dumps = json.JSONEncoder(separators=(",", ":")).encode


def _tail(const: dict) -> str:
    """`,"k":v,...}`: the constant fields to append to an encoded dict minus its `}`."""
    return "," + _dumps(const)[1:]


LINE_CONST = {
    "order_pickup_method_id": 0, "type": "physical", "width": "0.0000", "height": "0.0000",
    "depth": "0.0000", "base_cost_price": "0.0000", "cost_price_inc_tax": "0.0000",
    "cost_price_ex_tax": "0.0000", "cost_price_tax": "0.0000", "return_id": 0,
    "wrapping_id": 0, "wrapping_name": None, "base_wrapping_cost": "0.0000",
    "wrapping_cost_ex_tax": "0.0000", "wrapping_cost_inc_tax": "0.0000",
    "wrapping_cost_tax": "0.0000", "wrapping_message": "", "event_name": None,
    "event_date": None, "fixed_shipping_cost": "0.0000", "ebay_item_id": "",
    "ebay_transaction_id": "", "parent_order_product_id": None, "is_bundled_product": False,
    "bin_picking_number": "", "external_id": None, "brand": "", "applied_discounts": [],
    "configurable_fields": [], "gift_certificate_id": None,
}
_LINE_TAIL = _tail(LINE_CONST)


def _line_parts(line, order_id: int, rate: int) -> dict:
    price = line.price
    tax = tax_of(price, rate)
    qty = line.qty
    p_ex = money(price)
    t_ex, t_inc = money(price * qty), money((price + tax) * qty)
    opt = line.option
    if opt is None:
        options = []
    else:
        options = [{
            "id": line.id * 10 + 1, "option_id": opt[0], "order_product_id": line.id,
            "product_option_id": opt[0], "display_name": opt[2], "display_value": opt[3],
            "value": str(opt[1]), "type": "Multiple choice", "name": opt[2],
            "display_style": "Dropdown", "display_name_customer": opt[2],
            "display_name_merchant": opt[2], "display_value_customer": opt[3],
            "display_value_merchant": opt[3],
        }]
    name = line.name
    return {
        "id": line.id, "order_id": order_id, "product_id": line.product_id,
        "variant_id": line.variant_id, "order_address_id": line.address_id, "name": name,
        "name_customer": name, "name_merchant": name, "sku": line.sku, "upc": line.upc,
        "base_price": p_ex, "price_ex_tax": p_ex, "price_inc_tax": money(price + tax),
        "price_tax": money(tax), "base_total": t_ex, "total_ex_tax": t_ex,
        "total_inc_tax": t_inc, "total_tax": money(tax * qty), "weight": line.weight,
        "quantity": qty, "is_refunded": line.refunded > 0, "quantity_refunded": line.refunded,
        "refund_amount": money((price + tax) * line.refunded),
        "quantity_shipped": line.shipped, "option_set_id": opt[0] if opt else None,
        "product_options": options, "discounted_total_inc_tax": t_inc,
    }


def line_dict(line, order_id: int, rate: int) -> dict:
    d = _line_parts(line, order_id, rate)
    d.update(LINE_CONST)
    return d


def line_json(line, order_id: int, rate: int) -> str:
    return _dumps(_line_parts(line, order_id, rate))[:-1] + _LINE_TAIL


def _ship_costs(o, rate):
    cost = o.ship_cost
    tax = tax_of(cost, rate)
    return cost, tax


SHIP_CONST = {
    "form_fields": [], "cost_tax_class_id": 2, "base_handling_cost": 0.0,
    "handling_cost_ex_tax": 0.0, "handling_cost_inc_tax": 0.0, "handling_cost_tax": 0.0,
    "handling_cost_tax_class_id": 2,
}
_SHIP_TAIL = _tail(SHIP_CONST)


def _consignment_parts(o, api: str, rate: int, lines: list) -> dict:
    a = o.ship_addr
    cost, tax = _ship_costs(o, rate)
    zone = ZONES.get(a[9], (1, "United States"))
    oid, sid = o.id, o.ship_id
    return {
        "id": sid, "first_name": a[0], "last_name": a[1], "company": a[2],
        "street_1": a[3], "street_2": a[4], "city": a[5], "state": a[6], "zip": a[7],
        "country": a[8], "country_iso2": a[9], "email": a[11], "phone": a[10],
        "shipping_method": o.ship_method,
        "items_total": sum(ln.qty for ln in lines),
        "items_shipped": sum(ln.shipped for ln in lines),
        "base_cost": cost / 100, "cost_ex_tax": cost / 100, "cost_inc_tax": (cost + tax) / 100,
        "cost_tax": tax / 100, "shipping_zone_id": zone[0], "shipping_zone_name": zone[1],
        "shipping_quotes": {
            "url": f"{api}/orders/{oid}/consignments/shipping/{sid}/shipping_quotes",
            "resource": f"/orders/{oid}/consignments/shipping/{sid}/shipping_quotes",
        },
    }


def _line_links(o, api: str, lines: list) -> list:
    return [{"url": f"{api}/orders/{o.id}/products/{ln.id}",
             "resource": f"/orders/{o.id}/products/{ln.id}"} for ln in lines]


def shipping_consignment(o, api: str, rate: int, full_lines: bool) -> dict:
    lines = [ln for ln in o.lines if ln.address_id == o.ship_id]
    d = _consignment_parts(o, api, rate, lines)
    d["line_items"] = ([line_dict(ln, o.id, rate) for ln in lines] if full_lines
                      else _line_links(o, api, lines))
    d.update(SHIP_CONST)
    return d


def _consignment_json(o, api: str, rate: int, full_lines: bool) -> str:
    lines = [ln for ln in o.lines if ln.address_id == o.ship_id]
    if full_lines:
        items = "[" + ",".join(line_json(ln, o.id, rate) for ln in lines) + "]"
    else:
        items = _dumps(_line_links(o, api, lines))
    return (_dumps(_consignment_parts(o, api, rate, lines))[:-1] + ',"line_items":' + items
            + _SHIP_TAIL)


def shipping_address_dict(o, api: str, rate: int) -> dict:
    a = o.ship_addr
    cost, tax = _ship_costs(o, rate)
    zone = ZONES.get(a[9], (1, "United States"))
    lines = [ln for ln in o.lines if ln.address_id == o.ship_id]
    d = {"id": o.ship_id, "order_id": o.id}
    d.update(address_dict(a))
    d.update({
        "items_total": sum(ln.qty for ln in lines),
        "items_shipped": sum(ln.shipped for ln in lines),
        "shipping_method": o.ship_method, "base_cost": money(cost), "cost_ex_tax": money(cost),
        "cost_inc_tax": money(cost + tax), "cost_tax": money(tax), "cost_tax_class_id": 2,
        "base_handling_cost": "0.0000", "handling_cost_ex_tax": "0.0000",
        "handling_cost_inc_tax": "0.0000", "handling_cost_tax": "0.0000",
        "handling_cost_tax_class_id": 2, "shipping_zone_id": zone[0],
        "shipping_zone_name": zone[1],
        "shipping_quotes": {
            "url": f"{api}/orders/{o.id}/shipping_addresses/{o.ship_id}/shipping_quotes",
            "resource": f"/orders/{o.id}/shipping_addresses/{o.ship_id}/shipping_quotes",
        },
        "form_fields": [],
    })
    return d


ORDER_CONST = {
    "shipping_cost_tax_class_id": 2, "base_handling_cost": "0.0000",
    "handling_cost_ex_tax": "0.0000", "handling_cost_inc_tax": "0.0000",
    "handling_cost_tax": "0.0000", "handling_cost_tax_class_id": 2,
    "base_wrapping_cost": "0.0000", "wrapping_cost_ex_tax": "0.0000",
    "wrapping_cost_inc_tax": "0.0000", "wrapping_cost_tax": "0.0000",
    "wrapping_cost_tax_class_id": 3, "payment_provider_id": "", "order_is_digital": False,
    "store_credit_amount": "0.0000", "gift_certificate_amount": "0.0000", "ip_address_v6": "",
    "currency_id": 1, "currency_code": "USD", "currency_exchange_rate": "1.0000000000",
    "default_currency_id": 1, "default_currency_code": "USD",
    "store_default_currency_code": "USD",
    "store_default_to_transactional_exchange_rate": "1.0000000000",
    "discount_amount": "0.0000", "coupon_discount": "0.0000", "shipping_address_count": 1,
    "ebay_order_id": "0", "is_email_opt_in": False, "channel_id": 1, "external_source": None,
    "external_id": None, "external_merchant_id": None, "tax_provider_id": "BasicTaxProvider",
    "customer_locale": "en", "external_order_id": "", "is_tax_inclusive_pricing": False,
}
_ORDER_TAIL = _tail(ORDER_CONST)


def _order_parts(o, api: str, include: frozenset) -> tuple[dict, int]:
    rate = TAX_RATES.get(o.ship_addr[9], 0)
    sub_ex = sub_tax = items_total = items_shipped = refunded = 0
    for ln in o.lines:
        t = tax_of(ln.price, rate)
        sub_ex += ln.price * ln.qty
        sub_tax += t * ln.qty
        items_total += ln.qty
        items_shipped += ln.shipped
        refunded += (ln.price + t) * ln.refunded
    ship_cost, ship_tax = _ship_costs(o, rate)
    total_ex = sub_ex + ship_cost
    total_tax = sub_tax + ship_tax
    sid = o.status_id
    oid = o.id
    b = o.billing
    return {
        "id": oid,
        "customer_id": o.customer_id,
        "date_created": rfc2822(o.created),
        "date_modified": rfc2822(o.modified),
        "date_shipped": rfc2822(o.shipped_at) if o.shipped_at else "",
        "status_id": sid,
        "status": STATUSES[sid][0],
        "custom_status": custom_label(sid),
        "subtotal_ex_tax": money(sub_ex),
        "subtotal_inc_tax": money(sub_ex + sub_tax),
        "subtotal_tax": money(sub_tax),
        "base_shipping_cost": money(ship_cost),
        "shipping_cost_ex_tax": money(ship_cost),
        "shipping_cost_inc_tax": money(ship_cost + ship_tax),
        "shipping_cost_tax": money(ship_tax),
        "total_ex_tax": money(total_ex),
        "total_inc_tax": money(total_ex + total_tax),
        "total_tax": money(total_tax),
        "items_total": items_total,
        "items_shipped": items_shipped,
        "payment_method": o.payment_method,
        "payment_status": PAYMENT_STATUS[sid],
        "refunded_amount": money(refunded),
        "ip_address": o.ip,
        "geoip_country": b[8],
        "geoip_country_iso2": b[9],
        "staff_notes": o.staff_notes,
        "customer_message": o.customer_message,
        "is_deleted": o.is_deleted,
        "cart_id": f"00000000-0000-4000-8000-{oid:012x}",
        "billing_address": {
            "first_name": b[0], "last_name": b[1], "company": b[2], "street_1": b[3],
            "street_2": b[4], "city": b[5], "state": b[6], "zip": b[7], "country": b[8],
            "country_iso2": b[9], "phone": b[10], "email": b[11], "form_fields": [],
        },
        "order_source": o.source,
        "products": {"url": f"{api}/orders/{oid}/products",
                     "resource": f"/orders/{oid}/products"},
        "shipping_addresses": {"url": f"{api}/orders/{oid}/shipping_addresses",
                               "resource": f"/orders/{oid}/shipping_addresses"},
        "coupons": {"url": f"{api}/orders/{oid}/coupons", "resource": f"/orders/{oid}/coupons"},
        "fees": [] if "fees" in include else {"url": f"{api}/orders/{oid}/fees",
                                              "resource": f"/orders/{oid}/fees"},
    }, rate


_EMPTY_CONSIGNMENTS = ('{"pickups":[],"shipping":[', '],"downloads":[],"email":'
                       '{"gift_certificates":[]}}')


def order_dict(o, api: str, include: frozenset, object_structure: bool) -> dict:
    """One v2 order. `include` holds the requested sub-resources (`consignments`,
    `consignments.line_items`, `fees`); `object_structure` is `consignment_structure=object`.
    Without object structure BigCommerce answers consignments in the legacy array form.
    """
    d, rate = _order_parts(o, api, include)
    full = "consignments.line_items" in include
    if full or "consignments" in include:
        cons = {"pickups": [], "shipping": [shipping_consignment(o, api, rate, full)],
                "downloads": [], "email": {"gift_certificates": []}}
        d["consignments"] = cons if object_structure else [cons]
    else:
        d["consignments"] = {"url": f"{api}/orders/{o.id}/consignments",
                             "resource": f"/orders/{o.id}/consignments"}
    d.update(ORDER_CONST)
    return d


def order_json(o, api: str, include: frozenset, object_structure: bool) -> str:
    """`order_dict` encoded, faster (for pages of orders)."""
    d, rate = _order_parts(o, api, include)
    full = "consignments.line_items" in include
    if full or "consignments" in include:
        cons = (_EMPTY_CONSIGNMENTS[0] + _consignment_json(o, api, rate, full)
                + _EMPTY_CONSIGNMENTS[1])
        if not object_structure:
            cons = f"[{cons}]"
    else:
        cons = _dumps({"url": f"{api}/orders/{o.id}/consignments",
                       "resource": f"/orders/{o.id}/consignments"})
    return _dumps(d)[:-1] + ',"consignments":' + cons + _ORDER_TAIL


def orders_json(orders: list, api: str, include: frozenset, object_structure: bool) -> bytes:
    return ("[" + ",".join(order_json(o, api, include, object_structure) for o in orders)
            + "]").encode()


def order_lines(o) -> list[dict]:
    rate = TAX_RATES.get(o.ship_addr[9], 0)
    return [line_dict(ln, o.id, rate) for ln in o.lines]


def shipment_dict(o, s) -> dict:
    provider = s.shipping_provider
    link = s.tracking_link
    generated = ""
    if not link and s.tracking_number and (s.tracking_carrier or provider):
        generated = (f"https://www.aftership.com/track/{s.tracking_carrier or provider}/"
                     f"{s.tracking_number}")
    return {
        "id": s.id,
        "order_id": o.id,
        "customer_id": o.customer_id,
        "order_address_id": s.address_id,
        "date_created": rfc2822(s.created),
        "tracking_number": s.tracking_number,
        "merchant_shipping_cost": "0.0000",
        "shipping_method": s.shipping_method,
        "shipping_provider": provider,
        "shipping_provider_display_name": provider.upper() if provider else "",
        "tracking_carrier": s.tracking_carrier,
        "tracking_link": link,
        "generated_tracking_link": generated,
        "comments": s.comments,
        "billing_address": address_dict(o.billing),
        "shipping_address": address_dict(o.ship_addr),
        "items": [{"order_product_id": i[0], "product_id": i[1], "quantity": i[2]}
                  for i in s.items],
    }


# ---------------------------------------------------------------- catalog (v3)

VARIANT_CONST = {
    "sale_price": 0.0, "retail_price": 0.0, "map_price": 0.0, "width": 0.0, "height": 0.0,
    "depth": 0.0, "is_free_shipping": False, "fixed_cost_shipping_price": 0.0,
    "purchasing_disabled": False, "purchasing_disabled_message": "", "image_url": "",
    "gtin": "", "bin_picking_number": "",
}
_VARIANT_TAIL = _tail(VARIANT_CONST)


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
    return d


def variant_json(v) -> str:
    return _dumps(_variant_parts(v))[:-1] + _VARIANT_TAIL


def option_dicts(p) -> list[dict]:
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
_PRODUCT_TAIL = _tail(PRODUCT_CONST)
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


def product_dict(p, include: frozenset) -> dict:
    d = _product_parts(p, include)
    if "variants" in include:
        d["variants"] = [variant_dict(v) for v in p.variants]
    d.update(PRODUCT_CONST)
    return d


def product_json(p, include: frozenset) -> str:
    head = _dumps(_product_parts(p, include))[:-1]
    if "variants" in include:
        head += ',"variants":[' + ",".join(variant_json(v) for v in p.variants) + "]"
    return head + _PRODUCT_TAIL
