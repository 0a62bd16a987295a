"""The sandbox's JSON shapes: the fast JSON of a record is the same object as its dict."""

from __future__ import annotations

import json

from connections.bigcommerce.sandbox import render_catalog, render_orders
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
