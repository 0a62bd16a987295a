"""OrderImporter, a page at a time: new orders with their lines, addresses and customer;
payloads it cannot read; the same order seen again (idempotent upsert)."""

from datetime import timedelta

from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from orders.models import Customer, Order, OrderError, OrderLine
from tests.orders.helpers import T0, importer, line, order_payload, reserved


def test_a_new_order_is_imported_with_lines_addresses_and_customer(connection, products, log):
    payload = order_payload(
        101,
        lines=[line(sku="SKU-1", quantity=2, line_id=11), line(sku="SKU-2", line_id=12)],
        customer_message="Leave at the door",
    )

    result = importer(connection, log).import_page([payload])

    assert (result.created, result.failed) == (1, 0)
    order = Order.objects.get()
    assert order.bc_order_id == 101 and order.connection == connection
    assert order.tenant == connection.tenant
    assert order.hub_status == Order.HubStatus.OPEN
    assert order.date_created == T0
    assert order.raw == payload and order.customer_message == "Leave at the door"
    assert [(ln.bc_line_id, ln.sku, ln.quantity, ln.product.sku) for ln in order.lines.all()] == [
        (11, "SKU-1", 2, "SKU-1"),
        (12, "SKU-2", 1, "SKU-2"),
    ]
    kinds = sorted(order.addresses.values_list("kind", "zip"))
    assert kinds == [("billing", "78701"), ("shipping", "78701")]
    assert order.customer.email == "jane.doe@example.com"
    assert order.customer.kind == Customer.Kind.PERSON
    assert reserved(products["SKU-1"]) == 2 and reserved(products["SKU-2"]) == 1
    assert "Order 101 imported: 2 line(s)" in log.text()


def test_a_new_cancelled_order_is_imported_as_cancelled_and_reserves_nothing(connection, products):
    importer(connection).import_page([order_payload(101, status_id=5, lines=[line(sku="NOPE")])])
    order = Order.objects.get()
    assert order.hub_status == Order.HubStatus.CANCELLED
    assert not OrderError.objects.exists()


def test_digital_orders_are_skipped(connection, products):
    result = importer(connection).import_page([order_payload(101, order_is_digital=True)])
    assert result.skipped == 1 and not Order.objects.exists()


def test_an_unreadable_payload_fails_alone(connection, products, log):
    result = importer(connection, log).import_page(
        [{"id": 7, "status_id": "x"}, order_payload(101)]
    )
    assert (result.created, result.failed) == (1, 1)
    assert "cannot read" in log.text()
    error = OrderError.objects.get()
    assert (error.bc_order_id, error.code) == (7, "unreadable")
    importer(connection).import_page([order_payload(7)], force=True)  # a retry that reads it
    error.refresh_from_db()
    assert error.resolved_at is not None


def test_an_unchanged_order_seen_again_is_not_written(connection, products):
    payload = order_payload(101)
    importer(connection).import_page([payload])
    before = Order.objects.get().updated_at

    with CaptureQueriesContext(db_connection) as queries:
        result = importer(connection).import_page([payload])

    assert (result.created, result.updated, result.skipped) == (0, 0, 1)
    assert Order.objects.get().updated_at == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_the_same_order_twice_in_a_page_keeps_the_newest(connection, products):
    old = order_payload(101, lines=[line(sku="SKU-1", quantity=1, line_id=1)])
    new = order_payload(
        101, modified=T0 + timedelta(hours=1), lines=[line(sku="SKU-1", quantity=4, line_id=1)]
    )
    importer(connection).import_page([new, old])
    assert Order.objects.get().lines.get().quantity == 4


def test_an_older_version_never_overwrites_a_newer_one(connection, products):
    importer(connection, update_existing=True).import_page(
        [order_payload(101, modified=T0 + timedelta(hours=1), lines=[line(quantity=3, line_id=1)])]
    )
    result = importer(connection, update_existing=True).import_page(
        [order_payload(101, lines=[line(quantity=1, line_id=1)])]
    )
    assert result.skipped == 1
    assert OrderLine.objects.get().quantity == 3


def test_a_page_looks_up_its_orders_by_id_without_sorting_the_store(connection, products):
    """Sorted by the model's order (newest first), SQLite walks every order of the connection
    instead of looking up the page's ids: a page's cost grows with the store."""
    importer(connection).import_page([order_payload(n) for n in range(101, 111)])

    with CaptureQueriesContext(db_connection) as queries:
        importer(connection).import_page([order_payload(n) for n in range(111, 121)])

    lookups = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT")
        and ('FROM "orders_order"' in q["sql"] or 'FROM "orders_ordererror"' in q["sql"])
    ]
    assert len(lookups) == 2
    assert not [sql for sql in lookups if "ORDER BY" in sql]
    if db_connection.vendor == "sqlite":
        with db_connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {lookups[0]}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "orders_conn_created_idx" not in plan, plan
