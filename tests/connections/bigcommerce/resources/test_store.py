"""The store (v2): its order statuses."""

from __future__ import annotations

from tests.connections.bigcommerce.helpers import BASE


def test_order_statuses_are_listed(client, mocked):
    mocked.get(f"{BASE}/v2/order_statuses", json=[{"id": 0, "name": "Incomplete"}])
    assert client.list_order_statuses() == [{"id": 0, "name": "Incomplete"}]
