"""A product edited in BigCommerce is matched again, just that product, when its webhook
arrives (the sandbox sends it to a live hub)."""

import pytest

from catalog.kinds import CHANGED_PRODUCT_MATCH
from catalog.models import ProductLink, ProductMatchRequest
from connections.webhooks.registration import webhooks_register
from dataflows.models import Run
from dataflows.services import run_execute
from tests.fixtures.webhooks import flush
from tests.orders.helpers import client_for, make_products_for_sandbox, make_store_connection

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sandbox]


@pytest.fixture
def enqueued(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(
        "dataflows.services._enqueue_run", lambda run_id, countdown=None: sent.append(run_id)
    )
    return sent


@pytest.fixture
def registered(delivering, tenant, enqueued):
    make_products_for_sandbox(tenant, delivering)
    store = make_store_connection(tenant, delivering)
    webhooks_register(connection=store, client=client_for(delivering))
    return store


def product_updated(sandbox, product_id):
    r = sandbox.control(
        "POST",
        f"/stores/{sandbox.store_hash}/events",
        json={"scope": "store/product/updated", "data": {"type": "product", "id": product_id}},
    )
    assert r.status_code == 201, r.text


def test_a_product_updated_is_matched_again_alone(registered, delivering, enqueued):
    sandbox = delivering
    variants = sandbox.inventory()["variants"]
    product_ids = sorted({v["product_id"] for v in variants.values()})[:3]
    for product_id in product_ids + product_ids:  # each twice: asking twice is asking once
        product_updated(sandbox, product_id)
    assert flush(sandbox)["delivered"] == 6
    [run] = Run.objects.filter(
        dataflow__connection=registered,
        dataflow__kind=CHANGED_PRODUCT_MATCH,
        trigger=Run.Trigger.WEBHOOK,
    )
    assert enqueued == [run.pk]
    sandbox.reset_stats()

    run = run_execute(run_id=run.pk, client=client_for(sandbox))

    assert run.status in (Run.Status.SUCCEEDED, Run.Status.PARTIAL)
    linked = set(
        ProductLink.objects.filter(connection=registered).values_list("bc_product_id", flat=True)
    )
    assert linked == set(product_ids)
    assert sandbox.stats()["endpoints"] == {"GET /v3/catalog/products": 1}
    assert not ProductMatchRequest.objects.exists()
