"""Click through the CONNECTIONS screen in a real browser, as an operator would.

The store is the sandbox (a simulated BigCommerce in its own process) when it can run; the
worker is a stand-in that runs queued runs and deletions when the test says so, so that the
test can watch the pages update themselves (no reload) while work progresses.
"""

import re

import pytest
from playwright.sync_api import expect

from connections.models import Connection, ListPreference, Membership, SavedListView, Tenant
from dataflows.models import Run
from tests.fixtures.tenants import make_connection, make_user

pytestmark = pytest.mark.django_db(transaction=True)

# How long a page may take to update itself (it polls every 2.5 s).
LIVE_TIMEOUT_MS = 15_000


def row(page, name):
    return page.locator("#connections-table tbody tr", has_text=name)


def test_log_in_and_create_a_connection(page, live_server, login, manager, store):
    login("alice")
    expect(page.get_by_role("heading", name="Connections")).to_be_visible()
    expect(page.get_by_text("No connections yet")).to_be_visible()

    page.get_by_role("link", name="Add connection").click()
    expect(page.get_by_role("heading", name="Create connection")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Demo store")
    page.get_by_role("button", name="Apply name").click()
    expect(page.get_by_label("Name", exact=True)).to_have_attribute("readonly", "")
    # The credentials appear once a driver is chosen.
    expect(page.get_by_label("Store hash")).to_be_hidden()
    page.get_by_label("Driver").select_option(label="BigCommerce")
    page.get_by_label("Store hash").fill(store.store_hash)
    page.get_by_label("Access token").fill(store.token)
    page.get_by_role("button", name="SAVE").click()

    connection = Connection.objects.get()
    page.wait_for_url(f"{live_server.url}/connections/{connection.pk}/")
    expect(
        page.get_by_role("status").filter(has_text="Connection “Demo store” created")
    ).to_be_visible()
    expect(page.locator("[data-created]")).to_have_text(f"Created {connection.created_at:%d/%m/%Y}")
    assert connection.access_token == store.token
    assert store.token not in page.content()

    page.get_by_role("link", name="Back to connections").click()
    expect(row(page, "Demo store")).to_contain_text("Active")
    expect(row(page, "Demo store")).to_contain_text("BigCommerce")
    # Clicking a row opens it.
    row(page, "Demo store").locator("td").nth(2).click()
    page.wait_for_url(f"{live_server.url}/connections/{connection.pk}/")


def test_a_wrong_token_shows_the_error_and_saves_nothing(page, live_server, login, manager, store):
    login("alice")
    page.goto(f"{live_server.url}/connections/new/")
    page.get_by_label("Name", exact=True).fill("Wrong one")
    page.get_by_label("Driver").select_option("bigcommerce")
    page.get_by_label("Store hash").fill(store.store_hash)
    page.get_by_label("Access token").fill("not-the-token")
    page.get_by_role("button", name="SAVE").click()

    expect(page.locator(".field.has-error", has_text="Access token")).to_contain_text(
        "BigCommerce refused"
    )
    expect(page.get_by_label("Access token")).to_have_value("")  # never echoed back
    expect(page.get_by_label("Name", exact=True)).to_have_value("Wrong one")
    assert "not-the-token" not in page.content()
    assert not Connection.objects.exists()


def test_edit_name_and_settings(page, live_server, login, manager, tenant):
    connection = make_connection(tenant, name="Main store")
    login("alice")
    page.goto(f"{live_server.url}/connections/{connection.pk}/")

    page.get_by_role("button", name="Edit name").click()
    page.get_by_label("Connection name").fill("Main store EU")
    page.get_by_role("button", name="Apply name").click()
    expect(page.get_by_role("heading", name="Main store EU")).to_be_visible()

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Order filters").click()
    page.locator("label.toggle", has_text="Awaiting Payment").click()
    page.locator("label.toggle", has_text="Cancelled").click()
    page.get_by_label("Import only orders with an ID greater than").fill("5000")
    page.locator("label.toggle", has_text="Import archived orders").click()
    page.get_by_role("button", name="SAVE").click()
    expect(page.get_by_role("status").filter(has_text="Order filters saved.")).to_be_visible()
    expect(page.get_by_label("Import only orders with an ID greater than")).to_have_value("5000")

    page.get_by_role("link", name="Products and stock").click()
    page.get_by_label("Match products by").select_option(label="UPC")
    page.get_by_label("Inventory location ID").fill("0")
    page.get_by_role("button", name="SAVE").click()
    expect(page.locator(".field.has-error")).to_contain_text("greater than or equal to 1")
    page.get_by_label("Inventory location ID").fill("2")
    page.get_by_role("button", name="SAVE").click()
    expect(page.get_by_role("status").filter(has_text="Products and stock saved.")).to_be_visible()

    page.get_by_role("link", name="Dataflows").click()
    flow = page.locator("[data-dataflow=changed_product_match]")
    flow.locator("label.toggle").click()
    flow.get_by_label("Changed Product Match schedule").select_option(label="Every 15 minutes")
    flow.get_by_role("button", name="SAVE").click()
    expect(page.get_by_role("status")).to_contain_text("Changed Product Match enabled")

    connection.refresh_from_db()
    assert connection.name == "Main store EU"
    assert connection.order_status_filter == [7, 11]
    assert connection.import_min_order_id == 5000
    assert connection.import_archived_orders is True
    assert (connection.master_sku_field, connection.inventory_location_id) == ("upc", 2)
    dataflow = connection.dataflows.get(kind="changed_product_match")
    assert (dataflow.enabled, dataflow.interval_seconds) == (True, 900)


def test_columns_bar_and_views(page, live_server, login, manager, tenant):
    make_connection(tenant, name="Main store", store_hash="s1")
    make_connection(tenant, name="Outlet", store_hash="s2", status="inactive")
    login("alice")
    headers = page.locator("#connections-table thead th a")
    expect(headers).to_have_text(["Name", "Status", "Order/Return have errors", "Driver", "ID"])

    page.get_by_role("button", name="Columns (5)").click()
    bar = page.locator("[data-columns-bar]")
    expect(bar).to_be_visible()
    bar.get_by_role("checkbox", name="Driver").uncheck()
    expect(page.get_by_role("button", name="Columns (4)")).to_be_visible()
    bar.get_by_role("button", name="Move ID left").click()
    expect(headers).to_have_text(["Name", "Status", "ID", "Order/Return have errors"])
    bar.get_by_role("checkbox", name="Store hash").check()
    expect(headers).to_have_text(["Name", "Status", "ID", "Order/Return have errors", "Store hash"])
    # Remembered: a fresh visit shows the same columns.
    page.goto(f"{live_server.url}/connections/")
    expect(page.get_by_role("button", name="Columns (5)")).to_be_visible()
    expect(headers).to_have_text(["Name", "Status", "ID", "Order/Return have errors", "Store hash"])

    # A saved view: filter + sort, under a name.
    page.locator("form[data-filters] select[name=status]").select_option("inactive")
    expect(row(page, "Outlet")).to_be_visible()
    expect(row(page, "Main store")).to_have_count(0)
    page.locator("summary", has_text="VIEW").click()
    page.get_by_label("Save current view as").fill("Inactive ones")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("[data-view-name]")).to_have_text("Inactive ones")
    view = SavedListView.objects.get()
    assert view.filters == {"status": "inactive"}

    page.locator("summary", has_text="VIEW").click()
    page.get_by_role("link", name="All connections").click()
    expect(row(page, "Main store")).to_be_visible()
    expect(row(page, "Outlet")).to_be_visible()
    page.locator("summary", has_text="VIEW").click()
    page.get_by_role("link", name="Inactive ones").click()
    expect(row(page, "Main store")).to_have_count(0)
    assert ListPreference.objects.get(user=manager).view == view


def test_select_several_then_disable_and_enable(page, live_server, login, manager, tenant):
    make_connection(tenant, name="Alpha", store_hash="a1")
    make_connection(tenant, name="Beta", store_hash="b1")
    make_connection(tenant, name="Gamma", store_hash="c1", status="inactive")
    login("alice")
    editing = page.locator("[data-toolbar=editing]")
    expect(editing).to_be_hidden()

    row(page, "Alpha").get_by_role("checkbox").check()
    expect(editing).to_be_visible()
    for name in ("DELETE", "SYNCHRONIZE", "DISABLE", "Edit"):
        expect(editing.get_by_role("button", name=name)).to_be_visible()
    expect(editing.get_by_role("button", name="ENABLE")).to_be_hidden()

    row(page, "Beta").get_by_role("checkbox").check()
    expect(editing.get_by_text("2 selected")).to_be_visible()
    for name in ("DELETE", "SYNCHRONIZE", "Edit", "ENABLE"):
        expect(editing.get_by_role("button", name=name)).to_be_hidden()
    editing.get_by_role("button", name="DISABLE").click()
    expect(page.get_by_role("status")).to_contain_text("Disabled “Alpha”, “Beta”")
    expect(row(page, "Alpha")).to_contain_text("Inactive")
    expect(row(page, "Beta")).to_contain_text("Inactive")

    page.get_by_label("Select all connections").check()
    expect(editing.get_by_text("3 selected")).to_be_visible()
    expect(editing.get_by_role("button", name="DISABLE")).to_be_hidden()
    editing.get_by_role("button", name="ENABLE").click()
    for name in ("Alpha", "Beta", "Gamma"):
        expect(row(page, name)).to_contain_text("Active")
    assert set(Connection.objects.values_list("status", flat=True)) == {"active"}


def test_synchronize_shows_the_popup_and_runs_progress(
    page, live_server, login, manager, tenant, store, worker
):
    connection = make_connection(tenant, name="Demo store", store_hash=store.store_hash)
    Connection.objects.filter(pk=connection.pk).update(access_token=store.token)
    login("alice")
    row(page, "Demo store").get_by_role("checkbox").check()
    page.locator("[data-toolbar=editing]").get_by_role("button", name="SYNCHRONIZE").click()

    popup = page.get_by_role("dialog", name="Sync triggered")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text("9 dataflows of “Demo store” are queued")
    popup.get_by_role("link", name="Follow the runs").click()

    runs = page.locator("#runs tbody tr[data-run]")
    expect(runs).to_have_count(9)
    expect(page.locator("#runs .run-status.queued")).to_have_count(9)
    expect(page.get_by_text("Live: refreshing")).to_be_visible()
    assert len(worker.runs) == 9

    # The worker runs them; the page follows without a reload.
    finished = worker.execute_runs()
    assert all(run.status in Run.FINISHED for run in finished)
    expect(page.locator("#runs .run-status.queued")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    expect(page.get_by_text("Live: refreshing")).to_be_hidden(timeout=LIVE_TIMEOUT_MS)
    first = finished[0]
    page.locator(f"#runs tr[data-run='{first.pk}'] a").first.click()
    expect(page.get_by_role("heading", name=re.compile(f"Run #{first.pk}"))).to_be_visible()


def test_delete_asks_for_confirmation(page, live_server, login, manager, tenant, worker):
    make_connection(tenant, name="Keep me", store_hash="k1")
    doomed = make_connection(tenant, name="Old store", store_hash="o1")
    login("alice")
    row(page, "Old store").get_by_role("checkbox").check()
    editing = page.locator("[data-toolbar=editing]")

    editing.get_by_role("button", name="DELETE").click()
    dialog = page.get_by_role("dialog", name="Delete connection?")
    expect(dialog).to_contain_text("Old store")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    doomed.refresh_from_db()
    assert doomed.status == "active"

    editing.get_by_role("button", name="DELETE").click()
    dialog.get_by_role("button", name="DELETE").click()
    expect(row(page, "Old store")).to_contain_text("Deleting…")
    expect(row(page, "Old store").get_by_role("checkbox")).to_be_disabled()
    assert worker.deletions == [doomed.pk]

    # The list shows it until it is gone, then drops it by itself.
    worker.execute_deletions()
    expect(row(page, "Old store")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    expect(row(page, "Keep me")).to_be_visible()
    assert not Connection.objects.filter(pk=doomed.pk).exists()


def test_viewer_gets_no_action_buttons(page, live_server, login, tenant):
    make_connection(tenant, name="Main store")
    make_user("victor", tenant=tenant, role=Membership.Role.VIEWER)
    login("victor")
    expect(page.get_by_role("link", name="Add connection")).to_have_count(0)
    row(page, "Main store").get_by_role("checkbox").check()
    editing = page.locator("[data-toolbar=editing]")
    expect(editing.get_by_role("button", name="Edit")).to_be_visible()
    for name in ("DELETE", "SYNCHRONIZE", "DISABLE", "ENABLE"):
        expect(editing.get_by_role("button", name=name)).to_have_count(0)
    editing.get_by_role("button", name="Edit").click()
    expect(page.get_by_role("heading", name="Main store")).to_be_visible()
    expect(page.get_by_role("button", name="SYNCHRONIZE")).to_have_count(0)
    page.get_by_role("link", name="Credentials").click()
    expect(page.get_by_text("Only a manager can change credentials")).to_be_visible()


def test_tenant_switch_and_logout(page, live_server, login, manager, tenant):
    other = Tenant.objects.create(name="Second Shop")
    Membership.objects.create(tenant=other, user=manager, role=Membership.Role.VIEWER)
    make_connection(tenant, name="Main store", store_hash="m1")
    make_connection(other, name="Second store", store_hash="s2")
    login("alice")
    expect(row(page, "Main store")).to_be_visible()
    page.get_by_label("Tenant").select_option(label="Second Shop")
    expect(row(page, "Second store")).to_be_visible()
    expect(row(page, "Main store")).to_have_count(0)
    expect(page.locator(".role-badge")).to_have_text("Viewer")

    page.get_by_label("User menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
