"""The quota gates: pacing from BigCommerce's rate-limit headers, shared per store.

Time is simulated: gates get a fake clock and a sleep that only advances it. The same
behaviour is checked on the in-process gate and on the Redis gate (real Redis, db 15, keys
under a prefix of this test run only).
"""

from __future__ import annotations

import math
import threading
import uuid

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from connections.bigcommerce.quota.gate import MAX_RESET_S
from connections.bigcommerce.ratelimit import (
    LocalQuotaGate,
    QuotaGate,
    RedisQuotaGate,
    parse_rate_limit_headers,
    quota_gate_for,
)

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


class FakeTime:
    """A clock that only moves when someone sleeps; every sleep is recorded."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


class FakeStore:
    """BigCommerce's per-store fixed-window quota, on a fake clock.

    ``aligned``: windows start at multiples of the window length; otherwise a window starts
    with the first request after the previous one ended.
    """

    def __init__(self, clock, *, quota: int, window_s: float, aligned: bool = True) -> None:
        self.clock = clock
        self.quota = quota
        self.window_s = window_s
        self.aligned = aligned
        self.window_start: float | None = None
        self.count = 0
        self.http_429 = 0
        self.served = 0
        self.per_window: list[int] = []
        self._lock = threading.Lock()

    def handle(self) -> dict[str, str]:
        """Count one request; the response headers (and status) it gets."""
        with self._lock:
            now = self.clock()
            if self.window_start is None or now >= self.window_start + self.window_s:
                if self.window_start is not None:
                    self.per_window.append(self.count)
                if self.aligned:
                    self.window_start = math.floor(now / self.window_s) * self.window_s
                else:
                    self.window_start = now
                self.count = 0
            reset_ms = (self.window_start + self.window_s - now) * 1000
            headers = {
                "X-Rate-Limit-Time-Window-Ms": str(int(self.window_s * 1000)),
                "X-Rate-Limit-Time-Reset-Ms": str(int(math.ceil(reset_ms))),
                "X-Rate-Limit-Requests-Quota": str(self.quota),
            }
            if self.count >= self.quota:
                self.http_429 += 1
                headers["X-Rate-Limit-Requests-Left"] = "0"
                headers["status"] = "429"
                return headers
            self.count += 1
            self.served += 1
            headers["X-Rate-Limit-Requests-Left"] = str(self.quota - self.count)
            headers["status"] = "200"
            return headers

    def windows(self) -> list[int]:
        return [*self.per_window, self.count]


def send(gate: QuotaGate, store: FakeStore, fake: FakeTime, latency: float = 0.0) -> int:
    """One request through the gate, as the client does it."""
    reservation = gate.acquire()
    headers = store.handle()
    if latency:
        fake.sleep(latency)
    info = parse_rate_limit_headers(headers)
    if headers["status"] == "429":
        gate.on_429(info.reset_ms, reservation=reservation)
        return 429
    gate.observe(info.left, info.reset_ms, info.quota, info.window_ms, reservation=reservation)
    return 200


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture(scope="module")
def redis_client():
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at redis://127.0.0.1:6379")
    yield client
    client.close()


@pytest.fixture
def redis_prefix(redis_client):
    prefix = f"test-bcquota-{uuid.uuid4().hex[:12]}"
    yield prefix
    keys = list(redis_client.scan_iter(match=f"{prefix}:*"))
    if keys:
        redis_client.delete(*keys)


@pytest.fixture(params=["local", "redis"])
def make_gate(request, fake):
    """Gates on the fake clock; several gates of one test share one store's quota."""
    if request.param == "local":
        shared = LocalQuotaGate(clock=fake.clock, sleep=fake.sleep)

        def factory(reserve: int = 0) -> QuotaGate:
            shared.reserve = reserve
            return shared

        return factory
    redis_client = request.getfixturevalue("redis_client")
    prefix = request.getfixturevalue("redis_prefix")

    def factory(reserve: int = 0) -> QuotaGate:
        return RedisQuotaGate(
            store_hash="store1",
            redis_client=redis_client,
            key_prefix=prefix,
            reserve=reserve,
            clock=fake.clock,
            sleep=fake.sleep,
        )

    return factory


# --------------------------------------------------------------------------- headers


def test_rate_limit_headers_are_read_case_insensitively():
    info = parse_rate_limit_headers(
        {
            "x-rate-limit-requests-left": "149",
            "X-RATE-LIMIT-TIME-RESET-MS": "29500",
            "X-Rate-Limit-Requests-Quota": "150",
            "x-rate-limit-time-window-ms": "30000",
        }
    )
    assert info is not None
    assert (info.left, info.reset_ms, info.quota, info.window_ms) == (149, 29500.0, 150, 30000.0)


def test_missing_or_garbled_rate_limit_headers_give_nothing():
    assert parse_rate_limit_headers({}) is None
    assert parse_rate_limit_headers({"X-Rate-Limit-Requests-Left": "3"}) is None
    assert (
        parse_rate_limit_headers(
            {"X-Rate-Limit-Requests-Left": "many", "X-Rate-Limit-Time-Reset-Ms": "10"}
        )
        is None
    )


# --------------------------------------------------------------------------- behaviour


def test_the_first_request_goes_without_waiting(make_gate, fake):
    reservation = make_gate().acquire()
    assert reservation.waited_s == 0
    assert fake.sleeps == []


def test_a_request_waits_for_the_reset_when_none_are_left(make_gate, fake):
    gate = make_gate()
    gate.observe(0, 5000, 150, 30000, reservation=gate.acquire())
    reservation = gate.acquire()
    assert fake.sleeps == [pytest.approx(5.0)]
    assert reservation.waited_s == pytest.approx(5.0)


def test_the_whole_quota_is_used_before_pausing(make_gate, fake):
    gate = make_gate()
    gate.observe(3, 20000, 150, 30000, reservation=gate.acquire())
    for left in (2, 1, 0):
        gate.observe(left, 20000, 150, 30000, reservation=gate.acquire())
    assert fake.sleeps == []
    gate.acquire()
    assert fake.sleeps == [pytest.approx(20.0)]


def test_requests_in_flight_count_against_what_is_left(make_gate, fake):
    gate = make_gate()
    gate.observe(2, 10000, 150, 30000, reservation=gate.acquire())
    gate.acquire()
    gate.acquire()  # two in flight, two left: the next must wait for the reset
    assert fake.sleeps == []
    gate.acquire()
    assert sum(fake.sleeps) == pytest.approx(10.0)


def test_a_reserve_keeps_requests_back(make_gate, fake):
    gate = make_gate(reserve=2)
    gate.observe(3, 10000, 150, 30000, reservation=gate.acquire())
    gate.acquire()
    assert fake.sleeps == []
    gate.acquire()
    assert sum(fake.sleeps) == pytest.approx(10.0)


def test_after_the_reset_the_full_quota_is_assumed_again(make_gate, fake):
    gate = make_gate()
    gate.observe(0, 1000, 3, 30000, reservation=gate.acquire())
    for _ in range(3):  # the first waits 1 s, then a new window of 3 is assumed
        gate.acquire()
    assert fake.sleeps == [pytest.approx(1.0)]


def test_a_slow_answer_sent_in_the_current_window_still_counts(make_gate, fake):
    gate = make_gate()
    gate.observe(50, 20000, 150, 30000, reservation=gate.acquire())
    slow = gate.acquire()
    fake.now += 16  # more than half a window on the way
    gate.observe(0, 19000, 150, 30000, reservation=slow)
    gate.acquire()
    assert fake.sleeps == [pytest.approx(4.0)]  # until the reset known from the first answer


def test_a_late_answer_from_an_earlier_window_is_ignored(make_gate, fake):
    gate = make_gate()
    old = gate.acquire()
    gate.observe(100, 1000, 150, 30000, reservation=gate.acquire())
    fake.now += 1.5  # the window has reset
    gate.observe(120, 29000, 150, 30000, reservation=gate.acquire())
    gate.observe(0, 0, 150, 30000, reservation=old)  # processed before the reset
    gate.acquire()
    assert fake.sleeps == []


def test_other_apps_using_the_quota_lower_what_is_left(make_gate, fake):
    gate = make_gate()
    gate.observe(100, 20000, 150, 30000, reservation=gate.acquire())
    fake.now += 1
    gate.observe(0, 19000, 150, 30000, reservation=gate.acquire())  # someone used 99
    gate.acquire()
    assert fake.sleeps == [pytest.approx(19.0)]


def test_a_429_with_a_reset_makes_every_sharer_wait_it(make_gate, fake):
    first, second = make_gate(), make_gate()
    first.on_429(7000, reservation=first.acquire())
    second.acquire()
    assert fake.sleeps == [pytest.approx(7.0)]


def test_429s_without_headers_pause_everyone_increasingly_until_an_answer(make_gate, fake):
    gate = make_gate()
    for _ in range(3):
        gate.on_429(None, reservation=gate.acquire())
    assert fake.sleeps == [pytest.approx(1.0), pytest.approx(2.0)]
    gate.observe(100, 20000, 150, 30000, reservation=gate.acquire())
    assert fake.sleeps[-1] == pytest.approx(4.0)
    gate.on_429(None, reservation=gate.acquire())
    gate.acquire()
    assert fake.sleeps[-1] == pytest.approx(1.0)


def test_a_request_without_an_answer_is_counted_as_used(make_gate, fake):
    gate = make_gate()
    gate.observe(1, 10000, 150, 30000, reservation=gate.acquire())
    gate.release(gate.acquire())  # e.g. a timeout: BigCommerce may have counted it
    gate.acquire()
    assert fake.sleeps == [pytest.approx(10.0)]


@pytest.mark.parametrize("aligned", [True, False], ids=["clock-windows", "rolling-start"])
def test_n_requests_take_close_to_the_floor_the_quota_sets_and_get_no_429(make_gate, fake, aligned):
    quota, window, n = 20, 30.0, 95
    store = FakeStore(fake.clock, quota=quota, window_s=window, aligned=aligned)
    gate = make_gate()
    start = fake.now
    statuses = [send(gate, store, fake, latency=0.05) for _ in range(n)]
    floor = (math.ceil(n / quota) - 1) * window
    assert statuses.count(429) == 0
    assert store.served == n
    assert fake.now - start <= floor + 5 * 0.05 + window * 0.05
    assert all(count <= quota for count in store.windows())


# --------------------------------------------------------------------------- sharing


def test_one_local_gate_serves_all_clients_of_a_store():
    assert LocalQuotaGate.for_store("shared-a") is LocalQuotaGate.for_store("shared-a")
    assert LocalQuotaGate.for_store("shared-a") is not LocalQuotaGate.for_store("shared-b")


def test_the_gate_is_local_without_redis_and_redis_with_it(settings, redis_client, redis_prefix):
    settings.REDIS_URL = ""
    assert isinstance(quota_gate_for("s1"), LocalQuotaGate)
    settings.REDIS_URL = REDIS_TEST_URL
    gate = quota_gate_for("s1")
    assert isinstance(gate, RedisQuotaGate)
    assert gate is quota_gate_for("s1")
    assert isinstance(quota_gate_for("s1", redis_url=""), LocalQuotaGate)


def test_threads_sharing_a_local_gate_never_exceed_the_quota(fake):
    quota, window, n_threads, per_thread = 15, 30.0, 8, 12
    store = FakeStore(fake.clock, quota=quota, window_s=window)
    gate = LocalQuotaGate(clock=fake.clock, sleep=fake.sleep)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(per_thread):
            status = send(gate, store, fake)
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(statuses) == n_threads * per_thread
    assert store.http_429 == 0
    assert all(count <= quota for count in store.windows())


def test_two_processes_sharing_one_store_through_redis_never_exceed_the_quota(
    redis_client, redis_prefix, fake
):
    quota, window, n = 10, 30.0, 47
    store = FakeStore(fake.clock, quota=quota, window_s=window)
    # Two gates with their own connections, as two worker processes would have.
    gates = [
        RedisQuotaGate(
            store_hash="shared",
            redis_client=redis.Redis.from_url(REDIS_TEST_URL),
            key_prefix=redis_prefix,
            clock=fake.clock,
            sleep=fake.sleep,
        )
        for _ in range(2)
    ]
    # Interleave them, with up to three requests in flight; answers arrive before anyone
    # sleeps (network latency is far below the waits).
    pending: list = []

    def deliver() -> None:
        while pending:
            gate, reservation, headers = pending.pop(0)
            info = parse_rate_limit_headers(headers)
            gate.observe(
                info.left, info.reset_ms, info.quota, info.window_ms, reservation=reservation
            )

    def sleep(seconds: float) -> None:
        deliver()
        fake.sleep(seconds)

    for gate in gates:
        gate._sleep = sleep
    for i in range(n):
        gate = gates[i % 2]
        pending.append((gate, gate.acquire(), store.handle()))
        if len(pending) == 3:
            pending_gate, reservation, headers = pending.pop(0)
            info = parse_rate_limit_headers(headers)
            pending_gate.observe(
                info.left, info.reset_ms, info.quota, info.window_ms, reservation=reservation
            )
    deliver()
    assert store.http_429 == 0
    assert store.served == n
    assert all(count <= quota for count in store.windows())
    floor = (math.ceil(n / quota) - 1) * window
    assert fake.now - 1000.0 <= floor + 1.0


def test_redis_gate_keys_are_per_store_and_expire(redis_client, redis_prefix, fake):
    gate = RedisQuotaGate(
        store_hash="abc", redis_client=redis_client, key_prefix=redis_prefix, clock=fake.clock
    )
    gate.observe(5, 1000, 150, 30000, reservation=gate.acquire())
    assert gate.state_key == f"{redis_prefix}:{{abc}}:state"
    assert float(redis_client.hget(gate.state_key, "left")) == 5
    assert 0 < redis_client.pttl(gate.state_key) <= 3600 * 1000


def test_redis_gate_uses_the_redis_server_clock_when_none_is_given(redis_client, redis_prefix):
    sleeps: list[float] = []
    gate = RedisQuotaGate(
        store_hash="clk", redis_client=redis_client, key_prefix=redis_prefix, sleep=sleeps.append
    )
    gate.on_429(2000, reservation=gate.acquire())
    gate._sleep = lambda s: (sleeps.append(s), gate.on_429(0))  # end the wait at once
    gate.acquire()
    assert 1.5 <= sleeps[0] <= 2.0


def test_redis_gate_falls_back_to_the_local_gate_when_redis_is_down(caplog, fake):
    down = redis.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    fallback = LocalQuotaGate(clock=fake.clock, sleep=fake.sleep)
    gate = RedisQuotaGate(store_hash="down", redis_client=down, fallback=fallback)
    reservation = gate.acquire()
    gate.observe(0, 3000, 150, 30000, reservation=reservation)
    gate.acquire()
    assert fake.sleeps == [pytest.approx(3.0)]
    assert "Redis is unreachable" in caplog.text


def test_the_gates_fulfil_the_protocol(redis_client):
    assert isinstance(LocalQuotaGate(), QuotaGate)
    assert isinstance(RedisQuotaGate(store_hash="p", redis_client=redis_client), QuotaGate)
    assert MAX_RESET_S >= 30
