"""Recording a run's end: conditional on the run still running under its lease; handing over to
the runs that wait (dataflows.services.recording)."""

import pytest
from django.db import IntegrityError, transaction

from dataflows import services
from dataflows.context import RunDeferred
from dataflows.models import Dataflow, Run
from tests.dataflows.helpers import dataflow_of, queued_run, succeed
from tests.fixtures.tenants import make_connection

pytestmark = pytest.mark.usefixtures("no_prerequisites")


def test_a_run_declared_abandoned_meanwhile_never_finishes_as_succeeded(
    order_import, register_flow, fake_client
):
    def flow(ctx):
        # The sweep declared it abandoned while it worked (its lease had expired).
        Dataflow.objects.filter(pk=ctx.dataflow.pk).update(lease_run=None, lease_expires_at=None)
        services.runs_recover_abandoned(dataflow_id=ctx.dataflow.pk, requeue=False)
        ctx.count(created=3)

    register_flow("order_import", flow)
    run = Run.objects.create(dataflow=order_import, trigger=Run.Trigger.SCHEDULE)

    run = services.run_execute(run_id=run.pk)

    assert run.status == Run.Status.FAILED
    assert run.error_message == services.RECOVERED_MESSAGE


def test_the_database_allows_one_running_run_per_dataflow(order_import):
    Run.objects.create(dataflow=order_import, trigger="schedule", status=Run.Status.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Run.objects.create(dataflow=order_import, trigger="schedule", status=Run.Status.RUNNING)


@pytest.mark.django_db(transaction=True)
def test_recording_the_end_survives_a_dropped_database_connection(
    connection, register_flow, fake_client, monkeypatch
):
    from django.db import OperationalError
    from django.db.models import QuerySet

    register_flow("order_import", lambda ctx: ctx.count(created=1))
    dataflow = Dataflow.objects.get(connection=connection, kind="order_import")
    run = Run.objects.create(dataflow=dataflow, trigger=Run.Trigger.MANUAL)
    real_update, dropped = QuerySet.update, []

    def update(self, **values):
        if values.get("status") == Run.Status.SUCCEEDED and not dropped:
            dropped.append(True)
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(self, **values)

    monkeypatch.setattr(QuerySet, "update", update)

    run = services.run_execute(run_id=run.pk, wait_if_busy=False)

    assert dropped and run.status == Run.Status.SUCCEEDED and run.created == 1
    dataflow.refresh_from_db()
    assert dataflow.lease_run_id is None


# ----------------------------------------------------------------------------- hand-over


def deferring(still_blocked=None):
    def flow(ctx):
        raise RunDeferred("Store demo01 is busy.", countdown=30, still_blocked=still_blocked)

    return flow


def test_a_deferred_run_is_sent_again_as_soon_as_another_run_of_its_connection_ends(
    order_import, tenant, register_flow, fake_client, enqueued, django_capture_on_commit_callbacks
):
    stock = dataflow_of(order_import.connection, "full_stock_update")
    register_flow("full_stock_update", deferring())
    register_flow("order_import", succeed)
    with django_capture_on_commit_callbacks(execute=True):
        deferred = services.run_execute(run_id=queued_run(stock).pk)
    assert (deferred.status, deferred.deferred) == (Run.Status.QUEUED, True)
    assert enqueued.sends == [(deferred.pk, 30)]  # the safety net
    assert "starts again when the run it waits for ends" in deferred.log_entries.get().message

    elsewhere = dataflow_of(make_connection(tenant, store_hash="other9"))
    with django_capture_on_commit_callbacks(execute=True):
        services.run_execute(run_id=queued_run(elsewhere).pk)
    assert enqueued == [deferred.pk]  # another connection's end is no news for it

    with django_capture_on_commit_callbacks(execute=True):
        services.run_execute(run_id=queued_run(order_import).pk)
    assert enqueued.sends[-1] == (deferred.pk, None)

    register_flow("full_stock_update", succeed)
    run = services.run_execute(run_id=deferred.pk)
    assert (run.status, run.deferred) == (Run.Status.SUCCEEDED, False)


def test_a_deferred_run_whose_blocker_ended_meanwhile_is_sent_again_at_once(
    order_import, register_flow, fake_client, enqueued, django_capture_on_commit_callbacks
):
    register_flow("order_import", deferring(still_blocked=lambda: False))
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.status == Run.Status.QUEUED
    assert sorted(enqueued.sends, key=str) == [(run.pk, 30), (run.pk, None)]


def test_a_deferred_run_still_blocked_waits_for_the_hand_over(
    order_import, register_flow, fake_client, enqueued, django_capture_on_commit_callbacks
):
    register_flow("order_import", deferring(still_blocked=lambda: True))
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_execute(run_id=queued_run(order_import).pk)
    assert enqueued.sends == [(run.pk, 30)]
