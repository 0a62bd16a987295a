"""Catalog (v3): product and variant pages, their filters, ids asked in groups."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.connections.bigcommerce.helpers import PRODUCTS, VARIANTS, page_query, v3_page


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


def test_variants_can_be_asked_for_some_products(client, mocked):
    mocked.get(
        VARIANTS,
        json=v3_page([{"id": 9, "product_id": 4}], 1, 1),
        match=[page_query(1, **{"product_id:in": "4,5"})],
    )
    assert list(client.iter_variant_pages(product_ids=[4, 5, 4])) == [[{"id": 9, "product_id": 4}]]
