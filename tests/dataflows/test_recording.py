"""Recording a run's end: conditional on the run still running under its lease."""

import pytest
from django.db import IntegrityError, transaction

from dataflows import services
from dataflows.models import Dataflow, Kind, Run

pytestmark = pytest.mark.usefixtures("no_prerequisites")


def test_a_run_declared_abandoned_meanwhile_never_finishes_as_succeeded(
    order_import, register_flow, fake_client
):
    def flow(ctx):
        # The sweep declared it abandoned while it worked (its lease had expired).
        Dataflow.objects.filter(pk=ctx.dataflow.pk).update(lease_run=None, lease_expires_at=None)
        services.runs_recover_abandoned(dataflow_id=ctx.dataflow.pk, requeue=False)
        ctx.count(created=3)

    register_flow(Kind.ORDER_IMPORT, flow)
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

    register_flow(Kind.ORDER_IMPORT, lambda ctx: ctx.count(created=1))
    dataflow = Dataflow.objects.get(connection=connection, kind=Kind.ORDER_IMPORT)
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
