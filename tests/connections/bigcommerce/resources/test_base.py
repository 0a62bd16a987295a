"""What every resource shares (resources/base.py): endpoint keys, v2 and v3 paging, the page
size limit.
"""

from __future__ import annotations

import pytest

from connections.bigcommerce.resources.base import endpoint_key
from tests.connections.bigcommerce.helpers import (
    INCLUDE,
    ORDERS,
    PRODUCTS,
    VARIANTS,
    orders,
    page_query,
    v3_page,
)


def test_endpoint_keys_template_the_ids():
    assert endpoint_key("get", "/v2/orders/123/shipments") == "GET /v2/orders/{id}/shipments"
    assert endpoint_key("PUT", "/v3/hooks/9?x=1") == "PUT /v3/hooks/{id}"
    assert endpoint_key("GET", "/v3/catalog/products") == "GET /v3/catalog/products"


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


def test_a_page_size_over_250_is_refused(client):
    with pytest.raises(ValueError, match="250"):
        next(client.iter_order_pages(limit=500))


def test_v3_paging_follows_meta_pagination(client, mocked):
    for page in (1, 2, 3):
        mocked.get(
            PRODUCTS,
            json=v3_page([{"id": page}], page, 3),
            match=[page_query(page, include="variants")],
        )
    assert list(client.iter_product_pages()) == [[{"id": 1}], [{"id": 2}], [{"id": 3}]]
    assert len(mocked.calls) == 3


def test_v3_paging_without_meta_ends_on_a_short_page(client, mocked):
    mocked.get(VARIANTS, json={"data": [{"id": 1}, {"id": 2}]}, match=[page_query(1, 2)])
    mocked.get(VARIANTS, json={"data": [{"id": 3}]}, match=[page_query(2, 2)])
    assert list(client.iter_variant_pages(limit=2)) == [[{"id": 1}, {"id": 2}], [{"id": 3}]]
