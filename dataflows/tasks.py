"""Celery tasks: thin, take ids, call one service. Results are small JSON values (ids, counts)
so that a caller may wait on them. A task that crashes before its run could be recorded still
leaves a failed run the operator sees."""

import logging
import os
import signal

from celery import shared_task
from celery import signals as celery_signals

from .stopping import Interrupted, interrupt_on_sigterm, request_stop, stop_request_clear

logger = logging.getLogger(__name__)


def route_task(name, args, kwargs, options, task=None, **kw):
    """CELERY_TASK_ROUTES: a run's task goes to its flow's queue (FlowSpec.queue)."""
    if name not in (
        "dataflows.tasks.run_execute_task",
        "dataflows.tasks.dataflow_scheduled_run_task",
    ):
        return None
    if options and options.get("queue"):
        return None  # beat's entries carry their flow's queue: no look-up per dispatch
    from .models import Dataflow, Run
    from .registry import flow_spec

    try:
        pk = args[0] if args else next(iter((kwargs or {}).values()), None)
        if name.endswith("run_execute_task"):
            kind, trigger = Run.objects.filter(pk=pk).values_list(
                "dataflow__kind", "trigger"
            ).first() or (None, None)
            if trigger == Run.Trigger.WEBHOOK:
                return {"queue": "webhooks"}  # targeted runs never wait behind a backfill
        else:
            kind = Dataflow.objects.filter(pk=pk).values_list("kind", flat=True).first()
    except Exception:  # routing never stops a send: the default queue is consumed too
        logger.warning("Could not route %s%s", name, args, exc_info=True)
        return None
    spec = flow_spec(kind) if kind else None
    return {"queue": spec.queue} if spec else None


# How a worker's SIGTERM (docker stop, systemd, kill) ends the runs it executes: recorded as
# interrupted, their lease released, the task acknowledged, whatever the pool.
# - threads/solo: the main process's shutdown handler asks every run to stop (request_stop); a
#   run stops at its next heartbeat or progress, recorded as interrupted.
# - prefork: Celery's warm shutdown would wait for the tasks to end (hours, or docker's SIGKILL
#   10 s later, which leaves the run to the sweep once its lease expired). So the main process
#   passes SIGTERM on to its pool processes, where a task in progress is interrupted at once
#   (interrupt_on_sigterm, installed for the task's duration: billiard sets its own handler
#   after a pool process starts) and an idle pool process ends as billiard has it.
# A worker killed outright (SIGKILL, OOM) is the sweep's: the task is given back to the broker
# (acks_late, reject_on_worker_lost) and the run recovered once its short lease expired.
_pool_process = {"is": False, "handler": None}


@celery_signals.worker_process_init.connect
def _in_a_pool_process(**kwargs):
    _pool_process["is"] = True


@celery_signals.task_prerun.connect
def _task_stops_on_sigterm(**kwargs):
    if _pool_process["is"]:
        _pool_process["handler"] = signal.getsignal(signal.SIGTERM)
        interrupt_on_sigterm()


@celery_signals.task_postrun.connect
def _task_ended(**kwargs):
    if _pool_process["is"] and _pool_process["handler"] is not None:
        signal.signal(signal.SIGTERM, _pool_process["handler"])
        _pool_process["handler"] = None
        stop_request_clear()  # the SIGTERM was this task's: the process serves the next one


def pool_processes() -> list:
    """The prefork pool's processes of this (main) worker process."""
    from billiard.process import active_children

    return [child for child in active_children() if "PoolWorker" in (child.name or "")]


@celery_signals.worker_shutting_down.connect
def _worker_stops_its_runs(sig=None, how=None, **kwargs):
    request_stop(
        f"the worker is shutting down ({sig or 'stop requested'}) before the run finished; "
        "the next run resumes from the last saved cursor."
    )
    for child in pool_processes():
        try:
            os.kill(child.pid, signal.SIGTERM)
        except (OSError, TypeError):  # gone already (or never started)
            continue


@shared_task
def run_execute_task(run_id: int) -> str:
    from .services import run_execute, run_fail_unrecorded

    try:
        return run_execute(run_id=run_id).status
    except Interrupted:
        return "interrupted"
    except Exception as exc:
        logger.exception("Run %s: its task crashed", run_id)
        run = run_fail_unrecorded(
            run_id=run_id, error=f"the task crashed: {type(exc).__name__}: {exc}"
        )
        if run is None:
            raise
        return run.status


@shared_task
def dataflow_scheduled_run_task(dataflow_id: int) -> int | None:
    """Beat's task for one dataflow; returns the id of the run it executed, if any."""
    from .services import dataflow_run_scheduled, run_fail_unrecorded

    try:
        run = dataflow_run_scheduled(dataflow_id=dataflow_id)
    except Interrupted:
        return None
    except Exception as exc:
        logger.exception("Dataflow %s: its scheduled run crashed", dataflow_id)
        run = run_fail_unrecorded(
            dataflow_id=dataflow_id,
            error=f"the scheduled run crashed before it started: {type(exc).__name__}: {exc}",
        )
        if run is None:
            raise
    return run.pk if run is not None else None


@shared_task
def runs_sweep_task() -> dict:
    from .services import runs_sweep

    return runs_sweep()


@shared_task
def retention_task() -> dict:
    from .services import retention_apply

    return retention_apply()
