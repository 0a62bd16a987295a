"""Deleting a connection's orders."""

from connections.models import Connection
from connections.signals import connection_purge
from orders.models import Order, OrderError
from orders.services.deletes import orders_delete_for_connection
from tests.fixtures.tenants import make_connection
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


def test_purging_a_connection_deletes_its_orders_only(connection, products):
    other = make_connection(connection.tenant, name="Other store", store_hash="other1")
    importer(connection).import_page([order_payload(101, lines=[line(sku="SKU-1")])])
    importer(other).import_page([order_payload(101, lines=[line(sku="SKU-1")])])

    connection_purge.send(sender=Connection, connection=connection, batch_size=1)

    assert list(Order.objects.values_list("connection_id", flat=True)) == [other.pk]
    assert reserved(products["SKU-1"]) == 1
