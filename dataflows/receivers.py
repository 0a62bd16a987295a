"""The engine's answers to connections' signals (connections/signals.py): a connection's
dataflows, schedules and queued runs follow what happens to the connection."""

from django.dispatch import receiver

from connections.alerts.models import Alert
from connections.alerts.signals import alert_opened, alert_resolved
from connections.models import Connection
from connections.signals import (
    connection_created,
    connection_deleting,
    connection_disabled,
    connection_enabled,
    connection_purge,
)
from connections.webhooks.models import WebhookSubscription
from connections.webhooks.signals import webhooks_health_changed

from .models import Dataflow, LogEntry, Run
from .services import dataflow_schedule_sync, dataflows_create_for_connection, runs_cancel_queued


@receiver(connection_created, sender=Connection)
def on_connection_created(sender, *, connection: Connection, **kwargs) -> None:
    dataflows_create_for_connection(connection=connection)


def _schedules_follow(connection: Connection) -> None:
    for dataflow in connection.dataflows.all():
        dataflow.connection = connection
        dataflow_schedule_sync(dataflow=dataflow)


@receiver(connection_enabled, sender=Connection)
def on_connection_enabled(sender, *, connection: Connection, **kwargs) -> None:
    _schedules_follow(connection)


@receiver(connection_disabled, sender=Connection)
def on_connection_disabled(sender, *, connection: Connection, **kwargs) -> None:
    _schedules_follow(connection)
    runs_cancel_queued(
        connection=connection, reason="Cancelled before it started: the connection was disabled."
    )


@receiver(connection_deleting, sender=Connection)
def on_connection_deleting(sender, *, connection: Connection, **kwargs) -> None:
    _schedules_follow(connection)
    runs_cancel_queued(
        connection=connection,
        reason="Cancelled before it started: the connection is being deleted.",
    )


def _delete_in_batches(queryset, batch_size: int) -> None:
    while ids := list(queryset.values_list("pk", flat=True)[:batch_size]):
        queryset.model.objects.filter(pk__in=ids).delete()


@receiver(connection_purge, sender=Connection)
def on_connection_purge(sender, *, connection: Connection, batch_size: int, **kwargs) -> None:
    """The connection's log entries and runs in batches, then its schedules (its dataflows go
    with the connection's row)."""
    _delete_in_batches(LogEntry.objects.filter(run__dataflow__connection=connection), batch_size)
    _delete_in_batches(Run.objects.filter(dataflow__connection=connection), batch_size)
    for dataflow in Dataflow.objects.filter(connection=connection).select_related("periodic_task"):
        if dataflow.periodic_task_id:
            dataflow.periodic_task.delete()


@receiver(webhooks_health_changed, sender=WebhookSubscription)
def on_webhooks_health_changed(sender, *, connection: Connection, **kwargs) -> None:
    """Healthy webhooks: the flows that allow it poll less often (dataflow_schedule_sync)."""
    _schedules_follow(connection)


@receiver(alert_opened, sender=Alert)
@receiver(alert_resolved, sender=Alert)
def on_credentials_alert(sender, *, alert: Alert, **kwargs) -> None:
    """Schedules pause while the store refuses the credentials, and resume after."""
    if alert.condition == Alert.Condition.CREDENTIALS_REFUSED and alert.connection_id:
        _schedules_follow(Connection.objects.get(pk=alert.connection_id))
