"""The order's BigCommerce payload field (orders.fields)."""

import pytest
from django.db import connection as db_connection

from orders.models import Order
from tests.orders.helpers import importer, order_payload

pytestmark = pytest.mark.django_db


def test_the_payload_reads_back_as_it_was_stored_through_every_path(connection, products):
    payload = order_payload(7, customer_message="Bitte klingeln: Köln, 3. OG")
    importer(connection).import_page([payload])
    order = Order.objects.get(bc_order_id=7)

    assert order.raw == payload
    assert Order.objects.values_list("raw", flat=True).get(pk=order.pk) == payload
    Order.objects.filter(pk=order.pk).update(raw={"id": 7})
    order.refresh_from_db()
    assert order.raw == {"id": 7}
    order.raw = {"id": 7, "note": None}
    order.save(update_fields=["raw"])
    assert Order.objects.get(pk=order.pk).raw == {"id": 7, "note": None}


def test_on_postgresql_the_payload_is_kept_as_json_text_compressed_with_lz4():
    if db_connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's column types")
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT atttypid::regtype::text, attcompression FROM pg_attribute "
            "WHERE attrelid = 'orders_order'::regclass AND attname = 'raw'"
        )
        assert cursor.fetchone() == ("json", "l")
