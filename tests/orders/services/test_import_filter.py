"""Which orders a connection imports: its status, id, date and archived filters."""

from datetime import timedelta

from orders.models import Order
from orders.services.import_filter import ImportFilter, import_filter_for
from tests.orders.helpers import T0, importer, order_payload


def test_orders_outside_the_filters_are_skipped(connection, products, log):
    payloads = [
        order_payload(101, status_id=10),
        order_payload(102, is_deleted=True),
        order_payload(103, created=T0 - timedelta(days=40)),
        order_payload(104),
        order_payload(90),
    ]
    flt = ImportFilter(
        status_ids=frozenset({11, 5}), min_order_id=100, created_from=T0 - timedelta(days=30)
    )

    result = importer(connection, log, import_filter=flt).import_page(payloads)

    assert (result.created, result.skipped) == (1, 4)
    assert list(Order.objects.values_list("bc_order_id", flat=True)) == [104]


def test_archived_orders_are_imported_only_when_enabled(connection, products):
    flt = ImportFilter(status_ids=frozenset({11}), archived=True)
    importer(connection, import_filter=flt).import_page([order_payload(102, is_deleted=True)])
    assert Order.objects.get().is_archived


def test_the_filter_follows_the_connection_settings_and_the_days_option(connection):
    connection.order_status_filter = [9, 11]
    connection.import_min_order_id = 500
    connection.import_created_after = T0
    connection.import_archived_orders = True
    now = T0 + timedelta(days=100)

    flt = import_filter_for(connection=connection, options={"created_within_days": 7}, now=now)

    assert flt.status_ids == {9, 11} and flt.min_order_id == 500 and flt.archived
    assert flt.created_from == now - timedelta(days=7)
    assert import_filter_for(connection=connection, options={}).created_from == T0
    assert (
        import_filter_for(connection=connection, options={"created_within_days": "x"}).created_from
        == T0
    )
