"""`python manage.py runflow CONNECTION_ID KIND`: one JSON line, exit status by the run."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from connections.bigcommerce.errors import ServerError
from connections.models import Connection
from dataflows.management.commands.runflow import Command
from dataflows.models import Dataflow, Run
from dataflows.services import dataflows_create_for_connection

SUMMARY_KEYS = {"status", "api_requests", "fetched", "created", "updated", "skipped", "failed"}


@pytest.fixture(autouse=True)
def keep_the_test_database_connection(monkeypatch):
    # run_from_argv closes every database connection when the command ends, which would end
    # the test's transaction on PostgreSQL.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def runflow(*args):
    """Like the shell does it (run_from_argv): returns (exit status, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    command = Command(stdout=out, stderr=err)
    try:
        command.run_from_argv(["manage.py", "runflow", *map(str, args)])
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def importing_flow(ctx):
    ctx.client.get(3)
    ctx.count(fetched=4, created=3, updated=1)


def test_it_runs_the_dataflow_and_prints_one_json_line(connection, register_flow, fake_client):
    register_flow("order_import", importing_flow)

    code, out, err = runflow(connection.pk, "order_import")

    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert SUMMARY_KEYS <= set(summary)
    assert summary["status"] == "succeeded"
    assert (summary["api_requests"], summary["fetched"], summary["created"]) == (3, 4, 3)
    assert (summary["updated"], summary["skipped"], summary["failed"]) == (1, 0, 0)
    assert summary["kind"] == "order_import" and summary["connection_id"] == connection.pk
    run = Run.objects.get(pk=summary["run_id"])
    assert run.trigger == Run.Trigger.MANUAL


def test_it_exits_non_zero_when_the_run_failed(connection, register_flow, fake_client):
    def flow(ctx):
        raise ServerError("BigCommerce failed on GET /v2/orders (503).")

    register_flow("order_import", flow)

    code, out, err = runflow(connection.pk, "order_import")

    assert code == 1
    summary = json.loads(out)
    assert summary["status"] == "failed"
    assert summary["error"].startswith("BigCommerce failed on GET /v2/orders (503).")
    assert "failed" in err


def test_a_partial_run_exits_zero_and_reports_the_failed_records(
    connection, register_flow, fake_client
):
    register_flow("order_import", lambda ctx: ctx.count(fetched=2, created=1, failed=1))
    code, out, _ = runflow(connection.pk, "order_import")
    assert code == 0
    assert json.loads(out)["status"] == "partial"
    assert json.loads(out)["failed"] == 1


def test_a_kind_not_implemented_yet_fails_with_that_message(
    connection, unregister_flow, fake_client
):
    unregister_flow("order_update")
    code, out, _ = runflow(connection.pk, "order_update")
    assert code == 1
    assert "Order Update is not implemented yet" in json.loads(out)["error"]


def test_it_runs_a_disabled_dataflow_on_request(connection, register_flow, fake_client):
    register_flow("changed_product_match", lambda ctx: None)
    assert not Dataflow.objects.get(connection=connection, kind="changed_product_match").enabled
    code, out, _ = runflow(connection.pk, "changed_product_match")
    assert code == 0 and json.loads(out)["status"] == "succeeded"


def test_it_refuses_to_overlap_a_run_that_is_going(connection, register_flow, fake_client):
    register_flow("order_import", importing_flow)
    dataflow = Dataflow.objects.get(connection=connection, kind="order_import")
    from dataflows.services import _claim

    holder = Run.objects.create(dataflow=dataflow, trigger=Run.Trigger.SCHEDULE)
    assert _claim(run=holder, lease_seconds=600)

    code, out, _ = runflow(connection.pk, "order_import")

    assert code == 1
    assert "never overlap" in json.loads(out)["error"]


def test_an_unknown_connection_id_is_a_clear_error(db):
    code, out, err = runflow(424242, "order_import")
    assert code == 1 and out == ""
    assert "There is no connection with ID 424242." in err


def test_a_connection_id_that_is_not_a_number_is_a_clear_error(db):
    code, _, err = runflow("main-store", "order_import")
    assert code == 1
    assert "CONNECTION_ID must be a number" in err


def test_an_unknown_kind_is_a_clear_error_listing_the_kinds(connection):
    code, out, err = runflow(connection.pk, "order_export")
    assert code == 1 and out == ""
    assert "Unknown dataflow kind 'order_export'" in err
    assert "order_import" in err and "changed_stock_update" in err
    assert not Run.objects.exists()


def test_an_inactive_connection_is_refused(connection):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.INACTIVE)
    code, out, err = runflow(connection.pk, "order_import")
    assert code == 1 and out == ""
    assert "inactive" in err
    assert not Run.objects.exists()


def test_call_command_raises_command_error_for_a_failed_run(
    connection, unregister_flow, fake_client
):
    unregister_flow("order_import")
    out = StringIO()
    with pytest.raises(CommandError, match="not implemented yet"):
        call_command("runflow", str(connection.pk), "order_import", stdout=out)
    assert json.loads(out.getvalue())["status"] == "failed"


def child_env(sandbox) -> dict | None:
    """The environment of a child process (runflow, a worker) that works on the test database
    and the sandbox store; None when the test database is in this process's memory only."""
    from django.db import connection as db

    db_settings = db.settings_dict
    if db.vendor == "sqlite":
        if db.is_in_memory_db():
            return None
        url = f"sqlite:///{db_settings['NAME']}"
    else:
        password = f":{db_settings['PASSWORD']}" if db_settings["PASSWORD"] else ""
        host = f"{db_settings['HOST'] or '127.0.0.1'}:{db_settings['PORT'] or 5432}"
        url = f"postgres://{db_settings['USER']}{password}@{host}/{db_settings['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "0",
        "BIGCOMMERCE_API_URL": sandbox.url,
        "CELERY_BROKER_URL": "memory://",
        "HUB_READ_DEMO_ENV": "false",
    }


@pytest.mark.sandbox
@pytest.mark.django_db(transaction=True)
def test_sigterm_to_runflow_mid_run_records_the_run_as_interrupted_and_frees_the_lease(
    sandbox_settings, tenant
):
    """`kill PID` (docker stop, systemd) while the flow waits for a slow store: a real process."""
    env = child_env(sandbox_settings)
    if env is None:
        pytest.skip("needs a test database another process can open")
    sandbox_settings.reset(latency_ms=15000)  # every request of the run hangs
    connection = Connection.objects.create(
        tenant=tenant,
        name="Slow store",
        store_hash=sandbox_settings.store_hash,
        access_token=sandbox_settings.token,
    )
    dataflows_create_for_connection(connection=connection)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runflow", str(connection.pk), "order_import"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        running = Run.objects.filter(dataflow__connection=connection, status=Run.Status.RUNNING)
        end = time.monotonic() + 60  # a bound only
        while not running.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < end, "runflow never started its run"
            threading.Event().wait(0.05)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    run = Run.objects.get(dataflow__connection=connection)
    assert run.status == Run.Status.FAILED
    assert run.error_message.startswith("Interrupted: the process received SIGTERM"), err
    assert run.finished_at is not None
    assert Dataflow.objects.get(pk=run.dataflow_id).lease_run_id is None
    assert process.returncode == 143 and "Interrupted" in err and out == ""
