"""Tests of the BigCommerce contract validator (tests/contract/validator.py) and its fixture.

Good exchanges are built from the specs' own examples (``Operation.response_example`` /
``request_example``; where a spec has no example, a body synthesized from the schema and
its property examples); bad ones are those with one deliberate defect, and each must fail
with a ContractViolation naming the offending field.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
import requests
import responses

from tests.contract.validator import (
    EXTRA_QUERY_PARAMETERS,
    OVERRIDES,
    SPEC_DIR,
    ContractViolation,
    Operation,
    find_operation,
    is_store_api_url,
    operations,
    validate_exchange,
    validate_request,
    validate_response,
)
from tests.fixtures.contract import ContractRecorder

BASE = "https://api.bigcommerce.com/stores/abc123"
HEADERS = {"Accept": "application/json", "X-Auth-Token": "token"}
JSON_HEADERS = {**HEADERS, "Content-Type": "application/json"}
RESPONSE_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
# These tests build off-contract exchanges on purpose and validate them themselves.
pytestmark = pytest.mark.no_contract

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


# --------------------------------------------------------------------------------------------
# Example bodies (from the specs' own examples)
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Loading, routing
# --------------------------------------------------------------------------------------------


def test_every_spec_is_loaded_and_routable() -> None:
    names = {o.spec_name for o in operations()}
    assert names == {p.name for p in SPEC_DIR.glob("*.yml")}
    assert len(operations()) > 100


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("GET", "/v2/store", "GET /v2/store"),
        ("GET", "/v2/order_statuses", "GET /v2/order_statuses"),
        ("GET", "/v2/orders", "GET /v2/orders"),
        ("GET", "/v2/orders/count", "GET /v2/orders/count"),
        ("GET", "/v2/orders/42", "GET /v2/orders/{order_id}"),
        ("PUT", "/v2/orders/42", "PUT /v2/orders/{order_id}"),
        ("GET", "/v2/orders/42/products", "GET /v2/orders/{order_id}/products"),
        ("GET", "/v2/orders/42/shipping_addresses", "GET /v2/orders/{order_id}/shipping_addresses"),
        ("GET", "/v2/orders/42/shipments", "GET /v2/orders/{order_id}/shipments"),
        ("POST", "/v2/orders/42/shipments", "POST /v2/orders/{order_id}/shipments"),
        ("GET", "/v2/orders/42/shipments/count", "GET /v2/orders/{order_id}/shipments/count"),
        ("GET", "/v3/catalog/products", "GET /v3/catalog/products"),
        ("GET", "/v3/catalog/variants", "GET /v3/catalog/variants"),
        ("GET", "/v3/inventory/locations", "GET /v3/inventory/locations"),
        ("PUT", "/v3/inventory/adjustments/absolute", "PUT /v3/inventory/adjustments/absolute"),
        ("GET", "/v3/hooks", "GET /v3/hooks"),
        ("POST", "/v3/hooks", "POST /v3/hooks"),
        ("GET", "/v3/hooks/7", "GET /v3/hooks/{webhook_id}"),
        ("PUT", "/v3/hooks/7", "PUT /v3/hooks/{webhook_id}"),
        ("DELETE", "/v3/hooks/7", "DELETE /v3/hooks/{webhook_id}"),
        ("GET", "/v3/hooks/admin", "GET /v3/hooks/admin"),
    ],
)
def test_routes_to_the_documented_operation(method: str, path: str, template: str) -> None:
    assert op(method, path).name == template
    # any base URL: the sandbox, a proxy with a path prefix
    assert find_operation(method, f"http://127.0.0.1:8765/bc/stores/h/{path[1:]}").name == template


def test_unknown_path_is_a_violation() -> None:
    exc = violation(validate_request, "GET", BASE + "/v2/orderz", HEADERS)
    assert_names(exc, "/orderz", "no v2 spec documents this path")
    exc = violation(validate_request, "GET", BASE + "/v3/catalog/products/1/nonsense", HEADERS)
    assert_names(exc, "/catalog/products/1/nonsense", "no v3 spec")
    # a v3 path under v2 and a trailing slash are not documented either
    violation(validate_request, "GET", BASE + "/v2/catalog/products", HEADERS)
    violation(validate_request, "GET", BASE + "/v2/orders/", HEADERS)
    # not a store API URL at all
    exc = violation(validate_request, "GET", "https://login.bigcommerce.com/oauth2/token", HEADERS)
    assert exc.problems[0].where == "route"


def test_undocumented_method_is_a_violation() -> None:
    exc = violation(validate_request, "PATCH", BASE + "/v2/orders/42", JSON_HEADERS, b"{}")
    assert_names(exc, "/v2/orders/{order_id}", "PATCH is not documented", "GET", "PUT", "DELETE")
    exc = violation(validate_request, "DELETE", BASE + "/v2/store", HEADERS)
    assert_names(exc, "/v2/store", "DELETE is not documented")
    exc = violation(validate_response, "POST", BASE + "/v3/catalog/variants", 200, {}, b"{}")
    assert_names(exc, "/v3/catalog/variants", "POST is not documented")


def test_is_store_api_url() -> None:
    assert is_store_api_url(BASE + "/v2/orders?page=1")
    assert is_store_api_url("http://localhost:9000/stores/x/v3/hooks")
    assert not is_store_api_url("https://login.bigcommerce.com/oauth2/token")


# --------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Responses
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Overrides and allow-lists
# --------------------------------------------------------------------------------------------


def test_overrides_are_explained_and_applied() -> None:
    for override in OVERRIDES:
        assert override.reason and override.spec in {o.spec_name for o in operations()}
    assert ("v2", "GET", "/orders") in EXTRA_QUERY_PARAMETERS
    orders = op("GET", "/v2/orders")
    assert "204" in orders.raw["responses"]
    assert orders.parameters[("query", "limit")].schema["maximum"] == 250
    assert "date_created:desc" in orders.parameters[("query", "sort")].schema["enum"]


def test_specs_are_not_modified_on_disk() -> None:
    text = (SPEC_DIR / "orders.v2.oas2.yml").read_text(encoding="utf-8")
    assert "date_created:desc\n" not in text


# --------------------------------------------------------------------------------------------
# Every example in every spec validates (guards the schema compiler)
# --------------------------------------------------------------------------------------------


def _all_examples() -> list[tuple[str, str, Any, Any]]:
    cases = []
    for operation in operations():
        media_list = []
        if operation.request_body:
            media_list += [
                ("request", m) for m in operation.request_body.get("content", {}).values()
            ]
        for status, resp in (operation.raw.get("responses") or {}).items():
            for media in (operation.deref(resp).get("content") or {}).values():
                media_list.append((f"response {status}", media))
        for where, media in media_list:
            media = operation.deref(media)
            values = [media["example"]] if "example" in media else []
            values += [
                operation.deref(v)["value"]
                for v in (media.get("examples") or {}).values()
                if "value" in operation.deref(v)
            ]
            for value in values:
                cases.append((operation, where, media, value))
    return cases


def test_all_spec_examples_validate() -> None:
    cases = _all_examples()
    assert len(cases) > 150
    failures = []
    for operation, where, media, value in cases:
        mode = "request" if where == "request" else "response"
        check = operation.body_check(media, mode)
        errs = check(value) if check is not None else None
        if errs:
            failures.append(f"{operation.name} {where}: {errs[:3]}")
    assert not failures, "\n".join(failures)


def test_synthesized_bodies_validate_for_every_operation() -> None:
    failures = []
    for operation in operations():
        wheres: list[tuple[str, int]] = [("request", 0)] if operation.request_body else []
        wheres += [
            ("response", int(s)) for s in operation.raw.get("responses") or {} if s.isdigit()
        ]
        for where, status in wheres:
            try:
                value = operation.synthesized(where, status or 200)
            except LookupError:  # no JSON body documented
                continue
            problems = operation.body_problems(value, where, status or 200)
            if problems:
                failures.append(f"{operation.name} {where} {status}: {problems[:3]}")
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------------------------
# requests integration and the fixture
# --------------------------------------------------------------------------------------------


@responses.activate
def test_validate_exchange_from_requests() -> None:
    url = BASE + "/v2/orders/42"
    responses.add(responses.GET, url, json=op("GET", "/v2/orders/42").response_example(200))
    responses.add(responses.PUT, url, json={"id": "42"})
    with requests.Session() as session:
        session.headers.update(HEADERS)
        assert validate_exchange(session.get(url)).name == "GET /v2/orders/{order_id}"
        exc = violation(validate_exchange, session.put(url, json={"status_id": "2"}))
    # both sides are reported
    assert_names(exc, "$.status_id", "expected integer")
    assert_names(exc, "$.id", "expected integer")
    assert exc.phase == "exchange"


@responses.activate
def test_contract_fixture_validates_attached_session(contract: ContractRecorder) -> None:
    responses.add(responses.GET, BASE + "/v2/orders", json=order_page())
    responses.add(responses.GET, BASE + "/v2/orders", status=204)
    responses.add(responses.POST, "https://login.bigcommerce.com/oauth2/token", json={})
    session = contract.attach(requests.Session())
    session.headers.update(HEADERS)
    assert session.get(BASE + "/v2/orders", params={"limit": 250, "page": 1}).status_code == 200
    assert session.get(BASE + "/v2/orders", params={"limit": 250, "page": 2}).status_code == 204
    session.post("https://login.bigcommerce.com/oauth2/token", json={})
    assert contract.exchanges == 2
    assert contract.skipped == 1
    assert contract.operations == ["GET /v2/orders", "GET /v2/orders"]
    assert not contract.violations


@responses.activate
def test_recorder_collects_and_fails_at_the_end() -> None:
    responses.add(responses.GET, BASE + "/v2/orders", json=[{"id": "1"}])
    responses.add(responses.GET, BASE + "/v2/orderz", json=[])
    recorder = ContractRecorder()
    session = recorder.attach(requests.Session())
    session.headers.update(HEADERS)
    # the hook never raises: the code under test sees the real responses
    assert session.get(BASE + "/v2/orders", params={"limit": 251}).json() == [{"id": "1"}]
    assert session.get(BASE + "/v2/orderz").status_code == 200
    assert recorder.exchanges == 2 and len(recorder.violations) == 2
    with pytest.raises(pytest.fail.Exception) as info:
        recorder.check()
    message = str(info.value)
    assert "2 BigCommerce exchange(s) violate" in message
    assert "query limit" in message and "$[0].id" in message and "/orderz" in message
    recorder.check()  # cleared
    recorder.detach()
    assert recorder._hook not in session.hooks["response"]


@responses.activate
def test_recorder_attach_all_and_expect_violations() -> None:
    responses.add(responses.GET, BASE + "/v3/hooks", json={"data": "nope"})
    recorder = ContractRecorder()
    recorder.attach_all()
    try:
        with recorder.expect_violations() as taken:
            requests.get(BASE + "/v3/hooks", headers=HEADERS)
    finally:
        recorder.detach()
    assert recorder.exchanges == 1
    assert len(taken) == 1 and "$.data" in str(taken[0])
    assert not recorder.violations
    assert (
        requests.Session.send.__name__ == "send"
        and requests.Session.send.__qualname__ == "Session.send"
    )


def test_shipping_provider_api() -> None:
    provider = find_operation(
        "POST", "https://hub.example.com/checkout/bc/rate/", api="shipping_provider"
    )
    assert provider.name == "POST /rate"
    body = provider.request_example()
    validate_request(
        "POST",
        "https://hub.example.com/checkout/bc/rate/",
        {"Content-Type": "application/json"},
        dumps(body),
        api="shipping_provider",
    )
    answer = provider.response_example(200)
    validate_response(
        "POST",
        "https://hub.example.com/rate",
        200,
        RESPONSE_HEADERS,
        dumps(answer),
        api="shipping_provider",
    )


# --------------------------------------------------------------------------------------------
# Speed
# --------------------------------------------------------------------------------------------


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
