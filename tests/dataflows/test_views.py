"""The Dataflows tab: switches, schedules, options, Run now."""

# ruff: noqa: F811  (fixtures imported from tests.connections.conftest)
import pytest
from django.urls import reverse

from dataflows.models import Run
from tests.connections.conftest import as_role, no_tasks  # noqa: F401  (fixtures)
from tests.connections.screens import (
    ROLES,
    client_for,
)


@pytest.mark.parametrize("role", ROLES)
def test_dataflow_save_by_role(as_role, role, connection):
    dataflow = connection.dataflows.get(kind="changed_product_match")
    prefix = f"df{dataflow.pk}"
    response = as_role(role).post(
        reverse("dataflow-save", args=[connection.pk, dataflow.pk]),
        {f"{prefix}-enabled": "on", f"{prefix}-interval_seconds": "900"},
    )
    dataflow.refresh_from_db()
    if role in ("manager", "operator"):
        assert response.status_code == 302
        assert (dataflow.enabled, dataflow.interval_seconds) == (True, 900)
        assert dataflow.periodic_task.enabled
    else:
        assert response.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert (dataflow.enabled, dataflow.interval_seconds) == (False, 3600)


def test_dataflow_save_rejects_an_unoffered_interval(operator, connection):
    dataflow = connection.dataflows.get(kind="order_import")
    prefix = f"df{dataflow.pk}"
    client = client_for(operator)
    response = client.post(
        reverse("dataflow-save", args=[connection.pk, dataflow.pk]),
        {f"{prefix}-enabled": "on", f"{prefix}-interval_seconds": "7"},
        follow=True,
    )
    dataflow.refresh_from_db()
    assert dataflow.interval_seconds == 300
    assert "choose one of the offered schedules" in response.content.decode()


def test_dataflow_of_another_connection_is_404(manager, connection, other_connection):
    foreign = other_connection.dataflows.first()
    client = client_for(manager)
    assert (
        client.post(reverse("dataflow-save", args=[connection.pk, foreign.pk])).status_code == 404
    )
    assert (
        client.post(reverse("dataflow-run-now", args=[connection.pk, foreign.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("role", ROLES)
def test_run_now_by_role(as_role, role, connection, no_tasks):
    dataflow = connection.dataflows.get(kind="full_stock_update")
    response = as_role(role).post(reverse("dataflow-run-now", args=[connection.pk, dataflow.pk]))
    if role in ("manager", "operator"):
        assert response["Location"] == reverse("connection-runs", args=[connection.pk])
        assert dataflow.runs.get().trigger == Run.Trigger.MANUAL
    else:
        assert response.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert not dataflow.runs.exists()


def test_dataflows_tab_for_viewer_is_read_only(viewer, connection):
    html = client_for(viewer).get(reverse("connection-dataflows", args=[connection.pk]))
    html = html.content.decode()
    assert "Read-only" in html
    assert "Run now" not in html
    assert html.count("disabled") >= 12  # every toggle and schedule


def test_the_order_import_row_sets_its_created_within_days_option(manager, connection):
    dataflow = connection.dataflows.get(kind="order_import")
    client = client_for(manager)
    html = client.get(reverse("connection-dataflows", args=[connection.pk])).content.decode()
    assert html.count(f'name="df{dataflow.pk}-created_within_days"') == 1
    assert html.count("-created_within_days") == 1  # only Order Import has the option
    url = reverse("dataflow-save", args=[connection.pk, dataflow.pk])
    data = {f"df{dataflow.pk}-enabled": "on", f"df{dataflow.pk}-interval_seconds": 300}
    client.post(url, {**data, f"df{dataflow.pk}-created_within_days": "7"})
    dataflow.refresh_from_db()
    assert dataflow.options["created_within_days"] == 7
    html = client.get(reverse("connection-dataflows", args=[connection.pk])).content.decode()
    assert f'name="df{dataflow.pk}-created_within_days" value="7"' in html
    client.post(url, {**data, f"df{dataflow.pk}-created_within_days": ""})
    dataflow.refresh_from_db()
    assert "created_within_days" not in dataflow.options


def test_a_bad_created_within_days_is_refused_saying_why(manager, connection):
    dataflow = connection.dataflows.get(kind="order_import")
    prefix = f"df{dataflow.pk}"
    response = client_for(manager).post(
        reverse("dataflow-save", args=[connection.pk, dataflow.pk]),
        {f"{prefix}-interval_seconds": 300, f"{prefix}-created_within_days": "0"},
        follow=True,
    )
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Order Import: Created within (days):" in text and "greater than or equal" in text
    dataflow.refresh_from_db()
    assert "created_within_days" not in dataflow.options


def test_an_operator_cannot_change_the_created_within_days_option(operator, connection):
    """Options are manager settings (connections.access.NEEDS), on the screen as in the API."""
    dataflow = connection.dataflows.get(kind="order_import")
    prefix = f"df{dataflow.pk}"
    response = client_for(operator).post(
        reverse("dataflow-save", args=[connection.pk, dataflow.pk]),
        {f"{prefix}-interval_seconds": 300, f"{prefix}-created_within_days": "7"},
    )
    assert response.status_code == 403
    dataflow.refresh_from_db()
    assert "created_within_days" not in dataflow.options


def test_an_operator_still_switches_a_flow_with_options_whose_inputs_are_read_only(
    operator, connection
):
    dataflow = connection.dataflows.get(kind="order_import")
    dataflow.options = {"created_within_days": 30}
    dataflow.save(update_fields=["options"])
    client = client_for(operator)
    html = client.get(reverse("connection-dataflows", args=[connection.pk])).content.decode()
    option_input = html.split(f'name="df{dataflow.pk}-created_within_days"')[1].split(">")[0]
    assert "disabled" in option_input
    # A disabled input is not sent: the stored option stays as it is.
    response = client.post(
        reverse("dataflow-save", args=[connection.pk, dataflow.pk]),
        {f"df{dataflow.pk}-interval_seconds": 900},
    )
    assert response.status_code == 302
    dataflow.refresh_from_db()
    assert (dataflow.enabled, dataflow.interval_seconds) == (False, 900)
    assert dataflow.options == {"created_within_days": 30}


def test_the_dataflows_tab_shows_each_dataflows_last_failure_and_failures_in_a_row(
    manager, connection
):
    from datetime import timedelta

    from django.utils import timezone

    dataflow = connection.dataflows.get(kind="order_import")
    now = timezone.now()

    def run(status, minutes_ago, error=""):
        at = now - timedelta(minutes=minutes_ago)
        made = Run.objects.create(
            dataflow=dataflow, trigger=Run.Trigger.SCHEDULE, status=status, error_message=error
        )
        Run.objects.filter(pk=made.pk).update(queued_at=at, started_at=at, finished_at=at)
        return made

    run(Run.Status.FAILED, 50, "an old failure")
    run(Run.Status.SUCCEEDED, 40)
    run(Run.Status.FAILED, 3)
    last = run(Run.Status.FAILED, 1, "BigCommerce refused the access token (401).")
    client = client_for(manager)
    html = client.get(reverse("connection-dataflows", args=[connection.pk])).content.decode()
    row = html[html.index(f'id="df-last-{dataflow.pk}"') :]
    row = row[: row.index("</div>\n</div>") if "</div>\n</div>" in row else 2000]
    assert "2 failures in a row" in row
    assert f'href="{reverse("run-detail", args=[connection.pk, last.pk])}">run {last.pk}</a>' in row
    assert "BigCommerce refused the access token (401)." in row

    run(Run.Status.SUCCEEDED, 0)
    html = client.get(reverse("connection-dataflows", args=[connection.pk])).content.decode()
    row = html[html.index(f'id="df-last-{dataflow.pk}"') :][:1500]
    assert "in a row" not in row and f"run {last.pk}</a>" in row  # the last failure stays shown
