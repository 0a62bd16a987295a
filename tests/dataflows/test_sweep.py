"""The sweep picks up what a dead worker or a lost task message left behind."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import Connection
from dataflows import services
from dataflows.models import Dataflow, Run
from tests.dataflows.helpers import dataflow_of, hold_lease, queued_run


def test_a_connection_left_deleting_gets_its_delete_task_sent_again(connection, monkeypatch):
    from connections import tasks as connection_tasks

    sent = []
    monkeypatch.setattr(connection_tasks.connection_delete_task, "delay", sent.append)
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.DELETING, updated_at=timezone.now() - timedelta(minutes=11)
    )

    assert services.runs_sweep()["deletes_resent"] == 1
    assert sent == [connection.pk]
    assert services.runs_sweep()["deletes_resent"] == 0  # not again at once


@pytest.mark.usefixtures("no_prerequisites")
def test_a_killed_worker_dataflow_is_queued_again_by_the_sweep(
    connection, enqueued, django_capture_on_commit_callbacks
):
    dataflow = Dataflow.objects.get(connection=connection, kind="order_import")
    dead = Run.objects.create(dataflow=dataflow, trigger="schedule", status=Run.Status.RUNNING)
    Dataflow.objects.filter(pk=dataflow.pk).update(
        lease_run=dead, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.runs_sweep()["recovered"] == 1

    again = Run.objects.get(dataflow=dataflow, status=Run.Status.QUEUED)
    assert enqueued == [again.pk]


def test_the_sweep_sends_again_the_task_of_a_run_that_waits_on_a_free_dataflow(
    order_import, enqueued
):
    lost = queued_run(order_import)
    Run.objects.filter(pk=lost.pk).update(queued_at=timezone.now() - timedelta(minutes=10))
    fresh = queued_run(dataflow_of(order_import.connection, "order_update"))
    busy = dataflow_of(order_import.connection, "full_stock_update")
    hold_lease(busy)
    behind_busy = queued_run(busy)
    Run.objects.filter(pk=behind_busy.pk).update(queued_at=timezone.now() - timedelta(minutes=10))

    assert services.runs_sweep() == {
        "recovered": 0,
        "resent": 1,
        "deletes_resent": 0,
        "overdue": 0,
    }
    assert enqueued == [lost.pk]
    assert fresh.pk not in enqueued
