"""Running one run to its end: beat's tick, `runflow` in the foreground, and the task."""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce, Now

from connections.bigcommerce.errors import AuthenticationError, BigCommerceError

from ..context import LeaseLost, RunContext, RunDeferred, RunSliced
from ..models import Dataflow, LogEntry, Run
from ..options import dataflow_options_validate
from ..registry import flow_spec, kind_label
from ..stopping import Interrupted
from .alerting import run_alerts_record, schedules_paused
from .claims import _claim, _release, runs_recover_abandoned
from .queueing import refuse_inactive, run_queue, send_run, waiting_or_new_run
from .recording import (
    describe,
    finish,
    finish_unstarted,
    requeue,
    requeue_sliced,
    run_fail_unrecorded,
)

logger = logging.getLogger(__name__)

#: Seconds before a run that waits for a prerequisite (`FlowSpec.waits_for`) looks again: only
#: the safety net, the prerequisite's end sends it at once (recording.hand_over).
PREREQUISITE_RETRY_S = 30
DONE = (Run.Status.SUCCEEDED, Run.Status.PARTIAL)


def dataflow_run_scheduled(*, dataflow_id: int) -> Run | None:
    """Beat's tick: run the dataflow now, unless it was disabled meanwhile or a run of it is
    still going (that run covers this tick)."""
    dataflow = Dataflow.objects.select_related("connection").filter(pk=dataflow_id).first()
    if dataflow is None or not dataflow.enabled or not dataflow.connection.is_active:
        return None
    if schedules_paused(connection=dataflow.connection):
        return None  # beat had not reloaded yet: the store refuses the credentials
    runs_recover_abandoned(dataflow_id=dataflow_id)
    with transaction.atomic():
        run, busy = waiting_or_new_run(
            dataflow=dataflow, trigger=Run.Trigger.SCHEDULE, create_when_busy=False
        )
    if busy:
        logger.info("Dataflow %s: a run is still going, tick skipped", dataflow_id)
        return None
    if run.trigger == Run.Trigger.WEBHOOK:
        # A waiting targeted run becomes the tick's full one (it covers the webhook's orders).
        Run.objects.filter(pk=run.pk, status=Run.Status.QUEUED).update(trigger=Run.Trigger.SCHEDULE)
    try:
        return run_execute(run_id=run.pk)
    except Interrupted:
        raise
    except Exception as exc:
        # The tick's run ends failed with the cause (not left queued, nor a second run made).
        logger.exception("Dataflow %s: run %s crashed before it could start", dataflow_id, run.pk)
        failed = run_fail_unrecorded(
            run_id=run.pk, error=f"the scheduled run crashed before it started: {describe(exc)}"
        )
        if failed is None:
            raise
        return failed


def dataflow_run_foreground(*, dataflow: Dataflow, client=None) -> Run:
    """Run a dataflow now in this process (`runflow`); refused, as a failed run, when a run of
    the dataflow is going."""
    refuse_inactive(dataflow.connection)
    run = Run.objects.create(dataflow=dataflow, trigger=Run.Trigger.MANUAL)
    return run_execute(run_id=run.pk, client=client, wait_if_busy=False)


#: Runs that wait for their prerequisites: the automatic ones. A run asked for by name
#: (runflow, run now, a webhook, a retry) runs as asked.
WAITING_TRIGGERS = (Run.Trigger.SCHEDULE, Run.Trigger.SYNCHRONIZE)


def _prerequisite_missing(run: Run, dataflow: Dataflow, spec) -> Run | None:
    """`spec.waits_for`: a kind that must have succeeded once on the connection first (while
    its dataflow is enabled). Queues it and puts this run back to wait (or fails it when the
    prerequisite's last run failed); None when all is met."""
    for kind in spec.waits_for:
        first = Dataflow.objects.filter(
            connection_id=dataflow.connection_id, kind=kind, enabled=True
        ).first()
        if first is None or first.runs.filter(status__in=DONE).exists():
            continue
        needed, this = kind_label(kind), kind_label(dataflow.kind)
        last = first.runs.exclude(status__in=(Run.Status.QUEUED, Run.Status.RUNNING)).first()
        pending = first.runs.filter(status__in=(Run.Status.QUEUED, Run.Status.RUNNING)).exists()
        if last is not None and not pending:
            return finish_unstarted(
                run,
                f"Not started: {this} waits for a first successful {needed} on this "
                f"connection (so that its records can be matched), and its last run "
                f"({last.pk}) failed: fix that and synchronize again.",
            )
        first.connection = dataflow.connection
        queued = run_queue(dataflow=first, trigger=run.trigger)
        LogEntry.objects.create(
            run=run,
            message=f"Waiting for the first {needed} of this connection (run {queued.pk}); "
            f"this run starts once it has succeeded.",
        )
        transaction.on_commit(lambda: send_run(run.pk, PREREQUISITE_RETRY_S))
        return run
    return None


def run_execute(*, run_id: int, client=None, wait_if_busy: bool = True) -> Run:
    """Run one queued run to its end. Never raises for flow errors: they land on the run.

    When a run of the same dataflow holds the lease, the run stays queued (and runs when that
    one hands over) or, with `wait_if_busy=False`, ends failed without starting. A flow that
    raises RunDeferred is put back in the queue; SIGTERM (Interrupted) and other interrupts
    are recorded, then go on.
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
    label = kind_label(dataflow.kind)
    if not connection.is_active:
        return finish_unstarted(
            run,
            f"Not started: connection '{connection.name}' is "
            f"{connection.get_status_display().lower()}.",
        )
    spec = flow_spec(dataflow.kind)
    if spec is None:
        return finish_unstarted(
            run,
            f"{label} is not implemented yet: no installed app provides a flow of kind "
            f"'{dataflow.kind}', so this run did nothing.",
        )
    try:
        dataflow_options_validate(kind=dataflow.kind, options=dataflow.options)
    except ValidationError as exc:
        return finish_unstarted(
            run,
            f"Not started: the options of {label} are not valid: {' '.join(exc.messages)} "
            "Correct them on the Dataflows tab (a manager can).",
        )
    if run.trigger in WAITING_TRIGGERS and spec.waits_for:
        waiting = _prerequisite_missing(run, dataflow, spec)
        if waiting is not None:
            return waiting

    lease_seconds = settings.DATAFLOW_LEASE_SECONDS
    runs_recover_abandoned(dataflow_id=dataflow.pk, requeue=False)
    if not _claim(run=run, lease_seconds=lease_seconds):
        holder = Dataflow.objects.values_list("lease_run_id", flat=True).get(pk=dataflow.pk)
        if wait_if_busy:
            logger.info("Run %s waits: run %s of dataflow %s is going", run.pk, holder, dataflow.pk)
            return run
        return finish_unstarted(
            run,
            f"Not started: run {holder} of this dataflow is still running; runs of one "
            "dataflow never overlap.",
        )
    try:
        try:
            with transaction.atomic():
                started = Run.objects.filter(pk=run.pk, status=Run.Status.QUEUED).update(
                    status=Run.Status.RUNNING,
                    started_at=Coalesce("started_at", Now()),  # a later slice keeps its start
                    deferred=False,
                )
        except IntegrityError:  # another run of the dataflow is still recorded as running
            started = 0
        if not started:  # another delivery of this task started (or finished) it meanwhile
            _release(run=run)
            run.refresh_from_db()
            return run
        run.refresh_from_db(fields=["status", "started_at"])
    except Exception:
        # Between the claim and the work: free the lease so that the caller records the
        # crash on this run now, instead of the sweep much later without the cause.
        _release(run=run)
        raise
    dataflow.lease_run_id = run.pk
    return _work(
        run,
        dataflow,
        spec,
        client=client,
        lease_seconds=lease_seconds,
        make_client=bigcommerce_client_for,
        deferrable=wait_if_busy,
    )


def _work(run, dataflow, spec, *, client, lease_seconds, make_client, deferrable=True) -> Run:
    own_client = client is None
    ctx = None
    status, error, refused = Run.Status.FAILED, "", ""
    try:
        try:
            if own_client:
                client = make_client(connection=dataflow.connection)
        except Exception as exc:
            error = f"The BigCommerce client could not be set up: {describe(exc)}"
        else:
            if hasattr(client, "quota_priority"):
                # Its requests wait for the store's quota in the flow's class (orders first).
                client.quota_priority = spec.priority
            ctx = RunContext(
                run=run,
                dataflow=dataflow,
                client=client,
                lease_seconds=lease_seconds,
                slice_seconds=settings.DATAFLOW_SLICE_SECONDS if deferrable else 0.0,
            )
            try:
                with ctx.working():
                    spec.run(ctx)
                status = Run.Status.PARTIAL if run.failed else Run.Status.SUCCEEDED
            except RunSliced as exc:
                return requeue_sliced(run, str(exc), ctx=ctx)
            except RunDeferred as exc:
                if deferrable:
                    return requeue(
                        run, str(exc), exc.countdown, ctx=ctx, still_blocked=exc.still_blocked
                    )
                error = f"{exc} Not started: run it again later."
            except (LeaseLost, BigCommerceError) as exc:
                error = str(exc)
                refused = error if isinstance(exc, AuthenticationError) else ""
            except SoftTimeLimitExceeded:
                error = (
                    f"Stopped: the run took longer than the time limit "
                    f"({settings.CELERY_TASK_SOFT_TIME_LIMIT} s); the next run resumes from the "
                    "last saved cursor."
                )
            except Exception as exc:  # the run records it; the worker stays up
                if (interrupt := _interrupt_behind(exc)) is not None:
                    logger.warning(
                        "Run %s: the flow's clean-up failed after the interrupt", run.pk,
                        exc_info=True,
                    )  # fmt: skip
                    raise interrupt from None
                logger.exception("Run %s of dataflow %s crashed", run.pk, dataflow.pk)
                error = f"Internal error: {describe(exc)}"
    except Interrupted as exc:
        finish(run, Run.Status.FAILED, f"Interrupted: {exc}", ctx=ctx)
        raise
    except BaseException as exc:  # KeyboardInterrupt, SystemExit: record, then let it go on
        finish(run, Run.Status.FAILED, f"Interrupted: {describe(exc)}", ctx=ctx)
        raise
    finally:
        if own_client and client is not None and hasattr(client, "close"):
            try:
                client.close()
            except Exception:
                logger.exception("Closing the BigCommerce client failed")
    run = finish(run, status, error, ctx=ctx)
    run_alerts_record(run=run, refused_error=refused)
    return run


def _interrupt_behind(exc: BaseException) -> BaseException | None:
    """The interrupt (SIGTERM, Ctrl-C) an error was raised while handling, if any: a flow's
    clean-up that failed after it must not turn the interrupt into a crash."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            return exc
        seen.add(id(exc))
        exc = exc.__context__
    return None
