"""The dashboard in a real browser: the log-in lands on it, it fits desktop (1280 px) and phone
(390 px) widths without horizontal scrolling, its charts draw, and a set-up step's button
does the step. Set DASHBOARD_SCREENSHOTS=DIR to keep a screenshot per width."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.kinds import PRODUCT_MATCH
from connections.alerts.models import Alert
from dataflows.models import Run
from dataflows.usage import api_usage_record
from orders.flows.kinds import ORDER_IMPORT
from tests.dashboard.helpers import finished_run, open_alert, order_of, running_run

pytestmark = pytest.mark.django_db(transaction=True)

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def busy(connection):
    connection.name = "Northwind Traders International Webshop"
    connection.save()
    now = timezone.now()
    for i in range(12):
        order_of(connection, 100 + i, imported_at=now - timedelta(days=i % 6, hours=i))
    finished_run(
        connection,
        ORDER_IMPORT,
        status=Run.Status.FAILED,
        error_message="BigCommerce answered 500 Internal Server Error for /v2/orders; the next "
        "run tries again from the last saved cursor.",
    )
    running_run(connection, ORDER_IMPORT, done=300, total=1200, seconds_ago=90)
    for hours in range(0, 30, 3):
        api_usage_record(
            connection_id=connection.pk, requests=400 + 50 * hours, at=now - timedelta(hours=hours)
        )
    open_alert(
        connection,
        condition=Alert.Condition.RUN_FAILED,
        message="Order Import failed twice in a row.",
    )
    return connection


@pytest.mark.parametrize("width", [1280, 390])
def test_the_dashboard_fits_desktop_and_phone_widths(
    page, live_server, login, operator, busy, width
):
    page.set_viewport_size({"width": width, "height": 900})
    login("olga")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(page.get_by_text("Order Import failed twice in a row.")).to_be_visible()
    expect(page.get_by_role("img", name="Orders imported per day")).to_be_visible()
    expect(page.get_by_role("img", name="API requests per hour")).to_be_visible()
    expect(page.get_by_text("300 / 1200 (25%)")).to_be_visible()
    expect(page.get_by_text("Set-up checklist")).to_be_visible()
    if os.environ.get("DASHBOARD_SCREENSHOTS"):
        os.makedirs(os.environ["DASHBOARD_SCREENSHOTS"], exist_ok=True)
        page.screenshot(
            path=os.path.join(os.environ["DASHBOARD_SCREENSHOTS"], f"dashboard-{width}.png"),
            full_page=True,
        )
    assert page.evaluate(NO_OVERFLOW), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )


def test_a_set_up_step_button_runs_its_step(page, live_server, login, operator, connection, worker):
    login("olga")
    page.goto(f"{live_server.url}/")
    step = page.locator("[data-step=product_match]")
    expect(step).to_contain_text("Not run yet")
    step.get_by_role("button", name="Run Product Match").click()
    page.wait_for_url(f"{live_server.url}/connections/{connection.pk}/runs/")
    expect(page.get_by_text("Product Match queued")).to_be_visible()
    assert Run.objects.filter(dataflow__kind=PRODUCT_MATCH, status=Run.Status.QUEUED).count() == 1
    page.goto(f"{live_server.url}/")
    expect(page.locator("[data-step=product_match]")).to_contain_text("Queued")
