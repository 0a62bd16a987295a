"""The client's transport: requests, headers, timeouts, settings, stats, pacing and secrecy.

HTTP is mocked with ``responses``; time is simulated (no test really sleeps).
"""

from __future__ import annotations

import json
import logging

import pytest
import requests
from django.conf import settings as django_settings

from connections.bigcommerce.client import BigCommerceClient
from connections.bigcommerce.errors import (
    AuthenticationError,
    BigCommerceError,
)
from connections.bigcommerce.ratelimit import (
    LocalQuotaGate,
)
from tests.connections.bigcommerce.helpers import (
    API,
    BASE,
    STORE,
    TOKEN,
    build_client,
    rate_headers,
)


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


def test_an_answer_with_an_integer_beyond_64_bits_is_read_as_python_reads_it(
    client, mocked, contract_everywhere
):
    # Exactly (orjson, say, would read it as a float): an order's overflowing quantity must
    # reach the importer as it is, which makes it that order's error.
    huge = 10**30
    mocked.get(f"{BASE}/v2/store", body=f'{{"id": "{STORE}", "quantity": {huge}}}')
    with contract_everywhere.expect_violations():  # no store has such a field
        assert client.get_store() == {"id": STORE, "quantity": huge}


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


def test_redirects_are_not_followed_so_the_token_stays_home(client, mocked, contract_everywhere):
    mocked.get(f"{BASE}/v2/store", status=301, headers={"Location": "https://elsewhere.test/"})
    with contract_everywhere.expect_violations() as off_contract:  # the spec has no 301
        with pytest.raises(BigCommerceError, match="redirect"):
            client.get_store()
    assert len(mocked.calls) == 1
    assert [v.status for v in off_contract] == [301]


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


@pytest.mark.parametrize("token", ["tökén", "token€", "two words", "tab\there"])
def test_a_token_no_http_header_can_carry_is_refused_before_any_request(fake, mocked, token):
    with pytest.raises(AuthenticationError) as caught:
        build_client(fake, access_token=token)

    assert "no HTTP header can carry" in str(caught.value)
    assert "Enter the connection's access token again" in str(caught.value)
    assert token not in str(caught.value)
    assert not mocked.calls


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


def test_the_client_asks_the_gate_in_its_quota_priority_class(fake, mocked):
    gate = LocalQuotaGate(clock=fake.clock, sleep=fake.sleep)
    classes = []
    acquire = gate.acquire
    gate.acquire = lambda *, priority: (classes.append(priority), acquire(priority=priority))[1]
    mocked.get(f"{BASE}/v2/store", json={}, headers=rate_headers(100))
    build_client(fake, quota_gate=gate, quota_priority=2).get_store()
    build_client(fake, quota_gate=gate).get_store()
    assert classes == [2, 5]  # 5: no flow's class (the default, after catalog)


def test_the_default_gate_is_the_stores_shared_one(settings):
    settings.REDIS_URL = ""
    one = BigCommerceClient(store_hash="shared1", access_token=TOKEN, api_url=API)
    two = BigCommerceClient(store_hash="shared1", access_token="other", api_url=API)
    assert one.quota_gate is two.quota_gate is LocalQuotaGate.for_store("shared1")


def test_the_token_appears_in_no_repr(client):
    assert TOKEN not in repr(client)
    assert STORE in repr(client)


def test_the_token_is_never_logged_or_put_in_an_error(client, mocked, caplog, contract_everywhere):
    caplog.set_level(logging.DEBUG)
    echo = f"token {TOKEN} is not valid"
    mocked.get(f"{BASE}/v2/store", status=401, json=[{"status": 401, "message": echo}])
    mocked.get(f"{BASE}/v2/orders/1", status=503)
    mocked.get(f"{BASE}/v2/orders/2", body=requests.ConnectionError(f"reset {TOKEN}"))
    mocked.get(f"{BASE}/v2/orders/3", body=f"<html>{TOKEN}")
    errors = []
    for call in (client.get_store, lambda: client.get_order(1), lambda: client.get_order(2)):
        with pytest.raises(BigCommerceError) as caught:
            call()
        errors.append(caught.value)
    with contract_everywhere.expect_violations() as off_contract:  # HTML where JSON is due
        with pytest.raises(BigCommerceError) as caught:
            client.get_order(3)
    errors.append(caught.value)
    assert off_contract and all("Content-Type" in str(v) for v in off_contract)
    assert isinstance(errors[0], AuthenticationError)
    for error in errors:
        assert TOKEN not in str(error)
        assert TOKEN not in repr(error)
        assert TOKEN not in json.dumps(error.details)
        assert TOKEN not in str(error.body)
    assert caplog.records, "the client logs its requests at DEBUG"
    assert TOKEN not in caplog.text
