"""Listings from the catalog page: a manager publishes, pauses, unpauses, hides, unhides and
delists a product; each background run is played in the test (against a fake of the driver's
ListingsAPI) and the page then shows the new state."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from dataflows.models import Dataflow
from dataflows.services import dataflow_run_foreground, dataflows_create_for_connection
from dataflows.tasks import run_execute_task
from listings.kinds import DELIST_LISTINGS, LISTING_VISIBILITY, PUBLISH_LISTINGS
from tests.fixtures.tenants import make_connection
from tests.listings.fakes import FakeListingsAPI

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_publishes_pauses_unpauses_hides_unhides_and_delists_from_the_catalog(
    page, live_server, login, manager, tenant, monkeypatch
):
    monkeypatch.setattr(run_execute_task, "apply_async", lambda *a, **k: None)
    connection = make_connection(tenant, name="Demo store", store_hash="brws111")
    dataflows_create_for_connection(connection=connection)
    Product.objects.create(tenant=tenant, sku="MUG", name="Mug", price=Decimal(8), weight=1)
    api = FakeListingsAPI()

    def run(kind):
        dataflow = Dataflow.objects.select_related("connection").get(
            connection=connection, kind=kind
        )
        dataflow_run_foreground(dataflow=dataflow, client=api)

    login("alice")
    page.goto(f"{live_server.url}/catalog/")
    page.click("[data-listings-link]")
    row = page.locator('tr[data-sku="MUG"]')
    state = row.locator("[data-listing-state]")
    expect(state).to_have_text("Not listed")

    def act(label, kind=None):
        row.locator('input[name="product"]').check()
        page.locator("[data-listing-actions] button", has_text=label).first.click()
        if kind:
            run(kind)
            page.reload()

    act("Publish", PUBLISH_LISTINGS)
    expect(state).to_have_text("Live")
    act("Pause")
    expect(state).to_have_text("Paused")
    act("Unpause")
    expect(state).to_have_text("Live")
    act("Hide", LISTING_VISIBILITY)
    expect(state).to_have_text("Hidden")
    act("Unhide", LISTING_VISIBILITY)
    expect(state).to_have_text("Live")
    act("Delist", DELIST_LISTINGS)
    expect(state).to_have_text("Delisted")
    assert api.products == {}
