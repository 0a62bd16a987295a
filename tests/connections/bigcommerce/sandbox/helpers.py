"""Helpers of the sandbox tests."""

from __future__ import annotations

from connections.bigcommerce.sandbox.store import Store

CONSIGNMENTS = {"include": "consignments.line_items", "consignment_structure": "object"}


def ids(orders):
    return [o["id"] for o in orders]


def consignment(order):
    return order["consignments"]["shipping"][0]


API = "http://sandbox.test/stores/demo01/v2"
FULL = frozenset({"consignments.line_items"})


def make_store(seed=1, orders=120, products=20, variants=3, index=0):
    return Store(
        "demo01", {"t": "c"}, index, seed=seed, orders=orders, products=products, variants=variants
    )
