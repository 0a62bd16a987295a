"""The Runs tab and a run's page with its log."""

# ruff: noqa: F811  (fixtures imported from tests.connections.conftest)
from django.urls import reverse

from dataflows.models import Kind, LogEntry, Run
from tests.connections.conftest import run  # noqa: F401  (fixtures)
from tests.connections.screens import (
    client_for,
)


def test_runs_tab_filters_and_live_fragment(manager, connection, run):
    done = Run.objects.create(
        dataflow=connection.dataflows.get(kind=Kind.PRODUCT_MATCH),
        trigger=Run.Trigger.SCHEDULE,
        status=Run.Status.FAILED,
        error_message="Product Match is not implemented yet; the run did nothing.",
    )
    client = client_for(manager)
    url = reverse("connection-runs", args=[connection.pk])
    html = client.get(url).content.decode()
    assert f"#{run.pk}" in html and f"#{done.pk}" in html
    assert "not implemented yet" in html
    assert 'aria-valuenow="40"' in html  # the progress bar of the running run
    html = client.get(url + "?status=failed").content.decode()
    assert f"#{run.pk}<" not in html and f"#{done.pk}<" in html
    fragment = client.get(url + "?partial=runs").content.decode()
    assert fragment.lstrip().startswith('<div class="table-wrap" id="runs"')
    assert 'data-active="1"' in fragment
    run.status = Run.Status.SUCCEEDED
    run.save()
    assert 'data-active="1"' not in client.get(url + "?partial=runs").content.decode()


def test_run_detail_shows_log_entries(manager, connection, run):
    LogEntry.objects.create(
        run=run, level="error", object_kind="order", object_id="7", message="Bad"
    )
    client = client_for(manager)
    url = reverse("run-detail", args=[connection.pk, run.pk])
    html = client.get(url).content.decode()
    assert "Imported" in html and "Bad" in html
    html = client.get(url + "?level=error").content.decode()
    assert "Bad" in html and "Imported" not in html


# ----------------------------------------------------------------------------- list: views, columns
