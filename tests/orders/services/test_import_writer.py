"""The order errors an import creates, updates and resolves."""

from catalog.models import Product
from orders.models import Order, OrderError
from orders.services.errors import order_errors_ignore
from tests.orders.helpers import importer, line, order_payload


def test_an_error_resolves_itself_when_a_later_import_succeeds(connection, products, log):
    payload = order_payload(101, lines=[line(sku="NEW-SKU", line_id=31)])
    importer(connection).import_page([payload])
    assert OrderError.objects.get().is_open

    Product.objects.create(tenant=connection.tenant, sku="NEW-SKU")
    importer(connection, log).import_page([payload], force=True)

    error = OrderError.objects.get()
    assert error.resolved_at is not None and error.resolution == "resolved"
    assert error.resolution_note == "Order 101 imported."
    assert Order.objects.get().lines.get().product.sku == "NEW-SKU"


def test_the_same_problem_seen_again_is_not_reported_twice(connection, products, log):
    payload = order_payload(101, lines=[line(sku="NEW-SKU", line_id=31)])
    importer(connection).import_page([payload])
    first = OrderError.objects.get()

    result = importer(connection, log).import_page([payload])

    assert result.skipped == 1 and result.failed == 0 and not log
    assert OrderError.objects.get().last_seen_at == first.last_seen_at

    result = importer(connection, log).import_page([payload], force=True)  # a retry
    assert result.failed == 1 and OrderError.objects.get().occurrences == 2


def test_an_ignored_error_is_not_raised_again(connection, products, log, manager):
    payload = order_payload(101, lines=[line(sku="NEW-SKU")])
    importer(connection).import_page([payload])
    error = OrderError.objects.get()

    assert order_errors_ignore(errors=[error], reason="Engraving, done by hand", user=manager) == 1
    importer(connection, log).import_page([payload], force=True)

    error = OrderError.objects.get()
    assert (error.resolution, error.resolution_note, error.resolved_by) == (
        "ignored",
        "Engraving, done by hand",
        manager,
    )
    assert "ignored" in log.text()


def test_errors_of_an_order_that_left_the_filter_are_resolved(connection, products):
    importer(connection).import_page([order_payload(101, lines=[line(sku="X")])])
    importer(connection).import_page(
        [order_payload(101, status_id=10, lines=[line(sku="X")])], force=True
    )
    error = OrderError.objects.get()
    assert error.resolved_at and "Not imported any more" in error.resolution_note


def test_an_error_resolved_by_importing_its_order_is_linked_to_the_order(connection, products):
    payload = order_payload(101, lines=[line(sku="NEW-SKU", line_id=31)])
    importer(connection).import_page([payload])
    assert OrderError.objects.get().order_id is None  # not imported

    Product.objects.create(tenant=connection.tenant, sku="NEW-SKU")
    importer(connection).import_page([payload], force=True)

    assert OrderError.objects.get().order_id == Order.objects.get().pk
