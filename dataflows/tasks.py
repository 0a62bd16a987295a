"""Celery tasks: thin, take ids, call one service."""

from celery import shared_task


@shared_task
def run_execute_task(run_id: int) -> None:
    from .services import run_execute

    run_execute(run_id=run_id)


@shared_task
def dataflow_scheduled_run_task(dataflow_id: int) -> None:
    from .services import dataflow_run_scheduled

    dataflow_run_scheduled(dataflow_id=dataflow_id)


@shared_task
def logs_purge_task() -> None:
    from .services import logs_purge

    logs_purge()
