"""Responses checked against the specs: statuses, content types and bodies; each bad answer
names its offending field; large pages are validated fast.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.contract.helpers import (
    BASE,
    ORDERS_QUERY,
    RESPONSE_HEADERS,
    assert_names,
    dumps,
    op,
    order_page,
    products_page,
    violation,
)
from tests.contract.validator import (
    ContractViolation,
    validate_response,
)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v2/store", 200),
        ("GET", "/v2/order_statuses", 200),
        ("GET", "/v2/orders/count", 200),
        ("GET", "/v2/orders/42", 200),
        ("PUT", "/v2/orders/42", 200),
        ("GET", "/v2/orders/42/products", 200),
        ("GET", "/v2/orders/42/shipping_addresses", 200),
        ("GET", "/v2/orders/42/shipments", 200),
        ("POST", "/v2/orders/42/shipments", 201),
        ("GET", "/v3/catalog/variants", 200),
        ("GET", "/v3/inventory/locations", 200),
        ("PUT", "/v3/inventory/adjustments/absolute", 200),
        ("GET", "/v3/hooks", 200),
        ("POST", "/v3/hooks", 200),
        ("GET", "/v3/hooks/7", 200),
        ("PUT", "/v3/hooks/7", 200),
        ("DELETE", "/v3/hooks/7", 200),
        ("POST", "/v3/hooks", 422),
        ("GET", "/v3/hooks/7", 404),
    ],
)
def test_spec_response_examples_are_valid(method: str, path: str, status: int) -> None:
    body = op(method, path).response_example(status)
    validate_response(method, BASE + path, status, RESPONSE_HEADERS, dumps(body))


def test_order_page_with_consignments_is_valid() -> None:
    page = order_page()
    assert page[0]["consignments"]["shipping"][0]["line_items"][0]["id"]
    validate_response(
        "GET", BASE + "/v2/orders?" + ORDERS_QUERY, 200, RESPONSE_HEADERS, dumps(page)
    )


def test_products_with_variants_is_valid() -> None:
    body = products_page()
    url = BASE + "/v3/catalog/products?include=variants&limit=250"
    validate_response("GET", url, 200, RESPONSE_HEADERS, dumps(body))
    body["data"][0]["base_variant_id"] = None  # a product with variants (override)
    validate_response("GET", url, 200, RESPONSE_HEADERS, dumps(body))


def test_empty_v3_lists_are_valid() -> None:
    pagination = {"total": 0, "count": 0, "per_page": 50, "current_page": 1, "total_pages": 0}
    empty = dumps({"data": [], "meta": {"pagination": pagination}})
    for path in (
        "/v3/hooks",
        "/v3/catalog/products",
        "/v3/catalog/variants",
        "/v3/inventory/locations",
    ):
        validate_response("GET", BASE + path, 200, RESPONSE_HEADERS, empty)


def test_inventory_error_example_uses_problem_json() -> None:
    path = "/v3/inventory/adjustments/absolute"
    body = dumps(op("PUT", path).response_example(422))
    validate_response("PUT", BASE + path, 422, {"Content-Type": "application/problem+json"}, body)
    exc = violation(validate_response, "PUT", BASE + path, 422, RESPONSE_HEADERS, body)
    assert_names(exc, "Content-Type", "application/json is not documented")


def test_empty_responses() -> None:
    # GET /v2/orders: 204 for an empty result (NOTES.md; added by an override)
    validate_response("GET", BASE + "/v2/orders?status_id=11", 204, {}, b"")
    validate_response("GET", BASE + "/v2/orders/42/shipments", 204, {}, b"")
    exc = violation(validate_response, "GET", BASE + "/v2/orders", 204, RESPONSE_HEADERS, b"[]")
    assert_names(exc, "", "must be empty for a 204 response")
    exc = violation(validate_response, "GET", BASE + "/v2/store", 200, RESPONSE_HEADERS, b"")
    assert "is empty" in str(exc)


def test_status_must_be_documented() -> None:
    exc = violation(validate_response, "PUT", BASE + "/v2/orders/42", 404, RESPONSE_HEADERS, b"[]")
    assert_names(exc, "404", "not documented (documented: 200)")
    exc = violation(validate_response, "GET", BASE + "/v3/catalog/products", 201, {}, b"{}")
    assert_names(exc, "201", "not documented")
    # 429 and 5xx can always happen
    for status in (429, 500, 502, 503, 504):
        validate_response("GET", BASE + "/v2/orders", status, {}, b"<html>busy</html>")


def test_response_content_type() -> None:
    body = dumps(op("GET", "/v2/store").response_example(200))
    exc = violation(
        validate_response, "GET", BASE + "/v2/store", 200, {"Content-Type": "text/html"}, body
    )
    assert_names(exc, "Content-Type", "text/html is not documented", "application/json")
    exc = violation(validate_response, "GET", BASE + "/v2/store", 200, RESPONSE_HEADERS, b"<html>")
    assert_names(exc, "$", "not valid JSON")


def bad_order_page(mutate: Any) -> ContractViolation:
    page = order_page()
    mutate(page)
    url = BASE + "/v2/orders?" + ORDERS_QUERY
    return violation(validate_response, "GET", url, 200, RESPONSE_HEADERS, dumps(page))


@pytest.mark.parametrize(
    ("field", "mutate", "fragments"),
    [
        ("$[1].status_id", lambda p: p[1].update(status_id="11"), ("expected integer", '"11"')),
        ("$[0].id", lambda p: p[0].update(id=None), ("expected integer, got null",)),
        (
            "$[0].billing_address.zip",
            lambda p: p[0]["billing_address"].pop("zip"),
            ("required property is missing",),
        ),
        (
            "$[2].payment_status",
            lambda p: p[2].update(payment_status="bogus"),
            ("expected one of", "authorized"),
        ),
        (
            "$[0].consignments.shipping[0].line_items[1].quantity",
            lambda p: p[0]["consignments"]["shipping"][0]["line_items"][1].update(quantity="2"),
            ("expected integer",),
        ),
        (
            "$[0].consignments.shipping[0].line_items[0].sku_code",
            lambda p: p[0]["consignments"]["shipping"][0]["line_items"][0].update(sku_code="X"),
            ("additionalProperties: false",),
        ),
        (
            "$[0].consignments.shipping[0].line_items[0].type",
            lambda p: p[0]["consignments"]["shipping"][0]["line_items"][0].update(type="bundle"),
            ("expected one of",),
        ),
        (
            "$[0].consignments.shipping[0].cost_inc_tax",
            lambda p: p[0]["consignments"]["shipping"][0].update(cost_inc_tax=[]),
            ("expected number",),
        ),
        ("$[0].products.url", lambda p: p[0]["products"].pop("url"), ("missing",)),
        ("$[0]", lambda p: p.__setitem__(0, "order"), ("expected object",)),
    ],
)
def test_bad_order_pages(field: str, mutate: Any, fragments: tuple[str, ...]) -> None:
    exc = bad_order_page(mutate)
    assert_names(exc, field, *fragments)
    assert exc.operation is not None and exc.operation.name == "GET /v2/orders"
    assert exc.status == 200


def test_every_problem_is_listed() -> None:
    def mutate(page: list[dict[str, Any]]) -> None:
        for order in page:
            order["status_id"] = str(order["status_id"])

    exc = bad_order_page(mutate)
    assert [p.path for p in exc.problems] == ["$[0].status_id", "$[1].status_id", "$[2].status_id"]


@pytest.mark.parametrize(
    ("field", "mutate", "fragments"),
    [
        (
            "$.data[0].inventory_tracking",
            lambda b: b["data"][0].update(inventory_tracking="sometimes"),
            ("expected one of", "variant"),
        ),
        (
            "$.data[0].variants[1].sku",
            lambda b: b["data"][0]["variants"][1].update(sku=13),
            ("expected string",),
        ),
        (
            "$.data[0].variants[0].sku",
            lambda b: b["data"][0]["variants"][0].pop("sku"),
            ("required property is missing",),
        ),
        (
            "$.data[0].variants[0].inventory_level",
            lambda b: b["data"][0]["variants"][0].update(inventory_level="5"),
            ("expected integer or null",),
        ),
        (
            "$.meta.pagination.total",
            lambda b: b["meta"]["pagination"].update(total="36"),
            ("expected integer",),
        ),
        (
            "$.data[0].date_modified",
            lambda b: b["data"][0].update(date_modified="yesterday"),
            ("date-time",),
        ),
    ],
)
def test_bad_product_pages(field: str, mutate: Any, fragments: tuple[str, ...]) -> None:
    body = products_page()
    mutate(body)
    url = BASE + "/v3/catalog/products?include=variants"
    exc = violation(validate_response, "GET", url, 200, RESPONSE_HEADERS, dumps(body))
    assert_names(exc, field, *fragments)


@pytest.mark.parametrize(
    ("method", "path", "status", "field", "mutate", "fragments"),
    [
        (
            "GET",
            "/v2/order_statuses",
            200,
            "$[0].id",
            lambda b: b[0].update(id="0"),
            ("expected integer",),
        ),
        (
            "GET",
            "/v2/store",
            200,
            "$.store_id",
            lambda b: b.update(store_id="1"),
            ("expected integer",),
        ),
        (
            "GET",
            "/v2/store",
            200,
            "$.logo",
            lambda b: b.update(logo="none"),
            ("expected object or array",),
        ),
        (
            "GET",
            "/v2/orders/count",
            200,
            "$.count",
            lambda b: b.update(count="7"),
            ("expected number",),
        ),
        (
            "POST",
            "/v2/orders/42/shipments",
            201,
            "$.items[0].quantity",
            lambda b: b["items"][0].update(quantity="1"),
            ("expected integer",),
        ),
        (
            "PUT",
            "/v3/inventory/adjustments/absolute",
            200,
            "$.transaction_id",
            lambda b: b.update(transaction_id=5),
            ("expected string",),
        ),
        (
            "GET",
            "/v3/inventory/locations",
            200,
            "$.data[0].enabled",
            lambda b: b["data"][0].update(enabled="true"),
            ("expected boolean",),
        ),
        (
            "POST",
            "/v3/hooks",
            200,
            "$.data.created_at",
            lambda b: b["data"].update(created_at="2024-01-01"),
            ("expected integer",),
        ),
        (
            "GET",
            "/v3/hooks",
            200,
            "$.data[0].headers",
            lambda b: b["data"][0].update(headers=[]),
            ("expected object or null",),
        ),
    ],
)
def test_bad_responses(
    method: str, path: str, status: int, field: str, mutate: Any, fragments: tuple[str, ...]
) -> None:
    body = op(method, path).response_example(status)
    mutate(body)
    exc = violation(validate_response, method, BASE + path, status, RESPONSE_HEADERS, dumps(body))
    assert_names(exc, field, *fragments)


def test_violation_message_is_readable() -> None:
    exc = bad_order_page(lambda p: p[1].update(status_id="11"))
    text = str(exc)
    assert text.startswith("GET /v2/orders (getOrders in orders.v2.oas2.yml) response 200")
    assert '$[1].status_id: expected integer, got string "11"' in text
    assert isinstance(exc, AssertionError)


def test_validating_large_order_pages_is_fast() -> None:
    page = dumps(order_page(250))
    url = BASE + "/v2/orders?" + ORDERS_QUERY
    validate_response("GET", url, 200, RESPONSE_HEADERS, page)  # compile once
    started = time.perf_counter()
    for _ in range(5):
        validate_response("GET", url, 200, RESPONSE_HEADERS, page)
    elapsed = time.perf_counter() - started
    # ~50 ms a 250-order page (2 MB of JSON, half of it json.loads); generous bound for CI noise
    assert elapsed < 5, f"5 pages of 250 orders took {elapsed:.2f}s"
