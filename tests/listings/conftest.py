from decimal import Decimal

import pytest

from catalog.models import Product
from dataflows.models import Dataflow
from dataflows.services import dataflow_run_foreground, dataflows_create_for_connection
from dataflows.tasks import run_execute_task
from listings.models import Listing
from listings.services import listings_act
from tests.catalog.helpers import bc_client, run_flow, store  # noqa: F401
from tests.fixtures.tenants import make_connection
from tests.listings.fakes import FakeListingsAPI


@pytest.fixture(autouse=True)
def no_task_is_sent(monkeypatch):
    monkeypatch.setattr(run_execute_task, "apply_async", lambda *a, **k: None)
    monkeypatch.setattr(run_execute_task, "delay", lambda *a, **k: None)


@pytest.fixture
def shop(tenant):
    connection = make_connection(tenant, name="Shop", store_hash="shop111")
    dataflows_create_for_connection(connection=connection)
    return connection


@pytest.fixture
def fake():
    return FakeListingsAPI()


@pytest.fixture
def run(fake):
    def run(connection, kind, api=None):
        dataflow = Dataflow.objects.select_related("connection").get(
            connection=connection, kind=kind
        )
        return dataflow_run_foreground(dataflow=dataflow, client=api or fake)

    return run


@pytest.fixture
def tee(tenant):
    """A variant group: T-shirt with sizes S and M."""
    parent = Product.objects.create(
        tenant=tenant,
        sku="TEE",
        name="T-shirt",
        description="Soft cotton",
        price=Decimal("12.50"),
        weight=Decimal("0.2"),
        brand="Acme",
        categories=["Shirts"],
        image_urls=["https://img.example.com/tee.jpg"],
        attributes=[{"name": "Material", "value": "Cotton"}],
    )
    for size in ("S", "M"):
        Product.objects.create(
            tenant=tenant,
            sku=f"TEE-{size}",
            parent=parent,
            price=Decimal("12.50"),
            option_values=[{"option": "Size", "value": size}],
        )
    return parent


@pytest.fixture
def mug(tenant):
    return Product.objects.create(
        tenant=tenant, sku="MUG", name="Mug", price=Decimal("8"), weight=Decimal("0.4")
    )


def act(connection, action, *products):
    return listings_act(connection=connection, action=action, product_ids=[p.pk for p in products])


def listing(connection, product) -> Listing:
    return Listing.objects.get(connection=connection, product=product)
