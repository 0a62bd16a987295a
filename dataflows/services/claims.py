"""The dataflow lease: runs of one dataflow never overlap; runs whose worker died are
recovered (and their dataflow queued again) once their lease has expired."""

import logging

from django.db import transaction
from django.db.models.functions import Now

from ..context import DATAFLOW_LEASE
from ..models import Dataflow, Run

logger = logging.getLogger(__name__)

RECOVERED_MESSAGE = (
    "The worker running this run stopped (or stalled) before it finished and its lease "
    "expired; the dataflow was queued again and resumes from the last saved cursor."
)


def _claim(*, run: Run, lease_seconds: int) -> bool:
    """Take the dataflow's lease for `run`: one winner, whatever the race."""
    return DATAFLOW_LEASE.claim(holder=run.pk, seconds=lease_seconds, pk=run.dataflow_id)


def _release(*, run: Run) -> bool:
    return DATAFLOW_LEASE.release(holder=run.pk, pk=run.dataflow_id)


def runs_recover_abandoned(*, dataflow_id: int | None = None, requeue: bool = True) -> int:
    """Runs left running by a worker that died: once their lease has expired, free the
    dataflow, mark the run failed and (`requeue`) queue the dataflow again when it is enabled.
    Returns how many runs were recovered."""
    from .queueing import run_queue

    expired = DATAFLOW_LEASE.expired()
    if dataflow_id is not None:
        expired = expired.filter(pk=dataflow_id)
    # Conditional on the lease still being expired: a heartbeat a moment ago wins.
    expired.update(lease_run=None, lease_expires_at=None)
    holders = Dataflow.objects.filter(lease_run__isnull=False).values("lease_run_id")
    abandoned = Run.objects.filter(status=Run.Status.RUNNING).exclude(pk__in=holders)
    if dataflow_id is not None:
        abandoned = abandoned.filter(dataflow_id=dataflow_id)
    recovered = 0
    for run in abandoned.select_related("dataflow__connection"):
        with transaction.atomic():
            ended = (
                Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING)
                .exclude(pk__in=holders)
                .update(
                    status=Run.Status.FAILED, finished_at=Now(), error_message=RECOVERED_MESSAGE
                )
            )
        if not ended:
            continue
        recovered += 1
        dataflow = run.dataflow
        if requeue and dataflow.enabled and dataflow.connection.is_active:
            run_queue(dataflow=dataflow, trigger=run.trigger)
    if recovered:
        logger.warning("Recovered %s abandoned run(s) (dataflow %s)", recovered, dataflow_id)
    return recovered
