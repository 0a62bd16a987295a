"""Requests checked against the specs: query, path, headers and bodies; each bad request
names its offending field.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.helpers import (
    BASE,
    HEADERS,
    JSON_HEADERS,
    ORDERS_QUERY,
    assert_names,
    dumps,
    op,
    violation,
)
from tests.contract.validator import validate_request


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v2/store", None),
        ("GET", "/v2/order_statuses", None),
        ("GET", "/v2/orders?" + ORDERS_QUERY, None),
        ("GET", "/v2/orders?status_id=5&min_id=100&max_id=900&sort=id", None),
        ("GET", "/v2/orders?min_date_modified=Thu,+20+Apr+2017+11:32:00+-0400", None),
        ("GET", "/v2/orders?is_deleted=true&limit=250", None),
        ("GET", "/v2/orders?include=consignments,fees&consignment_structure=object", None),
        ("GET", "/v2/orders/count?status_id=11&min_date_created=2024-01-01", None),
        ("GET", "/v2/orders/42?include=consignments.line_items&consignment_structure=object", None),
        ("PUT", "/v2/orders/42", {"status_id": 2}),
        ("GET", "/v2/orders/42/products?limit=250", None),
        ("GET", "/v2/orders/42/shipping_addresses", None),
        ("GET", "/v2/orders/42/shipments", None),
        (
            "POST",
            "/v2/orders/42/shipments",
            {
                "order_address_id": 128,
                "items": [{"order_product_id": 194, "quantity": 2}],
                "tracking_number": "1Z999AA10123456784",
                "shipping_provider": "",
                "tracking_carrier": "ups",
                "comments": "Shipped from the hub",
            },
        ),
        ("GET", "/v3/catalog/products?include=variants&limit=250&page=3", None),
        ("GET", "/v3/catalog/products?include=variants,images&date_modified:min=2024-01-02", None),
        ("GET", "/v3/catalog/products?id:in=1,2,3&sku=SM-13&limit=250", None),
        ("GET", "/v3/catalog/variants?limit=250&page=1&product_id:in=1,2", None),
        ("GET", "/v3/inventory/locations?limit=250&is_active=true", None),
        (
            "PUT",
            "/v3/inventory/adjustments/absolute",
            {
                "reason": "hub stock sync",
                "items": [
                    {"location_id": 1, "variant_id": 11, "quantity": 5},
                    {"location_id": 1, "product_id": 7, "quantity": 0},
                    {"location_id": 2, "sku": "SM-13", "quantity": 3},
                ],
            },
        ),
        ("GET", "/v3/hooks?is_active=true&scope=store/order/updated", None),
        (
            "POST",
            "/v3/hooks",
            {
                "scope": "store/order/updated",
                "destination": "https://hub.example.com/webhooks/bigcommerce/1",
                "is_active": True,
                "headers": {"X-Hub-Token": "secret"},
            },
        ),
        ("GET", "/v3/hooks/7", None),
        ("PUT", "/v3/hooks/7", {"is_active": True}),
        ("DELETE", "/v3/hooks/7", None),
    ],
)
def test_valid_requests(method: str, path: str, body: Any) -> None:
    headers = JSON_HEADERS if body is not None else HEADERS
    raw = dumps(body) if body is not None else None
    assert validate_request(method, BASE + path, headers, raw).name.startswith(method)


@pytest.mark.parametrize(
    ("method", "path", "example"),
    [
        ("PUT", "/v2/orders/42", None),
        ("PUT", "/v2/orders/42", "Adding a new product to order"),
        ("PUT", "/v3/inventory/adjustments/absolute", None),
        ("POST", "/v3/hooks", None),
        ("POST", "/v2/orders/42/shipments", None),
    ],
)
def test_spec_request_examples_are_valid(method: str, path: str, example: str | None) -> None:
    body = op(method, path).request_example(example)
    validate_request(method, BASE + path, JSON_HEADERS, dumps(body))


@pytest.mark.parametrize(
    ("path", "param", "fragments"),
    [
        ("/v2/orders?limit=251", "limit", ("251 is greater than the maximum of 250",)),
        ("/v2/orders?limit=lots", "limit", ("expected number",)),
        ("/v2/orders?status_id=eleven", "status_id", ("expected integer", "eleven")),
        ("/v2/orders?status_id=11&status_id=5", "status_id", ("given 2 times",)),
        ("/v2/orders?sort=total", "sort", ("expected one of", "date_created:asc")),
        ("/v2/orders?sort=date_modified:sideways", "sort", ("expected one of",)),
        ("/v2/orders?include=lines", "include[0]", ("expected one of", "consignments")),
        ("/v2/orders?consignment_structure=array", "consignment_structure", ("expected one of",)),
        ("/v2/orders?is_deleted=maybe", "is_deleted", ("expected boolean",)),
        ("/v2/orders?status=11", "status", ("not documented", "status_id")),
        ("/v2/orders/count?is_deleted=true", "is_deleted", ("not documented",)),
        ("/v2/orders/42?limit=5", "limit", ("not documented",)),
        ("/v3/catalog/products?limit=251", "limit", ("251 is greater than the maximum of 250",)),
        ("/v3/catalog/products?include=variant", "include[0]", ("expected one of", "variants")),
        ("/v3/catalog/products?id:in=1,x", "id:in[1]", ("expected integer",)),
        ("/v3/catalog/products?inventory_tracking=none", "inventory_tracking", ("not documented",)),
        ("/v3/hooks?is_active=yes", "is_active", ("expected boolean",)),
    ],
)
def test_bad_query_parameters(path: str, param: str, fragments: tuple[str, ...]) -> None:
    exc = violation(validate_request, "GET", BASE + path, HEADERS)
    assert_names(exc, param, *fragments)
    assert all(p.where == "query" for p in exc.problems)


def test_bad_path_parameters() -> None:
    exc = violation(validate_request, "GET", BASE + "/v2/orders/abc", HEADERS)
    assert_names(exc, "order_id", "expected integer", "abc")
    exc = violation(validate_request, "GET", BASE + "/v3/hooks/0", HEADERS)
    assert_names(exc, "webhook_id", "less than the minimum of 1")


def test_required_headers() -> None:
    exc = violation(validate_request, "GET", BASE + "/v2/orders", {"X-Auth-Token": "t"})
    assert_names(exc, "Accept", "required header is missing")
    exc = violation(validate_request, "GET", BASE + "/v3/catalog/products", {"Accept": "a/j"})
    assert_names(exc, "X-Auth-Token", "authentication header is missing")
    # Accept must admit the documented response type (v2 answers XML to application/xml)
    xml = {**HEADERS, "Accept": "application/xml"}
    exc = violation(validate_request, "GET", BASE + "/v2/orders", xml)
    assert_names(exc, "Accept", "admits none of the documented response types", "application/json")
    for accept in ("*/*", "application/*", "application/json;q=0.9, text/html;q=0.1"):
        validate_request("GET", BASE + "/v2/orders", {**HEADERS, "Accept": accept})
    # header names are case-insensitive
    validate_request(
        "GET", BASE + "/v2/orders", {"accept": "application/json", "x-auth-token": "t"}
    )
    # Content-Type is required with a body only (the spec declares it on GET .../products too)
    validate_request("GET", BASE + "/v2/orders/42/products", HEADERS)
    exc = violation(validate_request, "PUT", BASE + "/v2/orders/42", HEADERS, b'{"status_id": 2}')
    assert_names(exc, "Content-Type", "required header is missing")


def test_request_body_problems() -> None:
    url = BASE + "/v2/orders/42"
    exc = violation(validate_request, "PUT", url, JSON_HEADERS, b"{status_id: 2")
    assert_names(exc, "$", "not valid JSON")
    exc = violation(validate_request, "PUT", url, {**HEADERS, "Content-Type": "text/plain"}, b"x")
    assert_names(exc, "Content-Type", "text/plain is not documented")
    shipments = BASE + "/v2/orders/42/shipments"
    exc = violation(validate_request, "POST", shipments, JSON_HEADERS, None)
    assert exc.problems[0].message == "request body is required"
    exc = violation(validate_request, "GET", BASE + "/v2/orders", JSON_HEADERS, b"{}")
    assert exc.problems[0].message == "this operation takes no request body"


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "fragments"),
    [
        # wrong type
        ("PUT", "/v2/orders/42", {"status_id": "2"}, "$.status_id", ("expected integer", '"2"')),
        (
            "POST",
            "/v2/orders/42/shipments",
            {"order_address_id": "128", "items": [{"order_product_id": 1, "quantity": 1}]},
            "$.order_address_id",
            ("expected integer",),
        ),
        # missing required member (shipment items, per the spec's description)
        (
            "POST",
            "/v2/orders/42/shipments",
            {"order_address_id": 1, "items": [{"order_product_id": 194}]},
            "$.items[0].quantity",
            ("required property is missing",),
        ),
        # not one of the carrier codes
        (
            "POST",
            "/v2/orders/42/shipments",
            {"order_address_id": 1, "items": [], "tracking_carrier": "Royal Mail"},
            "$.tracking_carrier",
            ("expected one of",),
        ),
        (
            "POST",
            "/v2/orders/42/shipments",
            {"order_address_id": 1, "items": [], "tracking_number": "x" * 51},
            "$.tracking_number",
            ("longer than maxLength 50",),
        ),
        # read-only property sent
        (
            "PUT",
            "/v2/orders/42",
            {"status_id": 2, "external_id": "x"},
            "$.external_id",
            ("read-only",),
        ),
        # inventory adjustments: missing quantity, wrong type, too many items
        (
            "PUT",
            "/v3/inventory/adjustments/absolute",
            {"items": [{"location_id": 1, "variant_id": 11}]},
            "$.items[0].quantity",
            ("required property is missing",),
        ),
        (
            "PUT",
            "/v3/inventory/adjustments/absolute",
            {"items": [{"location_id": 1, "variant_id": 11, "quantity": 1.5}]},
            "$.items[0].quantity",
            ("expected integer",),
        ),
        (
            "PUT",
            "/v3/inventory/adjustments/absolute",
            {"items": [{"location_id": 1, "variant_id": i, "quantity": 1} for i in range(2001)]},
            "$.items",
            ("2001 items, more than the maxItems of 2000",),
        ),
        ("PUT", "/v3/inventory/adjustments/absolute", {"reason": "x"}, "$.items", ("missing",)),
        # webhooks
        (
            "POST",
            "/v3/hooks",
            {"scope": "store/order/updated"},
            "$.destination",
            ("required property is missing",),
        ),
        (
            "POST",
            "/v3/hooks",
            {"scope": "store/order/updated", "destination": "https://x", "is_active": "yes"},
            "$.is_active",
            ("expected boolean",),
        ),
        (
            "PUT",
            "/v3/hooks/7",
            {"headers": {"X-Hub-Token": 5}},
            '$.headers["X-Hub-Token"]',
            ("expected string",),
        ),
    ],
)
def test_bad_request_bodies(
    method: str, path: str, body: Any, field: str, fragments: tuple[str, ...]
) -> None:
    exc = violation(validate_request, method, BASE + path, JSON_HEADERS, dumps(body))
    assert_names(exc, field, *fragments)
    assert exc.operation is not None and exc.operation.name.startswith(method)


def test_exactly_2000_inventory_items_is_fine() -> None:
    items = [{"location_id": 1, "variant_id": i, "quantity": 1} for i in range(2000)]
    validate_request(
        "PUT", BASE + "/v3/inventory/adjustments/absolute", JSON_HEADERS, dumps({"items": items})
    )
