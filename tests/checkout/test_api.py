"""The Shipping Provider endpoints against shipping_provider.yml (the contract validator of
tests/contract): requests BigCommerce sends pass, answers conform, the spec's examples too."""

import json
import logging

import pytest
from django.urls import reverse

from catalog.models import Product
from checkout.models import CheckoutSettings
from tests.checkout.helpers import checkout_for, item, option, quotes, rate_request
from tests.contract.validator import find_operation, validate_request, validate_response

pytestmark = pytest.mark.django_db
HOST = "https://hub.example.com"


def post(client, name, body, raw=None):
    url = reverse(name)
    data = raw if raw is not None else json.dumps(body)
    response = client.post(url, data=data, content_type="application/json")
    if raw is None:
        validate_request(
            "POST", HOST + url, {"Content-Type": "application/json"}, data,
            api="shipping_provider",
        )  # fmt: skip
    if response.status_code == 200:
        validate_response(
            "POST", HOST + url, 200, {"Content-Type": response["Content-Type"]},
            response.content, api="shipping_provider",
        )  # fmt: skip
    return response


@pytest.fixture
def checkout(connection, tenant):
    Product.objects.create(tenant=tenant, sku="SKU-1", on_hand=10)
    option(connection, "STANDARD")
    option(connection, "EXPRESS", carrier="UPS", price=9)
    return checkout_for(connection)


def test_a_rate_request_gets_the_connections_quotes_in_the_specs_shape(client, checkout):
    response = post(client, "checkout-rate", rate_request(checkout.key))
    assert response.status_code == 200
    body = response.json()
    assert {c["carrier_info"]["code"] for c in body["carrier_quotes"]} == {"DHL", "UPS"}
    assert quotes(body)["EXPRESS"]["cost"] == {"currency": "EUR", "amount": 9.0}


def test_the_specs_own_request_example_passes_through_the_endpoint(client, checkout, connection):
    """The spec's example: a US cart in USD of one item ("text") the warehouse does not stock;
    the connection still quotes (its stock setting) an option serving the US, in USD."""
    option(connection, "US-GROUND", countries=["US"])
    example = find_operation("POST", HOST + "/rate", api="shipping_provider").request_example()
    example["connection_options"] = {"checkout_key": checkout.key}
    response = post(client, "checkout-rate", example)
    assert response.status_code == 200
    got = quotes(response.json())
    assert set(got) == {"US-GROUND"}
    assert got["US-GROUND"]["cost"] == {"currency": "USD", "amount": 5.45}
    assert "back-ordered" in got["US-GROUND"]["messages"][0]["text"]


def test_the_specs_answers_validate_as_the_endpoints_do():
    """The validator the tests use accepts the spec's own example answers (so a failure above
    is the endpoint's, not the validator's)."""
    rate_op = find_operation("POST", HOST + "/rate", api="shipping_provider")
    for name in ("With shipping rates", "Without shipping rates"):
        validate_response(
            "POST", HOST + "/rate", 200, {"Content-Type": "application/json"},
            json.dumps(rate_op.response_example(200, name)), api="shipping_provider",
        )  # fmt: skip


def test_an_unknown_key_gets_no_quotes_and_a_log_line_never_another_tenants(
    client, checkout, other_connection, caplog
):
    option(other_connection, "BOBS")
    checkout_for(other_connection)
    with caplog.at_level(logging.WARNING, logger="checkout.api"):
        response = post(client, "checkout-rate", rate_request("no-such-key"))
    assert response.status_code == 200
    assert response.json()["carrier_quotes"] == []
    assert "unknown checkout key" in caplog.text
    assert "no-such-key" not in caplog.text  # a hint of it, never the key


def test_a_missing_key_gets_no_quotes(client, checkout):
    body = rate_request(checkout.key)
    del body["connection_options"]
    assert post(client, "checkout-rate", body).json()["carrier_quotes"] == []


@pytest.mark.parametrize(
    "raw, fragment",
    [
        (b"{not json", "not JSON"),
        (b"[]", "request body must be a JSON object"),
        (b'{"base_options": {}}', "destination"),
        (b'{"base_options": {"destination": {"zip": "1", "country_iso2": "DE"}, "items": 3}}',
         "items"),
    ],
)  # fmt: skip
def test_a_malformed_payload_gets_a_400_saying_what_is_wrong(client, checkout, raw, fragment):
    response = post(client, "checkout-rate", None, raw=raw)
    assert response.status_code == 400
    assert fragment in response.json()["error"]


def test_an_item_with_a_bad_weight_names_the_field(client, checkout):
    body = rate_request(checkout.key, items=[item(weight={"units": "kg", "value": 1})])
    response = client.post(reverse("checkout-rate"), body, content_type="application/json")
    assert response.status_code == 400
    assert "items[0].weight.units" in response.json()["error"]


def test_only_post_is_answered(client):
    assert client.get(reverse("checkout-rate")).status_code == 405


def test_a_warm_quote_takes_two_indexed_queries_and_a_cold_one_three(
    client, checkout, django_assert_max_num_queries, monkeypatch
):
    # The served-quotes tally is written every few seconds of wall clock: not within this test.
    monkeypatch.setattr("checkout.counters.FLUSH_SECONDS", float("inf"))
    body = rate_request(checkout.key)
    with django_assert_max_num_queries(3):
        post(client, "checkout-rate", body)  # settings by key, options, the cart's stock
    with django_assert_max_num_queries(2):
        post(client, "checkout-rate", body)  # options from the cache


def test_check_connection_options_says_valid_for_a_known_key(client, checkout):
    body = {"connection_options": {"checkout_key": checkout.key}}
    response = post(client, "checkout-check-connection-options", body)
    assert response.json()["valid"] is True
    assert "2 delivery option(s)" in response.json()["messages"][0]["text"]


def test_check_connection_options_says_invalid_for_an_unknown_or_disabled_key(
    client, checkout, connection
):
    unknown = post(client, "checkout-check-connection-options", {"connection_options": {}})
    assert unknown.json()["valid"] is False
    assert "Checkout tab" in unknown.json()["messages"][0]["text"]
    CheckoutSettings.objects.filter(pk=checkout.pk).update(enabled=False)
    body = {"connection_options": {"checkout_key": checkout.key}}
    assert post(client, "checkout-check-connection-options", body).json()["valid"] is False


def test_check_connection_options_refuses_malformed_json(client):
    response = client.post(
        reverse("checkout-check-connection-options"), "{", content_type="application/json"
    )
    assert response.status_code == 400
