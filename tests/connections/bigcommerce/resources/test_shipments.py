"""Shipments (v2): one POST when all goes well, and never a second shipment when an answer is
lost (the listing decides).
"""

from __future__ import annotations

import pytest
import requests
from responses import matchers

from connections.bigcommerce.client import AUTH_RETRIES
from connections.bigcommerce.errors import (
    ServerError,
)
from tests.connections.bigcommerce.helpers import BASE, ORDERS, SHIPMENT, SHIPMENTS


def test_a_shipment_is_posted_once_when_all_goes_well(client, mocked):
    payload = {"order_address_id": 5, "tracking_number": "TRK1", "items": []}
    mocked.post(
        f"{BASE}/v2/orders/9/shipments",
        json={"id": 1, **payload},
        status=201,
        match=[matchers.json_params_matcher(payload)],
    )
    assert client.create_order_shipment(9, payload)["id"] == 1
    assert len(mocked.calls) == 1


def test_an_order_without_shipments_answers_204_and_gives_an_empty_list(client, mocked):
    mocked.get(f"{ORDERS}/77/shipments", status=204)
    assert client.list_order_shipments(77) == []


def test_a_shipment_is_not_posted_again_when_the_listing_shows_it_was_created(client, mocked):
    mocked.post(SHIPMENTS, status=502)
    created = {"id": 31, "order_id": 9, **SHIPMENT, "tracking_number": " 1z999aa10123456784 "}
    other = {
        "id": 30,
        "order_id": 9,
        "order_address_id": 12,
        "tracking_number": "OTHER",
        "items": [{"order_product_id": 57, "quantity": 1}],
    }
    mocked.get(SHIPMENTS, json=[other, created])
    assert client.create_order_shipment(9, SHIPMENT) == created
    assert [c.request.method for c in mocked.calls] == ["POST", "GET"]


def test_after_a_timeout_a_clearly_absent_shipment_is_posted_again(client, mocked, fake):
    mocked.post(SHIPMENTS, body=requests.exceptions.ReadTimeout("read timed out"))
    mocked.post(SHIPMENTS, status=201, json={"id": 32, **SHIPMENT})
    mocked.get(SHIPMENTS, status=204)
    assert client.create_order_shipment(9, SHIPMENT)["id"] == 32
    assert [c.request.method for c in mocked.calls] == ["POST", "GET", "POST"]
    assert len(fake.sleeps) == 1


def test_a_shipment_with_other_items_is_not_taken_for_ours(client, mocked):
    mocked.post(SHIPMENTS, status=500)
    mocked.post(SHIPMENTS, status=201, json={"id": 33, **SHIPMENT})
    partial = {"id": 20, **SHIPMENT, "items": [{"order_product_id": 55, "quantity": 1}]}
    mocked.get(SHIPMENTS, json=[partial])
    assert client.create_order_shipment(9, SHIPMENT)["id"] == 33


def test_shipment_reposts_are_bounded(client, mocked):
    mocked.post(SHIPMENTS, status=500)
    mocked.get(SHIPMENTS, status=204)
    with pytest.raises(ServerError):
        client.create_order_shipment(9, SHIPMENT)
    methods = [c.request.method for c in mocked.calls]
    assert methods.count("POST") == 4  # the first and max_retries=3 more
    assert methods.count("GET") == 4


def test_a_shipment_can_be_looked_for_before_the_first_post(client, mocked):
    mocked.get(SHIPMENTS, json=[{"id": 34, **SHIPMENT}])
    assert client.create_order_shipment(9, SHIPMENT, check_first=True)["id"] == 34
    assert [c.request.method for c in mocked.calls] == ["GET"]


@pytest.mark.no_contract  # truncated JSON is the fault under test
def test_a_malformed_answer_to_a_shipment_post_is_resolved_by_the_listing(client, mocked):
    mocked.post(SHIPMENTS, status=201, body='{"id": 35, "order_')
    mocked.get(SHIPMENTS, json=[{"id": 35, **SHIPMENT}])
    assert client.create_order_shipment(9, SHIPMENT)["id"] == 35
    assert [c.request.method for c in mocked.calls] == ["POST", "GET"]


def test_shipment_payload_match_also_checks_the_address(client, mocked):
    mocked.post(SHIPMENTS, status=503)
    mocked.post(SHIPMENTS, status=201, json={"id": 36, **SHIPMENT})
    mocked.get(
        SHIPMENTS,
        json=[{"id": 21, **SHIPMENT, "order_address_id": 13}],
        match=[matchers.query_param_matcher({"limit": "250", "page": "1"})],
    )
    assert client.create_order_shipment(9, SHIPMENT)["id"] == 36


def test_when_the_listing_fails_too_the_error_says_the_shipment_may_exist(client, mocked):
    mocked.post(SHIPMENTS, status=500)
    mocked.get(SHIPMENTS, status=401, json=[{"status": 401, "message": "Unauthorized"}])
    with pytest.raises(ServerError) as caught:
        client.create_order_shipment(9, SHIPMENT)
    assert caught.value.shipment_may_exist is True
    assert "before retrying" in caught.value.hint
    # The listing's 401 is asked again (a refusal that comes and goes), the POST never.
    assert [c.request.method for c in mocked.calls] == ["POST"] + ["GET"] * (1 + AUTH_RETRIES)


def test_a_look_alike_shipment_the_caller_already_holds_is_not_taken_for_ours(client, mocked):
    mocked.post(SHIPMENTS, status=500)
    mocked.post(SHIPMENTS, status=201, json={"id": 35, **SHIPMENT})
    mocked.get(SHIPMENTS, json=[{"id": 34, "order_id": 9, **SHIPMENT}])
    assert client.create_order_shipment(9, SHIPMENT, claimed={34})["id"] == 35
    assert [c.request.method for c in mocked.calls] == ["POST", "GET", "POST"]


def test_of_several_unclaimed_look_alikes_the_oldest_is_found(client, mocked):
    mocked.get(SHIPMENTS, json=[{"id": n, "order_id": 9, **SHIPMENT} for n in (36, 37, 38)])
    assert client.find_order_shipment(9, SHIPMENT, claimed=[36])["id"] == 37
