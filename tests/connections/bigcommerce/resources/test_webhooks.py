"""Webhooks (v3): listed, created, updated and deleted."""

from __future__ import annotations

from tests.connections.bigcommerce.helpers import BASE


def test_webhooks_are_listed_created_updated_and_deleted(client, mocked):
    hook = {"id": 3, "scope": "store/order/created", "destination": "https://hub.test/hooks"}
    mocked.get(
        f"{BASE}/v3/hooks",
        json={"data": [hook], "meta": {"pagination": {"total_pages": 1, "current_page": 1}}},
    )
    mocked.post(f"{BASE}/v3/hooks", json={"data": hook, "meta": {}})
    mocked.put(f"{BASE}/v3/hooks/3", json={"data": {**hook, "is_active": True}, "meta": {}})
    mocked.delete(f"{BASE}/v3/hooks/3", json={"data": hook})
    assert client.list_webhooks() == [hook]
    assert (
        client.create_webhook({"scope": hook["scope"], "destination": hook["destination"]}) == hook
    )
    assert client.update_webhook(3, {"is_active": True})["is_active"] is True
    assert client.delete_webhook(3) is None
    assert [c.request.method for c in mocked.calls] == ["GET", "POST", "PUT", "DELETE"]
