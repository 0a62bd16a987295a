"""The sandbox's JSON shapes: the fast JSON of a record is the same object as its dict."""

from __future__ import annotations

import json

from connections.bigcommerce.sandbox import render, render_catalog, render_orders
from tests.connections.bigcommerce.sandbox.helpers import API, FULL, make_store


def test_the_fast_json_of_an_order_is_the_same_object_as_its_dict():
    store = make_store()
    for include in (frozenset(), frozenset({"consignments"}), frozenset({"fees"}), FULL):
        for structure in (True, False):
            for o in store.orders:
                fast = json.loads(render_orders.order_json(o, API, include, structure))
                assert fast == render_orders.order_dict(o, API, include, structure)


def test_the_fast_json_of_a_product_is_the_same_object_as_its_dict():
    store = make_store(products=30, variants=2)
    for include in (frozenset(), frozenset({"variants", "options", "images"})):
        for p in store.products:
            as_json = json.loads(render_catalog.product_json(p, include))
            assert as_json == render_catalog.product_dict(p, include)
            for v in p.variants:
                assert json.loads(render_catalog.variant_json(v)) == render_catalog.variant_dict(v)


def test_compact_json_writes_any_text_python_can_even_what_orjson_refuses():
    values = [
        {"city": "Zürich", "note": "😀"},
        {"name": "broken \ud800 half"},  # a lone surrogate, as a faulty store may hold
        {"quantity": 2**70},
        {1: "an integer key"},
    ]
    for value in values:
        text = render.compact_json(value)
        assert json.loads(text) == json.loads(json.dumps(value))
        assert ", " not in text and ": " not in text
    assert render.compact_json({"city": "Zürich"}) == '{"city":"Zürich"}'  # UTF-8, unescaped
