"""Fixtures of the orders tests: hub products, an importer's log, flows queued (not sent), a
connection to the sandbox store and a contract-checked client of it."""

import pytest

from catalog.models import Product
from tests.orders.helpers import Log, client_for, make_products_for_sandbox, make_store_connection


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


@pytest.fixture
def store(sandbox_settings, tenant):
    """A connection to the sandbox store, with hub products for the store's SKUs."""
    make_products_for_sandbox(tenant, sandbox_settings)
    return make_store_connection(tenant, sandbox_settings)


@pytest.fixture
def store_client(sandbox_settings, contract):
    """A client of the sandbox store whose every exchange is checked against the specs."""
    c = client_for(sandbox_settings, contract)
    yield c
    c.close()
