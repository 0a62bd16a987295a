"""The frequent sweep (beat, every DATAFLOW_SWEEP_EVERY_S): what a dead worker or a lost task
message left behind is picked up again without anyone's action."""

import logging

from django.db.models import Q
from django.db.models.functions import Now

from connections.models import Connection

from ..leases import db_now_plus
from ..models import Run
from .alerting import dataflows_check_overdue
from .claims import runs_recover_abandoned
from .queueing import send_run

logger = logging.getLogger(__name__)

# A queued run whose dataflow is free for this long lost its task message: send it again.
STALE_QUEUED_S = 120
# A connection "Deleting…" for this long lost its delete task: send it again.
STALE_DELETING_S = 10 * 60


def connections_resend_deletes() -> int:
    """Send again the delete task of connections deleting for too long; returns how many."""
    from connections.tasks import connection_delete_task

    stale = Q(status=Connection.Status.DELETING, updated_at__lt=db_now_plus(-STALE_DELETING_S))
    resent = 0
    for pk in Connection.objects.filter(stale).values_list("pk", flat=True):
        # Conditional: two sweeps at once send it once; the next resend waits another period.
        if Connection.objects.filter(stale, pk=pk).update(updated_at=Now()):
            try:
                connection_delete_task.delay(pk)
                resent += 1
            except Exception:
                logger.exception("Connection %s: its delete task could not be sent", pk)
    return resent


def runs_sweep() -> dict:
    """Recover abandoned runs (and queue their dataflows again), send again the task of runs
    that wait on a free dataflow for too long (their message was lost), and the delete task of
    connections stuck deleting."""
    recovered = runs_recover_abandoned()
    stale = (
        Run.objects.filter(status=Run.Status.QUEUED, queued_at__lt=db_now_plus(-STALE_QUEUED_S))
        .filter(Q(dataflow__lease_run__isnull=True) | Q(dataflow__lease_expires_at__lt=Now()))
        .order_by("dataflow_id", "queued_at", "id")
        .values_list("dataflow_id", "pk")
    )
    resent = {}
    for dataflow_id, run_id in stale:
        resent.setdefault(dataflow_id, run_id)
    for run_id in resent.values():
        send_run(run_id)
    deletes = connections_resend_deletes()
    try:
        overdue = dataflows_check_overdue()["overdue"]
    except Exception:  # the sweep's own work is done; the next sweep looks again
        logger.exception("The overdue check failed")
        overdue = None
    return {
        "recovered": recovered,
        "resent": len(resent),
        "deletes_resent": deletes,
        "overdue": overdue,
    }
