"""Rows the dashboard tests need: runs, orders, alerts, signed-in clients."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from connections.alerts.models import Alert
from dataflows.models import Dataflow, Run
from orders.models import Order


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def dataflow_of(connection, kind: str) -> Dataflow:
    return Dataflow.objects.get(connection=connection, kind=kind)


def finished_run(connection, kind: str, *, status=Run.Status.SUCCEEDED, minutes_ago=5, **fields):
    end = timezone.now() - timedelta(minutes=minutes_ago)
    return Run.objects.create(
        dataflow=dataflow_of(connection, kind),
        trigger=Run.Trigger.SCHEDULE,
        status=status,
        started_at=end - timedelta(seconds=30),
        finished_at=end,
        **fields,
    )


def running_run(connection, kind: str, *, done: int, total: int | None, seconds_ago: int = 60):
    return Run.objects.create(
        dataflow=dataflow_of(connection, kind),
        trigger=Run.Trigger.SCHEDULE,
        status=Run.Status.RUNNING,
        started_at=timezone.now() - timedelta(seconds=seconds_ago),
        progress_done=done,
        progress_total=total,
    )


def order_of(connection, bc_order_id: int, *, imported_at=None) -> Order:
    now = timezone.now()
    order = Order.objects.create(
        tenant=connection.tenant,
        connection=connection,
        bc_order_id=bc_order_id,
        status_id=11,
        date_created=now,
        date_modified=now,
    )
    if imported_at is not None:
        Order.objects.filter(pk=order.pk).update(imported_at=imported_at)
    return order


def open_alert(connection, *, condition=Alert.Condition.RUN_FAILED, message="Order Import failed."):
    now = timezone.now()
    return Alert.objects.create(
        tenant=connection.tenant,
        connection=connection,
        condition=condition,
        key="order_import",
        message=message,
        action="Open the run to see why.",
        first_seen_at=now,
        last_seen_at=now,
    )
