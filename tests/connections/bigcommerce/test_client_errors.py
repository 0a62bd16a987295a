"""Failures: retries and backoff, 429s, error types with their hints, safe shipment POSTs."""

from __future__ import annotations

import pytest
import requests
import responses
from responses import matchers

from connections.bigcommerce.errors import (
    AuthenticationError,
    BigCommerceError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
    ValidationError,
    parse_error_body,
)

from .test_client import BASE, build_client, rate_headers
from .test_ratelimit import FakeTime

STORE_URL = f"{BASE}/v2/store"
SHIPMENTS = f"{BASE}/v2/orders/9/shipments"
SHIPMENT = {
    "order_address_id": 12,
    "tracking_number": "1Z999AA10123456784",
    "tracking_carrier": "ups",
    "items": [{"order_product_id": 55, "quantity": 2}, {"order_product_id": 56, "quantity": 1}],
}


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(fake):
    with build_client(fake, max_retries=3) as bc:
        yield bc


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def backoffs(fake: FakeTime) -> list[float]:
    return list(fake.sleeps)


# --------------------------------------------------------------------------- 5xx


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_is_retried_then_succeeds(client, mocked, fake, status):
    mocked.get(STORE_URL, status=status)
    mocked.get(STORE_URL, json={"name": "Shop"})
    assert client.get_store() == {"name": "Shop"}
    assert len(mocked.calls) == 2
    assert client.stats.retries == 1
    assert len(fake.sleeps) == 1


def test_server_errors_give_a_server_error_after_the_retry_limit(client, mocked, fake):
    mocked.get(STORE_URL, status=503, json={"title": "Service Unavailable"})
    with pytest.raises(ServerError) as caught:
        client.get_store()
    assert len(mocked.calls) == 4  # the first try and 3 retries
    assert caught.value.status == 503
    assert caught.value.transient
    delays = backoffs(fake)
    assert len(delays) == 3
    assert delays[0] < delays[1] < delays[2]  # exponential, with bounded jitter
    assert 0.5 <= delays[0] <= 0.625 and 2.0 <= delays[2] <= 2.5


def test_a_501_is_not_retried(client, mocked):
    mocked.get(STORE_URL, status=501)
    with pytest.raises(ServerError):
        client.get_store()
    assert len(mocked.calls) == 1


@pytest.mark.no_contract  # deliberately off-contract: an invalid request, a fault or an odd error
def test_a_post_is_never_retried_blindly(client, mocked):
    mocked.post(f"{BASE}/v3/hooks", status=502)
    with pytest.raises(ServerError):
        client.create_webhook({"scope": "store/order/created"})
    assert len(mocked.calls) == 1


def test_a_put_is_retried_because_it_is_idempotent(client, mocked):
    mocked.put(f"{BASE}/v2/orders/4", status=500)
    mocked.put(f"{BASE}/v2/orders/4", json={"id": 4, "status_id": 2})
    assert client.update_order(4, {"status_id": 2})["status_id"] == 2
    assert len(mocked.calls) == 2


# --------------------------------------------------------------------------- transport


def test_a_timeout_is_retried_then_succeeds(client, mocked, fake):
    mocked.get(STORE_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    mocked.get(STORE_URL, json={"name": "Shop"})
    assert client.get_store() == {"name": "Shop"}
    assert len(mocked.calls) == 2
    assert len(fake.sleeps) == 1


def test_connection_errors_give_a_transport_error_after_the_retry_limit(client, mocked):
    mocked.get(STORE_URL, body=requests.exceptions.ConnectionError("connection refused"))
    with pytest.raises(TransportError) as caught:
        client.get_store()
    assert len(mocked.calls) == 4
    assert "4 attempts" in caught.value.message
    assert "BIGCOMMERCE_API_URL" in caught.value.hint


# --------------------------------------------------------------------------- 429


def test_a_429_with_headers_waits_the_reset_then_succeeds(client, mocked, fake):
    mocked.get(STORE_URL, status=429, headers=rate_headers(0, 6500))
    mocked.get(STORE_URL, json={"name": "Shop"}, headers=rate_headers(149, 30000))
    assert client.get_store() == {"name": "Shop"}
    assert fake.sleeps == [pytest.approx(6.5)]
    assert client.stats.http_429 == 1
    assert client.stats.waited_s == pytest.approx(6.5)


def test_a_429_with_only_the_reset_header_waits_it(client, mocked, fake):
    mocked.get(STORE_URL, status=429, headers={"x-rate-limit-time-reset-ms": "1500"})
    mocked.get(STORE_URL, json={})
    client.get_store()
    assert fake.sleeps == [pytest.approx(1.5)]


def test_a_429_without_headers_backs_off_increasingly(client, mocked, fake):
    for _ in range(3):
        mocked.get(STORE_URL, status=429)
    mocked.get(STORE_URL, json={"name": "Shop"})
    assert client.get_store() == {"name": "Shop"}
    assert fake.sleeps == [pytest.approx(1.0), pytest.approx(2.0), pytest.approx(4.0)]


def test_a_post_is_retried_after_a_429_since_nothing_was_done(client, mocked, fake):
    mocked.post(SHIPMENTS, status=429, headers=rate_headers(0, 1000))
    mocked.post(SHIPMENTS, status=201, json={"id": 1, **SHIPMENT})
    assert client.create_order_shipment(9, SHIPMENT)["id"] == 1
    assert [c.request.method for c in mocked.calls] == ["POST", "POST"]


def test_endless_429s_give_a_rate_limited_error(client, mocked):
    mocked.get(STORE_URL, status=429, headers=rate_headers(0, 100))
    with pytest.raises(RateLimitedError) as caught:
        client.get_store()
    assert len(mocked.calls) == 4
    assert "quota" in caught.value.hint


# --------------------------------------------------------------------------- malformed


@pytest.mark.no_contract  # deliberately off-contract: an invalid request, a fault or an odd error
def test_malformed_json_on_a_get_is_asked_again(client, mocked):
    mocked.get(STORE_URL, body='{"name": "Sh')  # truncated
    mocked.get(STORE_URL, json={"name": "Shop"})
    assert client.get_store() == {"name": "Shop"}
    assert len(mocked.calls) == 2


@pytest.mark.no_contract  # deliberately off-contract: an invalid request, a fault or an odd error
def test_malformed_json_twice_retried_then_gives_malformed_response_error(client, mocked):
    mocked.get(STORE_URL, body="<html>Bad gateway</html>", status=200)
    with pytest.raises(MalformedResponseError) as caught:
        client.get_store()
    assert len(mocked.calls) == 3
    assert "not valid JSON" in caught.value.message


@pytest.mark.no_contract  # deliberately off-contract: an invalid request, a fault or an odd error
def test_malformed_json_on_a_put_is_not_repeated(client, mocked):
    mocked.put(f"{BASE}/v2/orders/4", body="{")
    with pytest.raises(MalformedResponseError, match="probably applied"):
        client.update_order(4, {"status_id": 2})
    assert len(mocked.calls) == 1


@pytest.mark.no_contract  # deliberately off-contract: an invalid request, a fault or an odd error
def test_an_answer_of_the_wrong_shape_is_malformed(client, mocked):
    mocked.get(f"{BASE}/v2/orders/4", json=[{"id": 4}])
    with pytest.raises(MalformedResponseError, match="object"):
        client.get_order(4)
    mocked.get(f"{BASE}/v2/orders", json={"id": 1})
    with pytest.raises(MalformedResponseError, match="list"):
        list(client.iter_order_pages())


# --------------------------------------------------------------------------- 4xx


@pytest.mark.no_contract  # deliberately off-contract: an invalid request, a fault or an odd error
def test_a_401_is_an_authentication_error_naming_token_and_store_hash(client, mocked):
    body = {"status": 401, "title": "Unauthorized", "type": "/api-docs/status-codes"}
    mocked.get(STORE_URL, status=401, json=body)
    with pytest.raises(AuthenticationError) as caught:
        client.get_store()
    error = caught.value
    assert error.status == 401
    assert "access token" in error.hint and "store hash" in error.hint
    assert not error.transient
    assert len(mocked.calls) == 1


@pytest.mark.no_contract  # deliberately off-contract: an invalid request, a fault or an odd error
def test_a_403_names_the_scope_the_body_gives(client, mocked):
    body = {"status": 403, "title": "Missing scope store_v2_orders", "errors": {}}
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


@pytest.mark.no_contract  # deliberately off-contract: an invalid request, a fault or an odd error
def test_a_v3_422_is_a_validation_error_with_the_field_details(client, mocked):
    body = {
        "status": 422,
        "title": "JSON data is missing or invalid",
        "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
        "errors": {"items.3.variant_id": "Variant 99 not found", "reason": ["too long"]},
    }
    mocked.put(f"{BASE}/v3/inventory/adjustments/absolute", status=422, json=body)
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
        (418, BigCommerceError),
        (501, ServerError),
    ],
)
@pytest.mark.no_contract  # deliberately off-contract: an invalid request, a fault or an odd error
def test_every_error_type_carries_a_hint_for_the_operator(client, mocked, status, error_type):
    mocked.get(STORE_URL, status=status, json={"status": status, "title": "Nope"})
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


# --------------------------------------------------------------------------- shipments


def test_a_shipment_is_not_posted_again_when_the_listing_shows_it_was_created(client, mocked):
    mocked.post(SHIPMENTS, status=502)
    created = {"id": 31, "order_id": 9, **SHIPMENT, "tracking_number": " 1z999aa10123456784 "}
    other = {
        "id": 30,
        "order_id": 9,
        "order_address_id": 12,
        "tracking_number": "OTHER",
        "items": [{"order_product_id": 57, "quantity": 1}],
    }
    mocked.get(SHIPMENTS, json=[other, created])
    assert client.create_order_shipment(9, SHIPMENT) == created
    assert [c.request.method for c in mocked.calls] == ["POST", "GET"]


def test_after_a_timeout_a_clearly_absent_shipment_is_posted_again(client, mocked, fake):
    mocked.post(SHIPMENTS, body=requests.exceptions.ReadTimeout("read timed out"))
    mocked.post(SHIPMENTS, status=201, json={"id": 32, **SHIPMENT})
    mocked.get(SHIPMENTS, status=204)
    assert client.create_order_shipment(9, SHIPMENT)["id"] == 32
    assert [c.request.method for c in mocked.calls] == ["POST", "GET", "POST"]
    assert len(fake.sleeps) == 1


def test_a_shipment_with_other_items_is_not_taken_for_ours(client, mocked):
    mocked.post(SHIPMENTS, status=500)
    mocked.post(SHIPMENTS, status=201, json={"id": 33, **SHIPMENT})
    partial = {"id": 20, **SHIPMENT, "items": [{"order_product_id": 55, "quantity": 1}]}
    mocked.get(SHIPMENTS, json=[partial])
    assert client.create_order_shipment(9, SHIPMENT)["id"] == 33


def test_shipment_reposts_are_bounded(client, mocked):
    mocked.post(SHIPMENTS, status=500)
    mocked.get(SHIPMENTS, status=204)
    with pytest.raises(ServerError):
        client.create_order_shipment(9, SHIPMENT)
    methods = [c.request.method for c in mocked.calls]
    assert methods.count("POST") == 4  # the first and max_retries=3 more
    assert methods.count("GET") == 4


def test_a_shipment_can_be_looked_for_before_the_first_post(client, mocked):
    mocked.get(SHIPMENTS, json=[{"id": 34, **SHIPMENT}])
    assert client.create_order_shipment(9, SHIPMENT, check_first=True)["id"] == 34
    assert [c.request.method for c in mocked.calls] == ["GET"]


@pytest.mark.no_contract  # deliberately off-contract: an invalid request, a fault or an odd error
def test_a_malformed_answer_to_a_shipment_post_is_resolved_by_the_listing(client, mocked):
    mocked.post(SHIPMENTS, status=201, body='{"id": 35, "order_')
    mocked.get(SHIPMENTS, json=[{"id": 35, **SHIPMENT}])
    assert client.create_order_shipment(9, SHIPMENT)["id"] == 35
    assert [c.request.method for c in mocked.calls] == ["POST", "GET"]


def test_shipment_payload_match_also_checks_the_address(client, mocked):
    mocked.post(SHIPMENTS, status=503)
    mocked.post(SHIPMENTS, status=201, json={"id": 36, **SHIPMENT})
    mocked.get(
        SHIPMENTS,
        json=[{"id": 21, **SHIPMENT, "order_address_id": 13}],
        match=[matchers.query_param_matcher({"limit": "250", "page": "1"})],
    )
    assert client.create_order_shipment(9, SHIPMENT)["id"] == 36


@pytest.mark.no_contract  # deliberately off-contract: an invalid request, a fault or an odd error
def test_when_the_listing_fails_too_the_error_says_the_shipment_may_exist(client, mocked):
    mocked.post(SHIPMENTS, status=500)
    mocked.get(SHIPMENTS, status=401, json={"status": 401, "title": "Unauthorized"})
    with pytest.raises(ServerError) as caught:
        client.create_order_shipment(9, SHIPMENT)
    assert caught.value.shipment_may_exist is True
    assert "before retrying" in caught.value.hint
    assert [c.request.method for c in mocked.calls] == ["POST", "GET"]
