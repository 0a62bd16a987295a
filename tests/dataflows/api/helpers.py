"""Helpers of the engine's REST API tests."""

from datetime import timedelta

from django.utils import timezone

from dataflows.models import Dataflow, LogEntry, Run

RUNS_URL = "/api/v1/runs/"
BASE_TIME = timezone.now().replace(microsecond=0) - timedelta(days=1)


def dataflows_url(connection, kind=None):
    url = f"/api/v1/connections/{connection.pk}/dataflows/"
    return f"{url}{kind}/" if kind else url


def run_url(run, suffix=""):
    return f"{RUNS_URL}{run.pk}/{suffix}"


def make_run(connection, kind="order_import", *, minutes=0, **fields):
    """A run queued `minutes` after BASE_TIME."""
    dataflow = Dataflow.objects.get(connection=connection, kind=kind)
    run = Run.objects.create(dataflow=dataflow, trigger=fields.pop("trigger", "schedule"), **fields)
    Run.objects.filter(pk=run.pk).update(queued_at=BASE_TIME + timedelta(minutes=minutes))
    run.refresh_from_db()
    return run


def make_log(run, level=LogEntry.Level.INFO, message="Order imported", **fields):
    return LogEntry.objects.create(run=run, level=level, message=message, **fields)


def user_for(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def dataflow_state(connection):
    return list(
        Dataflow.objects.filter(connection=connection)
        .order_by("kind")
        .values_list("enabled", "interval_seconds", "options")
    )
