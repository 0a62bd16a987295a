"""End to end: the one client against a running sandbox store, every exchange checked against
the official OpenAPI specs by the `contract` fixture."""

import os
import threading
import uuid

import pytest

from connections.bigcommerce import errors
from connections.bigcommerce.client import BigCommerceClient
from connections.bigcommerce.ratelimit import LocalQuotaGate, RedisQuotaGate


def client_for(sandbox, contract, **kwargs):
    kwargs.setdefault("quota_gate", LocalQuotaGate())
    client = BigCommerceClient(
        store_hash=sandbox.store_hash, access_token=sandbox.token, api_url=sandbox.url, **kwargs
    )
    contract.attach(client.session)
    return client


def shipping_consignment(order):
    return order["consignments"]["shipping"][0]


def test_fetching_every_order_under_a_small_quota_gets_them_all_without_a_429(sandbox, contract):
    sandbox.reset(orders=200)
    expected = {order["id"] for order in sandbox.get_all_orders()}
    sandbox.configure(quota=4, window_ms=300)
    sandbox.reset_stats()
    client = client_for(sandbox, contract)

    fetched = [order["id"] for order in client.iter_orders(limit=25)]

    assert sorted(fetched) == sorted(expected)
    assert len(fetched) == len(set(fetched))
    assert client.stats.http_429 == 0
    assert sandbox.stats()["http_429"] == 0
    assert client.stats.requests == len(expected) // 25 + 1


def test_orders_come_with_their_lines_and_shipping_address_inline(sandbox, contract):
    client = client_for(sandbox, contract)

    order = next(client.iter_orders(status_id=11))

    consignment = shipping_consignment(order)
    assert consignment["line_items"]
    assert consignment["country_iso2"]
    assert client.stats.requests == 1


def test_every_endpoint_the_hub_uses_matches_the_spec(sandbox, contract):
    client = client_for(sandbox, contract)

    assert client.get_store()["id"]
    assert {status["id"] for status in client.list_order_statuses()} == set(range(15))
    total = client.count_orders(status_id=11)
    assert total == len(sandbox.get_all_orders(status_id=11))
    order = client.get_order(next(client.iter_orders(status_id=11))["id"])
    assert client.list_order_products(order["id"])
    assert client.list_order_shipping_addresses(order["id"])
    assert client.list_order_shipments(order["id"]) == []
    assert next(client.iter_product_pages(include_variants=True))
    assert next(client.iter_variant_pages())
    assert client.list_locations()
    hook = client.create_webhook(
        {
            "scope": "store/order/updated",
            "destination": "https://hub.example.com/hooks/1",
            "is_active": True,
            "headers": {"X-Hub-Secret": "s3cret"},
        }
    )
    assert client.update_webhook(hook["id"], {"is_active": False})["is_active"] is False
    assert [h["id"] for h in client.list_webhooks()] == [hook["id"]]
    client.delete_webhook(hook["id"])
    assert client.list_webhooks() == []
    assert contract.exchanges >= 14


def test_a_full_shipment_ships_the_order_and_a_partial_one_partially(sandbox, contract):
    client = client_for(sandbox, contract)
    orders = [
        o
        for o in client.iter_orders(status_id=11)
        if sum(i["quantity"] for i in shipping_consignment(o)["line_items"]) > 1
    ][:2]
    full, partial = orders
    for order, take_all in ((full, True), (partial, False)):
        consignment = shipping_consignment(order)
        items = [
            {"order_product_id": i["id"], "quantity": i["quantity"]}
            for i in consignment["line_items"]
        ]
        if not take_all:
            items = [{**items[0], "quantity": 1}]
        client.create_order_shipment(
            order["id"],
            {
                "order_address_id": consignment["id"],
                "items": items,
                "tracking_number": f"TRK{order['id']}",
                "tracking_carrier": "ups",
            },
        )

    assert client.get_order(full["id"])["status_id"] == 2
    assert client.get_order(partial["id"])["status_id"] == 3


def test_a_shipment_whose_answer_was_lost_is_not_created_twice(sandbox, contract):
    client = client_for(sandbox, contract)
    order = next(client.iter_orders(status_id=11))
    consignment = shipping_consignment(order)
    payload = {
        "order_address_id": consignment["id"],
        "items": [
            {"order_product_id": i["id"], "quantity": i["quantity"]}
            for i in consignment["line_items"]
        ],
        "tracking_number": "1Z999AA10123456784",
        "tracking_carrier": "ups",
    }
    sandbox.force_fault("lost_response", method="POST", path="/v2/orders/{id}/shipments")

    shipment = client.create_order_shipment(order["id"], payload)

    shipments = client.list_order_shipments(order["id"])
    assert [s["id"] for s in shipments] == [shipment["id"]]
    assert (
        sandbox.stats()["by_store"][sandbox.store_hash]["endpoints"].get(
            "POST /v2/orders/{id}/shipments"
        )
        == 1
    )


@pytest.mark.parametrize("fault", ["500", "502", "503", "429", "malformed"])
def test_a_passing_fault_is_retried_and_the_read_succeeds(sandbox, contract, fault):
    client = client_for(sandbox, contract, sleep=lambda seconds: None)
    sandbox.force_fault(fault, path="/v2/store")

    with contract.expect_violations() as injected:  # the fault itself breaks the contract
        assert client.get_store()["id"]

    assert client.stats.requests == 2
    assert len(injected) == (1 if fault == "malformed" else 0)


def test_a_timeout_is_retried(sandbox, contract):
    client = client_for(sandbox, contract, read_timeout=0.3, sleep=lambda seconds: None)
    sandbox.force_fault("timeout", path="/v2/store", hang_ms=2000)

    assert client.get_store()["id"]


def test_a_wrong_token_is_an_authentication_error_that_does_not_show_the_token(sandbox):
    client = BigCommerceClient(
        store_hash=sandbox.store_hash,
        access_token="wrong-secret-token",
        api_url=sandbox.url,
        quota_gate=LocalQuotaGate(),
    )

    with pytest.raises(errors.AuthenticationError) as caught:
        client.get_store()

    assert "wrong-secret-token" not in str(caught.value)
    assert "wrong-secret-token" not in repr(caught.value)


def test_absolute_inventory_adjustments_set_the_stores_stock(sandbox, contract):
    client = client_for(sandbox, contract)
    tracked = [
        v
        for page in client.iter_product_pages(include_variants=True)
        for p in page
        if p["inventory_tracking"] == "variant"
        for v in p["variants"]
    ][:3]

    client.set_inventory_absolute(
        [
            {"location_id": 1, "variant_id": v["id"], "quantity": 40 + n}
            for n, v in enumerate(tracked)
        ],
        reason="hub test",
    )

    levels = {v["id"]: v["inventory_level"] for page in client.iter_variant_pages() for v in page}
    assert [levels[v["id"]] for v in tracked] == [40, 41, 42]


def redis_url_or_skip():
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        if os.environ.get("HUB_REQUIRE_REAL_SERVICES") == "1":
            raise
        pytest.skip("Redis does not answer")
    return url


@pytest.mark.parametrize("shared", ["in-process", "redis"])
def test_clients_sharing_one_store_never_get_a_429(sandbox, contract, shared):
    sandbox.reset(orders=240)
    expected = len(sandbox.get_all_orders())
    sandbox.configure(quota=5, window_ms=400)
    sandbox.reset_stats()
    if shared == "redis":
        url, prefix = redis_url_or_skip(), f"test-quota-{uuid.uuid4().hex}"
        # One gate object per client, as separate worker processes would have.
        gates = [
            RedisQuotaGate(store_hash=sandbox.store_hash, redis_url=url, key_prefix=prefix)
            for _ in range(3)
        ]
    else:
        gates = [LocalQuotaGate()] * 3
    clients = [client_for(sandbox, contract, quota_gate=gate) for gate in gates]
    counts = [0] * 3

    def fetch(index):
        counts[index] = sum(1 for _ in clients[index].iter_orders(limit=50))

    threads = [threading.Thread(target=fetch, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert counts == [expected] * 3
    assert sandbox.stats()["http_429"] == 0
    assert sum(client.stats.http_429 for client in clients) == 0
