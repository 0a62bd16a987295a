"""Queueing runs: the one way anything starts a flow (`run_queue`), SYNCHRONIZE, and sending a
run's task to the broker."""

import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from connections.models import Connection

from ..models import Dataflow, Run
from .claims import DATAFLOW_LEASE

logger = logging.getLogger(__name__)


def _enqueue_run(run_id: int, countdown: int | None = None) -> None:
    """Send the run's task (to its flow's queue: see dataflows.tasks.route_task). A broker that
    does not answer leaves the run queued; the sweep sends it again."""
    from ..tasks import run_execute_task

    try:
        if countdown:
            run_execute_task.apply_async((run_id,), countdown=countdown)
        else:
            run_execute_task.delay(run_id)
    except Exception:
        logger.exception("Run %s stays queued: its task could not be sent to the broker", run_id)


def send_run(run_id: int, countdown: int | None = None) -> None:
    """Send through the package's `_enqueue_run` (looked up there, so tests can replace it)."""
    from dataflows import services

    if countdown:
        services._enqueue_run(run_id, countdown=countdown)
    else:
        services._enqueue_run(run_id)


def refuse_inactive(connection: Connection) -> None:
    if not connection.is_active:
        raise ValidationError(
            f"Connection '{connection.name}' is {connection.get_status_display().lower()}: "
            "enable it before running its dataflows."
        )


def waiting_or_new_run(
    *, dataflow: Dataflow, trigger: str, create_when_busy: bool = True
) -> tuple[Run | None, bool]:
    """Inside a transaction: the dataflow's waiting run, or a new one; and whether the lease is
    held by a running run (which then hands over to the waiting one when it finishes)."""
    Dataflow.objects.select_for_update().filter(pk=dataflow.pk).first()
    busy = DATAFLOW_LEASE.live().filter(pk=dataflow.pk).exists()
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
    """Queue a run and send its task after commit (`countdown`: start it that many seconds
    later, e.g. to gather several changes into one run). A run already waiting is reused (and
    sent again when nothing is running, in case its task message was lost)."""
    refuse_inactive(dataflow.connection)
    with transaction.atomic():
        run, busy = waiting_or_new_run(dataflow=dataflow, trigger=trigger)
        if not busy:
            transaction.on_commit(partial(send_run, run.pk, countdown))
    return run


def run_queue_for_webhook(*, connection_id: int, kind: str, only_enabled: bool) -> Run | None:
    """A webhook's targeted run of `kind`, started WEBHOOK_COALESCE_S from now, unless one is
    already waiting: its claim comes after the caller's committed request, so it handles that
    too (bursts coalesce). `only_enabled`: a disabled dataflow of the kind gets no run (the
    requests wait for it); without it, webhooks run a kind that is off by default."""
    dataflows = Dataflow.objects.select_related("connection").filter(
        connection_id=connection_id, kind=kind
    )
    if only_enabled:
        dataflows = dataflows.filter(enabled=True)
    dataflow = dataflows.first()
    if dataflow is None or not dataflow.connection.is_active:
        return None
    if Run.objects.filter(dataflow=dataflow, status=Run.Status.QUEUED).exists():
        return None
    try:
        return run_queue(
            dataflow=dataflow, trigger=Run.Trigger.WEBHOOK, countdown=settings.WEBHOOK_COALESCE_S
        )
    except ValidationError:
        logger.info("%s of connection %s not queued", kind, connection_id, exc_info=True)
        return None


def connection_synchronize(*, connection: Connection) -> list[Run]:
    """SYNCHRONIZE: queue every enabled dataflow of the connection now."""
    refuse_inactive(connection)
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
