"""Shared pieces of the validator tests: a store URL, headers, example pages and checks of
a violation (good exchanges come from the specs' own examples or bodies synthesized from the
schemas; bad ones carry one deliberate defect and must name the offending field)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.contract.validator import ContractViolation, Operation, find_operation

BASE = "https://api.bigcommerce.com/stores/abc123"
HEADERS = {"Accept": "application/json", "X-Auth-Token": "token"}
JSON_HEADERS = {**HEADERS, "Content-Type": "application/json"}
RESPONSE_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

ORDERS_QUERY = (
    "include=consignments.line_items&consignment_structure=object&limit=250&status_id=11"
    "&min_date_modified=2024-01-02T03%3A04%3A05%2B00%3A00&sort=date_modified%3Aasc&page=2"
)


def op(method: str, path: str) -> Operation:
    return find_operation(method, BASE + path)


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


def violation(fn: Any, *args: Any, **kwargs: Any) -> ContractViolation:
    with pytest.raises(ContractViolation) as info:
        fn(*args, **kwargs)
    return info.value


def assert_names(exc: ContractViolation, path: str, *fragments: str) -> None:
    """The violation has a problem at ``path`` whose message contains every fragment."""
    matching = [p for p in exc.problems if p.path == path]
    assert matching, f"no problem at {path!r}; got:\n{exc}"
    assert any(all(f in p.message for f in fragments) for p in matching), str(exc)
    assert path in str(exc)


def order_page(count: int = 3) -> list[dict[str, Any]]:
    """GET /v2/orders?include=consignments.line_items&consignment_structure=object, built
    from the spec examples: the order, a shipping consignment, the order products."""
    orders_op = op("GET", "/v2/orders")
    order = orders_op.response_example(200)[0]
    products = op("GET", "/v2/orders/1/products").response_example(200)
    schemas = orders_op.spec["components"]["schemas"]
    consignment = schemas["shippingConsignment_Get"]["x-examples"]["example-1"]
    page = []
    for i in range(count):
        o = copy.deepcopy(order)
        o["id"] = 100 + i
        shipping = copy.deepcopy(consignment)
        shipping["line_items"] = copy.deepcopy(products)
        o["consignments"] = {
            "pickups": [],
            "shipping": [shipping],
            "email": {"gift_certificates": []},
        }
        page.append(o)
    return page


def products_page() -> dict[str, Any]:
    """GET /v3/catalog/products?include=variants (the spec has no example: synthesized from
    the schema, with its property examples, then two variants from the variants spec)."""
    body = op("GET", "/v3/catalog/products").response_example(200)
    variants = op("GET", "/v3/catalog/variants").response_example(200)["data"]
    body["data"][0]["variants"] = [
        {**copy.deepcopy(variants[0]), "id": 11, "sku": "SM-13-RED"},
        {**copy.deepcopy(variants[0]), "id": 12, "sku": "SM-13-BLUE", "sku_id": None},
    ]
    return body
