"""Orders (v2): one order with its consignments, counts, filtered and streamed pages, the
order's products and shipping addresses.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from responses import matchers

from tests.connections.bigcommerce.helpers import BASE, INCLUDE, ORDERS, orders, page_query


def test_get_order_includes_consignments_by_default(client, mocked):
    mocked.get(
        f"{BASE}/v2/orders/7",
        json={"id": 7},
        match=[
            matchers.query_param_matcher(
                {"include": "consignments.line_items", "consignment_structure": "object"}
            )
        ],
    )
    mocked.get(f"{BASE}/v2/orders/8", json={"id": 8}, match=[matchers.query_param_matcher({})])
    assert client.get_order(7) == {"id": 7}
    assert client.get_order(8, include_consignments=False) == {"id": 8}


def test_count_orders_sends_the_filters_and_reads_the_count(client, mocked):
    mocked.get(
        f"{BASE}/v2/orders/count",
        json={"count": 42, "statuses": []},
        match=[
            matchers.query_param_matcher(
                {
                    "status_id": "11",
                    "min_id": "100",
                    "min_date_modified": "Tue, 02 Jan 2024 03:04:05 +0000",
                }
            )
        ],
    )
    count = client.count_orders(
        status_id=11, min_id=100, min_date_modified=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    assert count == 42


def test_order_pages_stream_one_request_per_consumed_page(client, mocked):
    mocked.get(ORDERS, json=orders(1, 2), match=[page_query(1, 2, **INCLUDE)])
    mocked.get(ORDERS, json=orders(3, 2), match=[page_query(2, 2, **INCLUDE)])
    mocked.get(ORDERS, status=204, match=[page_query(3, 2, **INCLUDE)])
    pages = client.iter_order_pages(limit=2)
    assert len(mocked.calls) == 0  # nothing is fetched before it is asked for
    assert next(pages) == orders(1, 2)
    assert len(mocked.calls) == 1  # page 2 waits until page 1 is consumed
    assert next(pages) == orders(3, 2)
    assert len(mocked.calls) == 2


def test_order_filters_are_sent_as_bigcommerce_expects(client, mocked):
    mocked.get(
        ORDERS,
        status=204,
        match=[
            page_query(
                3,
                100,
                status_id=11,
                min_id=500,
                max_id=900,
                min_date_created="Mon, 01 Jan 2024 00:00:00 +0000",
                min_date_modified="Tue, 02 Jan 2024 10:30:00 +0000",
                max_date_modified="2024-02-01T00:00:00Z",
                sort="date_modified:asc",
                is_deleted="true",
            )
        ],
    )
    pages = client.iter_order_pages(
        status_id=11,
        min_id=500,
        max_id=900,
        min_date_created=datetime(2024, 1, 1, tzinfo=UTC),
        min_date_modified=datetime(2024, 1, 2, 10, 30, tzinfo=UTC),
        max_date_modified="2024-02-01T00:00:00Z",
        sort="date_modified:asc",
        is_deleted=True,
        include_consignments=False,
        limit=100,
        start_page=3,
    )
    assert list(pages) == []
    assert len(mocked.calls) == 1


def test_iter_orders_yields_the_orders_of_every_page(client, mocked):
    mocked.get(ORDERS, json=orders(1, 2), match=[page_query(1, 2, **INCLUDE)])
    mocked.get(ORDERS, json=orders(3, 1), match=[page_query(2, 2, **INCLUDE)])
    assert [o["id"] for o in client.iter_orders(limit=2)] == [1, 2, 3]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("list_order_products", "products"),
        ("list_order_shipping_addresses", "shipping_addresses"),
        ("list_order_shipments", "shipments"),
    ],
)
def test_order_sub_resources_are_fetched_across_all_pages(client, mocked, method, path):
    url = f"{ORDERS}/77/{path}"
    mocked.get(url, json=orders(1, 250), match=[page_query(1)])
    mocked.get(url, json=orders(251, 3), match=[page_query(2)])
    assert len(getattr(client, method)(77)) == 253
    assert client.stats.by_endpoint[f"GET /v2/orders/{{id}}/{path}"] == 2
