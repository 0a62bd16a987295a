"""Recording a run's end. Every state change is a conditional UPDATE on the state the run must
still be in (a run the sweep declared abandoned never finishes as succeeded), and recording
survives a dropped database connection (it reconnects and tries again)."""

import logging
import time
from collections.abc import Callable
from functools import partial

from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Now

from ..context import COUNTERS, RunContext
from ..database import db_connection_drop_if_busy
from ..models import Dataflow, LogEntry, Run
from ..registry import flow_specs
from .claims import _release
from .queueing import send_run

logger = logging.getLogger(__name__)

ERROR_MESSAGE_MAX = 4000
RECORD_ATTEMPTS = 4

FINISHED_AFTER_RECOVERY = (
    "This run's worker finished after the run had been declared abandoned (its lease had "
    "expired), so its result was not recorded; the run queued meanwhile carries on."
)


def describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _with_reconnect(write, what: str):
    """Run `write()`; when the database connection broke, close it (Django opens a new one on
    the next query) and try again."""
    for attempt in range(1, RECORD_ATTEMPTS + 1):
        db_connection_drop_if_busy()
        try:
            return write()
        except (OperationalError, InterfaceError):
            if attempt == RECORD_ATTEMPTS or connection.in_atomic_block:
                raise
            logger.warning("%s: the database connection failed, reconnecting", what, exc_info=True)
            connection.close()
            time.sleep(0.2 * attempt)


def _holds_lease():
    return Exists(Dataflow.objects.filter(pk=OuterRef("dataflow_id"), lease_run=OuterRef("pk")))


def hand_over(*, run_id: int, dataflow_id: int, connection_id: int, kind: str) -> list[int]:
    """After a run of the connection ended (and its end is committed): send the dataflow's
    waiting run, the connection's runs that wait for this kind (FlowSpec.waits_for: they start,
    or end failed when it failed), and the connection's deferred runs (what blocked them, e.g.
    the store's bulk lock, may be free now). Returns the ids sent."""
    queued = Run.objects.filter(status=Run.Status.QUEUED).exclude(pk=run_id)
    waiting = [
        queued.filter(dataflow_id=dataflow_id)
        .order_by("queued_at", "id")
        .values_list("pk", flat=True)
        .first()
    ]
    dependents = [spec.kind for spec in flow_specs() if kind in spec.waits_for]
    of_connection = queued.filter(dataflow__connection_id=connection_id)
    if dependents:
        waiting += of_connection.filter(dataflow__kind__in=dependents).values_list("pk", flat=True)
    waiting += (
        of_connection.filter(deferred=True)
        .filter(Q(dataflow__lease_run__isnull=True) | Q(dataflow__lease_expires_at__lt=Now()))
        .values_list("pk", flat=True)
    )
    sent = list(dict.fromkeys(pk for pk in waiting if pk is not None))
    for pk in sent:
        send_run(pk)
    return sent


def _hand_over_on_commit(run: Run) -> None:
    transaction.on_commit(
        partial(
            hand_over,
            run_id=run.pk,
            dataflow_id=run.dataflow_id,
            connection_id=run.dataflow.connection_id,
            kind=run.dataflow.kind,
        ),
        robust=True,  # a failed hand-over never fails the end; the countdown or sweep sends
    )


def finish(run: Run, status: str, error: str, *, ctx: RunContext | None) -> Run:
    """Record the end of a running run, free the lease and hand over to a run that waits: only
    while the run is still running under its lease."""
    if ctx is not None:
        if error:
            ctx.log(error, level=LogEntry.Level.ERROR)
        ctx._atomic_depth = 0  # an interrupted `ctx.atomic()` block rolled back already
        run.api_requests = ctx.api_requests
        ctx.usage_record()  # spent whatever the run's end: the store counted them
    run.status = status
    run.error_message = error[:ERROR_MESSAGE_MAX]

    def write() -> int:
        with transaction.atomic():
            # update(), not save(): never re-creates a run whose connection was deleted.
            ended = (
                Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING)
                .filter(_holds_lease())
                .update(
                    status=run.status,
                    error_message=run.error_message,
                    finished_at=Now(),
                    api_requests=run.api_requests,
                    progress_done=run.progress_done,
                    progress_total=run.progress_total,
                    **{name: getattr(run, name) for name in COUNTERS},
                )
            )
            if ended:
                if ctx is not None:
                    ctx.flush_logs()
                _release(run=run)
                _hand_over_on_commit(run)
            return ended

    def write_lost() -> int:
        # Lost its lease while working: failed, never succeeded (the sweep would say the same).
        lost = error or FINISHED_AFTER_RECOVERY
        return (
            Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING)
            .exclude(_holds_lease())
            .update(
                status=Run.Status.FAILED,
                error_message=lost[:ERROR_MESSAGE_MAX],
                finished_at=Now(),
                api_requests=run.api_requests,
            )
        )

    if not _with_reconnect(write, f"Run {run.pk}"):
        _with_reconnect(write_lost, f"Run {run.pk}")
        logger.warning("Run %s ended without its lease: %s", run.pk, error or "finished late")
        if ctx is not None:
            ctx.flush_logs()
    run.refresh_from_db()
    return run


def requeue(
    run: Run,
    message: str,
    countdown: int,
    *,
    ctx: RunContext | None,
    still_blocked: Callable[[], bool] | None = None,
) -> Run:
    """A running run hands its worker back: queued again (deferred), its lease freed; sent again
    when another run of its connection ends (see `hand_over`), at once when `still_blocked()`
    says the blocker is gone already, and in `countdown` seconds whatever happens."""
    if ctx is not None:
        ctx._atomic_depth = 0
        ctx.usage_record()
        ctx.log(
            f"{message} It starts again when the run it waits for ends (in {countdown} s at "
            "the latest).",
            level=LogEntry.Level.INFO,
        )

    def write() -> int:
        with transaction.atomic():
            moved = (
                Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING)
                .filter(_holds_lease())
                .update(status=Run.Status.QUEUED, started_at=None, api_requests=0, deferred=True)
            )
            if moved:
                if ctx is not None:
                    ctx.flush_logs()
                _release(run=run)
                transaction.on_commit(partial(send_run, run.pk, countdown))
            return moved

    if _with_reconnect(write, f"Run {run.pk}") and still_blocked is not None:
        # The blocker may have ended between our try and our mark (its hand-over missed us).
        try:
            free = not still_blocked()
        except Exception:  # the countdown still sends it
            logger.warning("Run %s: could not look at what it waits for", run.pk, exc_info=True)
            free = False
        if free:
            send_run(run.pk)
    run.refresh_from_db()
    return run


def requeue_sliced(run: Run, message: str, *, ctx: RunContext) -> Run:
    """A run that used its time slice goes to the back of its queue at once, its lease freed,
    its counters and requests kept: the next delivery continues from the saved cursor."""
    ctx._atomic_depth = 0
    ctx.log(message, level=LogEntry.Level.INFO)
    ctx.run.api_requests = ctx.api_requests

    def write() -> int:
        with transaction.atomic():
            moved = (
                Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING)
                .filter(_holds_lease())
                .update(
                    status=Run.Status.QUEUED,
                    api_requests=ctx.run.api_requests,
                    **{name: getattr(ctx.run, name) for name in COUNTERS},
                )
            )
            if moved:
                ctx.flush_logs()
                _release(run=run)
                transaction.on_commit(partial(send_run, run.pk))
            return moved

    _with_reconnect(write, f"Run {run.pk}")
    run.refresh_from_db()
    return run


def finish_unstarted(run: Run, error: str) -> Run:
    """End a queued run that never started (no lease was taken)."""

    def write() -> int:
        return Run.objects.filter(pk=run.pk, status=Run.Status.QUEUED).update(
            status=Run.Status.FAILED,
            started_at=Now(),
            finished_at=Now(),
            error_message=error[:ERROR_MESSAGE_MAX],
        )

    _with_reconnect(write, f"Run {run.pk}")
    run.refresh_from_db()
    return run


def run_fail_unrecorded(
    *,
    error: str,
    run_id: int | None = None,
    dataflow_id: int | None = None,
    trigger: str = Run.Trigger.SCHEDULE,
) -> Run | None:
    """A task crashed before its run could start (or even be recorded): leave a failed run the
    operator sees on the Runs screen. With `run_id`, that run ends failed (if it had not
    finished); else a failed run of `dataflow_id` is recorded. Returns it, or None when the
    database cannot be reached either (the worker log then has it)."""
    message = f"Not started: {error}"[:ERROR_MESSAGE_MAX]

    def write() -> Run | None:
        if run_id is not None:
            Run.objects.filter(
                pk=run_id, status__in=(Run.Status.QUEUED, Run.Status.RUNNING)
            ).exclude(_holds_lease()).update(
                status=Run.Status.FAILED, finished_at=Now(), error_message=message
            )
            return Run.objects.filter(pk=run_id).first()
        if not Dataflow.objects.filter(pk=dataflow_id).exists():
            return None
        return Run.objects.create(
            dataflow_id=dataflow_id,
            trigger=trigger,
            status=Run.Status.FAILED,
            error_message=message,
            started_at=Now(),
            finished_at=Now(),
        )

    try:
        run = _with_reconnect(write, "Recording a crashed task")
    except DatabaseError:
        logger.exception("A crashed task could not be recorded as a failed run")
        return None
    if run is not None and run.pk:
        run.refresh_from_db()
        from .alerting import run_alerts_record

        run_alerts_record(run=run)
    return run
