"""The validator finds the documented operation of an exchange: every spec loaded and routable,
unknown paths and methods refused, the Shipping Provider API beside the store API.
"""

from __future__ import annotations

import pytest

from tests.contract.helpers import (
    BASE,
    HEADERS,
    JSON_HEADERS,
    RESPONSE_HEADERS,
    assert_names,
    dumps,
    op,
    violation,
)
from tests.contract.validator import (
    SPEC_DIR,
    find_operation,
    is_store_api_url,
    operations,
    validate_request,
    validate_response,
)


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
