"""Customers from the orders' billing: one per e-mail in a tenant, person or company."""

from orders.models import Customer, Order
from tests.fixtures.tenants import make_connection
from tests.orders.helpers import address, importer, order_payload


def test_a_company_billing_address_makes_a_company_customer(connection, products):
    importer(connection).import_page(
        [order_payload(101, billing=address(company="Acme Pty Ltd", email="Buyer@Acme.test"))]
    )
    customer = Customer.objects.get()
    assert (customer.kind, customer.company, customer.email) == (
        Customer.Kind.COMPANY,
        "Acme Pty Ltd",
        "buyer@acme.test",
    )
    assert customer.display_name == "Acme Pty Ltd (Jane Doe)"


def test_customers_are_matched_by_email_across_the_tenants_connections(
    tenant, connection, products
):
    second = make_connection(tenant, name="Second store", store_hash="second1")
    importer(connection).import_page([order_payload(101)])
    importer(second).import_page(
        [order_payload(555, billing=address(email="JANE.DOE@example.com"))]
    )

    assert Customer.objects.count() == 1
    assert set(Order.objects.values_list("customer", flat=True)) == {Customer.objects.get().pk}


def test_a_company_customer_stays_a_company_when_a_later_order_has_no_company(connection, products):
    importer(connection).import_page([order_payload(101, billing=address(company="Acme"))])
    importer(connection).import_page([order_payload(102)])
    assert Customer.objects.get().kind == Customer.Kind.COMPANY


def test_guest_orders_without_an_email_have_no_customer(connection, products):
    importer(connection).import_page([order_payload(101, billing=address(email=""))])
    assert Order.objects.get().customer is None
