"""The dataflow engine's services, one module per responsibility:

- `schedules`: a connection's dataflows and their beat schedules (django-celery-beat rows);
- `queueing`: queueing runs (`run_queue`, SYNCHRONIZE) and sending their tasks;
- `claims`: the dataflow lease (runs of one dataflow never overlap) and abandoned runs;
- `execution`: running one run (`run_execute`), beat's tick, `runflow`;
- `recording`: recording a run's end (conditional on its lease, surviving a dropped connection);
- `sweep`: the frequent sweep (abandoned runs, lost task messages, lost deletes);
- `retention`: the nightly retention (old run logs, the apps' retention steps).

How runs of one dataflow never overlap: a run may only work while it holds its dataflow's
lease (`Dataflow.lease_run` / `lease_expires_at`, see dataflows.leases), taken with a
conditional UPDATE; a run moves from queued to running with a second conditional UPDATE, so a
task delivered twice runs once, and the database allows one running run per dataflow. A
heartbeat thread renews the lease while the flow works; a worker that dies stops renewing, and
once the lease has expired the sweep marks the run failed ("recovered") and queues a new one.
"""

from .claims import DATAFLOW_LEASE, RECOVERED_MESSAGE, _claim, _release, runs_recover_abandoned
from .execution import dataflow_run_foreground, dataflow_run_scheduled, run_execute
from .queueing import (
    _enqueue_run,
    connection_synchronize,
    run_queue,
    run_queue_for_webhook,
    runs_cancel_queued,
)
from .recording import ERROR_MESSAGE_MAX, run_fail_unrecorded
from .retention import logs_purge, retention_apply
from .schedules import (
    MAX_INTERVAL_S,
    MIN_INTERVAL_S,
    SCHEDULED_TASK,
    dataflow_schedule_sync,
    dataflow_update,
    dataflows_create_for_connection,
)
from .sweep import STALE_QUEUED_S, runs_sweep

__all__ = [
    "DATAFLOW_LEASE",
    "ERROR_MESSAGE_MAX",
    "MAX_INTERVAL_S",
    "MIN_INTERVAL_S",
    "RECOVERED_MESSAGE",
    "SCHEDULED_TASK",
    "STALE_QUEUED_S",
    "_claim",
    "_enqueue_run",
    "_release",
    "connection_synchronize",
    "dataflow_run_foreground",
    "dataflow_run_scheduled",
    "dataflow_schedule_sync",
    "dataflow_update",
    "dataflows_create_for_connection",
    "logs_purge",
    "retention_apply",
    "run_execute",
    "run_fail_unrecorded",
    "run_queue",
    "run_queue_for_webhook",
    "runs_cancel_queued",
    "runs_recover_abandoned",
    "runs_sweep",
]
