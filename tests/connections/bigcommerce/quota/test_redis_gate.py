"""The Redis gate (quota/redis_gate.py): one quota shared by processes, keys per store, the
Redis server's clock, the local gate when Redis is down.
"""

from __future__ import annotations

import math

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from connections.bigcommerce.ratelimit import (
    LocalQuotaGate,
    RedisQuotaGate,
    parse_rate_limit_headers,
)
from tests.connections.bigcommerce.helpers import REDIS_TEST_URL, FakeStore


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
