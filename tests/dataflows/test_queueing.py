"""Queueing runs and SYNCHRONIZE (dataflows.services.queueing)."""

import pytest
from django.core.exceptions import ValidationError

from connections.services import connection_set_active
from dataflows import services
from dataflows.models import Run
from dataflows.registry import flow_specs
from tests.dataflows.helpers import hold_lease

pytestmark = pytest.mark.usefixtures("no_prerequisites")


def test_synchronize_queues_only_the_enabled_dataflows(
    connection, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        runs = services.connection_synchronize(connection=connection)
    kinds = {run.dataflow.kind for run in runs}
    assert kinds == set([spec.kind for spec in flow_specs()]) - {"changed_product_match"}
    assert all(run.trigger == Run.Trigger.SYNCHRONIZE for run in runs)
    assert all(run.status == Run.Status.QUEUED for run in runs)
    assert sorted(enqueued) == sorted(run.pk for run in runs)


def test_synchronize_refuses_an_inactive_connection(connection):
    connection_set_active(connection=connection, active=False)
    with pytest.raises(ValidationError, match="enable it"):
        services.connection_synchronize(connection=connection)
    assert not Run.objects.exists()


def test_synchronize_refuses_a_connection_without_enabled_dataflows(connection):
    connection.dataflows.update(enabled=False)
    with pytest.raises(ValidationError, match="no enabled dataflow"):
        services.connection_synchronize(connection=connection)


def test_tasks_are_sent_only_after_the_transaction_commits(
    order_import, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.run_queue(dataflow=order_import, trigger=Run.Trigger.MANUAL)
    assert enqueued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert enqueued == [run.pk]


def test_queueing_reuses_a_run_that_is_already_queued(
    order_import, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.run_queue(dataflow=order_import, trigger=Run.Trigger.SYNCHRONIZE)
        second = services.run_queue(dataflow=order_import, trigger=Run.Trigger.MANUAL)
    assert second.pk == first.pk
    assert Run.objects.filter(dataflow=order_import).count() == 1
    # Nothing runs, so its task is sent again (a lost message must not block the dataflow).
    assert enqueued == [first.pk, first.pk]


def test_queueing_while_a_run_is_going_waits_for_it_without_sending_a_task(
    order_import, enqueued, django_capture_on_commit_callbacks
):
    hold_lease(order_import)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_queue(dataflow=order_import, trigger=Run.Trigger.SYNCHRONIZE)
    assert run.status == Run.Status.QUEUED
    assert enqueued == []


def test_queueing_refuses_an_inactive_connection(order_import):
    connection_set_active(connection=order_import.connection, active=False)
    order_import.refresh_from_db()
    with pytest.raises(ValidationError, match="inactive"):
        services.run_queue(dataflow=order_import, trigger=Run.Trigger.MANUAL)
