"""A connection's dataflows (one per registered kind) and their beat schedules."""

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from connections.models import Connection
from connections.webhooks.selectors import webhooks_healthy

from ..models import Dataflow
from ..options import dataflow_options_validate
from ..registry import flow_spec, flow_specs
from .alerting import schedules_paused

SCHEDULED_TASK = "dataflows.tasks.dataflow_scheduled_run_task"
MIN_INTERVAL_S = 60
MAX_INTERVAL_S = 31 * 24 * 3600


def dataflows_create_for_connection(*, connection: Connection) -> list[Dataflow]:
    """One dataflow per registered kind (idempotent), each with its schedule."""
    dataflows = []
    for spec in flow_specs():
        dataflow, _ = Dataflow.objects.get_or_create(
            connection=connection,
            kind=spec.kind,
            defaults={
                "enabled": spec.enabled_by_default,
                "interval_seconds": spec.default_interval_s,
            },
        )
        dataflow.connection = connection
        dataflow_schedule_sync(dataflow=dataflow)
        dataflows.append(dataflow)
    return dataflows


def dataflow_effective_interval(*, dataflow: Dataflow) -> int:
    """The dataflow's interval; slower while the connection's webhooks are healthy, when the
    flow allows it and the interval is still the flow's default (a chosen one is kept)."""
    spec = flow_spec(dataflow.kind)
    slower = spec.interval_with_webhooks_s if spec else None
    if (
        slower
        and dataflow.interval_seconds == spec.default_interval_s
        and webhooks_healthy(connection=dataflow.connection)
    ):
        return max(slower, dataflow.interval_seconds)
    return dataflow.interval_seconds


def interval_schedule(seconds: int) -> IntervalSchedule:
    # IntervalSchedule has no unique constraint, so get_or_create could find two.
    interval = (
        IntervalSchedule.objects.filter(every=seconds, period=IntervalSchedule.SECONDS)
        .order_by("pk")
        .first()
    )
    return interval or IntervalSchedule.objects.create(
        every=seconds, period=IntervalSchedule.SECONDS
    )


def dataflow_schedule_sync(*, dataflow: Dataflow) -> None:
    """Make the beat schedule match the dataflow: on when the dataflow is enabled and its
    connection active (and the store takes its credentials), else off (the PeriodicTask is
    kept, disabled, so its history stays)."""
    connection = dataflow.connection
    wanted = (
        dataflow.enabled
        and connection.status == Connection.Status.ACTIVE
        and not schedules_paused(connection=connection)
    )
    if not wanted:
        if dataflow.periodic_task_id:
            switched = PeriodicTask.objects.filter(
                pk=dataflow.periodic_task_id, enabled=True
            ).update(enabled=False)
            if switched:
                # .update() skips the signal that tells beat to reload; bump the marker.
                PeriodicTasks.update_changed()
        return
    spec = flow_spec(dataflow.kind)
    values = {
        "interval": interval_schedule(dataflow_effective_interval(dataflow=dataflow)),
        "task": SCHEDULED_TASK,
        # Beat sends the task to the flow's queue itself (no routing look-up per dispatch).
        "queue": spec.queue if spec else None,
        "args": json.dumps([dataflow.pk]),
        "kwargs": "{}",
        "enabled": True,
        "date_changed": timezone.now(),  # when it was last (re)scheduled: the overdue check
        "description": f"{dataflow.get_kind_display()} of connection {connection.pk} "
        f"({connection.name})"[:1000],
    }
    if dataflow.periodic_task_id and PeriodicTask.objects.filter(
        pk=dataflow.periodic_task_id
    ).update(**values):
        PeriodicTasks.update_changed()
        return
    task, _ = PeriodicTask.objects.update_or_create(name=f"dataflow-{dataflow.pk}", defaults=values)
    Dataflow.objects.filter(pk=dataflow.pk).update(periodic_task=task)
    dataflow.periodic_task = task


def dataflow_update(
    *,
    dataflow: Dataflow,
    enabled: bool | None = None,
    interval_seconds: int | None = None,
    options: dict | None = None,
) -> Dataflow:
    """Enable/disable and reschedule a dataflow; the beat schedule follows at once."""
    fields = []
    if interval_seconds is not None:
        interval_seconds = int(interval_seconds)
        if not MIN_INTERVAL_S <= interval_seconds <= MAX_INTERVAL_S:
            raise ValidationError(
                {
                    "interval_seconds": f"Run every {MIN_INTERVAL_S} seconds at the most often "
                    f"and every {MAX_INTERVAL_S // 86400} days at the least often (the store's "
                    "API quota is shared by every app on it)."
                }
            )
        dataflow.interval_seconds = interval_seconds
        fields.append("interval_seconds")
    if enabled is not None:
        dataflow.enabled = bool(enabled)
        fields.append("enabled")
    if options is not None:
        # Every writer (API, tab, admin, other services) gets the same check.
        dataflow.options = dataflow_options_validate(kind=dataflow.kind, options=options)
        fields.append("options")
    with transaction.atomic():
        if fields:
            # Only these columns: a full save would overwrite the lease of a running run.
            dataflow.save(update_fields=fields)
        dataflow_schedule_sync(dataflow=dataflow)
    return dataflow
