"""Webhooks end to end: the sandbox store sends its callbacks to a live hub, whose receiver
queues a targeted Order Import run; the run imports just those orders."""

import pytest
import requests

from connections.webhooks.registration import webhooks_register
from dataflows.models import Dataflow, Run
from dataflows.services import run_execute
from orders.flows import ORDER_IMPORT
from orders.models import Order, OrderFetchRequest
from tests.fixtures.webhooks import flush
from tests.orders.helpers import client_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox]


@pytest.fixture
def enqueued(monkeypatch):
    """Ids of runs whose task the engine sent (nothing reaches a broker)."""
    sent: list[int] = []
    monkeypatch.setattr(
        "dataflows.services._enqueue_run", lambda run_id, countdown=None: sent.append(run_id)
    )
    return sent


@pytest.fixture
def registered(store, delivering, enqueued):
    webhooks_register(connection=store, client=client_for(delivering))
    return store


def webhook_runs(connection):
    return Run.objects.filter(
        dataflow__connection=connection, dataflow__kind=ORDER_IMPORT, trigger=Run.Trigger.WEBHOOK
    )


def drain(sandbox, connection, enqueued) -> list[Run]:
    """Execute every run the engine sent, as a worker would (a run may hand over to another)."""
    done = []
    while enqueued:
        run = run_execute(run_id=enqueued.pop(0), client=client_for(sandbox))
        done.append(run)
    return done


def test_an_order_created_in_the_store_is_imported_without_waiting_for_the_schedule(
    registered, delivering, enqueued
):
    sandbox = delivering
    order = sandbox.create_order()
    assert not Order.objects.filter(bc_order_id=order["id"]).exists()

    assert flush(sandbox)["delivered"] == 1
    [run] = webhook_runs(registered)
    assert enqueued == [run.pk]
    sandbox.reset_stats()
    drain(sandbox, registered, enqueued)

    run.refresh_from_db()
    assert run.status in (Run.Status.SUCCEEDED, Run.Status.PARTIAL)
    assert Order.objects.filter(connection=registered, bc_order_id=order["id"]).exists()
    # Targeted: the one order, nothing else listed or backfilled.
    assert sandbox.stats()["endpoints"] == {"GET /v2/orders/{id}": 1}


def test_a_duplicate_delivery_imports_once(registered, delivering, enqueued, live_server):
    sandbox = delivering
    sandbox.create_order()
    flush(sandbox)
    [delivery] = sandbox.control("GET", "/webhooks").json()["log"]
    sub = registered.webhook_subscription
    again = requests.post(
        f"{live_server.url}/bigcommerce/webhooks/{sub.key}",
        json={
            "scope": "store/order/created",
            "store_id": "1",
            "data": {"type": "order", "id": 1},
            "hash": delivery["hash"],
            "created_at": 1,
            "producer": f"stores/{registered.store_hash}",
        },
        headers={"X-Hub-Webhook-Secret": sub.secret},
        timeout=10,
    )

    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert OrderFetchRequest.objects.filter(connection=registered).count() == 1
    assert webhook_runs(registered).count() == 1


def test_a_burst_of_500_updates_takes_a_handful_of_requests(registered, delivering, enqueued):
    sandbox = delivering
    created = [sandbox.create_order()["id"] for _ in range(20)]
    for n in range(480):
        sandbox.patch_order(created[n % 20], staff_notes=f"edit {n}")
    sandbox.reset_stats()

    assert flush(sandbox)["delivered"] == 500
    runs = drain(sandbox, registered, enqueued)

    assert Order.objects.filter(connection=registered, bc_order_id__in=created).count() == 20
    assert len(runs) == 1  # one waiting run gathered the whole burst
    # 20 orders with ids less than a page apart: one listing (asked again at most once when a
    # loaded machine makes it time out), never a fetch per order or per delivery.
    endpoints = sandbox.stats()["endpoints"]
    assert set(endpoints) == {"GET /v2/orders"} and endpoints["GET /v2/orders"] <= 2


def test_a_wrong_secret_is_401_and_queues_nothing(registered, live_server, enqueued):
    sub = registered.webhook_subscription
    body = {
        "scope": "store/order/created",
        "store_id": "1",
        "data": {"type": "order", "id": 101},
        "hash": "a" * 40,
        "created_at": 1,
        "producer": f"stores/{registered.store_hash}",
    }
    url = f"{live_server.url}/bigcommerce/webhooks/{sub.key}"
    for headers in ({"X-Hub-Webhook-Secret": "wrong"}, {}):
        r = requests.post(url, json=body, headers=headers, timeout=10)
        assert r.status_code == 401
    r = requests.post(
        f"{live_server.url}/bigcommerce/webhooks/unknownkey",
        json=body,
        headers={"X-Hub-Webhook-Secret": sub.secret},
        timeout=10,
    )
    assert r.status_code == 401
    assert not OrderFetchRequest.objects.exists() and enqueued == []
    assert not registered.webhook_deliveries.exists()


def test_a_webhook_run_waiting_when_the_schedule_ticks_becomes_the_full_run(
    registered, delivering, enqueued
):
    from dataflows.services import dataflow_run_scheduled

    sandbox = delivering
    sandbox.create_order()
    flush(sandbox)
    [run] = webhook_runs(registered)
    dataflow = Dataflow.objects.get(connection=registered, kind=ORDER_IMPORT)

    dataflow_run_scheduled(dataflow_id=dataflow.pk)

    run.refresh_from_db()
    assert run.trigger == Run.Trigger.SCHEDULE
