"""Celery tasks: thin, take ids, call one service. Results are small JSON values (ids, counts)
so that a caller may wait on them. A task that crashes before its run could be recorded still
leaves a failed run the operator sees."""

import logging

from celery import shared_task
from celery import signals as celery_signals

from .context import Interrupted, interrupt_on_sigterm, request_stop

logger = logging.getLogger(__name__)


def route_task(name, args, kwargs, options, task=None, **kw):
    """CELERY_TASK_ROUTES: a run's task goes to its flow's queue (FlowSpec.queue)."""
    if name not in (
        "dataflows.tasks.run_execute_task",
        "dataflows.tasks.dataflow_scheduled_run_task",
    ):
        return None
    from .models import Dataflow, Run
    from .registry import flow_spec

    try:
        pk = args[0] if args else next(iter((kwargs or {}).values()), None)
        if name.endswith("run_execute_task"):
            kind = Run.objects.filter(pk=pk).values_list("dataflow__kind", flat=True).first()
        else:
            kind = Dataflow.objects.filter(pk=pk).values_list("kind", flat=True).first()
    except Exception:  # routing never stops a send: the default queue is consumed too
        logger.warning("Could not route %s%s", name, args, exc_info=True)
        return None
    spec = flow_spec(kind) if kind else None
    return {"queue": spec.queue} if spec else None


@celery_signals.worker_process_init.connect
def _child_stops_on_sigterm(**kwargs):
    interrupt_on_sigterm()  # prefork children: SIGTERM interrupts the run they execute


@celery_signals.worker_shutting_down.connect
def _worker_stops_its_runs(sig=None, how=None, **kwargs):
    request_stop(
        f"the worker is shutting down ({sig or 'stop requested'}) before the run finished; "
        "the next run resumes from the last saved cursor."
    )


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
def logs_purge_task() -> int:
    from .services import logs_purge

    return logs_purge()
