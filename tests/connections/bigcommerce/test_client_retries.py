"""The client's retries: server errors, timeouts and dropped connections, 429s and malformed
answers, each retried only where it is safe.
"""

from __future__ import annotations

import pytest
import requests

from connections.bigcommerce.errors import (
    MalformedResponseError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from tests.connections.bigcommerce.helpers import (
    BASE,
    SHIPMENT,
    SHIPMENTS,
    STORE_URL,
    FakeTime,
    rate_headers,
)


def backoffs(fake: FakeTime) -> list[float]:
    return list(fake.sleeps)


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


def test_a_post_is_never_retried_blindly(client, mocked):
    mocked.post(f"{BASE}/v3/hooks", status=502)
    with pytest.raises(ServerError):
        client.create_webhook({"scope": "store/order/created", "destination": "https://hub.test/h"})
    assert len(mocked.calls) == 1


def test_a_put_is_retried_because_it_is_idempotent(client, mocked):
    mocked.put(f"{BASE}/v2/orders/4", status=500)
    mocked.put(f"{BASE}/v2/orders/4", json={"id": 4, "status_id": 2})
    assert client.update_order(4, {"status_id": 2})["status_id"] == 2
    assert len(mocked.calls) == 2


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


@pytest.mark.no_contract  # truncated JSON is the fault under test
def test_malformed_json_on_a_get_is_asked_again(client, mocked):
    mocked.get(STORE_URL, body='{"name": "Sh')  # truncated
    mocked.get(STORE_URL, json={"name": "Shop"})
    assert client.get_store() == {"name": "Shop"}
    assert len(mocked.calls) == 2


@pytest.mark.no_contract  # an HTML body where JSON is due is the fault under test
def test_malformed_json_twice_retried_then_gives_malformed_response_error(client, mocked):
    mocked.get(STORE_URL, body="<html>Bad gateway</html>", status=200)
    with pytest.raises(MalformedResponseError) as caught:
        client.get_store()
    assert len(mocked.calls) == 3
    assert "not valid JSON" in caught.value.message


@pytest.mark.no_contract  # truncated JSON is the fault under test
def test_malformed_json_on_a_put_is_not_repeated(client, mocked):
    mocked.put(f"{BASE}/v2/orders/4", body="{")
    with pytest.raises(MalformedResponseError, match="probably applied"):
        client.update_order(4, {"status_id": 2})
    assert len(mocked.calls) == 1


@pytest.mark.no_contract  # answers of the wrong JSON type are the fault under test
def test_an_answer_of_the_wrong_shape_is_malformed(client, mocked):
    mocked.get(f"{BASE}/v2/orders/4", json=[{"id": 4}])
    with pytest.raises(MalformedResponseError, match="object"):
        client.get_order(4)
    mocked.get(f"{BASE}/v2/orders", json={"id": 1})
    with pytest.raises(MalformedResponseError, match="list"):
        list(client.iter_order_pages())
