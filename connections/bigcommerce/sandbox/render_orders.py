"""BigCommerce JSON shapes of the orders (v2): order products, consignments, shipping
addresses, orders and shipments.

Order products (`orderProducts`) forbid extra fields in the spec, so they carry exactly the
documented ones.
"""

from __future__ import annotations

from .render import (
    PAYMENT_STATUS,
    STATUSES,
    TAX_RATES,
    ZONES,
    address_dict,
    compact_json,
    const_tail,
    custom_label,
    money,
    rfc2822,
    tax_of,
)

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
_LINE_TAIL = const_tail(LINE_CONST)


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
    return compact_json(_line_parts(line, order_id, rate))[:-1] + _LINE_TAIL


def _ship_costs(o, rate):
    cost = o.ship_cost
    tax = tax_of(cost, rate)
    return cost, tax


SHIP_CONST = {
    "form_fields": [], "cost_tax_class_id": 2, "base_handling_cost": 0.0,
    "handling_cost_ex_tax": 0.0, "handling_cost_inc_tax": 0.0, "handling_cost_tax": 0.0,
    "handling_cost_tax_class_id": 2,
}
_SHIP_TAIL = const_tail(SHIP_CONST)


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
        items = compact_json(_line_links(o, api, lines))
    return (compact_json(_consignment_parts(o, api, rate, lines))[:-1] + ',"line_items":' + items
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
_ORDER_TAIL = const_tail(ORDER_CONST)


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
        cons = compact_json({"url": f"{api}/orders/{o.id}/consignments",
                       "resource": f"/orders/{o.id}/consignments"})
    return compact_json(d)[:-1] + ',"consignments":' + cons + _ORDER_TAIL


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
