"""The sandbox sends webhooks: BigCommerce-shaped callbacks with the hook's headers, retries
of failed ones, deactivation of the hook after the last retry failed."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = pytest.mark.sandbox


class Receiver:
    """A local HTTP endpoint recording what it was sent; answers `status`."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": json.loads(body)}
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def hooks(sandbox, receiver):
    """Manual delivery (flush), hooks registered at a public https URL, sent to `receiver`."""
    sandbox.reset(webhook_auto_send=False, webhook_base_url=receiver.url, webhook_retry_scale=0)

    def add(scope, path="/bigcommerce/webhooks/k1"):
        r = sandbox.api(
            "POST",
            "/v3/hooks",
            json={
                "scope": scope,
                "destination": f"https://hub.example.com{path}",
                "headers": {"X-Hub-Secret": "s3cret"},
            },
        )
        assert r.status_code == 200, r.text
        return r.json()["data"]

    return add


def flush(sandbox, **body):
    r = sandbox.control("POST", "/webhooks/flush", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_an_order_created_is_posted_with_the_hooks_headers_in_bigcommerces_shape(
    sandbox, receiver, hooks
):
    hooks("store/order/created")
    order = sandbox.create_order()

    assert receiver.received == []  # nothing until flushed (webhook_auto_send off)
    result = flush(sandbox)

    assert result["delivered"] == 1 and result["pending"] == []
    [got] = receiver.received
    assert got["path"] == "/bigcommerce/webhooks/k1"
    assert got["headers"]["X-Hub-Secret"] == "s3cret"
    body = got["body"]
    assert set(body) == {"scope", "store_id", "data", "hash", "created_at", "producer"}
    assert body["scope"] == "store/order/created"
    assert body["data"] == {"type": "order", "id": order["id"]}
    assert body["producer"] == f"stores/{sandbox.store_hash}"
    assert isinstance(body["store_id"], str) and isinstance(body["created_at"], int)
    assert len(body["hash"]) == 40


def test_order_updates_status_changes_and_archiving_each_have_their_scope(
    sandbox, receiver, hooks
):
    hooks("store/order/*")
    order = sandbox.create_order(status_id=11)
    sandbox.patch_order(order["id"], status_id=2)
    assert sandbox.api("DELETE", f"/v2/orders/{order['id']}").status_code == 204
    flush(sandbox)

    scopes = [r["body"]["scope"] for r in receiver.received]
    assert scopes == [
        "store/order/created",
        "store/order/updated",
        "store/order/statusUpdated",
        "store/order/updated",
        "store/order/archived",
    ]
    status = receiver.received[2]["body"]["data"]["status"]
    assert status == {"previous_status_id": 11, "new_status_id": 2}


def test_an_inventory_change_is_sent_to_the_sku_inventory_hook(sandbox, receiver, hooks):
    hooks("store/sku/inventory/updated")
    variant_id, variant = next(
        (int(k), v) for k, v in sandbox.inventory()["variants"].items()
    )
    r = sandbox.api(
        "PUT",
        "/v3/inventory/adjustments/absolute",
        json={"items": [{"location_id": 1, "variant_id": variant_id, "quantity": 77}]},
    )
    assert r.status_code == 200, r.text
    flush(sandbox)

    [got] = receiver.received
    assert got["body"]["data"]["id"] == variant_id
    assert got["body"]["data"]["inventory"]["value"] == 77
    assert got["body"]["data"]["inventory"]["product_id"] == variant["product_id"]


def test_only_active_hooks_of_a_matching_scope_receive_the_event(sandbox, receiver, hooks):
    hooks("store/product/updated")
    paused = hooks("store/order/created", path="/paused")
    sandbox.api("PUT", f"/v3/hooks/{paused['id']}", json={"is_active": False})
    sandbox.create_order()

    assert flush(sandbox)["attempted"] == []
    assert receiver.received == []


def test_a_failing_destination_is_retried_and_the_hook_deactivated_after_the_last_retry(
    sandbox, receiver, hooks
):
    hook = hooks("store/order/created")
    receiver.status = 500
    sandbox.create_order()

    first = flush(sandbox)
    assert first["failed"] == 1 and len(first["pending"]) == 1  # a retry is pending
    last = flush(sandbox, rounds=20)

    assert len(receiver.received) == 12  # the first try and BigCommerce's 11 retries
    assert last["deactivated"] == 1 and last["pending"] == []
    listed = sandbox.get(f"/v3/hooks/{hook['id']}").json()["data"]
    assert listed["is_active"] is False
    # Re-enabled, it receives the next events again.
    receiver.status = 200
    sandbox.api("PUT", f"/v3/hooks/{hook['id']}", json={"is_active": True})
    sandbox.create_order()
    assert flush(sandbox)["delivered"] == 1


def test_the_sender_thread_delivers_without_a_flush_when_auto_send_is_on(
    sandbox, receiver, hooks
):
    hooks("store/order/created")
    sandbox.configure(webhook_auto_send=True)
    sandbox.create_order()

    # Waits on the sandbox's own state, not on time: the delivery is done once the outbox
    # has sent it (the control call answers only what already happened).
    for _ in range(10000):
        status = sandbox.control("GET", "/webhooks").json()
        if status["delivered"]:
            break
    assert status["delivered"] == 1
    assert len(receiver.received) == 1


def test_a_custom_event_can_be_sent_through_the_control_api(sandbox, receiver, hooks):
    hooks("store/product/updated")
    r = sandbox.control(
        "POST",
        f"/stores/{sandbox.store_hash}/events",
        json={"scope": "store/product/updated", "data": {"type": "product", "id": 5}},
    )
    assert r.status_code == 201
    flush(sandbox)
    assert receiver.received[0]["body"]["data"] == {"type": "product", "id": 5}


def test_bad_webhook_config_is_a_400(sandbox):
    for bad in ({"webhook_base_url": "ftp://x"}, {"webhook_auto_send": "yes"}):
        assert sandbox.control("POST", "/config", json=bad).status_code == 400
