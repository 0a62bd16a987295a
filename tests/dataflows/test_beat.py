"""Beat's scheduler: its ticks ask the database the same number of queries however many
connections have every dataflow scheduled; and it still sends, routes and records as
django-celery-beat's does."""

from datetime import timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from dataflows.beat import HubScheduler
from dataflows.benchmarks.scheduler import beat_figures, connections_build, sweep_figures
from dataflows.models import Dataflow
from dataflows.tasks import route_task
from integrationhub.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_database(monkeypatch):
    """Beat closes stale connections before it reads; the test's database must stay open."""
    monkeypatch.setattr("django_celery_beat.schedulers.close_old_connections", lambda: None)
    monkeypatch.setattr("dataflows.beat.close_old_connections", lambda: None)


def _scheduler():
    scheduler = HubScheduler(app=app, lazy=False)
    scheduler._finalize.cancel()
    scheduler.sync_every = 10**9
    scheduler._last_sync = 10**12
    return scheduler


def _all_due():
    PeriodicTask.objects.filter(name__startswith="dataflow-").update(
        last_run_at=timezone.now() - timedelta(days=40)
    )


def test_a_tick_takes_the_same_queries_at_10_and_at_200_connections():
    _scheduler()  # beat's first start ever also writes its own default entries
    connections_build(count=10)
    small = beat_figures(app=app)
    connections_build(count=190)
    large = beat_figures(app=app)

    assert large["sent"] >= 200 * 6  # every dataflow of every connection
    for key in ("start_queries", "burst_queries", "idle_tick_queries", "sync_queries"):
        assert large[key] == small[key], key
    assert large["burst_queries"] <= 2  # the change marker, read when the burst starts


def test_the_sweep_takes_the_same_queries_at_10_and_at_200_connections():
    connections_build(count=10, runs_each=3)
    small = sweep_figures()
    connections_build(count=190, runs_each=3)
    large = sweep_figures()

    assert small["overdue"] == large["overdue"] == 0
    assert large["queries"] == small["queries"]


def test_every_dataflow_schedule_names_its_flows_queue(connection):
    queues = dict(
        Dataflow.objects.filter(connection=connection, enabled=True).values_list(
            "kind", "periodic_task__queue"
        )
    )
    assert queues["order_import"] == "orders"
    assert queues["order_update"] == "shipments"
    assert queues["full_stock_update"] == "stock"


def test_a_scheduled_task_that_names_its_queue_is_routed_without_a_query():
    with CaptureQueriesContext(db) as queries:
        route = route_task("dataflows.tasks.dataflow_scheduled_run_task", (1,), {}, {"queue": "x"})
    assert route is None and len(queries) == 0


def test_the_burst_sends_each_due_dataflow_once_and_records_when_it_ran(connection):
    _all_due()
    scheduler = _scheduler()
    sent = []
    scheduler.apply_async = lambda entry, *a, **kw: sent.append(entry.name)

    scheduler.tick()
    while scheduler.tick() == 0:
        pass
    scheduler.sync()

    names = {
        f"dataflow-{d.pk}" for d in Dataflow.objects.filter(connection=connection, enabled=True)
    }
    assert names <= set(sent) and len(sent) == len(set(sent))
    recorded = PeriodicTask.objects.filter(name__in=names)
    assert all(t.last_run_at > timezone.now() - timedelta(minutes=1) for t in recorded)
    assert all(t.total_run_count == 1 for t in recorded)


def test_a_schedule_changed_while_beat_runs_is_loaded_after_the_burst(connection):
    scheduler = _scheduler()
    scheduler.tick()
    dataflow = Dataflow.objects.get(connection=connection, kind="order_import")
    PeriodicTask.objects.filter(pk=dataflow.periodic_task_id).update(enabled=False)
    PeriodicTasks.update_changed()

    scheduler.tick()

    assert f"dataflow-{dataflow.pk}" not in scheduler.schedule
