"""The sandbox's rate limits, latency and injected faults (state.py)."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.sandbox
RATE_HEADERS = (
    "X-Rate-Limit-Time-Window-Ms",
    "X-Rate-Limit-Time-Reset-Ms",
    "X-Rate-Limit-Requests-Quota",
    "X-Rate-Limit-Requests-Left",
)


def outcomes(sandbox, n=60):
    out = []
    for _ in range(n):
        try:
            r = sandbox.api("GET", "/v2/orders", params={"limit": 1}, timeout=5)
        except requests.ConnectionError:
            out.append("dropped")
            continue
        try:
            json.loads(r.content)
            out.append(str(r.status_code))
        except ValueError:
            out.append(f"{r.status_code}-bad")
    return out


def test_every_api_response_carries_the_rate_limit_headers(sandbox):
    sandbox.reset(quota=150, window_ms=30000)
    for r in (
        sandbox.get("/v2/orders", limit=1),
        sandbox.get("/v2/orders/999999"),
        sandbox.get("/v3/catalog/products", limit=1),
        sandbox.get("/v2/orders", page=99),
    ):
        assert all(h in r.headers for h in RATE_HEADERS), r.status_code
    assert r.headers["X-Rate-Limit-Requests-Quota"] == "150"
    assert r.headers["X-Rate-Limit-Time-Window-Ms"] == "30000"


def test_the_window_starts_at_the_first_request_and_counts_down(sandbox):
    sandbox.reset(quota=5, window_ms=60000)
    lefts = []
    for _ in range(5):
        r = sandbox.get("/v2/orders", limit=1)
        assert r.status_code == 200
        lefts.append(int(r.headers["X-Rate-Limit-Requests-Left"]))
        assert 0 < int(r.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 60000
    assert lefts == [4, 3, 2, 1, 0]


def test_past_the_quota_the_answer_is_429_with_the_headers(sandbox):
    sandbox.reset(quota=3, window_ms=60000)
    for _ in range(3):
        assert sandbox.get("/v2/orders", limit=1).status_code == 200
    r = sandbox.get("/v2/orders", limit=1)
    assert r.status_code == 429
    assert r.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert 0 < int(r.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 60000
    assert sandbox.get("/v3/catalog/products").status_code == 429  # v2 and v3 share it
    stats = sandbox.stats()
    assert stats["http_429"] == 2
    assert stats["by_store"][sandbox.store_hash]["http_429"] == 2


def test_the_quota_is_per_store(sandbox):
    sandbox.reset(quota=2, window_ms=60000)
    for _ in range(3):
        sandbox.get("/v2/orders", limit=1)
    other = sandbox.api(
        "GET",
        "/v2/orders",
        store_hash=sandbox.other_store_hash,
        token=sandbox.other_token,
        params={"limit": 1},
    )
    assert other.status_code == 200
    assert other.headers["X-Rate-Limit-Requests-Left"] == "1"


def test_the_quota_comes_back_after_the_reset_time(sandbox):
    sandbox.reset(quota=1, window_ms=150)
    assert sandbox.get("/v2/orders", limit=1).status_code == 200
    r = sandbox.get("/v2/orders", limit=1)
    assert r.status_code == 429
    time.sleep(int(r.headers["X-Rate-Limit-Time-Reset-Ms"]) / 1000 + 0.01)  # what a client does
    r = sandbox.get("/v2/orders", limit=1)
    assert r.status_code == 200
    assert r.headers["X-Rate-Limit-Requests-Left"] == "0"


def test_concurrent_requests_get_exactly_the_quota(sandbox):
    sandbox.reset(quota=20, window_ms=60000)
    url = f"{sandbox.store_url}/v2/orders?limit=1"

    def call(_):
        with requests.Session() as s:
            return s.get(url, headers=sandbox.headers, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(call, range(30)))
    assert sorted(codes).count(200) == 20 and codes.count(429) == 10
    assert sandbox.stats()["requests"] == 30


def test_unauthorized_requests_use_no_quota(sandbox):
    sandbox.reset(quota=2, window_ms=60000)
    for _ in range(3):
        assert sandbox.api("GET", "/v2/orders", token="bad").status_code == 401
    assert sandbox.get("/v2/orders", limit=1).headers["X-Rate-Limit-Requests-Left"] == "1"


def test_changing_the_quota_at_run_time_restarts_the_window(sandbox):
    sandbox.reset(quota=1, window_ms=60000)
    sandbox.get("/v2/orders", limit=1)
    assert sandbox.get("/v2/orders", limit=1).status_code == 429
    sandbox.configure(quota=10)
    r = sandbox.get("/v2/orders", limit=1)
    assert r.status_code == 200 and r.headers["X-Rate-Limit-Requests-Left"] == "9"


def test_latency_delays_every_api_request(sandbox):
    sandbox.configure(latency_ms=120)
    start = time.perf_counter()
    assert sandbox.get("/v2/orders", limit=1).status_code == 200
    assert time.perf_counter() - start >= 0.12
    sandbox.configure(latency_ms=0)


@pytest.mark.parametrize("kind", ["500", "502", "503"])
def test_a_forced_server_error_answers_once_then_the_api_works_again(sandbox, kind):
    sandbox.force_fault(kind, path="/v2/orders")
    r = sandbox.get("/v2/orders", limit=1)
    assert r.status_code == int(kind)
    assert ("X-Rate-Limit-Requests-Left" in r.headers) == (kind == "500")
    assert sandbox.get("/v2/orders", limit=1).status_code == 200
    stats = sandbox.stats()
    assert stats["faults"][kind] == 1 and stats["faults_total"] == 1


def test_a_forced_429_has_no_rate_limit_headers(sandbox):
    sandbox.force_fault("429")
    r = sandbox.get("/v2/orders", limit=1)
    assert r.status_code == 429
    assert not any(h in r.headers for h in RATE_HEADERS)
    assert sandbox.stats()["http_429"] == 0  # platform load, not the quota


def test_a_forced_timeout_hangs_then_drops_the_connection(sandbox):
    sandbox.force_fault("timeout", hang_ms=80)
    start = time.perf_counter()
    with pytest.raises(requests.ConnectionError):
        sandbox.get("/v2/orders", limit=1)
    assert time.perf_counter() - start >= 0.08
    assert sandbox.get("/v2/orders", limit=1).status_code == 200


def test_a_client_timeout_fires_before_a_long_hang(sandbox):
    sandbox.force_fault("timeout", hang_ms=3000)
    with pytest.raises(requests.Timeout):
        sandbox.api("GET", "/v2/orders", timeout=0.2)


@pytest.mark.no_contract  # the injected truncated JSON is the point
def test_a_forced_malformed_answer_is_200_with_truncated_json(sandbox):
    sandbox.force_fault("malformed")
    r = sandbox.get("/v2/orders", limit=5)
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)


def test_a_lost_shipment_response_still_creates_the_shipment(sandbox):
    order = sandbox.create_order(status_id=11)
    cons = order["consignments"]["shipping"][0]
    sandbox.force_fault("lost_response", method="POST", path="/v2/orders/{id}/shipments")
    body = {
        "order_address_id": cons["id"],
        "tracking_number": "LOST1",
        "items": [
            {"order_product_id": li["id"], "quantity": li["quantity"]} for li in cons["line_items"]
        ],
    }
    with pytest.raises(requests.ConnectionError):
        sandbox.api("POST", f"/v2/orders/{order['id']}/shipments", json=body)
    shipments = sandbox.get(f"/v2/orders/{order['id']}/shipments").json()
    assert [s["tracking_number"] for s in shipments] == ["LOST1"]
    assert sandbox.get(f"/v2/orders/{order['id']}").json()["status_id"] == 2


def test_a_forced_fault_only_hits_matching_requests(sandbox):
    sandbox.force_fault("503", count=2, method="POST", path="/v2/orders/{id}/shipments")
    assert sandbox.get("/v2/orders", limit=1).status_code == 200
    assert sandbox.get("/v2/orders/101/shipments").status_code in (200, 204)
    pending = sandbox.control("GET", "/faults").json()["pending"]
    assert pending[0]["count"] == 2
    r = sandbox.api("POST", "/v2/orders/101/shipments", json={})
    assert r.status_code == 503
    sandbox.control("DELETE", "/faults")
    assert sandbox.control("GET", "/faults").json()["pending"] == []


def test_a_forced_fault_can_target_one_store(sandbox):
    sandbox.force_fault("500", store=sandbox.other_store_hash)
    assert sandbox.get("/v2/orders", limit=1).status_code == 200
    r = sandbox.api(
        "GET", "/v2/orders", store_hash=sandbox.other_store_hash, token=sandbox.other_token
    )
    assert r.status_code == 500


def test_faulted_requests_use_quota(sandbox):
    sandbox.reset(quota=10, window_ms=60000)
    sandbox.force_fault("503")
    sandbox.get("/v2/orders", limit=1)
    assert sandbox.get("/v2/orders", limit=1).headers["X-Rate-Limit-Requests-Left"] == "8"


@pytest.mark.no_contract  # injected truncated JSON answers are the point
def test_random_faults_follow_the_rate_and_repeat_for_the_same_seed(sandbox):
    sandbox.reset(fault_rate=0.3, fault_hang_ms=10, seed=3)
    first = outcomes(sandbox)
    stats = sandbox.stats()
    sandbox.reset(fault_rate=0.3, fault_hang_ms=10, seed=3)
    assert outcomes(sandbox) == first
    faulty = sum(o != "200" for o in first)
    assert 6 <= faulty <= 35
    assert stats["faults_total"] == faulty
    assert len({k for k, n in stats["faults"].items() if n}) >= 3
    assert stats["faults"]["lost_response"] == 0  # only drawn for shipment POSTs


def test_no_faults_without_a_fault_rate(sandbox):
    assert set(outcomes(sandbox, 30)) == {"200"}


@pytest.mark.no_contract  # the injected answers are the point
@pytest.mark.parametrize("kind", ["504", "401", "403"])
def test_a_forced_504_401_or_403_answers_once_and_changes_nothing(sandbox, kind):
    sandbox.force_fault(kind, path="/v2/orders")
    r = sandbox.get("/v2/orders", limit=1)
    assert r.status_code == int(kind)
    assert not any(h in r.headers for h in RATE_HEADERS)
    assert sandbox.get("/v2/orders", limit=1).status_code == 200
    assert sandbox.stats()["faults"][kind] == 1


def test_a_slow_answer_is_carried_out_and_comes_after_the_client_gave_up(sandbox):
    order = sandbox.create_order(status_id=11)
    cons = order["consignments"]["shipping"][0]
    body = {
        "order_address_id": cons["id"],
        "tracking_number": "SLOW1",
        "items": [
            {"order_product_id": li["id"], "quantity": li["quantity"]} for li in cons["line_items"]
        ],
    }
    sandbox.force_fault("slow", method="POST", path="/v2/orders/{id}/shipments", hang_ms=1500)
    with pytest.raises(requests.Timeout):
        sandbox.api("POST", f"/v2/orders/{order['id']}/shipments", json=body, timeout=0.2)
    shipments = sandbox.get(f"/v2/orders/{order['id']}/shipments").json()
    assert [s["tracking_number"] for s in shipments] == ["SLOW1"]


def test_a_forced_fault_can_let_matching_requests_through_first(sandbox):
    sandbox.force_fault("500", path="/v2/orders", skip=2)
    assert [sandbox.get("/v2/orders", limit=1).status_code for _ in range(4)] == [
        200,
        200,
        500,
        200,
    ]


@pytest.mark.no_contract  # injected answers are the point
def test_the_random_faults_of_one_endpoint_repeat_for_a_seed_whatever_else_is_asked(sandbox):
    mix = {"fault_rate": 0.4, "fault_hang_ms": 10, "fault_kinds": ["504", "401", "403", "500"]}
    sandbox.reset(**mix, fault_seed=7)
    alone = outcomes(sandbox, 40)
    sandbox.reset(**mix, fault_seed=7)
    interleaved = []
    for _ in range(40):
        sandbox.api("GET", "/v2/store")  # another flow's requests meanwhile
        interleaved += outcomes(sandbox, 1)
    sandbox.reset(**mix, fault_seed=8)
    other_seed = outcomes(sandbox, 40)

    assert interleaved == alone
    assert other_seed != alone
    kinds = {o.split("-")[0] for o in alone} - {"200"}  # 504's HTML body: "504-bad"
    assert {"504", "401", "403"} <= kinds <= {"504", "401", "403", "500"}
    log = sandbox.stats()["fault_log"]
    assert all(store == sandbox.store_hash for store, _, _ in log)


def test_an_unknown_fault_kind_in_the_mix_is_refused(sandbox):
    r = sandbox.control("POST", "/config", {"fault_kinds": ["500", "teapot"]})
    assert r.status_code == 400 and "fault_kinds" in r.json()["error"]
