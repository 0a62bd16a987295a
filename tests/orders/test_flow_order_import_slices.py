"""Order Import in time slices (DATAFLOW_SLICE_SECONDS): a backfill that hands its worker to
another tenant's waiting run continues where it stopped, every order imported exactly once."""

import pytest

from dataflows import context
from dataflows.models import Dataflow, Run
from dataflows.services import run_execute
from orders.flows import ORDER_IMPORT
from orders.models import Order
from tests.fixtures.tenants import make_connection
from tests.orders.helpers import error_ids, expected_ids, hub_ids

pytestmark = pytest.mark.usefixtures("enqueued")


class PageClock:
    """One second per look at the clock."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_a_backfill_in_slices_imports_every_order_exactly_once(
    store, store_client, sandbox_settings, other_tenant, settings, monkeypatch
):
    sandbox = sandbox_settings
    sandbox.reset(orders=1400)
    expected = expected_ids(sandbox)
    settings.DATAFLOW_SLICE_SECONDS = 1  # one page a slice
    monkeypatch.setattr(context, "slice_clock", PageClock())
    monkeypatch.setattr(
        "connections.services.bigcommerce_client_for", lambda *, connection: store_client
    )
    other = make_connection(other_tenant, name="Small store", store_hash="small1")
    Run.objects.create(dataflow=Dataflow.objects.get(connection=other, kind=ORDER_IMPORT))
    dataflow = Dataflow.objects.get(connection=store, kind=ORDER_IMPORT)
    run = Run.objects.create(dataflow=dataflow, trigger=Run.Trigger.MANUAL)

    slices = 0
    while run.status == Run.Status.QUEUED:
        run = run_execute(run_id=run.pk)
        slices += 1

    assert slices >= 3  # it handed its worker over between pages
    handed = run.log_entries.filter(message__startswith="Handed its worker").count()
    assert handed == slices - 1
    assert run.status == Run.Status.PARTIAL  # the seeded legacy SKUs
    assert hub_ids(store) | error_ids(store) == expected
    assert Order.objects.filter(connection=store).count() == len(hub_ids(store))
    assert run.created == len(hub_ids(store)) and run.failed == len(error_ids(store))
    assert run.fetched >= len(expected)  # each slice re-reads what changed meanwhile
    assert run.api_requests == store_client.stats.requests
