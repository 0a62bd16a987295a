"""Deleting a connection's orders."""

from orders.models import Order, OrderError
from orders.services.deletes import orders_delete_for_connection
from tests.orders.helpers import importer, line, order_payload, reserved


def test_deleting_a_connections_orders_goes_in_batches_and_frees_stock(connection, products):
    importer(connection).import_page(
        [order_payload(i, lines=[line(sku="SKU-1", line_id=i)]) for i in range(101, 106)]
    )
    importer(connection).import_page([order_payload(200, lines=[line(sku="X")])])
    assert reserved(products["SKU-1"]) == 5

    assert orders_delete_for_connection(connection_id=connection.pk, batch_size=2) == 5

    assert not Order.objects.exists() and not OrderError.objects.exists()
    assert reserved(products["SKU-1"]) == 0
