"""BigCommerce's refusals as error types (errors.py): each says what happened and carries a
hint for the operator.
"""

from __future__ import annotations

import pytest

from connections.bigcommerce.client import AUTH_RETRIES
from connections.bigcommerce.errors import (
    AuthenticationError,
    BigCommerceError,
    NotFoundError,
    ServerError,
    ValidationError,
    parse_error_body,
)
from tests.connections.bigcommerce.helpers import BASE, SHIPMENT, SHIPMENTS, STORE_URL


def test_a_401_is_an_authentication_error_naming_token_and_store_hash(client, mocked):
    body = [{"status": 401, "message": "You are not authorized to access this resource."}]
    mocked.get(STORE_URL, status=401, json=body)
    with pytest.raises(AuthenticationError) as caught:
        client.get_store()
    error = caught.value
    assert error.status == 401
    assert "access token" in error.hint and "store hash" in error.hint
    assert not error.transient
    assert len(mocked.calls) == 1 + AUTH_RETRIES  # asked again: a 401 may come and go


def test_a_401_that_comes_and_goes_is_asked_again(client, mocked, fake):
    mocked.get(STORE_URL, status=401, json=[{"status": 401, "message": "Unauthorized"}])
    mocked.get(STORE_URL, json={"id": "abc123"})
    assert client.get_store()["id"] == "abc123"
    assert len(mocked.calls) == 2 and len(fake.sleeps) == 1


def test_a_403_names_the_scope_the_body_gives(client, mocked):
    body = [{"status": 403, "message": "Missing scope store_v2_orders"}]
    mocked.get(f"{BASE}/v2/orders/1", status=403, json=body)
    with pytest.raises(AuthenticationError) as caught:
        client.get_order(1)
    assert "store_v2_orders" in caught.value.hint


def test_a_403_without_a_scope_names_the_one_the_endpoint_needs(client, mocked):
    body = {"status": 403, "title": "You don't have a required scope to access the endpoint"}
    mocked.put(f"{BASE}/v3/inventory/adjustments/absolute", status=403, json=body)
    with pytest.raises(AuthenticationError) as caught:
        client.set_inventory_absolute([{"location_id": 1, "variant_id": 1, "quantity": 1}])
    assert "store_inventory" in caught.value.hint


def test_a_404_is_not_found(client, mocked):
    mocked.get(f"{BASE}/v2/orders/404", status=404, json=[{"status": 404, "message": "Not found"}])
    with pytest.raises(NotFoundError) as caught:
        client.get_order(404)
    assert caught.value.endpoint == "GET /v2/orders/{id}"
    assert "deleted" in caught.value.hint


def test_a_v3_422_is_a_validation_error_with_the_field_details(client, mocked):
    body = {
        "status": 422,
        "title": "JSON data is missing or invalid",
        "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
        "errors": {"items.3.variant_id": "Variant 99 not found", "reason": ["too long"]},
    }
    mocked.put(
        f"{BASE}/v3/inventory/adjustments/absolute",
        status=422,
        json=body,
        content_type="application/problem+json",
    )
    with pytest.raises(ValidationError) as caught:
        client.set_inventory_absolute([{"location_id": 1, "variant_id": 99, "quantity": 1}])
    error = caught.value
    assert error.details == [
        {"field": "items.3.variant_id", "message": "Variant 99 not found"},
        {"field": "reason", "message": "too long"},
    ]
    assert "JSON data is missing or invalid" in error.message
    assert "items.3.variant_id: Variant 99 not found" in error.message
    assert len(mocked.calls) == 1


def test_a_v2_400_is_a_validation_error_with_the_messages(client, mocked):
    body = [
        {
            "status": 400,
            "message": "The field 'tracking_carrier' is invalid.",
            "details": {"invalid_reason": "Unknown carrier 'upss'."},
        },
    ]
    mocked.post(SHIPMENTS, status=400, json=body)
    with pytest.raises(ValidationError) as caught:
        client.create_order_shipment(9, SHIPMENT)
    assert caught.value.details == [
        {
            "field": None,
            "message": "The field 'tracking_carrier' is invalid. (Unknown carrier 'upss'.)",
        }
    ]
    assert "tracking_carrier" in str(caught.value)
    assert len(mocked.calls) == 1  # a clear refusal: no listing, no second POST


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFoundError),
        (409, ValidationError),
        (413, ValidationError),
        (422, ValidationError),
        # A status BigCommerce never answers: off-contract by design.
        pytest.param(418, BigCommerceError, marks=pytest.mark.no_contract),
        (501, ServerError),
    ],
)
def test_every_error_type_carries_a_hint_for_the_operator(client, mocked, status, error_type):
    mocked.get(STORE_URL, status=status, json=[{"status": status, "message": "Nope"}])
    with pytest.raises(error_type) as caught:
        client.get_store()
    error = caught.value
    assert error.hint and error.hint in str(error)
    assert error.status == status
    assert error.store_hash == "abc123"


def test_error_bodies_of_both_api_versions_are_parsed():
    assert parse_error_body([{"status": 400, "message": "bad"}]) == (
        None,
        [{"field": None, "message": "bad"}],
    )
    assert parse_error_body({"title": "T", "errors": {"a": "b"}}) == (
        "T",
        [{"field": "a", "message": "b"}],
    )
    assert parse_error_body("plain text") == ("plain text", [])
    assert parse_error_body(None) == (None, [])


@pytest.mark.parametrize("secret", ["0", "1", "Z", '"', "]"])
def test_redaction_masks_the_secret_in_strings_and_keeps_the_details_intact(secret):
    error = BigCommerceError(
        f"Refused {secret}",
        details=[{"field": f"x{secret}", "message": f"bad {secret}", "code": 10}],
        body={"status": 401, f"k{secret}": [f"v{secret}", 3.0, None, True]},
    )

    error.redact(secret)

    assert error.message == "Refused [redacted]"
    assert error.details == [{"field": "x[redacted]", "message": "bad [redacted]", "code": 10}]
    assert error.body == {"status": 401, "k[redacted]": ["v[redacted]", 3.0, None, True]}
    assert error.args == ("Refused [redacted]",)


def test_redaction_masks_a_text_body():
    error = BigCommerceError("Refused", body="token=abc0 refused").redact("abc0")

    assert error.body == "token=[redacted] refused"
