"""Inventory (v3): locations, and absolute adjustments in chunks of 2000, one after the other."""

from __future__ import annotations

import json

import pytest
import responses
from responses import matchers

from connections.bigcommerce.errors import (
    BigCommerceError,
)
from connections.bigcommerce.resources.inventory import INVENTORY_BATCH_SIZE
from tests.connections.bigcommerce.helpers import BASE


def test_locations_are_listed_across_pages(client, mocked):
    mocked.get(
        f"{BASE}/v3/inventory/locations",
        json={"data": [{"id": 1}], "meta": {"pagination": {"total_pages": 2, "current_page": 1}}},
        match=[matchers.query_param_matcher({"limit": "250", "page": "1"})],
    )
    mocked.get(
        f"{BASE}/v3/inventory/locations",
        json={"data": [{"id": 2}], "meta": {"pagination": {"total_pages": 2, "current_page": 2}}},
        match=[matchers.query_param_matcher({"limit": "250", "page": "2"})],
    )
    assert client.list_locations() == [{"id": 1}, {"id": 2}]


def test_inventory_goes_in_chunks_of_2000_one_after_the_other(client, mocked):
    items = [{"location_id": 1, "variant_id": i, "quantity": i % 7} for i in range(4500)]
    answered, received = [], []
    client.session.hooks["response"].append(lambda r, *a, **k: received.append(r))

    def answer(request):
        body = json.loads(request.body)
        # The client has received the previous chunk's answer before sending this one.
        assert len(received) == len(answered)
        answered.append(len(body["items"]))
        assert body["reason"] == "hub stock"
        return 200, {}, json.dumps({"transaction_id": f"tx{len(answered)}"})

    mocked.add_callback(
        responses.PUT,
        f"{BASE}/v3/inventory/adjustments/absolute",
        answer,
        content_type="application/json",
    )
    result = client.set_inventory_absolute(iter(items), reason="hub stock")
    assert answered == [INVENTORY_BATCH_SIZE, INVENTORY_BATCH_SIZE, 500]
    assert result == [
        {"transaction_id": "tx1"},
        {"transaction_id": "tx2"},
        {"transaction_id": "tx3"},
    ]
    sent = [json.loads(c.request.body)["items"] for c in mocked.calls]
    assert [item for chunk in sent for item in chunk] == items


def test_no_inventory_means_no_request(client, mocked):
    assert client.set_inventory_absolute([]) == []
    assert len(mocked.calls) == 0


def test_a_failed_inventory_chunk_says_how_many_items_were_applied(client, mocked):
    url = f"{BASE}/v3/inventory/adjustments/absolute"
    mocked.put(url, json={"transaction_id": "a"})
    mocked.put(
        url,
        status=422,
        json={"status": 422, "title": "Item tracked by product", "type": "about:blank"},
        content_type="application/problem+json",
    )
    items = [{"location_id": 1, "variant_id": i, "quantity": 1} for i in range(2500)]
    with pytest.raises(BigCommerceError) as caught:
        client.set_inventory_absolute(items)
    assert caught.value.items_applied == 2000
