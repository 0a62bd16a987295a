"""The dashboard: what a tenant's home page shows per connection, its set-up checklist by
role, tenant isolation, and a query count that does not grow with the connections."""

from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.kinds import PRODUCT_MATCH
from connections.alerts.models import Alert
from connections.models import Connection
from connections.webhooks.models import WebhookSubscription
from connections.webhooks.registration import SCOPES
from dataflows.models import Dataflow, Run
from dataflows.views import _next_run
from orders.flows.kinds import ORDER_IMPORT
from tests.dashboard.helpers import (
    client_for,
    finished_run,
    open_alert,
    order_of,
    running_run,
)
from tests.fixtures.tenants import make_connection


def page(user, url=None) -> str:
    response = client_for(user).get(url or reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_logging_in_lands_on_the_dashboard(manager, connection):
    response = client_for(None).post(
        reverse("login"), {"username": "alice", "password": "password"}
    )
    assert response["Location"] == reverse("dashboard") == "/"


def test_the_nav_leads_to_the_dashboard_and_to_the_connections(manager, connection):
    html = page(manager)
    assert f'href="{reverse("dashboard")}" class="current"' in html
    assert f'href="{reverse("home")}"' in html
    assert "Main store" in client_for(manager).get(reverse("home")).content.decode()


def test_each_dataflow_shows_its_last_success_and_its_last_failure_linked_to_the_run(
    manager, connection
):
    ok = finished_run(connection, ORDER_IMPORT, minutes_ago=30)
    bad = finished_run(
        connection,
        ORDER_IMPORT,
        status=Run.Status.FAILED,
        minutes_ago=2,
        error_message="BigCommerce refused the access token.",
    )
    html = page(manager)
    assert reverse("run-detail", args=[connection.pk, ok.pk]) in html
    assert reverse("run-detail", args=[connection.pk, bad.pk]) in html
    assert "BigCommerce refused the access token." in html
    assert 'class="failing"' in html


def test_a_failure_followed_by_a_success_is_shown_but_no_longer_failing(manager, connection):
    finished_run(
        connection,
        ORDER_IMPORT,
        status=Run.Status.FAILED,
        minutes_ago=30,
        error_message="Gone wrong.",
    )
    finished_run(connection, ORDER_IMPORT, minutes_ago=2)
    html = page(manager)
    assert 'class="failing"' not in html
    assert "dash-message" not in html  # the message shows while it is the latest word only


def test_a_running_run_shows_its_progress_and_the_time_left(manager, connection):
    running_run(connection, ORDER_IMPORT, done=250, total=1000, seconds_ago=60)
    html = page(manager)
    assert "250 / 1000 (25%)" in html
    assert "about 3 minutes left" in html


def test_a_running_run_without_total_shows_what_it_did(manager, connection):
    running_run(connection, ORDER_IMPORT, done=40, total=None)
    html = page(manager)
    assert "40 done" in html
    assert "left" not in html.split("40 done")[1][:200]


def test_the_last_order_received_and_webhook_health_are_shown(manager, connection):
    order_of(connection, 1, imported_at=timezone.now() - timedelta(hours=3))
    order_of(connection, 2, imported_at=timezone.now() - timedelta(minutes=10))
    WebhookSubscription.objects.create(
        connection=connection,
        state=WebhookSubscription.State.REGISTERED,
        hook_ids={scope: i for i, scope in enumerate(SCOPES)},
    )
    html = page(manager)
    assert "10\xa0minutes ago" in html
    assert f"Healthy ({len(SCOPES)}/{len(SCOPES)})" in html


def test_a_connection_without_orders_or_webhooks_says_so(manager, connection):
    html = page(manager)
    assert "none yet" in html
    assert "Not registered (0/" in html


def test_the_tenants_open_alerts_are_at_the_top(manager, connection, other_connection):
    open_alert(connection, message="Order Import failed three times.")
    open_alert(other_connection, message="Bob's import failed.")
    resolved = open_alert(connection, condition=Alert.Condition.MISSED_ORDERS, message="Old.")
    Alert.objects.filter(pk=resolved.pk).update(state=Alert.State.RESOLVED)
    html = page(manager)
    assert "Order Import failed three times." in html
    assert html.index("Order Import failed three times.") < html.index('aria-label="Connections"')
    assert "Bob's import failed." not in html
    assert "Old." not in html


def test_another_tenants_connection_never_appears(manager, connection, other_connection):
    html = page(manager)
    assert "Main store" in html
    assert "Bob&#x27;s store" not in html and "Bob's store" not in html


def test_another_tenants_connection_in_a_dashboard_url_is_404(manager, other_connection):
    url = reverse("dashboard-connection", args=[other_connection.pk])
    assert client_for(manager).get(url).status_code == 404


def test_one_connections_dashboard_shows_only_it(manager, connection):
    make_connection(connection.tenant, name="Outlet", store_hash="out222")
    html = page(manager, reverse("dashboard-connection", args=[connection.pk]))
    assert "Dashboard · Main store" in html
    assert "Outlet" not in html


def test_a_user_without_a_tenant_is_told_so(db):
    from tests.fixtures.tenants import make_user

    assert "You belong to no tenant yet" in page(make_user("loner"))


def test_the_dashboard_asks_for_login(db):
    response = client_for(None).get(reverse("dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ------------------------------------------------------------------------------ checklist


def test_a_new_connection_shows_its_set_up_checklist_with_the_operators_buttons(
    operator, connection
):
    html = page(operator)
    assert "Set-up checklist" in html
    match = connection.dataflows.get(kind=PRODUCT_MATCH)
    assert reverse("dataflow-run-now", args=[connection.pk, match.pk]) in html
    assert reverse("connection-webhooks-register", args=[connection.pk]) in html
    assert "csrfmiddlewaretoken" in html
    assert "Enter credentials" not in html  # a manager's step


def test_a_viewer_sees_the_checklist_without_buttons(viewer, connection):
    html = page(viewer)
    assert "Set-up checklist" in html
    assert "Run Product Match" not in html
    assert "Register webhooks" not in html


def test_a_manager_is_led_to_the_credentials_when_they_were_refused(manager, connection):
    open_alert(connection, condition=Alert.Condition.CREDENTIALS_REFUSED, message="Refused.")
    html = page(manager)
    assert "The store refused the credentials" in html
    assert reverse("connection-credentials", args=[connection.pk]) in html


def set_up_fully(connection):
    """Store name known, first Product Match and Order Import done, webhooks registered."""
    Connection.objects.filter(pk=connection.pk).update(store_name="A store")
    finished_run(connection, PRODUCT_MATCH)
    finished_run(connection, ORDER_IMPORT)
    WebhookSubscription.objects.create(
        connection=connection,
        state=WebhookSubscription.State.REGISTERED,
        hook_ids={scope: i for i, scope in enumerate(SCOPES)},
    )


def test_a_fully_set_up_connection_hides_the_checklist(manager, connection):
    set_up_fully(connection)
    assert "Set-up checklist" not in page(manager)


def test_the_checklist_button_queues_the_product_match(operator, connection, monkeypatch):
    monkeypatch.setattr("dataflows.services._enqueue_run", lambda *a, **k: None)
    match = connection.dataflows.get(kind=PRODUCT_MATCH)
    response = client_for(operator).post(
        reverse("dataflow-run-now", args=[connection.pk, match.pk])
    )
    assert response.status_code == 302
    assert Run.objects.filter(dataflow=match, status=Run.Status.QUEUED).count() == 1
    html = page(operator)
    assert "Queued: it starts as soon as a worker is free." in html
    assert "Run Product Match" not in html


# ------------------------------------------------------------------------------- queries


def _busy_connection(tenant, i: int):
    connection = make_connection(tenant, name=f"Store {i:02}", store_hash=f"st{i:04}")
    finished_run(connection, ORDER_IMPORT, minutes_ago=30)
    finished_run(connection, ORDER_IMPORT, status=Run.Status.FAILED, error_message="Boom.")
    running_run(connection, PRODUCT_MATCH, done=5, total=10)
    order_of(connection, 100 + i)
    open_alert(connection)
    WebhookSubscription.objects.create(connection=connection)
    return connection


def _queries(user) -> int:
    client = client_for(user)
    client.get(reverse("dashboard"))  # session and tenant look-ups warmed alike
    with CaptureQueriesContext(db_connection) as captured:
        assert client.get(reverse("dashboard")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("n", [1, 20])
def test_the_dashboards_queries_do_not_grow_with_the_connections(
    manager, tenant, n, django_assert_max_num_queries
):
    for i in range(n):
        _busy_connection(tenant, i)
    client = client_for(manager)
    client.get(reverse("dashboard"))
    with django_assert_max_num_queries(QUERY_BUDGET):
        html = client.get(reverse("dashboard")).content.decode()
    assert html.count('class="card dash-card"') == n


def test_twenty_connections_cost_the_same_queries_as_one(manager, tenant, other_tenant):
    _busy_connection(tenant, 0)
    one = _queries(manager)
    for i in range(1, 20):
        _busy_connection(tenant, i)
    assert _queries(manager) == one


# The cards 12 (session, user, tenant, rows; the shown cards' dataflows and runs again, in
# full), the charts 6.
QUERY_BUDGET = 18


def test_a_new_connections_general_tab_shows_the_checklist_until_it_is_set_up(operator, connection):
    url = reverse("connection-detail", args=[connection.pk])
    html = client_for(operator).get(url).content.decode()
    assert 'id="setup-panel"' in html and "Run Product Match" in html
    Connection.objects.filter(pk=connection.pk).update(store_name="Alice's store")
    finished_run(connection, PRODUCT_MATCH)
    finished_run(connection, ORDER_IMPORT)
    WebhookSubscription.objects.create(
        connection=connection,
        state=WebhookSubscription.State.REGISTERED,
        hook_ids={scope: i for i, scope in enumerate(SCOPES)},
    )
    assert 'id="setup-panel"' not in client_for(operator).get(url).content.decode()


def test_the_cards_refresh_live_while_a_run_is_going(manager, connection):
    assert 'data-live-url="/?partial=cards"' in page(manager)
    assert 'id="dash-cards"' in page(manager) and 'data-active="1"' not in page(manager)
    running_run(connection, ORDER_IMPORT, done=1, total=4)
    fragment = page(manager, reverse("dashboard") + "?partial=cards")
    assert fragment.startswith('<section class="dash-cards" id="dash-cards"')
    assert 'data-active="1"' in fragment and "1 / 4" in fragment
    assert "<svg" not in fragment


def test_many_connections_show_those_needing_attention_first_and_count_the_rest(
    manager, tenant, monkeypatch
):
    monkeypatch.setattr("dashboard.views.CARDS_SHOWN", 2)
    fine = [make_connection(tenant, name=f"A fine {n}", store_hash=f"fine{n}") for n in range(3)]
    for connection in fine:
        set_up_fully(connection)
    failing = make_connection(tenant, name="Z failing", store_hash="failing1")
    set_up_fully(failing)
    finished_run(
        failing, ORDER_IMPORT, status=Run.Status.FAILED, minutes_ago=1, error_message="HTTP 500"
    )

    html = page(manager)

    assert "Z failing" in html and "A fine 0" in html  # attention first, then by name
    assert "A fine 1" not in html and "A fine 2" not in html
    assert "2 more connections, all running as they should" in html
    assert f'href="{reverse("home")}"' in html


def test_the_cards_shown_among_many_connections_still_say_when_each_flow_runs_next(
    manager, tenant, monkeypatch
):
    """Many connections are ranked on plain cards; the shown ones are read in full."""
    monkeypatch.setattr("dashboard.views.CARDS_SHOWN", 1)
    for n in range(3):
        set_up_fully(make_connection(tenant, name=f"Store {n}", store_hash=f"store{n}"))

    html = page(manager)

    assert "Store 0" in html and "Store 1" not in html
    shown = Connection.objects.get(name="Store 0")
    for dataflow in Dataflow.objects.filter(connection=shown).select_related("connection"):
        _, label = _next_run(dataflow, dataflow.runs.order_by("-queued_at").first(), True)
        assert f'<span class="small">{label}</span>' in html, dataflow.kind
    assert '<span class="small"></span>' not in html
