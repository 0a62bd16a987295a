"""The Orders tab's badge (open order errors) follows the connection page's live refresh: an
order error recorded while a run is going on shows up without a reload."""

import pytest
from playwright.sync_api import expect

from dataflows.models import Dataflow, Run
from orders.flows import ORDER_IMPORT
from tests.fixtures.tenants import make_connection
from tests.orders.helpers import open_order_error

pytestmark = pytest.mark.django_db(transaction=True)

# How long a page may take to update itself (it polls every 2.5 s).
LIVE_TIMEOUT_MS = 15_000


@pytest.mark.parametrize("tab", ["", "runs/", "dataflows/"])
def test_the_orders_badge_changes_without_reload_when_an_order_error_appears(
    page, live_server, login, manager, tenant, tab
):
    connection = make_connection(tenant, name="Demo store")
    dataflow = Dataflow.objects.get(connection=connection, kind=ORDER_IMPORT)
    run = Run.objects.create(dataflow=dataflow, trigger=Run.Trigger.MANUAL)
    login("alice")
    page.goto(f"{live_server.url}/connections/{connection.pk}/{tab}")
    badge = page.locator("nav.tabs #orders-tab-badge")
    expect(badge).to_be_hidden()
    page.evaluate("window.notReloaded = true")

    open_order_error(connection, 101)  # the run meets a bad order
    expect(badge).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(badge).to_have_text("1")

    open_order_error(connection, 102)
    Run.objects.filter(pk=run.pk).update(status=Run.Status.FAILED)  # the last refresh
    expect(badge).to_have_text("2", timeout=LIVE_TIMEOUT_MS)
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#orders-tab-badge").count() == 1
