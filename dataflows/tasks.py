"""Celery tasks: thin, take ids, call one service. Results are small JSON values (ids, counts)
so that a caller may wait on them."""

from celery import shared_task


@shared_task
def run_execute_task(run_id: int) -> str:
    from .services import run_execute

    return run_execute(run_id=run_id).status


@shared_task
def dataflow_scheduled_run_task(dataflow_id: int) -> int | None:
    """Beat's task for one dataflow; returns the id of the run it executed, if any."""
    from .services import dataflow_run_scheduled

    run = dataflow_run_scheduled(dataflow_id=dataflow_id)
    return run.pk if run is not None else None


@shared_task
def runs_sweep_task() -> dict:
    from .services import runs_sweep

    return runs_sweep()


@shared_task
def logs_purge_task() -> int:
    from .services import logs_purge

    return logs_purge()
