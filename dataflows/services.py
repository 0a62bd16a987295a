"""The dataflow engine: schedules, queueing, claiming (no overlapping runs), running, retention.

How runs of one dataflow never overlap: a run may only work while it holds its dataflow's
lease (`Dataflow.lease_run` / `lease_expires_at`). The lease is taken with a conditional UPDATE
(`... WHERE lease_run IS NULL OR lease_expires_at < now`) whose row count says who won, and a
run moves from queued to running with a second conditional UPDATE (`... WHERE status =
'queued'`), so a task delivered twice runs once. The flow renews the lease at every
`ctx.progress()`; a worker that dies stops renewing, and once the lease has expired the run is
marked failed ("recovered") and the dataflow is free again. A run that finds the lease taken
stays queued; the run holding the lease hands over to it when it finishes.
"""

import json
import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from connections.bigcommerce.errors import BigCommerceError
from connections.models import Connection

from .context import LeaseLost, RunContext
from .flows import flow_for
from .models import DEFAULT_INTERVAL_S, ENABLED_BY_DEFAULT, Dataflow, Kind, LogEntry, Run

logger = logging.getLogger(__name__)

SCHEDULED_TASK = "dataflows.tasks.dataflow_scheduled_run_task"
MIN_INTERVAL_S = 60
MAX_INTERVAL_S = 31 * 24 * 3600
# A queued run whose dataflow is free for this long lost its task message: send it again.
STALE_QUEUED_S = 120
ERROR_MESSAGE_MAX = 4000

RECOVERED_MESSAGE = (
    "The worker running this run stopped (or stalled) before it finished and its lease "
    "expired; the next run resumes from the last saved cursor."
)


# ----------------------------------------------------------------------------- schedules


def dataflows_create_for_connection(*, connection: Connection) -> list[Dataflow]:
    """One dataflow per kind (idempotent), each with its schedule."""
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
        dataflow.connection = connection
        dataflow_schedule_sync(dataflow=dataflow)
        dataflows.append(dataflow)
    return dataflows


def _interval(seconds: int) -> IntervalSchedule:
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
    connection active, else off (the PeriodicTask is kept, disabled, so its history stays)."""
    connection = dataflow.connection
    wanted = dataflow.enabled and connection.status == Connection.Status.ACTIVE
    if not wanted:
        if dataflow.periodic_task_id:
            switched = PeriodicTask.objects.filter(
                pk=dataflow.periodic_task_id, enabled=True
            ).update(enabled=False)
            if switched:
                # .update() skips the signal that tells beat to reload; bump the marker.
                PeriodicTasks.update_changed()
        return
    values = {
        "interval": _interval(dataflow.interval_seconds),
        "task": SCHEDULED_TASK,
        "args": json.dumps([dataflow.pk]),
        "kwargs": "{}",
        "enabled": True,
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
        dataflow.options = options
        fields.append("options")
    with transaction.atomic():
        if fields:
            # Only these columns: a full save would overwrite the lease of a running run.
            dataflow.save(update_fields=fields)
        dataflow_schedule_sync(dataflow=dataflow)
    return dataflow


# ----------------------------------------------------------------------------- queueing


def _enqueue_run(run_id: int, countdown: int | None = None) -> None:
    """Send the run's task. A broker that does not answer leaves the run queued; the sweep
    (`runs_sweep`, every few minutes) sends it again."""
    from .tasks import run_execute_task

    try:
        run_execute_task.apply_async((run_id,), countdown=countdown)
    except Exception:
        logger.exception("Run %s stays queued: its task could not be sent to the broker", run_id)


def _lease_live(dataflow: Dataflow, now: datetime) -> bool:
    return bool(
        dataflow.lease_run_id and dataflow.lease_expires_at and dataflow.lease_expires_at >= now
    )


def _refuse_inactive(connection: Connection) -> None:
    if not connection.is_active:
        raise ValidationError(
            f"Connection '{connection.name}' is {connection.get_status_display().lower()}: "
            "enable it before running its dataflows."
        )


def _waiting_or_new_run(
    *, dataflow: Dataflow, trigger: str, create_when_busy: bool = True
) -> tuple[Run | None, bool]:
    """Inside a transaction: the dataflow's waiting run, or a new one; and whether the lease is
    held by a running run (which then hands over to the waiting one when it finishes)."""
    locked = Dataflow.objects.select_for_update().get(pk=dataflow.pk)
    busy = _lease_live(locked, timezone.now())
    waiting = (
        Run.objects.filter(dataflow_id=dataflow.pk, status=Run.Status.QUEUED)
        .order_by("queued_at", "id")
        .first()
    )
    if waiting is not None:
        return waiting, busy
    if busy and not create_when_busy:
        return None, busy
    return Run.objects.create(dataflow=dataflow, trigger=trigger), busy


def run_queue(*, dataflow: Dataflow, trigger: str, countdown: int | None = None) -> Run:
    """Queue a run and send its task after commit (to start `countdown` seconds later). A run
    already waiting is reused (and sent again when nothing is running, in case its task
    message was lost)."""
    _refuse_inactive(dataflow.connection)
    with transaction.atomic():
        run, busy = _waiting_or_new_run(dataflow=dataflow, trigger=trigger)
        if not busy:
            send = partial(_enqueue_run, run.pk)
            if countdown is not None:
                send = partial(_enqueue_run, run.pk, countdown)
            transaction.on_commit(send)
    return run


def connection_synchronize(*, connection: Connection) -> list[Run]:
    """SYNCHRONIZE: queue every enabled dataflow of the connection now."""
    _refuse_inactive(connection)
    with transaction.atomic():
        dataflows = list(connection.dataflows.filter(enabled=True))
        if not dataflows:
            raise ValidationError(
                f"Connection '{connection.name}' has no enabled dataflow: enable one on its "
                "Dataflows tab first."
            )
        runs = []
        for dataflow in dataflows:
            dataflow.connection = connection
            runs.append(run_queue(dataflow=dataflow, trigger=Run.Trigger.SYNCHRONIZE))
    return runs


def runs_cancel_queued(*, connection: Connection, reason: str) -> int:
    """Runs of the connection that have not started yet end here (running ones finish)."""
    return Run.objects.filter(
        dataflow__in=Dataflow.objects.filter(connection=connection), status=Run.Status.QUEUED
    ).update(status=Run.Status.FAILED, finished_at=timezone.now(), error_message=reason)


# ----------------------------------------------------------------------------- the lease


def _claim(*, run: Run, lease_seconds: int, now: datetime | None = None) -> bool:
    """Take the dataflow's lease with a conditional UPDATE: one winner, whatever the race."""
    now = now or timezone.now()
    claimed = (
        Dataflow.objects.filter(pk=run.dataflow_id)
        .filter(
            Q(lease_run__isnull=True)
            | Q(lease_expires_at__isnull=True)
            | Q(lease_expires_at__lt=now)
        )
        .update(lease_run=run, lease_expires_at=now + timedelta(seconds=lease_seconds))
    )
    return claimed == 1


def _release(*, run: Run) -> None:
    Dataflow.objects.filter(pk=run.dataflow_id, lease_run=run).update(
        lease_run=None, lease_expires_at=None
    )


def runs_recover_abandoned(*, dataflow_id: int | None = None, now: datetime | None = None) -> int:
    """Runs left running by a worker that died: once their lease has expired, free the
    dataflow and mark the run failed. Returns how many runs were recovered."""
    now = now or timezone.now()
    dataflows = Dataflow.objects.all()
    if dataflow_id is not None:
        dataflows = dataflows.filter(pk=dataflow_id)
    # Conditional: a heartbeat that renewed the lease a moment ago wins.
    dataflows.filter(lease_run__isnull=False, lease_expires_at__lt=now).update(
        lease_run=None, lease_expires_at=None
    )
    holders = Dataflow.objects.filter(lease_run__isnull=False).values("lease_run_id")
    abandoned = Run.objects.filter(status=Run.Status.RUNNING).exclude(pk__in=holders)
    if dataflow_id is not None:
        abandoned = abandoned.filter(dataflow_id=dataflow_id)
    recovered = abandoned.update(
        status=Run.Status.FAILED, finished_at=now, error_message=RECOVERED_MESSAGE
    )
    if recovered:
        logger.warning("Recovered %s abandoned run(s) (dataflow %s)", recovered, dataflow_id)
    return recovered


def runs_sweep(*, now: datetime | None = None) -> dict:
    """Every few minutes (beat): recover abandoned runs and send again the task of runs that
    wait on a free dataflow for too long (their message was lost)."""
    now = now or timezone.now()
    recovered = runs_recover_abandoned(now=now)
    stale = (
        Run.objects.filter(
            status=Run.Status.QUEUED, queued_at__lt=now - timedelta(seconds=STALE_QUEUED_S)
        )
        .filter(Q(dataflow__lease_run__isnull=True) | Q(dataflow__lease_expires_at__lt=now))
        .order_by("dataflow_id", "queued_at", "id")
        .values_list("dataflow_id", "pk")
    )
    resent = {}
    for dataflow_id, run_id in stale:
        resent.setdefault(dataflow_id, run_id)
    for run_id in resent.values():
        _enqueue_run(run_id)
    return {"recovered": recovered, "resent": len(resent)}


# ----------------------------------------------------------------------------- running


def dataflow_run_scheduled(*, dataflow_id: int) -> Run | None:
    """Beat's tick: run the dataflow now, unless it was disabled meanwhile or a run of it is
    still going (that run covers this tick)."""
    dataflow = Dataflow.objects.select_related("connection").filter(pk=dataflow_id).first()
    if dataflow is None or not dataflow.enabled or not dataflow.connection.is_active:
        return None
    runs_recover_abandoned(dataflow_id=dataflow_id)
    with transaction.atomic():
        run, busy = _waiting_or_new_run(
            dataflow=dataflow, trigger=Run.Trigger.SCHEDULE, create_when_busy=False
        )
    if busy:
        logger.info("Dataflow %s: a run is still going, tick skipped", dataflow_id)
        return None
    return run_execute(run_id=run.pk)


def dataflow_run_foreground(*, dataflow: Dataflow, client=None) -> Run:
    """Run a dataflow now in this process (`runflow`); refused, as a failed run, when a run of
    the dataflow is going."""
    _refuse_inactive(dataflow.connection)
    run = Run.objects.create(dataflow=dataflow, trigger=Run.Trigger.MANUAL)
    return run_execute(run_id=run.pk, client=client, wait_if_busy=False)


def run_execute(*, run_id: int, client=None, wait_if_busy: bool = True) -> Run:
    """Run one queued run to its end. Never raises for flow errors: they land on the run.

    When a run of the same dataflow holds the lease, the run stays queued (and runs when that
    one hands over) or, with `wait_if_busy=False`, ends failed without starting.
    """
    from connections.services import bigcommerce_client_for

    # The token is read (decrypted) only when the client is made, so that a key problem
    # fails the run with its message instead of the task.
    run = (
        Run.objects.select_related("dataflow__connection__tenant")
        .defer("dataflow__connection__access_token")
        .get(pk=run_id)
    )
    if run.status != Run.Status.QUEUED:
        return run  # a second delivery of the task, or already cancelled
    dataflow = run.dataflow
    connection = dataflow.connection
    kind_label = dataflow.get_kind_display()
    if not connection.is_active:
        return _finish_unstarted(
            run,
            f"Not started: connection '{connection.name}' is "
            f"{connection.get_status_display().lower()}.",
        )
    try:
        flow = flow_for(dataflow.kind)
    except Exception as exc:
        logger.exception("Flow module for %s could not be loaded", dataflow.kind)
        return _finish_unstarted(
            run, f"Not started: the {kind_label} flow could not be loaded: {_describe(exc)}"
        )
    if flow is None:
        return _finish_unstarted(
            run,
            f"{kind_label} is not implemented yet: no flow of kind '{dataflow.kind}' is "
            "installed, so this run did nothing.",
        )

    lease_seconds = settings.DATAFLOW_LEASE_SECONDS
    runs_recover_abandoned(dataflow_id=dataflow.pk)
    now = timezone.now()
    if not _claim(run=run, lease_seconds=lease_seconds, now=now):
        holder = Dataflow.objects.values_list("lease_run_id", flat=True).get(pk=dataflow.pk)
        if wait_if_busy:
            logger.info("Run %s waits: run %s of dataflow %s is going", run.pk, holder, dataflow.pk)
            return run
        return _finish_unstarted(
            run,
            f"Not started: run {holder} of this dataflow is still running; runs of one "
            "dataflow never overlap.",
        )
    started = Run.objects.filter(pk=run.pk, status=Run.Status.QUEUED).update(
        status=Run.Status.RUNNING, started_at=now
    )
    if not started:  # another delivery of this task started (or finished) it meanwhile
        _release(run=run)
        run.refresh_from_db()
        return run
    run.status, run.started_at = Run.Status.RUNNING, now
    dataflow.lease_run_id = run.pk
    dataflow.lease_expires_at = now + timedelta(seconds=lease_seconds)

    own_client = client is None
    ctx = None
    status, error = Run.Status.FAILED, ""
    try:
        try:
            if own_client:
                client = bigcommerce_client_for(connection=connection)
        except Exception as exc:
            error = f"The BigCommerce client could not be set up: {_describe(exc)}"
        else:
            ctx = RunContext(run=run, dataflow=dataflow, client=client, lease_seconds=lease_seconds)
            try:
                flow(ctx)
                status = Run.Status.PARTIAL if run.failed else Run.Status.SUCCEEDED
            except LeaseLost as exc:
                error = str(exc)
            except BigCommerceError as exc:
                error = str(exc)
            except Exception as exc:  # the run records it; the worker stays up
                logger.exception("Run %s of dataflow %s crashed", run.pk, dataflow.pk)
                error = f"Internal error: {_describe(exc)}"
    except BaseException as exc:  # KeyboardInterrupt, SystemExit: record, then let it go on
        error = f"Interrupted: {_describe(exc)}"
        _finish(run, Run.Status.FAILED, error, ctx=ctx)
        raise
    finally:
        if own_client and client is not None and hasattr(client, "close"):
            try:
                client.close()
            except Exception:
                logger.exception("Closing the BigCommerce client failed")
    return _finish(run, status, error, ctx=ctx)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _finish(run: Run, status: str, error: str, *, ctx: RunContext | None) -> Run:
    """Record the end, free the lease, and hand over to a run that waits."""
    if ctx is not None:
        if error:
            ctx.log(error, level=LogEntry.Level.ERROR)
        try:
            ctx.flush_logs()
        except Exception:
            logger.exception("Run %s: its log entries could not be saved", run.pk)
        run.api_requests = ctx.api_requests
    run.status = status
    run.error_message = error[:ERROR_MESSAGE_MAX]
    run.finished_at = timezone.now()
    with transaction.atomic():
        # update(), not save(): never re-creates a run whose connection was deleted meanwhile.
        Run.objects.filter(pk=run.pk).update(
            status=run.status,
            error_message=run.error_message,
            finished_at=run.finished_at,
            api_requests=run.api_requests,
            progress_done=run.progress_done,
            progress_total=run.progress_total,
            fetched=run.fetched,
            created=run.created,
            updated=run.updated,
            skipped=run.skipped,
            failed=run.failed,
        )
        _release(run=run)
        waiting = (
            Run.objects.filter(dataflow_id=run.dataflow_id, status=Run.Status.QUEUED)
            .order_by("queued_at", "id")
            .values_list("pk", flat=True)
            .first()
        )
        if waiting is not None:
            transaction.on_commit(partial(_enqueue_run, waiting))
    return run


def _finish_unstarted(run: Run, error: str) -> Run:
    """End a queued run that never started (no lease was taken)."""
    now = timezone.now()
    ended = Run.objects.filter(pk=run.pk, status=Run.Status.QUEUED).update(
        status=Run.Status.FAILED, started_at=now, finished_at=now, error_message=error
    )
    if ended:
        run.status, run.started_at, run.finished_at, run.error_message = (
            Run.Status.FAILED,
            now,
            now,
            error,
        )
    else:
        run.refresh_from_db()
    return run


# ----------------------------------------------------------------------------- retention


def logs_purge(*, older_than_days: int | None = None, batch_size: int = 5000) -> int:
    """Delete log entries past the retention period (LOG_RETENTION_DAYS), in batches so that
    no transaction or lock is huge. Returns how many were deleted."""
    days = settings.LOG_RETENTION_DAYS if older_than_days is None else older_than_days
    if days < 0 or batch_size < 1:
        raise ValueError("older_than_days must be >= 0 and batch_size >= 1")
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        ids = list(
            LogEntry.objects.filter(created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        deleted += LogEntry.objects.filter(pk__in=ids).delete()[0]
