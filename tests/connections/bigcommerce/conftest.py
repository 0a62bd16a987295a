"""Fixtures of the driver tests: simulated time, a client on it, mocked HTTP, Redis for the
quota gates (db 15, keys under a prefix of the test only).
"""

from __future__ import annotations

import uuid

import pytest
import redis
import responses

from tests.connections.bigcommerce.helpers import REDIS_TEST_URL, FakeTime, build_client


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
