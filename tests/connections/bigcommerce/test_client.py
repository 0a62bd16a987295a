"""The BigCommerce client: requests, headers, resources, stats, pacing and secrecy.

HTTP is mocked with ``responses``; time is simulated (no test really sleeps).
"""

from __future__ import annotations

import json
import logging
import random
from datetime import UTC, datetime

import pytest
import requests
import responses
from django.conf import settings as django_settings
from responses import matchers

from connections.bigcommerce.client import BigCommerceClient
from connections.bigcommerce.dates import format_v2_date, format_v3_date
from connections.bigcommerce.errors import AuthenticationError, BigCommerceError
from connections.bigcommerce.ratelimit import LocalQuotaGate
from connections.bigcommerce.resources.base import endpoint_key
from connections.bigcommerce.resources.inventory import INVENTORY_BATCH_SIZE

from .test_ratelimit import FakeTime

STORE = "abc123"
TOKEN = "tok-3f9a1c-SECRET-7d2e"
API = "https://bc.test"
BASE = f"{API}/stores/{STORE}"


def rate_headers(left: int, reset_ms: int = 20000, quota: int = 150, window_ms: int = 30000):
    return {
        "X-Rate-Limit-Requests-Left": str(left),
        "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
        "X-Rate-Limit-Requests-Quota": str(quota),
        "X-Rate-Limit-Time-Window-Ms": str(window_ms),
    }


def build_client(fake: FakeTime, **kwargs) -> BigCommerceClient:
    """A client on simulated time with its own quota gate."""
    options = {
        "store_hash": STORE,
        "access_token": TOKEN,
        "api_url": API,
        "quota_gate": LocalQuotaGate(clock=fake.clock, sleep=fake.sleep),
        "sleep": fake.sleep,
        "rng": random.Random(7),
        "max_retries": 3,
    }
    options.update(kwargs)
    return BigCommerceClient(**options)


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(fake):
    with build_client(fake) as bc:
        yield bc


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


# --------------------------------------------------------------------------- requests


def test_requests_go_to_the_store_url_with_the_token_and_json_headers(client, mocked):
    mocked.get(f"{BASE}/v2/store", json={"id": STORE, "name": "Shop"})
    assert client.get_store() == {"id": STORE, "name": "Shop"}
    sent = mocked.calls[0].request
    assert sent.url == f"{BASE}/v2/store"
    assert sent.headers["X-Auth-Token"] == TOKEN
    assert sent.headers["Accept"] == "application/json"
    assert "IntegrationHub" in sent.headers["User-Agent"]
    assert "Content-Type" not in sent.headers


def test_bodies_are_sent_as_json_with_a_content_type(client, mocked):
    mocked.put(f"{BASE}/v2/orders/101", json={"id": 101, "status_id": 2})
    assert client.update_order_status(101, 2) == {"id": 101, "status_id": 2}
    sent = mocked.calls[0].request
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.body) == {"status_id": 2}


def test_connect_and_read_timeouts_are_sent_with_every_request(fake, mocked):
    mocked.get(f"{BASE}/v2/store", json={})
    with build_client(fake, connect_timeout=2.5, read_timeout=40) as bc:
        bc.get_store()
    assert mocked.calls[0].request.req_kwargs["timeout"] == (2.5, 40.0)


def test_defaults_come_from_the_settings(settings, fake, mocked):
    settings.BIGCOMMERCE_API_URL = "https://sandbox.test:8443"
    settings.BIGCOMMERCE_CONNECT_TIMEOUT_S = 1.5
    settings.BIGCOMMERCE_READ_TIMEOUT_S = 9.0
    mocked.get(f"https://sandbox.test:8443/stores/{STORE}/v2/store", json={})
    with build_client(fake, api_url=None) as bc:
        bc.get_store()
    assert mocked.calls[0].request.req_kwargs["timeout"] == (1.5, 9.0)


def test_the_client_works_without_django_settings(monkeypatch, fake, mocked):
    from django.utils.functional import empty

    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    monkeypatch.setattr(django_settings, "_wrapped", empty)
    bc = BigCommerceClient(store_hash=STORE, access_token=TOKEN, quota_gate=LocalQuotaGate())
    assert bc.base_url == f"https://api.bigcommerce.com/stores/{STORE}"
    assert bc.timeout == (5.0, 60.0)
    bc.close()


@pytest.mark.no_contract  # its mocks are not yet made to the spec (issue 8 follow-up)
def test_redirects_are_not_followed_so_the_token_stays_home(client, mocked):
    mocked.get(f"{BASE}/v2/store", status=301, headers={"Location": "https://elsewhere.test/"})
    with pytest.raises(BigCommerceError, match="redirect"):
        client.get_store()
    assert len(mocked.calls) == 1


def test_the_session_is_shared_and_accepts_response_hooks(client, mocked):
    seen = []
    client.session.hooks["response"].append(lambda r, *a, **k: seen.append(r.status_code))
    mocked.get(f"{BASE}/v2/store", json={})
    client.get_store()
    assert seen == [200]


def test_a_bad_store_hash_or_empty_token_is_refused_at_once(fake):
    with pytest.raises(ValueError, match="store_hash"):
        build_client(fake, store_hash="store-abc/../x")
    with pytest.raises(ValueError, match="access_token"):
        build_client(fake, access_token="")


# --------------------------------------------------------------------------- resources


def test_get_order_includes_consignments_by_default(client, mocked):
    mocked.get(
        f"{BASE}/v2/orders/7",
        json={"id": 7},
        match=[
            matchers.query_param_matcher(
                {"include": "consignments.line_items", "consignment_structure": "object"}
            )
        ],
    )
    mocked.get(f"{BASE}/v2/orders/8", json={"id": 8}, match=[matchers.query_param_matcher({})])
    assert client.get_order(7) == {"id": 7}
    assert client.get_order(8, include_consignments=False) == {"id": 8}


def test_count_orders_sends_the_filters_and_reads_the_count(client, mocked):
    mocked.get(
        f"{BASE}/v2/orders/count",
        json={"count": 42, "statuses": []},
        match=[
            matchers.query_param_matcher(
                {
                    "status_id": "11",
                    "min_id": "100",
                    "min_date_modified": "Tue, 02 Jan 2024 03:04:05 +0000",
                }
            )
        ],
    )
    count = client.count_orders(
        status_id=11, min_id=100, min_date_modified=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    )
    assert count == 42


def test_order_statuses_are_listed(client, mocked):
    mocked.get(f"{BASE}/v2/order_statuses", json=[{"id": 0, "name": "Incomplete"}])
    assert client.list_order_statuses() == [{"id": 0, "name": "Incomplete"}]


def test_a_shipment_is_posted_once_when_all_goes_well(client, mocked):
    payload = {"order_address_id": 5, "tracking_number": "TRK1", "items": []}
    mocked.post(
        f"{BASE}/v2/orders/9/shipments",
        json={"id": 1, **payload},
        status=201,
        match=[matchers.json_params_matcher(payload)],
    )
    assert client.create_order_shipment(9, payload)["id"] == 1
    assert len(mocked.calls) == 1


def test_locations_are_listed_across_pages(client, mocked):
    mocked.get(
        f"{BASE}/v3/inventory/locations",
        json={"data": [{"id": 1}], "meta": {"pagination": {"total_pages": 2, "current_page": 1}}},
        match=[matchers.query_param_matcher({"limit": "250", "page": "1"})],
    )
    mocked.get(
        f"{BASE}/v3/inventory/locations",
        json={"data": [{"id": 2}], "meta": {"pagination": {"total_pages": 2, "current_page": 2}}},
        match=[matchers.query_param_matcher({"limit": "250", "page": "2"})],
    )
    assert client.list_locations() == [{"id": 1}, {"id": 2}]


@pytest.mark.no_contract  # its mocks are not yet made to the spec (issue 8 follow-up)
def test_webhooks_are_listed_created_updated_and_deleted(client, mocked):
    hook = {"id": 3, "scope": "store/order/created", "destination": "https://hub.test/hooks"}
    mocked.get(
        f"{BASE}/v3/hooks",
        json={"data": [hook], "meta": {"pagination": {"total_pages": 1, "current_page": 1}}},
    )
    mocked.post(f"{BASE}/v3/hooks", json={"data": hook, "meta": {}})
    mocked.put(f"{BASE}/v3/hooks/3", json={"data": {**hook, "is_active": True}, "meta": {}})
    mocked.delete(f"{BASE}/v3/hooks/3", json={"data": hook})
    assert client.list_webhooks() == [hook]
    assert client.create_webhook({"scope": hook["scope"]}) == hook
    assert client.update_webhook(3, {"is_active": True})["is_active"] is True
    assert client.delete_webhook(3) is None
    assert [c.request.method for c in mocked.calls] == ["GET", "POST", "PUT", "DELETE"]


# --------------------------------------------------------------------------- inventory


@pytest.mark.no_contract  # its mocks are not yet made to the spec (issue 8 follow-up)
def test_inventory_goes_in_chunks_of_2000_one_after_the_other(client, mocked):
    items = [{"location_id": 1, "variant_id": i, "quantity": i % 7} for i in range(4500)]
    answered, received = [], []
    client.session.hooks["response"].append(lambda r, *a, **k: received.append(r))

    def answer(request):
        body = json.loads(request.body)
        # The client has received the previous chunk's answer before sending this one.
        assert len(received) == len(answered)
        answered.append(len(body["items"]))
        assert body["reason"] == "hub stock"
        return 200, {}, json.dumps({"transaction_id": f"tx{len(answered)}"})

    mocked.add_callback(responses.PUT, f"{BASE}/v3/inventory/adjustments/absolute", answer)
    result = client.set_inventory_absolute(iter(items), reason="hub stock")
    assert answered == [INVENTORY_BATCH_SIZE, INVENTORY_BATCH_SIZE, 500]
    assert result == [
        {"transaction_id": "tx1"},
        {"transaction_id": "tx2"},
        {"transaction_id": "tx3"},
    ]
    sent = [json.loads(c.request.body)["items"] for c in mocked.calls]
    assert [item for chunk in sent for item in chunk] == items


def test_no_inventory_means_no_request(client, mocked):
    assert client.set_inventory_absolute([]) == []
    assert len(mocked.calls) == 0


@pytest.mark.no_contract  # its mocks are not yet made to the spec (issue 8 follow-up)
def test_a_failed_inventory_chunk_says_how_many_items_were_applied(client, mocked):
    url = f"{BASE}/v3/inventory/adjustments/absolute"
    mocked.put(url, json={"transaction_id": "a"})
    mocked.put(url, status=422, json={"status": 422, "title": "Item tracked by product"})
    items = [{"location_id": 1, "variant_id": i, "quantity": 1} for i in range(2500)]
    with pytest.raises(BigCommerceError) as caught:
        client.set_inventory_absolute(items)
    assert caught.value.items_applied == 2000


# --------------------------------------------------------------------------- stats


def test_stats_count_requests_retries_429s_and_waits_by_endpoint(client, mocked, fake):
    mocked.get(f"{BASE}/v2/orders/5/shipments", status=503)
    mocked.get(f"{BASE}/v2/orders/5/shipments", status=429, headers=rate_headers(0, 2000))
    mocked.get(f"{BASE}/v2/orders/5/shipments", json=[{"id": 1}], headers=rate_headers(140))
    mocked.get(f"{BASE}/v2/store", json={}, headers=rate_headers(139))
    client.list_order_shipments(5)
    client.get_store()
    stats = client.stats
    assert stats.requests == 4
    assert stats.by_endpoint == {"GET /v2/orders/{id}/shipments": 3, "GET /v2/store": 1}
    assert stats.http_429 == 1
    assert stats.retries == 2
    assert stats.waited_s == pytest.approx(sum(fake.sleeps))
    assert stats.waited_s >= 2.0
    assert stats.as_dict()["requests"] == 4


def test_endpoint_keys_template_the_ids():
    assert endpoint_key("get", "/v2/orders/123/shipments") == "GET /v2/orders/{id}/shipments"
    assert endpoint_key("PUT", "/v3/hooks/9?x=1") == "PUT /v3/hooks/{id}"
    assert endpoint_key("GET", "/v3/catalog/products") == "GET /v3/catalog/products"


def test_dates_are_sent_as_rfc_2822_to_v2_and_iso_8601_to_v3():
    moment = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    assert format_v2_date(moment) == "Mon, 06 May 2024 07:08:09 +0000"
    assert format_v3_date(moment) == "2024-05-06T07:08:09Z"
    assert format_v2_date(datetime(2024, 5, 6, 7, 8, 9)) == "Mon, 06 May 2024 07:08:09 +0000"
    assert format_v2_date("2024-05-06") == "2024-05-06"


# --------------------------------------------------------------------------- pacing


def test_pacing_pauses_when_requests_left_hits_zero_until_the_reset(client, mocked, fake):
    mocked.get(f"{BASE}/v2/store", json={}, headers=rate_headers(1, 9000))
    mocked.get(f"{BASE}/v2/store", json={}, headers=rate_headers(0, 9000))
    mocked.get(f"{BASE}/v2/store", json={}, headers=rate_headers(149, 30000))
    client.get_store()
    client.get_store()
    assert fake.sleeps == []  # the last unit of the window is used, not kept back
    client.get_store()
    assert fake.sleeps == [pytest.approx(9.0)]
    assert client.stats.http_429 == 0


def test_clients_of_one_store_share_the_quota(fake, mocked):
    gate = LocalQuotaGate(clock=fake.clock, sleep=fake.sleep)
    first, second = build_client(fake, quota_gate=gate), build_client(fake, quota_gate=gate)
    mocked.get(f"{BASE}/v2/store", json={}, headers=rate_headers(0, 4000))
    first.get_store()
    second.get_store()
    assert fake.sleeps == [pytest.approx(4.0)]
    assert second.stats.waited_s == pytest.approx(4.0)


def test_the_default_gate_is_the_stores_shared_one(settings):
    settings.REDIS_URL = ""
    one = BigCommerceClient(store_hash="shared1", access_token=TOKEN, api_url=API)
    two = BigCommerceClient(store_hash="shared1", access_token="other", api_url=API)
    assert one.quota_gate is two.quota_gate is LocalQuotaGate.for_store("shared1")


# --------------------------------------------------------------------------- secrecy


def test_the_token_appears_in_no_repr(client):
    assert TOKEN not in repr(client)
    assert STORE in repr(client)


@pytest.mark.no_contract  # its mocks are not yet made to the spec (issue 8 follow-up)
def test_the_token_is_never_logged_or_put_in_an_error(client, mocked, caplog):
    caplog.set_level(logging.DEBUG)
    echo = f"token {TOKEN} is not valid"
    mocked.get(f"{BASE}/v2/store", status=401, json=[{"status": 401, "message": echo}])
    mocked.get(f"{BASE}/v2/orders/1", status=503)
    mocked.get(f"{BASE}/v2/orders/2", body=requests.ConnectionError(f"reset {TOKEN}"))
    mocked.get(f"{BASE}/v2/orders/3", body=f"<html>{TOKEN}")
    errors = []
    for call in (
        client.get_store,
        lambda: client.get_order(1),
        lambda: client.get_order(2),
        lambda: client.get_order(3),
    ):
        with pytest.raises(BigCommerceError) as caught:
            call()
        errors.append(caught.value)
    assert isinstance(errors[0], AuthenticationError)
    for error in errors:
        assert TOKEN not in str(error)
        assert TOKEN not in repr(error)
        assert TOKEN not in json.dumps(error.details)
        assert TOKEN not in str(error.body)
    assert caplog.records, "the client logs its requests at DEBUG"
    assert TOKEN not in caplog.text
