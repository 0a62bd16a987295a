"""A SIGTERM that lands while the database answers: the run is still recorded as interrupted
and its lease released (dataflows.services.execution, dataflows.database)."""

import os
import signal
import threading
import time

import pytest
from django.db import connection, transaction

from dataflows import services
from dataflows.models import Run
from dataflows.stopping import Interrupted
from tests.dataflows.helpers import queued_run

BLOCKED_S = 10  # an upper bound only: the interrupt ends the wait at once

pytestmark = [pytest.mark.usefixtures("no_prerequisites"), pytest.mark.django_db(transaction=True)]


def assert_recorded_as_interrupted(run, dataflow):
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED
    assert run.error_message.startswith("Interrupted: the process received SIGTERM")
    dataflow.refresh_from_db()
    assert dataflow.lease_run_id is None


def test_a_sigterm_while_a_query_runs_is_recorded_as_interrupted(
    order_import, register_flow, fake_client, sigterm_interrupts
):
    """The interrupt lands while the database answers (the worker's usual place to wait): the
    connection must still record the run's end, not be left busy with the query."""

    if connection.vendor != "postgresql":
        pytest.skip("interrupts a PostgreSQL query in flight")
    settings_dict = connection.settings_dict

    def sigterm_once_the_query_runs(backend_pid: int) -> None:
        import psycopg

        with psycopg.connect(
            host=settings_dict["HOST"], port=settings_dict["PORT"] or 5432,
            user=settings_dict["USER"], dbname=settings_dict["NAME"], autocommit=True,
        ) as watcher:  # fmt: skip
            while not watcher.execute(
                "SELECT 1 FROM pg_stat_activity WHERE pid = %s AND query LIKE '%%pg_sleep%%'",
                (backend_pid,),
            ).fetchone():
                threading.Event().wait(0.02)
        os.kill(os.getpid(), signal.SIGTERM)

    def flow(ctx):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (backend_pid,) = cursor.fetchone()
            threading.Thread(target=sigterm_once_the_query_runs, args=(backend_pid,)).start()
            cursor.execute("SELECT pg_sleep(30)")

    register_flow("order_import", flow)
    run = queued_run(order_import)
    with pytest.raises(Interrupted):
        services.run_execute(run_id=run.pk)

    assert_recorded_as_interrupted(run, order_import)


def test_a_flow_cleaning_up_after_a_sigterm_on_a_busy_connection_is_still_recorded_as_interrupted(
    order_import, register_flow, fake_client
):
    """The interrupt can leave the connection mid-query (it landed between psycopg's steps), and
    the flow's own clean-up (a `finally` that saves what it has done) then fails on it: the run
    is recorded as interrupted, not as an internal error, and the worker still stops."""
    if connection.vendor != "postgresql":
        pytest.skip("leaves a PostgreSQL connection mid-query")

    def flow(ctx):
        try:
            connection.ensure_connection()
            connection.connection.pgconn.send_query(b"SELECT pg_sleep(0.2)")  # no answer read
            raise Interrupted("the process received SIGTERM")
        finally:
            with transaction.atomic():
                Run.objects.filter(pk=ctx.run.pk).update(progress_done=1)

    register_flow("order_import", flow)
    run = queued_run(order_import)
    with pytest.raises(Interrupted):
        services.run_execute(run_id=run.pk)

    assert_recorded_as_interrupted(run, order_import)


def test_a_sigterm_that_python_drops_in_a_finalizer_still_interrupts_the_flow_at_once(
    order_import, register_flow, fake_client, sigterm_interrupts
):
    """The signal can land while a weakref callback runs (the garbage collector, a cache's
    clean-up), where Python prints the interrupt and drops it: it is delivered again, so a flow
    then blocked in a long request stops instead of working on to its end."""
    import weakref

    class Cached:
        pass

    def flow(ctx):
        cached = Cached()
        ref = weakref.ref(cached, lambda gone: sigterm_interrupts(signal.SIGTERM, None))
        del cached  # the callback runs, its interrupt dropped
        assert ref() is None
        threading.Event().wait(BLOCKED_S)  # a long request

    register_flow("order_import", flow)
    run = queued_run(order_import)
    started = time.monotonic()
    with pytest.raises(Interrupted):
        services.run_execute(run_id=run.pk)

    assert time.monotonic() - started < BLOCKED_S
    assert_recorded_as_interrupted(run, order_import)


def test_a_flow_that_swallowed_its_interrupt_stops_at_its_next_heartbeat(
    order_import, register_flow, fake_client, sigterm_interrupts
):
    """The process asked to stop stays asked: a flow that caught the interrupt (a broad
    `except BaseException` in a library) is stopped by its next heartbeat."""
    pages = []

    def flow(ctx):
        try:
            sigterm_interrupts(signal.SIGTERM, None)
        except BaseException:
            pass
        for page in range(3):
            ctx.heartbeat()
            pages.append(page)

    register_flow("order_import", flow)
    run = queued_run(order_import)
    with pytest.raises(Interrupted):
        services.run_execute(run_id=run.pk)

    assert pages == []
    assert_recorded_as_interrupted(run, order_import)
