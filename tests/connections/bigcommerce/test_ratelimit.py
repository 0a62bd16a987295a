"""Picking a store's gate (ratelimit.py): local without Redis, Redis with it; both gates
fulfil the protocol.
"""

from __future__ import annotations

from connections.bigcommerce.quota.gate import MAX_RESET_S
from connections.bigcommerce.ratelimit import (
    LocalQuotaGate,
    QuotaGate,
    RedisQuotaGate,
    quota_gate_for,
)
from tests.connections.bigcommerce.helpers import REDIS_TEST_URL


def test_the_gate_is_local_without_redis_and_redis_with_it(settings, redis_client, redis_prefix):
    settings.REDIS_URL = ""
    assert isinstance(quota_gate_for("s1"), LocalQuotaGate)
    settings.REDIS_URL = REDIS_TEST_URL
    gate = quota_gate_for("s1")
    assert isinstance(gate, RedisQuotaGate)
    assert gate is quota_gate_for("s1")
    assert isinstance(quota_gate_for("s1", redis_url=""), LocalQuotaGate)


def test_the_gates_fulfil_the_protocol(redis_client):
    assert isinstance(LocalQuotaGate(), QuotaGate)
    assert isinstance(RedisQuotaGate(store_hash="p", redis_client=redis_client), QuotaGate)
    assert MAX_RESET_S >= 30
