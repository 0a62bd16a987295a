"""Webhooks (v3) on the sandbox store: created, listed, updated, deleted, validated."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.sandbox


def hook(sandbox, **body):
    return sandbox.api(
        "POST",
        "/v3/hooks",
        json={
            "scope": "store/order/created",
            "destination": "https://hub.example.com/webhooks",
            "is_active": True,
            "headers": {"X-Hub-Secret": "abc"},
            **body,
        },
    )


def test_webhooks_can_be_created_listed_updated_and_deleted(sandbox):
    created = hook(sandbox).json()["data"]
    assert created["id"] and created["store_hash"] == sandbox.store_hash
    assert created["client_id"] and created["headers"] == {"X-Hub-Secret": "abc"}
    listed = sandbox.get("/v3/hooks").json()
    assert [h["id"] for h in listed["data"]] == [created["id"]]
    assert listed["meta"]["pagination"]["total"] == 1
    r = sandbox.api("PUT", f"/v3/hooks/{created['id']}", json={"is_active": False})
    assert r.json()["data"]["is_active"] is False
    assert sandbox.get(f"/v3/hooks/{created['id']}").json()["data"]["is_active"] is False
    assert sandbox.api("DELETE", f"/v3/hooks/{created['id']}").json()["data"]["id"] == created["id"]
    assert sandbox.get(f"/v3/hooks/{created['id']}").status_code == 404


def test_hooks_filter_by_scope_and_active(sandbox):
    hook(sandbox)
    hook(sandbox, scope="store/product/updated", is_active=False)
    assert len(sandbox.get("/v3/hooks", scope="store/product/updated").json()["data"]) == 1
    assert len(sandbox.get("/v3/hooks", is_active="true").json()["data"]) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"scope": "store/nothing/here"},
        {"destination": "http://hub.example.com/webhooks"},
        {"destination": "https://hub.example.com:8443/webhooks"},
        # Bodies the spec itself refuses: off-contract on purpose.
        pytest.param({"headers": {"X": 1}}, marks=pytest.mark.no_contract),
        pytest.param({"scope": None}, marks=pytest.mark.no_contract),
    ],
)
def test_an_invalid_webhook_is_422(sandbox, body):
    r = hook(sandbox, **body)
    assert r.status_code == 422
    assert r.json()["status"] == 422


def test_http_destinations_can_be_allowed_for_a_local_demo(sandbox):
    assert hook(sandbox, destination="http://localhost:8000/hooks").status_code == 422
    sandbox.configure(webhook_https_only=False)
    r = hook(sandbox, destination="http://localhost:8000/hooks")
    assert r.status_code == 200
    assert hook(sandbox, scope="store/order/updated", destination="ftp://x").status_code == 422


def test_the_same_scope_and_destination_cannot_be_hooked_twice(sandbox):
    assert hook(sandbox).status_code == 200
    assert hook(sandbox).status_code == 422
