"""The sweep picks up what a dead worker or a lost task message left behind."""

from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import Connection
from dataflows import services
from dataflows.models import Dataflow, Kind, Run


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
    dataflow = Dataflow.objects.get(connection=connection, kind=Kind.ORDER_IMPORT)
    dead = Run.objects.create(dataflow=dataflow, trigger="schedule", status=Run.Status.RUNNING)
    Dataflow.objects.filter(pk=dataflow.pk).update(
        lease_run=dead, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.runs_sweep()["recovered"] == 1

    again = Run.objects.get(dataflow=dataflow, status=Run.Status.QUEUED)
    assert enqueued == [again.pk]
