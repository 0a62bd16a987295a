"""The orders admin for hub staff: pages load, shipments are recorded through the service."""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Product
from orders.models import Order, OrderError, Shipment
from orders.services.importer import OrderImporter
from tests.orders.helpers import line, order_payload


@pytest.fixture
def admin_client(staff):
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def order(tenant, connection):
    Product.objects.create(tenant=tenant, sku="SKU-1")
    OrderImporter(connection=connection).import_page(
        [order_payload(101, lines=[line(sku="SKU-1", quantity=2)]), order_payload(102, lines=[])]
    )
    return Order.objects.get(bc_order_id=101)


def test_the_admin_pages_load(admin_client, order):
    for name in ("order", "shipment", "ordererror", "customer"):
        assert admin_client.get(reverse(f"admin:orders_{name}_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert page.status_code == 200 and "SKU-1" in page.content.decode()


def test_a_shipment_recorded_in_the_admin_goes_through_the_checks(admin_client, order):
    url = reverse("admin:orders_shipment_add")
    line_pk = order.lines.get().pk
    refused = admin_client.post(
        url, {"order": order.pk, "tracking_number": "1Z", "lines_text": f"{line_pk}:5"}
    )
    assert refused.status_code == 200 and "more than the 2 still open" in refused.content.decode()

    done = admin_client.post(
        url,
        {"order": order.pk, "tracking_number": "1Z", "tracking_carrier": "ups", "lines_text": ""},
    )
    assert done.status_code == 302
    shipment = Shipment.objects.get()
    assert shipment.lines.get().quantity == 2 and shipment.tracking_carrier == "ups"


def test_errors_are_retried_and_ignored_from_the_admin(admin_client, order, queued):
    error = OrderError.objects.get(bc_order_id=102)
    url = reverse("admin:orders_ordererror_changelist")
    admin_client.post(url, {"action": "retry", "_selected_action": [error.pk]})
    error.refresh_from_db()
    assert error.retry_requested_at
    admin_client.post(url, {"action": "ignore", "_selected_action": [error.pk]})
    error.refresh_from_db()
    assert error.resolution == "ignored"
