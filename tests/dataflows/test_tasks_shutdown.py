"""A worker's SIGTERM (docker stop, systemd, kill) ends the run it executes recorded as
interrupted, its lease released (dataflows.tasks: the shutdown handlers).

A real `celery worker` (prefork, the production pool) in its own process, on the embedded
filesystem broker in a folder of this test, against the test database and a sandbox store slow
enough to keep the run in progress.
"""

import signal
import subprocess
import sys
import threading
import time

import pytest
from celery import Celery
from django.conf import settings

from connections.models import Connection
from dataflows.models import Dataflow, Run
from dataflows.services import dataflows_create_for_connection
from tests.dataflows.test_runflow import child_env

BOUND_S = 30  # an upper bound only: each wait returns as soon as its condition holds


def wait_until(condition, what: str, process: subprocess.Popen) -> None:
    end = time.monotonic() + BOUND_S
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the worker ended before {what}: {process.communicate()}")
        if time.monotonic() > end:
            process.kill()
            pytest.fail(f"never: {what}: {process.communicate()}")
        threading.Event().wait(0.1)


@pytest.mark.sandbox
@pytest.mark.django_db(transaction=True)
def test_sigterm_to_a_prefork_worker_records_its_run_as_interrupted_and_frees_the_lease(
    sandbox_settings, tenant, tmp_path, monkeypatch
):
    env = child_env(sandbox_settings)
    if env is None:
        pytest.skip("needs a test database another process can open")
    sandbox_settings.reset(latency_ms=20000)  # every request of the run hangs
    connection = Connection.objects.create(
        tenant=tenant,
        name="Slow store",
        store_hash=sandbox_settings.store_hash,
        access_token=sandbox_settings.token,
    )
    dataflows_create_for_connection(connection=connection)
    dataflow = Dataflow.objects.get(connection=connection, kind="order_import")
    run = Run.objects.create(dataflow=dataflow, trigger=Run.Trigger.MANUAL)
    env.update(CELERY_BROKER_URL="filesystem://", HUB_VAR_DIR=str(tmp_path))
    broker = tmp_path / "broker"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "integrationhub", "worker", "--pool", "prefork",
         "--concurrency", "1", "-Q", "orders", "--without-mingle", "--without-gossip",
         "--without-heartbeat", "--loglevel", "INFO"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    monkeypatch.setenv("CELERY_BROKER_URL", "filesystem://")  # Celery reads it before its conf
    sender = Celery("sender", set_as_current=False)
    sender.conf.update(
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(broker / "out"),
            "data_folder_out": str(broker / "out"),
            "control_folder": str(broker / "control"),
        },
        task_queues=settings.CELERY_TASK_QUEUES,
    )
    try:
        # The worker has bound its queue (in the broker's folder, not the project's).
        wait_until((broker / "control" / "orders.exchange").exists, "it bound its queue", worker)
        sender.send_task("dataflows.tasks.run_execute_task", args=[run.pk], queue="orders")
        running = Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING)
        wait_until(running.exists, "the run started", worker)

        worker.send_signal(signal.SIGTERM)
        log, _ = worker.communicate(timeout=BOUND_S)
    finally:
        sender.close()
        if worker.poll() is None:
            worker.kill()
            worker.communicate()

    run.refresh_from_db()
    assert run.status == Run.Status.FAILED, log
    assert run.error_message.startswith("Interrupted: the process received SIGTERM"), log
    assert Dataflow.objects.get(pk=dataflow.pk).lease_run_id is None
    assert "'interrupted'" in log  # the task ended (acknowledged), not lost with the worker
    assert worker.returncode == 0, log
