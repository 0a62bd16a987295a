"""What a running flow sees: counters, log, lease (dataflows.context)."""

import pytest

from dataflows import services
from dataflows.context import LeaseLost, RunContext
from tests.dataflows.helpers import LEASE, queued_run

pytestmark = pytest.mark.usefixtures("no_prerequisites")


def test_the_context_refuses_an_unknown_counter(order_import, fake_client):
    run = queued_run(order_import)
    ctx = RunContext(run=run, dataflow=order_import, client=fake_client, lease_seconds=LEASE)
    with pytest.raises(ValueError, match="Unknown run counter"):
        ctx.count(imported=1)


def test_the_context_writes_log_entries_in_batches(order_import, fake_client, monkeypatch):
    monkeypatch.setattr("dataflows.context.LOG_BATCH", 3)
    run = queued_run(order_import)
    ctx = RunContext(run=run, dataflow=order_import, client=fake_client, lease_seconds=LEASE)
    for n in range(4):
        ctx.log(f"entry {n}")
    assert run.log_entries.count() == 3
    ctx.flush_logs()
    assert run.log_entries.count() == 4


def test_a_heartbeat_without_the_lease_raises_lease_lost(order_import, fake_client):
    run = queued_run(order_import)
    assert services._claim(run=run, lease_seconds=LEASE)
    ctx = RunContext(run=run, dataflow=order_import, client=fake_client, lease_seconds=LEASE)
    ctx.heartbeat()
    services._release(run=run)
    ctx.heartbeat()  # throttled: at most every third of the lease
    with pytest.raises(LeaseLost, match="lost the lease"):
        ctx.heartbeat(force=True)
