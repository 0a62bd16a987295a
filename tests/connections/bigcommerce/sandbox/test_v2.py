"""The sandbox's v2 store information and order statuses."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.sandbox


def test_the_store_information_names_the_store(sandbox):
    body = sandbox.get("/v2/store").json()
    assert body["id"] == sandbox.store_hash
    assert body["currency"] == "USD"


def test_order_statuses_list_ids_0_to_14_with_two_custom_labels(sandbox):
    statuses = sandbox.get("/v2/order_statuses").json()
    assert [s["id"] for s in statuses] == list(range(15))
    names = {s["id"]: s["name"] for s in statuses}
    assert names[11] == "Awaiting Fulfillment" and names[5] == "Cancelled"
    relabelled = {s["id"] for s in statuses if s["custom_label"] != s["name"]}
    assert relabelled == {9, 11}
