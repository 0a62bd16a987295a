"""The Redis quota gate: one store's quota shared by every worker process.

Every update is one atomic Lua script (``lua/``: the shared ``prelude.lua`` plus one file per
operation), loaded once at import.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .gate import (
    DEFAULT_INFLIGHT_TTL_S,
    DEFAULT_PRIORITY,
    DEFAULT_RESERVE,
    LOAD_BACKOFF_BASE_S,
    LOAD_BACKOFF_CAP_S,
    PRIORITY_AGING_S,
    REDIS_RETRY_AFTER_S,
    WAITER_GRACE_S,
    Reservation,
    clamp_reset_s,
)
from .local_gate import LocalQuotaGate

logger = logging.getLogger("connections.bigcommerce.ratelimit")

_LUA_DIR = Path(__file__).resolve().parent / "lua"


def _script(name: str) -> str:
    return (_LUA_DIR / "prelude.lua").read_text() + (_LUA_DIR / f"{name}.lua").read_text()


_LUA_ACQUIRE = _script("acquire")
_LUA_OBSERVE = _script("observe")
_LUA_ON_429 = _script("on_429")
_LUA_RELEASE = _script("release")


class RedisQuotaGate:
    """Gate whose state lives in Redis, so every worker process shares one store's quota.

    Keys: ``{prefix}:{{store_hash}}:state`` (hash), ``...:inflight`` (sorted set of
    reservations), ``...:waiters`` and ``...:forget`` (waiting requests by rank and by when
    to forget them; see ``LocalQuotaGate.try_acquire``), expiring after ``key_ttl_s``
    without traffic. Times are taken from the Redis server (one clock for all hosts) unless
    ``clock`` is given (tests). If Redis cannot be reached, the gate falls back to the
    process-local gate and logs a warning.
    """

    def __init__(
        self,
        *,
        store_hash: str,
        redis_client: Any = None,
        redis_url: str | None = None,
        key_prefix: str = "bchub:quota",
        reserve: int = DEFAULT_RESERVE,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        inflight_ttl_s: float = DEFAULT_INFLIGHT_TTL_S,
        aging_s: float = PRIORITY_AGING_S,
        key_ttl_s: float = 3600.0,
        fallback: LocalQuotaGate | None = None,
    ) -> None:
        if redis_client is None:
            if not redis_url:
                raise ValueError("RedisQuotaGate needs redis_client or redis_url")
            redis_client = _redis_client(redis_url)
        self.store_hash = store_hash
        self.reserve = reserve
        self._redis = redis_client
        self._clock = clock
        self._sleep = sleep
        self._inflight_ttl_ms = int(inflight_ttl_s * 1000)
        self._key_ttl_ms = int(key_ttl_s * 1000)
        self._aging_ms = int(aging_s * 1000)
        self.state_key = f"{key_prefix}:{{{store_hash}}}:state"
        self.inflight_key = f"{key_prefix}:{{{store_hash}}}:inflight"
        self.waiters_keys = [
            f"{key_prefix}:{{{store_hash}}}:waiters",
            f"{key_prefix}:{{{store_hash}}}:forget",
        ]
        self._fallback = fallback
        self._down_until = -math.inf
        self._acquire_script = redis_client.register_script(_LUA_ACQUIRE)
        self._observe_script = redis_client.register_script(_LUA_OBSERVE)
        self._on_429_script = redis_client.register_script(_LUA_ON_429)
        self._release_script = redis_client.register_script(_LUA_RELEASE)

    def __repr__(self) -> str:
        return f"<RedisQuotaGate {self.state_key}>"

    @property
    def fallback(self) -> LocalQuotaGate:
        if self._fallback is None:
            self._fallback = LocalQuotaGate.for_store(self.store_hash)
        return self._fallback

    def _run(self, script: Any, *args: Any) -> Any:
        now = "" if self._clock is None else repr(self._clock() * 1000)
        argv = [now, self._inflight_ttl_ms, self._key_ttl_ms, *args]
        return script(keys=[self.state_key, self.inflight_key, *self.waiters_keys], args=argv)

    def _call(self, script: Any, args: list[Any], local: Callable[[], Any]) -> Any:
        """Run a script; while Redis is unreachable, use the local fallback gate instead."""
        import redis

        if time.monotonic() < self._down_until:
            return local()
        try:
            return self._run(script, *args)
        except redis.RedisError as exc:
            self._down_until = time.monotonic() + REDIS_RETRY_AFTER_S
            logger.warning(
                "Redis is unreachable for the shared BigCommerce quota of store %s (%s); "
                "pacing within this process only for %.0f s. Check REDIS_URL.",
                self.store_hash,
                type(exc).__name__,
                REDIS_RETRY_AFTER_S,
            )
            return local()

    def _attempt(self, token: str, priority: int, local: Callable[[], Any]) -> Any:
        args = [token, self.reserve, int(priority), self._aging_ms, int(WAITER_GRACE_S * 1000)]
        answer = self._call(self._acquire_script, args, local)
        if answer is None or isinstance(answer, float | Reservation):  # from the fallback
            return answer
        granted, wait_ms = answer
        return None if int(granted) == 1 else max(float(wait_ms), 1.0) / 1000.0

    def try_acquire(self, token: str, *, priority: int = DEFAULT_PRIORITY) -> float | None:
        """One attempt of `acquire`: None when granted, else the seconds to wait before trying
        again with the same token (it keeps its place among the waiters)."""
        return self._attempt(
            token, priority, lambda: self.fallback.try_acquire(token, priority=priority)
        )

    def acquire(self, *, priority: int = DEFAULT_PRIORITY) -> Reservation:
        token = uuid.uuid4().hex
        waited = 0.0
        while True:
            wait = self._attempt(token, priority, lambda: self.fallback.acquire(priority=priority))
            if isinstance(wait, Reservation):  # the fallback gate waited (on its own clock)
                return Reservation(wait.token, waited + wait.waited_s)
            if wait is None:
                return Reservation(token=token, waited_s=waited)
            self._sleep(wait)
            waited += wait

    def observe(
        self,
        left: int,
        reset_ms: float,
        quota: int | None = None,
        window_ms: float | None = None,
        *,
        reservation: Reservation | None = None,
    ) -> None:
        args = [
            reservation.token if reservation else "",
            max(0, int(left)),
            f"{clamp_reset_s(reset_ms) * 1000:.3f}",
            "" if not quota else int(quota),
            "" if not window_ms else int(window_ms),
        ]
        self._call(
            self._observe_script,
            args,
            lambda: self.fallback.observe(
                left, reset_ms, quota, window_ms, reservation=reservation
            ),
        )

    def on_429(self, reset_ms: float | None, *, reservation: Reservation | None = None) -> None:
        args = [
            reservation.token if reservation else "",
            "" if reset_ms is None else f"{clamp_reset_s(reset_ms) * 1000:.3f}",
            int(LOAD_BACKOFF_BASE_S * 1000),
            int(LOAD_BACKOFF_CAP_S * 1000),
        ]
        self._call(
            self._on_429_script,
            args,
            lambda: self.fallback.on_429(reset_ms, reservation=reservation),
        )

    def release(self, reservation: Reservation) -> None:
        self._call(
            self._release_script, [reservation.token], lambda: self.fallback.release(reservation)
        )


_redis_clients: dict[str, Any] = {}
_redis_gates: dict[tuple[str, str], RedisQuotaGate] = {}
_factory_lock = threading.Lock()


def _redis_client(url: str) -> Any:
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    with _factory_lock:
        client = _redis_clients.get(url)
        if client is None:
            # Fail fast: a gate that cannot reach Redis falls back to in-process pacing.
            client = _redis_clients[url] = redis.Redis.from_url(
                url,
                socket_timeout=2.0,
                socket_connect_timeout=2.0,
                health_check_interval=30,
                retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 1),
            )
        return client


def redis_gate_for(store_hash: str, url: str) -> RedisQuotaGate:
    """The process-wide Redis gate of one store on the Redis at ``url``."""
    client = _redis_client(url)
    with _factory_lock:
        gate = _redis_gates.get((url, store_hash))
        if gate is None:
            gate = _redis_gates[(url, store_hash)] = RedisQuotaGate(
                store_hash=store_hash, redis_client=client
            )
        return gate
