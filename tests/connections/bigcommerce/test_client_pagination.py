"""Paging: v2 lists end on 204 or a short page, v3 lists follow meta.pagination, pages stream."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from responses import matchers

from .test_client import BASE, build_client
from .test_ratelimit import FakeTime

ORDERS = f"{BASE}/v2/orders"
PRODUCTS = f"{BASE}/v3/catalog/products"
VARIANTS = f"{BASE}/v3/catalog/variants"
INCLUDE = {"include": "consignments.line_items", "consignment_structure": "object"}


@pytest.fixture
def client():
    with build_client(FakeTime()) as bc:
        yield bc


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def orders(first: int, count: int) -> list[dict]:
    return [{"id": i} for i in range(first, first + count)]


def page_query(page: int, limit: int = 250, **extra) -> Callable[..., Any]:
    params = {"limit": str(limit), "page": str(page), **{k: str(v) for k, v in extra.items()}}
    return matchers.query_param_matcher(params)


def v3_page(data: list[dict], page: int, total_pages: int) -> dict:
    return {
        "data": data,
        "meta": {
            "pagination": {
                "total": 0,
                "count": len(data),
                "per_page": 250,
                "current_page": page,
                "total_pages": total_pages,
            }
        },
    }


# --------------------------------------------------------------------------- v2


def test_v2_paging_ends_on_a_204(client, mocked):
    mocked.get(ORDERS, json=orders(1, 2), match=[page_query(1, 2, **INCLUDE)])
    mocked.get(ORDERS, json=orders(3, 2), match=[page_query(2, 2, **INCLUDE)])
    mocked.get(ORDERS, status=204, match=[page_query(3, 2, **INCLUDE)])
    pages = list(client.iter_order_pages(limit=2))
    assert pages == [orders(1, 2), orders(3, 2)]
    assert len(mocked.calls) == 3


def test_v2_paging_ends_on_a_short_page_without_asking_again(client, mocked):
    mocked.get(ORDERS, json=orders(1, 250), match=[page_query(1, **INCLUDE)])
    mocked.get(ORDERS, json=orders(251, 17), match=[page_query(2, **INCLUDE)])
    assert [len(page) for page in client.iter_order_pages()] == [250, 17]
    assert len(mocked.calls) == 2


def test_v2_paging_ends_on_an_empty_page(client, mocked):
    mocked.get(ORDERS, json=orders(1, 2), match=[page_query(1, 2, **INCLUDE)])
    mocked.get(ORDERS, json=[], match=[page_query(2, 2, **INCLUDE)])
    assert list(client.iter_order_pages(limit=2)) == [orders(1, 2)]


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


def test_a_page_size_over_250_is_refused(client):
    with pytest.raises(ValueError, match="250"):
        next(client.iter_order_pages(limit=500))


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


def test_an_order_without_shipments_answers_204_and_gives_an_empty_list(client, mocked):
    mocked.get(f"{ORDERS}/77/shipments", status=204)
    assert client.list_order_shipments(77) == []


# --------------------------------------------------------------------------- v3


def test_v3_paging_follows_meta_pagination(client, mocked):
    for page in (1, 2, 3):
        mocked.get(
            PRODUCTS,
            json=v3_page([{"id": page}], page, 3),
            match=[page_query(page, include="variants")],
        )
    assert list(client.iter_product_pages()) == [[{"id": 1}], [{"id": 2}], [{"id": 3}]]
    assert len(mocked.calls) == 3


def test_product_pages_stream(client, mocked):
    for page in (1, 2):
        mocked.get(
            PRODUCTS,
            json=v3_page([{"id": page}], page, 2),
            match=[page_query(page, include="variants")],
        )
    pages = client.iter_product_pages()
    next(pages)
    assert len(mocked.calls) == 1


def test_product_filters_are_sent_as_v3_parameters(client, mocked):
    mocked.get(
        PRODUCTS,
        json=v3_page([], 1, 0),
        match=[page_query(1, 50, **{"date_modified:min": "2024-03-04T05:06:07Z"})],
    )
    pages = client.iter_product_pages(
        include_variants=False,
        date_modified_min=datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC),
        limit=50,
    )
    assert list(pages) == []


def test_product_ids_are_asked_in_groups_of_250(client, mocked):
    ids = list(range(1, 301))
    first = ",".join(str(i) for i in ids[:250])
    second = ",".join(str(i) for i in ids[250:])
    mocked.get(
        PRODUCTS,
        json=v3_page([{"id": 1}], 1, 1),
        match=[page_query(1, include="variants", **{"id:in": first})],
    )
    mocked.get(
        PRODUCTS,
        json=v3_page([{"id": 300}], 1, 1),
        match=[page_query(1, include="variants", **{"id:in": second})],
    )
    assert list(client.iter_product_pages(ids=ids)) == [[{"id": 1}], [{"id": 300}]]


def test_v3_paging_without_meta_ends_on_a_short_page(client, mocked):
    mocked.get(VARIANTS, json={"data": [{"id": 1}, {"id": 2}]}, match=[page_query(1, 2)])
    mocked.get(VARIANTS, json={"data": [{"id": 3}]}, match=[page_query(2, 2)])
    assert list(client.iter_variant_pages(limit=2)) == [[{"id": 1}, {"id": 2}], [{"id": 3}]]


def test_variants_can_be_asked_for_some_products(client, mocked):
    mocked.get(
        VARIANTS,
        json=v3_page([{"id": 9, "product_id": 4}], 1, 1),
        match=[page_query(1, **{"product_id:in": "4,5"})],
    )
    assert list(client.iter_variant_pages(product_ids=[4, 5, 4])) == [[{"id": 9, "product_id": 4}]]
