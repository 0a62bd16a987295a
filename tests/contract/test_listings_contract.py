"""The listings exchanges against products_catalog.v3.yml and product-variants_catalog.v3.yml:
what the driver sends is valid, each bad request names its field, the batch limits the specs
state in prose are enforced (OVERRIDES), and the sandbox's answers validate."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.contract.helpers import BASE, HEADERS, JSON_HEADERS, assert_names, dumps, violation
from tests.contract.validator import validate_request, validate_response

PRODUCT = {
    "name": "Linen Shirt",
    "type": "physical",
    "sku": "SHIRT",
    "weight": 0.3,
    "price": 25.0,
    "description": "<p>Linen.</p>",
    "categories": [18],
    "brand_id": 2,
    "upc": "012345678905",
    "mpn": "MPN-1",
    "custom_fields": [{"name": "Material", "value": "Linen"}],
    "images": [{"image_url": "https://img.example.com/shirt.jpg", "is_thumbnail": True}],
    "variants": [
        {
            "sku": "SHIRT-S-RED",
            "price": 26.0,
            "option_values": [
                {"option_display_name": "Size", "label": "S"},
                {"option_display_name": "Color", "label": "Red"},
            ],
        }
    ],
}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v3/catalog/products", PRODUCT),
        (
            "PUT",
            "/v3/catalog/products",
            [{"id": 100 + n, "price": 9.5, "is_visible": False} for n in range(10)],
        ),
        (
            "PUT",
            "/v3/catalog/products",
            [{"id": 7, "custom_fields": [{"id": 3, "name": "Material", "value": "Wool"}]}],
        ),
        (
            "PUT",
            "/v3/catalog/variants",
            [{"id": 1000 + n, "purchasing_disabled": True, "price": 3.0} for n in range(50)],
        ),
        ("DELETE", "/v3/catalog/products?id:in=1,2,3", None),
        ("GET", "/v3/catalog/categories?parent_id=0&limit=250&page=1", None),
        ("GET", "/v3/catalog/categories?name=Hats&parent_id=0&limit=250&page=1", None),
        ("POST", "/v3/catalog/categories", {"name": "Hats", "parent_id": 0}),
        ("GET", "/v3/catalog/brands?limit=250&page=1", None),
        ("POST", "/v3/catalog/brands", {"name": "Acme"}),
        ("GET", "/v3/catalog/products?include=variants,custom_fields,images&id:in=1,2", None),
        ("GET", "/v3/catalog/products/7/options?limit=250&page=1", None),
        (
            "PUT",
            "/v3/catalog/products/7/options/70",
            {"product_id": 7, "display_name": "Size", "type": "radio_buttons"},
        ),
    ],
)
def test_the_listing_requests_are_valid(method: str, path: str, body: Any) -> None:
    headers = JSON_HEADERS if body is not None else HEADERS
    raw = dumps(body) if body is not None else None
    assert validate_request(method, BASE + path, headers, raw).name.startswith(method)


@pytest.mark.parametrize(
    ("method", "path", "body", "where", "fragment"),
    [
        ("POST", "/v3/catalog/products", {**PRODUCT, "weight": None}, "$.weight", "required"),
        ("POST", "/v3/catalog/products", {**PRODUCT, "name": "x" * 251}, "$.name", "250"),
        (
            "POST",
            "/v3/catalog/products",
            {**PRODUCT, "custom_fields": [{"name": "Material", "value": "v" * 251}]},
            "$.custom_fields[0].value",
            "250",
        ),
        (
            "POST",
            "/v3/catalog/products",
            {**PRODUCT, "variants": [{"option_values": []}]},
            "$.variants[0].sku",
            "required",
        ),
        (
            "PUT",
            "/v3/catalog/products",
            [{"id": n, "price": 1.0} for n in range(1, 12)],
            "$",
            "10",
        ),
        (
            "PUT",
            "/v3/catalog/variants",
            [{"id": n, "price": 1.0} for n in range(1, 52)],
            "$",
            "50",
        ),
        ("PUT", "/v3/catalog/products", [{"price": 1.0}], "$[0].id", "required"),
        ("POST", "/v3/catalog/categories", {"name": "Hats"}, "$.parent_id", "required"),
        ("POST", "/v3/catalog/brands", {"name": ""}, "$.name", "1"),
        (
            "PUT",
            "/v3/catalog/products/7/options/70",
            {"product_id": 7, "display_name": "Size", "type": "tiles"},
            "$.type",
            "radio_buttons",
        ),
        (
            "PUT",
            "/v3/catalog/products/7/options/70",
            {"display_name": "Size", "type": "swatch"},
            "$.product_id",
            "required",
        ),
    ],
)
def test_a_bad_listing_request_names_its_field(method, path, body, where, fragment) -> None:
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if v is not None}
    exc = violation(validate_request, method, BASE + path, JSON_HEADERS, dumps(body))
    assert_names(exc, where, fragment)


def test_a_refused_batch_answer_is_a_documented_error() -> None:
    body = {"status": 422, "title": "The products are not valid", "type": "t", "errors": {}}
    validate_response(
        "PUT",
        BASE + "/v3/catalog/products",
        422,
        {"Content-Type": "application/json"},
        json.dumps(body),
    )
    batch = {"batch_errors": [{**body, "errors": {"0.id": "unknown"}}]}
    validate_response(
        "PUT",
        BASE + "/v3/catalog/variants",
        422,
        {"Content-Type": "application/json"},
        json.dumps(batch),
    )


@pytest.mark.sandbox
def test_the_sandbox_answers_every_listing_operation_by_the_specs(sandbox, contract) -> None:
    """Each operation the driver uses, once, through the sandbox; all answers validated."""
    contract.attach(sandbox.session)
    made = sandbox.api("POST", "/v3/catalog/products", json=PRODUCT)
    assert made.status_code == 200, made.text
    pid = made.json()["data"]["id"]
    vid = made.json()["data"]["variants"][0]["id"]
    sandbox.api("PUT", "/v3/catalog/products", json=[{"id": pid, "price": 30.0}])
    sandbox.api("PUT", "/v3/catalog/variants", json=[{"id": vid, "purchasing_disabled": True}])
    sandbox.get("/v3/catalog/products", include="variants,custom_fields,images", id=pid)
    sandbox.get("/v3/catalog/products", include="variants,options", **{"id:in": str(pid)})
    sandbox.get(f"/v3/catalog/products/{pid}", include="variants,custom_fields,images")
    sandbox.get("/v3/catalog/variants", **{"product_id:in": str(pid)})
    sandbox.get("/v3/catalog/categories", parent_id=0, limit=250, page=1)
    sandbox.api("POST", "/v3/catalog/categories", json={"name": "Hats", "parent_id": 0})
    sandbox.get("/v3/catalog/brands", name="Common Good", limit=250, page=1)
    sandbox.api("POST", "/v3/catalog/brands", json={"name": "Acme"})
    [size] = sandbox.get(f"/v3/catalog/products/{pid}/options").json()["data"][:1]
    option_put = {"product_id": pid, "display_name": size["display_name"], "type": "swatch"}
    sandbox.api("PUT", f"/v3/catalog/products/{pid}/options/{size['id']}", json=option_put)
    sandbox.api("PUT", "/v3/catalog/products", json=[{"id": 999999, "price": 1.0}])  # 404
    sandbox.api("POST", "/v3/catalog/products", json=PRODUCT)  # 409: the name is taken
    sandbox.api("DELETE", "/v3/catalog/products", params={"id:in": str(pid)})
    contract.check()
    assert {
        "POST /v3/catalog/products",
        "PUT /v3/catalog/products",
        "PUT /v3/catalog/variants",
        "DELETE /v3/catalog/products",
        "GET /v3/catalog/categories",
        "POST /v3/catalog/categories",
        "GET /v3/catalog/brands",
        "POST /v3/catalog/brands",
        "GET /v3/catalog/products/{product_id}/options",
        "PUT /v3/catalog/products/{product_id}/options/{option_id}",
    } <= set(contract.operations)
