"""Catalog test helpers: a connection to the sandbox store, a contract-checked client,
running a catalog dataflow in the foreground, and the sandbox's catalog as BigCommerce serves it.

Fixtures are imported by tests/catalog/conftest.py."""

import pytest

from connections.bigcommerce.client import BigCommerceClient
from connections.bigcommerce.ratelimit import LocalQuotaGate
from connections.models import Connection
from dataflows.models import Dataflow
from dataflows.services import dataflow_run_foreground, dataflows_create_for_connection
from dataflows.tasks import run_execute_task


@pytest.fixture(autouse=True)
def no_task_is_sent(monkeypatch):
    """Runs queued by a test stay queued (nothing reaches a broker); returns (run id,
    countdown) of every task the engine sends."""
    sent = []

    def apply_async(args, countdown=None, **options):
        sent.append((args[0], countdown))

    monkeypatch.setattr(run_execute_task, "apply_async", apply_async)
    monkeypatch.setattr(run_execute_task, "delay", lambda run_id: sent.append((run_id, None)))
    return sent


@pytest.fixture
def store(sandbox_settings, tenant):
    """A connection of `tenant` to the sandbox store (its dataflows created)."""
    connection = Connection.objects.create(
        tenant=tenant,
        name="Sandbox store",
        store_hash=sandbox_settings.store_hash,
        access_token=sandbox_settings.token,
    )
    dataflows_create_for_connection(connection=connection)
    return connection


@pytest.fixture
def bc_client(sandbox_settings, contract):
    """A client of the sandbox store whose every exchange is checked against the specs."""
    client = BigCommerceClient(
        store_hash=sandbox_settings.store_hash,
        access_token=sandbox_settings.token,
        api_url=sandbox_settings.url,
        quota_gate=LocalQuotaGate(),
    )
    contract.attach(client.session)
    yield client
    client.close()


@pytest.fixture
def run_flow(bc_client):
    """run_flow(connection, kind, client=None) -> the finished Run."""

    def run(connection, kind, client=None):
        dataflow = Dataflow.objects.select_related("connection").get(
            connection=connection, kind=kind
        )
        return dataflow_run_foreground(dataflow=dataflow, client=client or bc_client)

    return run


def sandbox_products(sandbox) -> list[dict]:
    """Every product of the sandbox store with its variants (straight from the store)."""
    out, page = [], 1
    while True:
        body = sandbox.get("/v3/catalog/products", include="variants", page=page, limit=250)
        body = body.json()
        out += body["data"]
        if page >= body["meta"]["pagination"]["total_pages"]:
            return out
        page += 1


def sandbox_variants(sandbox) -> list[tuple[dict, dict]]:
    return [(p, v) for p in sandbox_products(sandbox) for v in p["variants"]]


def adjust(sandbox, items):
    response = sandbox.api(
        "PUT", "/v3/inventory/adjustments/absolute", json={"reason": "test", "items": items}
    )
    assert response.status_code == 200, response.text
    return response.json()


def kind_of(connection, kind) -> Dataflow:
    return Dataflow.objects.get(connection=connection, kind=kind)
