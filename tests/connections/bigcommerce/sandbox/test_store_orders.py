"""Orders (v2) on the sandbox store: paging, filters, sort, archiving, counts, one order, and
consignments inline.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest

from tests.connections.bigcommerce.sandbox.helpers import CONSIGNMENTS, ids

pytestmark = pytest.mark.sandbox


def ts(rfc2822: str) -> datetime:
    return parsedate_to_datetime(rfc2822)


def test_orders_default_to_50_a_page_sorted_by_id(sandbox):
    orders = sandbox.get("/v2/orders").json()
    assert len(orders) == 50
    assert ids(orders) == sorted(ids(orders))


def test_pages_split_the_orders_without_gaps_or_overlaps(sandbox):
    every = ids(sandbox.get_all_orders())
    pages = []
    for page in (1, 2, 3):
        pages += ids(sandbox.get("/v2/orders", limit=40, page=page).json())
    assert pages == every[:120]
    assert len(set(every)) == len(every)


@pytest.mark.no_contract  # asks for limit=1000, above the spec's maximum, on purpose
def test_limit_is_capped_at_250(sandbox):
    sandbox.reset(orders=400)
    assert len(sandbox.get("/v2/orders", limit=1000).json()) == 250


def test_a_page_past_the_end_is_204_with_an_empty_body(sandbox):
    r = sandbox.get("/v2/orders", page=99)
    assert r.status_code == 204
    assert r.content == b""


@pytest.mark.no_contract  # sends invalid query parameters on purpose
def test_an_invalid_parameter_is_a_400_error(sandbox):
    r = sandbox.get("/v2/orders", min_id="abc")
    assert r.status_code == 400
    assert "min_id" in r.json()[0]["message"]
    assert sandbox.get("/v2/orders", sort="total:asc").status_code == 400
    assert sandbox.get("/v2/orders", min_date_created="yesterday").status_code == 400


def test_status_id_filters_one_status(sandbox):
    orders = sandbox.get_all_orders(status_id=11)
    assert orders and {o["status_id"] for o in orders} == {11}
    assert all(o["status"] == "Awaiting Fulfillment" for o in orders)
    assert len(orders) == len([o for o in sandbox.get_all_orders() if o["status_id"] == 11])


def test_min_id_and_max_id_are_inclusive(sandbox):
    orders = sandbox.get_all_orders(min_id=110, max_id=120)
    every = [i for i in ids(sandbox.get_all_orders()) if 110 <= i <= 120]
    assert ids(orders) == every and every


@pytest.mark.parametrize("field", ["date_created", "date_modified"])
def test_date_filters_accept_rfc2822_and_iso8601(sandbox, field):
    every = sandbox.get_all_orders()
    pivot = sorted(every, key=lambda o: ts(o[field]))[len(every) // 2][field]
    expected = [o["id"] for o in every if ts(o[field]) >= ts(pivot)]
    rfc = sandbox.get_all_orders(**{f"min_{field}": pivot})
    iso = sandbox.get_all_orders(**{f"min_{field}": ts(pivot).isoformat()})
    assert ids(rfc) == ids(iso) == expected
    expected_max = [o["id"] for o in every if ts(o[field]) <= ts(pivot)]
    assert ids(sandbox.get_all_orders(**{f"max_{field}": pivot})) == expected_max


def test_a_date_only_filter_means_midnight_utc(sandbox):
    every = sandbox.get_all_orders()
    day = datetime(2024, 3, 1, tzinfo=UTC)
    expected = [o["id"] for o in every if ts(o["date_created"]) >= day]
    assert ids(sandbox.get_all_orders(min_date_created="2024-03-01")) == expected


def test_customer_id_and_email_filter_a_customers_orders(sandbox):
    every = sandbox.get_all_orders()
    customer = next(o["customer_id"] for o in every if o["customer_id"])
    mine = [o["id"] for o in every if o["customer_id"] == customer]
    assert ids(sandbox.get_all_orders(customer_id=customer)) == mine
    email = next(o for o in every if o["customer_id"] == customer)["billing_address"]["email"]
    by_email = sandbox.get_all_orders(email=email.upper())
    assert by_email and all(o["billing_address"]["email"] == email for o in by_email)


def test_guest_orders_have_customer_id_0(sandbox):
    guests = sandbox.get_all_orders(customer_id=0)
    assert guests and all(o["customer_id"] == 0 for o in guests)


@pytest.mark.parametrize("field", ["id", "date_created", "date_modified", "status_id"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_orders_sort_by_a_field_in_either_direction(sandbox, field, direction):
    orders = sandbox.get_all_orders(sort=f"{field}:{direction}")
    assert len(orders) == len(sandbox.get_all_orders())

    def key(o):
        return ts(o[field]) if field.startswith("date") else o[field]

    keys = [key(o) for o in orders]
    assert keys == sorted(keys, reverse=direction == "desc")


def test_a_sort_field_without_direction_is_ascending(sandbox):
    orders = sandbox.get_all_orders(sort="date_modified")
    keys = [ts(o["date_modified"]) for o in orders]
    assert keys == sorted(keys)


def test_archived_orders_are_left_out_unless_asked_for(sandbox):
    listed = ids(sandbox.get_all_orders())
    archived = sandbox.get_all_orders(is_deleted="true")
    assert archived and all(o["is_deleted"] for o in archived)
    assert not set(ids(archived)) & set(listed)
    assert ids(sandbox.get_all_orders(is_deleted="false")) == listed


def test_an_archived_order_can_still_be_fetched_by_id(sandbox):
    archived = sandbox.get_all_orders(is_deleted="true")[0]
    r = sandbox.get(f"/v2/orders/{archived['id']}")
    assert r.status_code == 200 and r.json()["is_deleted"] is True


def test_delete_archives_the_order_and_moves_date_modified(sandbox):
    order = sandbox.get("/v2/orders", limit=1).json()[0]
    r = sandbox.api("DELETE", f"/v2/orders/{order['id']}")
    assert r.status_code == 204 and r.content == b""
    after = sandbox.get(f"/v2/orders/{order['id']}").json()
    assert after["is_deleted"] is True
    assert ts(after["date_modified"]) > ts(order["date_modified"])
    assert order["id"] in ids(sandbox.get_all_orders(is_deleted="true"))


def test_put_is_deleted_false_restores_an_archived_order(sandbox):
    archived = sandbox.get_all_orders(is_deleted="true")[0]
    r = sandbox.api("PUT", f"/v2/orders/{archived['id']}", json={"is_deleted": False})
    assert r.status_code == 200 and r.json()["is_deleted"] is False
    assert archived["id"] in ids(sandbox.get_all_orders())


def test_count_gives_the_total_and_per_status_counts(sandbox):
    every = sandbox.get_all_orders()
    body = sandbox.get("/v2/orders/count").json()
    assert body["count"] == len(every)
    per = {s["id"]: s["count"] for s in body["statuses"]}
    assert set(per) == set(range(15))
    assert per[11] == sum(o["status_id"] == 11 for o in every)
    assert sum(per.values()) == len(every)


def test_count_applies_the_filters(sandbox):
    body = sandbox.get("/v2/orders/count", status_id=5).json()
    assert body["count"] == len(sandbox.get_all_orders(status_id=5))


def test_an_unknown_order_is_404(sandbox):
    r = sandbox.get("/v2/orders/999999")
    assert r.status_code == 404
    assert r.json()[0]["status"] == 404


def test_an_order_carries_resource_links_without_include(sandbox):
    order = sandbox.get("/v2/orders/101").json()
    for key, resource in (
        ("products", "/orders/101/products"),
        ("shipping_addresses", "/orders/101/shipping_addresses"),
        ("coupons", "/orders/101/coupons"),
    ):
        assert order[key]["resource"] == resource
        assert order[key]["url"] == f"{sandbox.store_url}/v2{resource}"


def test_order_dates_are_rfc2822_and_money_is_a_four_decimal_string(sandbox):
    order = sandbox.get("/v2/orders/101").json()
    assert order["date_created"].endswith(" +0000")
    assert ts(order["date_created"]).tzinfo is not None
    assert order["total_inc_tax"].count(".") == 1 and len(order["total_inc_tax"].split(".")[1]) == 4


def test_order_products_are_the_order_lines(sandbox):
    order = sandbox.get("/v2/orders/101", **CONSIGNMENTS).json()
    products = sandbox.get("/v2/orders/101/products").json()
    assert products == order["consignments"]["shipping"][0]["line_items"]
    assert {p["order_id"] for p in products} == {101}


def test_shipping_addresses_give_the_order_address_id(sandbox):
    order = sandbox.get("/v2/orders/101", **CONSIGNMENTS).json()
    (address,) = sandbox.get("/v2/orders/101/shipping_addresses").json()
    consignment = order["consignments"]["shipping"][0]
    assert address["id"] == consignment["id"]
    assert address["street_1"] == consignment["street_1"]
    assert {p["order_address_id"] for p in consignment["line_items"]} == {address["id"]}


def test_put_changes_the_status_and_moves_date_modified(sandbox):
    order = sandbox.get_all_orders(status_id=11)[0]
    r = sandbox.api("PUT", f"/v2/orders/{order['id']}", json={"status_id": 9})
    assert r.status_code == 200
    assert r.json()["status_id"] == 9 and r.json()["status"] == "Awaiting Shipment"
    assert ts(r.json()["date_modified"]) > ts(order["date_modified"])
    newest = sandbox.get("/v2/orders", sort="date_modified:desc", limit=1).json()[0]
    assert newest["id"] == order["id"]


@pytest.mark.no_contract  # sends invalid bodies on purpose
def test_put_rejects_an_unknown_status_and_read_only_fields(sandbox):
    assert sandbox.api("PUT", "/v2/orders/101", json={"status_id": 42}).status_code == 400
    r = sandbox.api("PUT", "/v2/orders/101", json={"items_total": 3})
    assert r.status_code == 400 and "items_total" in r.json()[0]["message"]
    assert sandbox.api("PUT", "/v2/orders/101", data="{not json").status_code == 400


def test_include_consignments_puts_lines_and_address_inline(sandbox):
    orders = sandbox.get("/v2/orders", limit=250, **CONSIGNMENTS).json()
    for order in orders:
        cons = order["consignments"]
        assert set(cons) == {"pickups", "shipping", "downloads", "email"}
        assert cons["pickups"] == [] and cons["downloads"] == []
        assert cons["email"] == {"gift_certificates": []}
        (shipping,) = cons["shipping"]
        lines = shipping["line_items"]
        assert 1 <= len(lines) <= 4
        assert {li["order_id"] for li in lines} == {order["id"]}
        assert shipping["items_total"] == sum(li["quantity"] for li in lines)
        assert order["items_total"] == shipping["items_total"]
        assert isinstance(shipping["cost_inc_tax"], float)
        assert shipping["shipping_quotes"]["resource"].startswith(f"/orders/{order['id']}/")
    assert all("products" in o for o in orders)  # resource links stay


def test_include_consignments_without_line_items_gives_line_links(sandbox):
    order = sandbox.get(
        "/v2/orders/101", include="consignments", consignment_structure="object"
    ).json()
    links = order["consignments"]["shipping"][0]["line_items"]
    assert links and all(set(li) == {"url", "resource"} for li in links)


@pytest.mark.no_contract  # the legacy consignments array is the point; the spec has only the object
def test_without_consignment_structure_object_consignments_are_the_legacy_array(sandbox):
    order = sandbox.get("/v2/orders/101", include="consignments.line_items").json()
    assert isinstance(order["consignments"], list)
    assert order["consignments"][0]["shipping"]


def test_order_lines_carry_only_the_documented_fields(sandbox):
    line = sandbox.get("/v2/orders/101/products").json()[0]
    assert {
        "id",
        "product_id",
        "variant_id",
        "sku",
        "quantity",
        "quantity_shipped",
        "order_address_id",
        "product_options",
        "upc",
    } <= set(line)
    assert "mpn" not in line  # orderProducts has additionalProperties: false


def test_some_lines_have_skus_the_catalog_does_not_know(sandbox):
    lines = [
        li
        for o in sandbox.get_all_orders(**CONSIGNMENTS)
        for li in o["consignments"]["shipping"][0]["line_items"]
    ]
    variants = sandbox.get("/v3/catalog/variants", limit=250).json()["data"]
    known = {v["sku"] for v in variants}
    unknown = [li for li in lines if li["sku"] not in known]
    assert unknown and any(li["product_id"] == 0 for li in unknown)


def test_a_later_page_of_one_status_by_id_holds_the_orders_the_whole_listing_has_there(sandbox):
    every = ids(sandbox.get_all_orders(status_id=11))
    second = ids(sandbox.get("/v2/orders", status_id=11, sort="id:asc", limit=3, page=2).json())
    assert second == every[3:6] and second
    after = ids(sandbox.get("/v2/orders", status_id=11, min_id=every[1] + 1, limit=2).json())
    assert after == every[2:4]
