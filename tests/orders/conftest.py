"""Fixtures of the orders tests: hub products, an importer's log, flows queued (not sent)."""

import pytest

from catalog.models import Product
from tests.orders.helpers import Log


@pytest.fixture
def products(tenant):
    return {
        sku: Product.objects.create(tenant=tenant, sku=sku, on_hand=50)
        for sku in ("SKU-1", "SKU-2", "SKU-3")
    }


@pytest.fixture
def log():
    return Log()


@pytest.fixture
def queued(monkeypatch):
    """(connection id, kind) of every run the orders services queue (through `run_queue`)."""
    calls = []

    def run_queue(*, dataflow, trigger):
        calls.append((dataflow.connection_id, dataflow.kind))

    monkeypatch.setattr("orders.services.fetch_requests.run_queue", run_queue)
    return calls


@pytest.fixture
def enqueued(monkeypatch):
    """Ids of runs whose task the engine sent (nothing reaches a broker)."""
    sent: list[int] = []
    monkeypatch.setattr("dataflows.services._enqueue_run", sent.append)
    return sent
