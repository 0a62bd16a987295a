"""Personal data of old shipped or cancelled orders is anonymised (orders.services.retention),
and nothing else is touched."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from catalog.models import Product
from orders.models import Address, Customer, Order
from orders.services.retention import orders_anonymise
from tests.connections.screens import client_for
from tests.orders.helpers import importer, order_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("products")]
NOW = datetime(2026, 6, 1, 3, 30, tzinfo=UTC)
SHIPPED, CANCELLED, AWAITING = "shipped", "cancelled", "open"


def _import(connection, order_id, *, status_id, days_ago):
    """An order imported while open, since shipped or cancelled `days_ago` (or still open)."""
    finished = NOW - timedelta(days=days_ago)
    importer(connection).import_page(
        [order_payload(order_id, created=finished - timedelta(days=3),
                       customer_message="Ring twice, Jane", staff_notes="VIP")]
    )  # fmt: skip
    orders = Order.objects.filter(connection=connection, bc_order_id=order_id)
    orders.update(
        hub_status=status_id,
        date_modified=finished,
        date_shipped=finished if status_id == SHIPPED else None,
        updated_at=finished,
    )
    return orders.get()


@pytest.fixture
def retention(tenant):
    tenant.pii_retention_days = 90
    tenant.save()
    return tenant


def test_only_shipped_or_cancelled_orders_past_the_retention_are_anonymised(connection, retention):
    old_shipped = _import(connection, 1, status_id=SHIPPED, days_ago=91)
    old_cancelled = _import(connection, 2, status_id=CANCELLED, days_ago=120)
    recent_shipped = _import(connection, 3, status_id=SHIPPED, days_ago=30)
    old_open = _import(connection, 4, status_id=AWAITING, days_ago=200)

    done = orders_anonymise(tenant=retention, now=NOW)

    assert done["orders_anonymised"] == 2
    anonymised = set(Order.objects.filter(anonymised_at=NOW).values_list("pk", flat=True))
    assert anonymised == {old_shipped.pk, old_cancelled.pk}
    for kept in (recent_shipped, old_open):
        kept.refresh_from_db()
        assert kept.email and kept.customer_message and kept.anonymised_at is None
        assert Address.objects.filter(order=kept, last_name="Doe").exists()


def test_anonymising_keeps_what_accounting_needs_and_removes_the_person(connection, retention):
    order = _import(connection, 1, status_id=SHIPPED, days_ago=91)
    lines_before = list(order.lines.values_list("sku", "quantity"))

    orders_anonymise(tenant=retention, now=NOW)

    order.refresh_from_db()
    assert (order.email, order.customer_message, order.staff_notes) == ("", "", "")
    assert order.customer is None
    assert order.bc_order_id == 1 and order.total_inc_tax > 0 and order.currency_code == "USD"
    assert list(order.lines.values_list("sku", "quantity")) == lines_before
    assert "billing_address" not in order.raw and "consignments" not in order.raw
    assert order.raw["total_inc_tax"] == "15.0000"
    for address in order.addresses.all():
        assert not any(
            (address.first_name, address.last_name, address.street_1, address.city,
             address.zip, address.phone, address.email)
        )  # fmt: skip
        assert address.country_iso2 == "US"
    assert not Customer.objects.exists()  # its only order is anonymised


def test_a_customer_with_a_recent_order_is_kept(connection, retention):
    _import(connection, 1, status_id=SHIPPED, days_ago=91)
    recent = _import(connection, 2, status_id=SHIPPED, days_ago=5)

    assert orders_anonymise(tenant=retention, now=NOW)["customers_deleted"] == 0
    assert Customer.objects.get().orders.get() == recent


def test_a_blank_setting_keeps_personal_data(connection, tenant):
    assert tenant.pii_retention_days is None
    order = _import(connection, 1, status_id=SHIPPED, days_ago=1000)
    assert orders_anonymise(tenant=tenant, now=NOW)["orders_anonymised"] == 0
    order.refresh_from_db()
    assert order.email


def test_another_tenants_orders_are_not_touched(connection, other_connection, retention):
    Product.objects.create(tenant=other_connection.tenant, sku="SKU-1", on_hand=5)
    _import(other_connection, 1, status_id=SHIPPED, days_ago=400)
    assert orders_anonymise(tenant=retention, now=NOW)["orders_anonymised"] == 0
    assert Order.objects.get(connection=other_connection).email


def test_it_works_in_batches_and_a_second_run_finds_nothing(
    connection, retention, django_assert_max_num_queries
):
    for order_id in range(1, 6):
        _import(connection, order_id, status_id=SHIPPED, days_ago=100)

    assert orders_anonymise(tenant=retention, now=NOW, batch_size=2)["orders_anonymised"] == 5
    with django_assert_max_num_queries(1):
        assert orders_anonymise(tenant=retention, now=NOW)["orders_anonymised"] == 0


def test_an_order_imported_again_after_anonymising_is_anonymised_again(connection, retention):
    order = _import(connection, 1, status_id=SHIPPED, days_ago=91)
    orders_anonymise(tenant=retention, now=NOW)
    later = NOW + timedelta(hours=1)
    Order.objects.filter(pk=order.pk).update(email="jane.doe@example.com", updated_at=later)

    assert orders_anonymise(tenant=retention, now=later)["orders_anonymised"] == 1
    order.refresh_from_db()
    assert order.email == ""


def test_the_order_page_says_the_personal_data_was_removed(connection, retention, manager):
    order = _import(connection, 1, status_id=SHIPPED, days_ago=91)
    orders_anonymise(tenant=retention, now=NOW)
    page = client_for(manager).get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "data-anonymised" in page and "Removed on 1 Jun 2026" in page
