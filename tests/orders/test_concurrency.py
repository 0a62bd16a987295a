"""Two imports of the same orders at the same moment (a retry racing the poller, two workers):
one row per (connection, BigCommerce order id), whatever the interleaving. Real concurrency
needs a database with row locks: PostgreSQL only."""

import threading

import pytest
from django.db import connection as db_connection
from django.db import connections

from catalog.models import Product
from connections.models import Connection
from orders.models import Customer, Order, OrderLine
from orders.services.importer import OrderImporter
from orders.services.reservations import products_recount_reserved
from tests.fixtures.tenants import make_connection
from tests.orders.helpers import line, order_payload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(db_connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]


def import_concurrently(connection_id, payloads, *, threads=2):
    barrier = threading.Barrier(threads)
    results, failures = [], []

    def work():
        try:
            connection = Connection.objects.get(pk=connection_id)
            barrier.wait(timeout=30)
            results.append(OrderImporter(connection=connection).import_page(payloads))
        except Exception as exc:  # reported by the test
            failures.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return results, failures


@pytest.fixture
def store(tenant):
    Product.objects.create(tenant=tenant, sku="SKU-1", on_hand=1000)
    return make_connection(tenant)


def payloads(n=200):
    return [order_payload(i, lines=[line(sku="SKU-1", line_id=i)]) for i in range(1, n + 1)]


def test_two_concurrent_imports_of_one_page_make_each_order_once(store):
    results, failures = import_concurrently(store.pk, payloads())

    assert failures == []
    assert Order.objects.count() == 200
    assert OrderLine.objects.count() == 200 and Customer.objects.count() == 1
    # The second writer waited for the first and found every order there, unchanged.
    assert sorted(r.created for r in results) == [0, 200]
    assert sorted(r.skipped for r in results) == [0, 200]
    assert Product.objects.get().reserved_by_orders == 200


def test_even_writers_that_skip_the_lock_cannot_make_a_duplicate(store, monkeypatch):
    monkeypatch.setattr(OrderImporter, "_lock", lambda self: None)

    results, failures = import_concurrently(store.pk, payloads(), threads=3)

    assert failures == []
    assert Order.objects.count() == 200
    assert OrderLine.objects.count() == 200
    assert Order.objects.values("bc_order_id").distinct().count() == 200
    # Without the lock each writer took the orders for new and added their reservations:
    # a recount from the lines puts the column right.
    products_recount_reserved(product_ids=[Product.objects.get().pk])
    assert Product.objects.get().reserved_by_orders == 200
