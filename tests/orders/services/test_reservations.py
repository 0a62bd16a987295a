"""Stock the open orders reserve, and the catalog told when it changes."""

from catalog.models import Product
from orders.services.reservations import products_recount_reserved
from tests.orders.helpers import importer, line, order_payload, reserved


def test_reservations_count_open_lines_of_open_orders_only(connection, products):
    p1 = products["SKU-1"]
    importer(connection).import_page(
        [
            order_payload(101, lines=[line(sku="SKU-1", quantity=2, line_id=1)]),
            order_payload(102, lines=[line(sku="SKU-1", quantity=3, line_id=2, shipped=1)]),
            order_payload(103, status_id=5, lines=[line(sku="SKU-1", quantity=7, line_id=3)]),
        ]
    )
    assert reserved(p1) == 2 + 2
    p1.refresh_from_db()
    assert p1.available == 50 - 4

    Product.objects.filter(pk=p1.pk).update(reserved_by_orders=999)
    assert products_recount_reserved(product_ids=[p1.pk, None]) == 1
    assert reserved(p1) == 4


def test_changed_reservations_are_handed_to_the_catalog(connection, products, monkeypatch):
    told = []
    monkeypatch.setattr(
        "catalog.services.products_stock_changed", lambda *, product_ids: told.append(product_ids)
    )
    importer(connection).import_page([order_payload(101, lines=[line(sku="SKU-1")])])
    assert told == [[products["SKU-1"].pk]]
    assert products_recount_reserved(product_ids=[products["SKU-1"].pk]) == 0  # unchanged
    assert len(told) == 1
