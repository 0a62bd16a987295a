"""The dataflow engine: schedules, queueing, claiming (no overlapping runs), running, retention."""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from connections.bigcommerce.errors import BigCommerceError
from connections.models import Connection

from .context import RunContext
from .flows import flow_for
from .models import DEFAULT_INTERVAL_S, ENABLED_BY_DEFAULT, Dataflow, Kind, LogEntry, Run

logger = logging.getLogger(__name__)

SCHEDULED_TASK = "dataflows.tasks.dataflow_scheduled_run_task"


def dataflows_create_for_connection(*, connection: Connection) -> list[Dataflow]:
    dataflows = []
    for kind in Kind:
        dataflow, _ = Dataflow.objects.get_or_create(
            connection=connection,
            kind=kind,
            defaults={
                "enabled": ENABLED_BY_DEFAULT[kind],
                "interval_seconds": DEFAULT_INTERVAL_S[kind],
            },
        )
        dataflow_schedule_sync(dataflow=dataflow)
        dataflows.append(dataflow)
    return dataflows


def dataflow_schedule_sync(*, dataflow: Dataflow) -> None:
    """Make the beat schedule match the dataflow: enabled on an active connection, or off."""
    wanted = dataflow.enabled and dataflow.connection.status == Connection.Status.ACTIVE
    if not wanted:
        if dataflow.periodic_task_id:
            PeriodicTask.objects.filter(pk=dataflow.periodic_task_id).update(enabled=False)
            PeriodicTasks.update_changed()
        return
    interval, _ = IntervalSchedule.objects.get_or_create(
        every=dataflow.interval_seconds, period=IntervalSchedule.SECONDS
    )
    values = {
        "interval": interval,
        "task": SCHEDULED_TASK,
        "args": json.dumps([dataflow.pk]),
        "enabled": True,
    }
    if dataflow.periodic_task_id:
        PeriodicTask.objects.filter(pk=dataflow.periodic_task_id).update(**values)
        # .update() skips the signal that tells beat to reload; bump the change marker.
        PeriodicTasks.update_changed()
    else:
        task = PeriodicTask.objects.create(name=f"dataflow-{dataflow.pk}", **values)
        Dataflow.objects.filter(pk=dataflow.pk).update(periodic_task=task)
        dataflow.periodic_task = task


def dataflow_update(
    *,
    dataflow: Dataflow,
    enabled: bool | None = None,
    interval_seconds: int | None = None,
    options: dict | None = None,
) -> Dataflow:
    if enabled is not None:
        dataflow.enabled = enabled
    if interval_seconds is not None:
        dataflow.interval_seconds = interval_seconds
    if options is not None:
        dataflow.options = options
    with transaction.atomic():
        dataflow.save(update_fields=["enabled", "interval_seconds", "options"])
        dataflow_schedule_sync(dataflow=dataflow)
    return dataflow


def run_queue(*, dataflow: Dataflow, trigger: str) -> Run:
    """Queue a run and enqueue its task after commit. A run already waiting is reused."""
    from .tasks import run_execute_task

    waiting = dataflow.runs.filter(status=Run.Status.QUEUED).first()
    if waiting is not None:
        return waiting
    run = Run.objects.create(dataflow=dataflow, trigger=trigger)
    transaction.on_commit(lambda: run_execute_task.delay(run.pk))
    return run


def connection_synchronize(*, connection: Connection) -> list[Run]:
    """SYNCHRONIZE: queue every enabled dataflow of the connection now."""
    if connection.status != Connection.Status.ACTIVE:
        from django.core.exceptions import ValidationError

        raise ValidationError("Enable the connection before synchronizing it.")
    with transaction.atomic():
        return [
            run_queue(dataflow=dataflow, trigger=Run.Trigger.SYNCHRONIZE)
            for dataflow in connection.dataflows.filter(enabled=True)
        ]


def _claim(*, run: Run, lease_seconds: int) -> bool:
    """Take the dataflow's lease with a conditional UPDATE: one winner, whatever the race."""
    now = timezone.now()
    claimed = (
        Dataflow.objects.filter(pk=run.dataflow_id)
        .filter(Q(lease_run__isnull=True) | Q(lease_expires_at__lt=now) | Q(lease_run=run))
        .update(lease_run=run, lease_expires_at=now + timedelta(seconds=lease_seconds))
    )
    return claimed == 1


def _release(*, run: Run) -> None:
    Dataflow.objects.filter(pk=run.dataflow_id, lease_run=run).update(
        lease_run=None, lease_expires_at=None
    )


def runs_recover_abandoned(*, dataflow_id: int | None = None) -> int:
    """Runs left RUNNING by a worker that died: once their lease expired, mark them failed."""
    now = timezone.now()
    abandoned = Run.objects.filter(status=Run.Status.RUNNING).exclude(
        dataflow__lease_run=F("pk"), dataflow__lease_expires_at__gte=now
    )
    if dataflow_id is not None:
        abandoned = abandoned.filter(dataflow_id=dataflow_id)
    return abandoned.update(
        status=Run.Status.FAILED,
        finished_at=now,
        error_message="The worker running this stopped before it finished; the next run "
        "resumes from the last saved cursor.",
    )


def dataflow_run_scheduled(*, dataflow_id: int) -> Run | None:
    """Beat's tick: run the dataflow now unless it was disabled meanwhile."""
    dataflow = Dataflow.objects.select_related("connection").filter(pk=dataflow_id).first()
    if dataflow is None or not dataflow.enabled or not dataflow.connection.is_active:
        return None
    run = Run.objects.create(dataflow=dataflow, trigger=Run.Trigger.SCHEDULE)
    return run_execute(run_id=run.pk)


def run_execute(*, run_id: int, client=None) -> Run:
    """Run one queued run to its end. Never raises for flow errors: they land on the run."""
    from connections.services import bigcommerce_client_for

    run = Run.objects.select_related("dataflow__connection__tenant").get(pk=run_id)
    if run.status != Run.Status.QUEUED:
        return run
    lease_seconds = settings.DATAFLOW_LEASE_SECONDS
    if not _claim(run=run, lease_seconds=lease_seconds):
        holder = Dataflow.objects.values_list("lease_run_id", flat=True).get(pk=run.dataflow_id)
        return _finish(
            run,
            Run.Status.FAILED,
            f"Not started: run {holder} of this dataflow is still running; runs of one "
            "dataflow never overlap.",
        )
    runs_recover_abandoned(dataflow_id=run.dataflow_id)
    run.status = Run.Status.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])

    flow = flow_for(run.dataflow.kind)
    if flow is None:
        _release(run=run)
        return _finish(
            run,
            Run.Status.FAILED,
            f"{run.dataflow.get_kind_display()} is not implemented yet; the run did nothing.",
        )
    client = client or bigcommerce_client_for(connection=run.dataflow.connection)
    ctx = RunContext(run=run, dataflow=run.dataflow, client=client, lease_seconds=lease_seconds)
    status, error = Run.Status.SUCCEEDED, ""
    try:
        flow(ctx)
        if run.failed:
            status = Run.Status.PARTIAL
    except BigCommerceError as exc:
        status, error = Run.Status.FAILED, str(exc)
        ctx.log(error, level=LogEntry.Level.ERROR)
    except Exception as exc:  # the run records it; the worker stays up
        logger.exception("Run %s of dataflow %s crashed", run.pk, run.dataflow_id)
        status, error = Run.Status.FAILED, f"Internal error: {type(exc).__name__}: {exc}"
        ctx.log(error, level=LogEntry.Level.ERROR)
    finally:
        ctx.flush_logs()
        run.api_requests = getattr(getattr(client, "stats", None), "requests", 0)
        _release(run=run)
    return _finish(run, status, error)


def _finish(run: Run, status: str, error: str) -> Run:
    run.status = status
    run.error_message = error
    run.finished_at = timezone.now()
    run.save()
    return run


def logs_purge(*, older_than_days: int | None = None, batch_size: int = 5000) -> int:
    """Delete log entries past the retention period, in batches."""
    days = older_than_days if older_than_days is not None else settings.LOG_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        ids = list(
            LogEntry.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        deleted += LogEntry.objects.filter(pk__in=ids).delete()[0]
