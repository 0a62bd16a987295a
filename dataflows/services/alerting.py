"""The engine's alerts: a run failed, a dataflow did not start when due, the store refused the
credentials (its schedules pause until they work again). Never fails a run: an alert that
cannot be recorded is logged."""

import logging
from datetime import timedelta

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from connections.alerts.checks import checks_run
from connections.alerts.models import Alert
from connections.alerts.selectors import connection_credentials_refused
from connections.alerts.services import alert_raise, alert_resolve
from connections.models import Connection

from ..models import Dataflow, Run
from ..registry import kind_label

logger = logging.getLogger(__name__)

RUN_FAILED = Alert.Condition.RUN_FAILED
NOT_STARTED = Alert.Condition.RUN_NOT_STARTED
REFUSED = Alert.Condition.CREDENTIALS_REFUSED
# A dataflow is overdue when it has not started for two of its intervals and this much more.
OVERDUE_GRACE = timedelta(minutes=5)
# Ends that say nothing about the flow: the worker was stopped (the sweep re-queues it).
_NOT_A_FAILURE = ("Interrupted:",)


def run_alerts_record(*, run: Run, refused_error: str = "") -> None:
    """After a run ended: raise or resolve its dataflow's alerts, then run the connection's
    condition checks that follow runs of its kind."""
    try:
        _record(run, refused_error)
        if run.status != Run.Status.QUEUED:
            checks_run(connection=run.dataflow.connection, after_kind=run.dataflow.kind)
    except Exception:
        logger.exception("Run %s: its alerts could not be recorded", run.pk)


def _record(run: Run, refused_error: str) -> None:
    dataflow = run.dataflow
    connection = dataflow.connection
    label = kind_label(dataflow.kind)
    if refused_error:
        alert_raise(
            connection=connection,
            condition=REFUSED,
            message=f"The store refused the hub's credentials during {label}: {refused_error}",
            action="Enter a working access token on the connection's Credentials tab (or "
            "install the BigCommerce app again). Its schedules are paused until then; a "
            "successful run resumes them.",
        )
    if run.status in (Run.Status.SUCCEEDED, Run.Status.PARTIAL):
        alert_resolve(connection=connection, condition=RUN_FAILED, key=dataflow.kind)
        alert_resolve(connection=connection, condition=REFUSED)
    elif run.status == Run.Status.FAILED and not run.error_message.startswith(_NOT_A_FAILURE):
        alert_raise(
            connection=connection,
            condition=RUN_FAILED,
            key=dataflow.kind,
            message=f"{label} run {run.pk} failed: {run.error_message or 'no reason given'}",
            action=f"Open run {run.pk} on the connection's Runs tab to see what went wrong; "
            "the next scheduled run tries again.",
        )


def dataflows_check_overdue(*, now=None) -> dict:
    """The sweep's look at the schedules: an enabled, scheduled dataflow of an active
    connection that has not started for two intervals (and a grace) raises "did not start";
    one that started since, or is no longer due, resolves it. The same few queries however
    many dataflows there are (plus one alert write per dataflow that is or was overdue)."""
    now = now or timezone.now()
    running = Run.objects.filter(dataflow=OuterRef("pk"), status=Run.Status.RUNNING)
    # The latest start through the (dataflow, -started_at) index: no aggregate over all runs.
    last_start = (
        Run.objects.filter(dataflow=OuterRef("pk"), started_at__isnull=False)
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    scheduled = (
        Dataflow.objects.filter(
            enabled=True,
            connection__status=Connection.Status.ACTIVE,
            periodic_task__enabled=True,
        )
        .annotate(last_start=Subquery(last_start), running=Exists(running))
        .order_by()
        .values_list(
            "pk", "interval_seconds", "last_start", "periodic_task__date_changed", "running"
        )
    )
    overdue = {}
    for pk, interval, last, changed, is_running in scheduled:
        since = max(filter(None, [last, changed]), default=None)
        window = timedelta(seconds=2 * interval) + OVERDUE_GRACE
        if not is_running and since is not None and since < now - window:
            overdue[pk] = since
    dataflows = (
        list(Dataflow.objects.filter(pk__in=list(overdue)).select_related("connection__tenant"))
        if overdue
        else []
    )
    for dataflow in dataflows:
        label = kind_label(dataflow.kind)
        alert_raise(
            connection=dataflow.connection,
            condition=NOT_STARTED,
            key=dataflow.kind,
            message=f"{label} is due every {dataflow.interval_seconds} s but has not started "
            f"since {timezone.localtime(overdue[dataflow.pk]):%Y-%m-%d %H:%M %Z}.",
            action="Check that the hub's Celery worker and beat are running (and consume the "
            "queue of this dataflow); runs resume on their own once they do.",
        )
    still = {(dataflow.connection_id, dataflow.kind) for dataflow in dataflows}
    resolved = 0
    open_alerts = Alert.objects.filter(condition=NOT_STARTED, state=Alert.State.OPEN).exclude(
        connection=None
    )
    for alert in open_alerts.select_related("connection__tenant"):
        if (alert.connection_id, alert.key) not in still:
            alert_resolve(connection=alert.connection, condition=NOT_STARTED, key=alert.key)
            resolved += 1
    return {"overdue": len(overdue), "resolved": resolved}


def schedules_paused(*, connection: Connection) -> bool:
    """Whether the connection's schedules wait for working credentials."""
    return connection_credentials_refused(connection=connection)
