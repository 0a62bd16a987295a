"""Shipments on the sandbox store: full, partial, over-shipment, cancelled orders."""

from __future__ import annotations

import pytest

from tests.connections.bigcommerce.sandbox.helpers import CONSIGNMENTS, consignment

pytestmark = pytest.mark.sandbox


def open_order(sandbox, min_lines=1, min_qty=1):
    """An Awaiting Fulfillment order made for the test (lines and quantities known)."""
    variants = sandbox.get("/v3/catalog/variants", limit=250).json()["data"]
    lines = [{"variant_id": v["id"], "quantity": max(2, min_qty)} for v in variants[:min_lines]]
    created = sandbox.create_order(status_id=11, lines=lines)
    return sandbox.get(f"/v2/orders/{created['id']}", **CONSIGNMENTS).json()


def ship(sandbox, order_id, body):
    return sandbox.api("POST", f"/v2/orders/{order_id}/shipments", json=body)


def _item(line, qty=1):
    return [{"order_product_id": line, "quantity": qty}]


INVALID_SHIPMENTS = {
    "no address": lambda a, li: {"items": _item(li)},
    "another address": lambda a, li: {"order_address_id": 999999, "items": _item(li)},
    "no items": lambda a, li: {"order_address_id": a, "items": []},
    "a product of another order": lambda a, li: {"order_address_id": a, "items": _item(999999)},
    "a zero quantity": lambda a, li: {"order_address_id": a, "items": _item(li, 0)},
    "an unknown carrier": lambda a, li: {
        "order_address_id": a,
        "items": _item(li),
        "tracking_carrier": "no-such-carrier",
    },
    "a too long tracking number": lambda a, li: {
        "order_address_id": a,
        "items": _item(li),
        "tracking_number": "X" * 51,
    },
}


# Bodies the spec itself refuses: off-contract on purpose.
REFUSED_BY_THE_SPEC = {"an unknown carrier", "a too long tracking number"}


def test_shipping_every_item_creates_the_shipment_and_marks_the_order_shipped(sandbox):
    order = open_order(sandbox, min_lines=2)
    cons = consignment(order)
    body = {
        "order_address_id": cons["id"],
        "tracking_number": "1Z999AA10123456784",
        "tracking_carrier": "ups",
        "comments": "Left at the door",
        "items": [
            {"order_product_id": li["id"], "quantity": li["quantity"]} for li in cons["line_items"]
        ],
    }
    r = ship(sandbox, order["id"], body)
    assert r.status_code == 201
    shipment = r.json()
    assert shipment["order_id"] == order["id"]
    assert shipment["order_address_id"] == cons["id"]
    assert shipment["tracking_number"] == "1Z999AA10123456784"
    assert shipment["tracking_carrier"] == "ups"
    assert shipment["comments"] == "Left at the door"
    assert sorted((i["order_product_id"], i["quantity"]) for i in shipment["items"]) == sorted(
        (li["id"], li["quantity"]) for li in cons["line_items"]
    )
    after = sandbox.get(f"/v2/orders/{order['id']}", **CONSIGNMENTS).json()
    assert after["status_id"] == 2
    assert after["items_shipped"] == after["items_total"]
    assert all(li["quantity_shipped"] == li["quantity"] for li in consignment(after)["line_items"])
    assert after["date_shipped"]
    assert sandbox.get(f"/v2/orders/{order['id']}/shipments").json() == [shipment]


def test_shipping_some_items_marks_the_order_partially_shipped(sandbox):
    order = open_order(sandbox, min_lines=2, min_qty=2)
    cons = consignment(order)
    first = cons["line_items"][0]
    r = ship(
        sandbox,
        order["id"],
        {
            "order_address_id": cons["id"],
            "items": [{"order_product_id": first["id"], "quantity": 1}],
        },
    )
    assert r.status_code == 201
    after = sandbox.get(f"/v2/orders/{order['id']}", **CONSIGNMENTS).json()
    assert after["status_id"] == 3
    shipped = {li["id"]: li["quantity_shipped"] for li in consignment(after)["line_items"]}
    assert shipped[first["id"]] == 1 and sum(shipped.values()) == 1


def test_shipping_the_rest_later_completes_the_order(sandbox):
    order = open_order(sandbox, min_lines=1, min_qty=2)
    cons = consignment(order)
    line = cons["line_items"][0]
    item = {"order_product_id": line["id"], "quantity": 1}
    for _ in range(line["quantity"]):
        assert (
            ship(
                sandbox, order["id"], {"order_address_id": cons["id"], "items": [item]}
            ).status_code
            == 201
        )
    after = sandbox.get(f"/v2/orders/{order['id']}").json()
    assert after["status_id"] == 2
    assert len(sandbox.get(f"/v2/orders/{order['id']}/shipments").json()) == line["quantity"]


def test_shipping_more_than_is_left_is_422_and_changes_nothing(sandbox):
    order = open_order(sandbox, min_qty=2)
    cons = consignment(order)
    line = cons["line_items"][0]
    r = ship(
        sandbox,
        order["id"],
        {
            "order_address_id": cons["id"],
            "items": [{"order_product_id": line["id"], "quantity": line["quantity"] + 1}],
        },
    )
    assert r.status_code == 422
    assert r.json()[0]["status"] == 422
    ok = ship(
        sandbox,
        order["id"],
        {
            "order_address_id": cons["id"],
            "items": [{"order_product_id": line["id"], "quantity": line["quantity"]}],
        },
    )
    assert ok.status_code == 201
    again = ship(
        sandbox,
        order["id"],
        {
            "order_address_id": cons["id"],
            "items": [{"order_product_id": line["id"], "quantity": 1}],
        },
    )
    assert again.status_code == 422


def test_a_cancelled_order_cannot_be_shipped(sandbox):
    order = open_order(sandbox)
    sandbox.api("PUT", f"/v2/orders/{order['id']}", json={"status_id": 5})
    cons = consignment(order)
    r = ship(
        sandbox,
        order["id"],
        {
            "order_address_id": cons["id"],
            "items": [{"order_product_id": cons["line_items"][0]["id"], "quantity": 1}],
        },
    )
    assert r.status_code == 422
    assert "cancelled" in r.json()[0]["message"]
    assert sandbox.get(f"/v2/orders/{order['id']}/shipments").status_code == 204


@pytest.mark.parametrize(
    "reason",
    [
        pytest.param(r, marks=pytest.mark.no_contract) if r in REFUSED_BY_THE_SPEC else r
        for r in sorted(INVALID_SHIPMENTS)
    ],
)
def test_an_invalid_shipment_is_422(sandbox, reason):
    order = open_order(sandbox)
    cons = consignment(order)
    body = INVALID_SHIPMENTS[reason](cons["id"], cons["line_items"][0]["id"])
    r = ship(sandbox, order["id"], body)
    assert r.status_code == 422, reason
    assert sandbox.get(f"/v2/orders/{order['id']}").json()["status_id"] == 11


def test_a_shipment_for_an_unknown_order_is_404(sandbox):
    r = ship(sandbox, 999999, {"order_address_id": 1, "items": []})
    assert r.status_code == 404


def test_shipping_provider_and_an_empty_carrier_are_accepted(sandbox):
    order = open_order(sandbox)
    cons = consignment(order)
    r = ship(
        sandbox,
        order["id"],
        {
            "order_address_id": cons["id"],
            "shipping_provider": "fedex",
            "tracking_carrier": "",
            "tracking_number": "7489",
            "items": [{"order_product_id": cons["line_items"][0]["id"], "quantity": 1}],
        },
    )
    assert r.status_code == 201
    assert r.json()["shipping_provider"] == "fedex"


def test_seeded_shipped_orders_list_their_shipments(sandbox):
    shipped = sandbox.get_all_orders(status_id=2)[0]
    shipments = sandbox.get(f"/v2/orders/{shipped['id']}/shipments").json()
    assert shipments and shipments[0]["tracking_number"]
    one = sandbox.get(f"/v2/orders/{shipped['id']}/shipments/{shipments[0]['id']}")
    assert one.json() == shipments[0]
