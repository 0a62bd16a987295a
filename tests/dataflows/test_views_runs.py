"""The Runs tab and a run's page with its log."""

# ruff: noqa: F811  (fixtures imported from tests.connections.conftest)
import pytest
from django.urls import reverse

from dataflows.models import LogEntry, Run
from tests.connections.conftest import run  # noqa: F401  (fixtures)
from tests.connections.screens import (
    client_for,
)


def test_runs_tab_filters_and_live_fragment(manager, connection, run):
    done = Run.objects.create(
        dataflow=connection.dataflows.get(kind="product_match"),
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


@pytest.mark.parametrize(
    "search, encoded", [("#123", "q=%23123"), ("Smith & Sons", "q=Smith+%26+Sons")]
)
def test_the_runs_pager_keeps_the_search_encoded(manager, connection, search, encoded):
    dataflow = connection.dataflows.get(kind="order_import")
    Run.objects.bulk_create(
        Run(
            dataflow=dataflow,
            trigger=Run.Trigger.SCHEDULE,
            status=Run.Status.FAILED,
            error_message=f"Refused by {search}",
        )
        for _ in range(30)
    )
    response = client_for(manager).get(
        reverse("connection-runs", args=[connection.pk]), {"q": search}
    )
    assert response.context["page"].paginator.count == 30
    assert f'href="?{encoded}&amp;page=2"' in response.content.decode()


def test_a_run_is_found_by_its_number(manager, connection, run):
    other = Run.objects.create(
        dataflow=connection.dataflows.get(kind="product_match"), trigger=Run.Trigger.MANUAL
    )
    response = client_for(manager).get(
        reverse("connection-runs", args=[connection.pk]), {"q": f"#{run.pk}"}
    )
    assert [r.pk for r in response.context["runs"]] == [run.pk]
    assert other.pk != run.pk


def test_the_general_tab_shows_the_latest_runs_and_refreshes_them_from_the_runs_view(
    manager, connection, run
):
    html = client_for(manager).get(reverse("connection-detail", args=[connection.pk]))
    html = html.content.decode()
    assert "Latest runs" in html and f"#{run.pk}" in html
    live = reverse("connection-runs", args=[connection.pk]) + "?partial=runs&amp;compact=1"
    assert f'data-live-url="{live}"' in html
    fragment = client_for(manager).get(live.replace("&amp;", "&")).content.decode()
    assert f"#{run.pk}" in fragment and "<html" not in fragment
