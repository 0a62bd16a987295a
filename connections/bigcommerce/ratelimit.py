"""Pacing of BigCommerce API requests: one quota per store, shared by every client.

BigCommerce counts requests per store in fixed windows (e.g. 150 requests / 30 s) and
tells the state on every response (``X-Rate-Limit-*`` headers). A *quota gate* holds
what is known about one store's window and is asked before every request:

* ``acquire()`` blocks until a request may go out and reserves it (an *in-flight*
  reservation). A request may go when ``left - in_flight > reserve``, where ``left`` is the
  lowest ``Requests-Left`` BigCommerce reported in the current window and ``in_flight`` the
  reservations not yet answered. With nothing known (first request), requests go freely.
* ``observe(left, reset_ms, quota, window_ms)`` feeds every answer's headers back. The
  answer was computed between its reservation and now, so its window resets within
  ``[reserved_at + reset, now + reset]``. An answer whose earliest reset is after the
  known one opens a new window; one whose latest reset is before the earliest possible
  reset of the current window is a late answer from an earlier window and is ignored;
  otherwise ``left`` only goes down and the reset time is tightened (answers to requests
  sent during the current window) or only ever pushed later (others). The reset time
  kept is never earlier than the real one, so the gate never opens a window early.
* When the known reset time passes, the gate assumes a fresh window with the full quota
  (minus what is still in flight) until the next answer says otherwise. Nothing is kept
  back unless a ``reserve`` is set, so a run uses the whole quota of every window.
* ``on_429(reset_ms)``: everyone waits until the reset. A 429 without headers (platform
  load) makes everyone pause for an exponentially growing, bounded time.
* ``release(reservation)``: the request ended without rate-limit headers (transport
  error, or a server that sends none); it is counted as used.

``LocalQuotaGate`` shares the state between threads and clients of one process (one gate
per store hash), ``RedisQuotaGate`` between processes (state in Redis, every update one
atomic Lua script, times from the Redis server clock unless a clock is injected).
``quota_gate_for(store_hash)`` picks Redis when ``REDIS_URL`` is set.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

logger = logging.getLogger(__name__)

#: Requests kept back from every window (``left - in_flight`` must stay above it).
DEFAULT_RESERVE = 0
#: Pause after a 429 without headers (platform load): base * 2**n, capped.
LOAD_BACKOFF_BASE_S = 1.0
LOAD_BACKOFF_CAP_S = 60.0
#: A reservation not answered within this time is forgotten (its process died).
DEFAULT_INFLIGHT_TTL_S = 180.0
#: Longest single wait believed from a header; a larger reset value is treated as this.
MAX_RESET_S = 300.0
#: Poll interval while answers of an earlier window are still outstanding.
POLL_S = 0.05
#: Headers and clocks count in whole milliseconds: window comparisons allow this much.
SLACK_S = 0.01
#: After a Redis failure, the local fallback gate is used this long before Redis is retried.
REDIS_RETRY_AFTER_S = 30.0

HEADER_WINDOW = "X-Rate-Limit-Time-Window-Ms"
HEADER_RESET = "X-Rate-Limit-Time-Reset-Ms"
HEADER_QUOTA = "X-Rate-Limit-Requests-Quota"
HEADER_LEFT = "X-Rate-Limit-Requests-Left"


@dataclass(frozen=True)
class Reservation:
    """One request allowed out by a gate; hand it back to observe/on_429/release."""

    token: str
    waited_s: float = 0.0


@dataclass(frozen=True)
class RateLimitInfo:
    left: int
    reset_ms: float
    quota: int | None = None
    window_ms: float | None = None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_rate_limit_headers(headers: Mapping[str, str]) -> RateLimitInfo | None:
    """The ``X-Rate-Limit-*`` headers of a response (names case-insensitive), or None.

    Needs at least Requests-Left and Time-Reset-Ms; Quota and Window are optional.
    """
    lowered = {str(k).lower(): v for k, v in headers.items()}
    left = _number(lowered.get(HEADER_LEFT.lower()))
    reset_ms = _number(lowered.get(HEADER_RESET.lower()))
    if left is None or reset_ms is None:
        return None
    quota = _number(lowered.get(HEADER_QUOTA.lower()))
    window_ms = _number(lowered.get(HEADER_WINDOW.lower()))
    return RateLimitInfo(
        left=max(0, int(left)),
        reset_ms=max(0.0, reset_ms),
        quota=int(quota) if quota is not None and quota > 0 else None,
        window_ms=window_ms if window_ms is not None and window_ms > 0 else None,
    )


def reset_ms_from_headers(headers: Mapping[str, str]) -> float | None:
    """Only the reset time (a 429 may carry it without the other headers)."""
    lowered = {str(k).lower(): v for k, v in headers.items()}
    value = _number(lowered.get(HEADER_RESET.lower()))
    return None if value is None else max(0.0, value)


def _clamp_reset_s(reset_ms: float) -> float:
    return min(max(float(reset_ms), 0.0) / 1000.0, MAX_RESET_S)


@runtime_checkable
class QuotaGate(Protocol):
    """What the client needs from a rate-limit gate (see the module docstring)."""

    def acquire(self) -> Reservation: ...

    def observe(
        self,
        left: int,
        reset_ms: float,
        quota: int | None = None,
        window_ms: float | None = None,
        *,
        reservation: Reservation | None = None,
    ) -> None: ...

    def on_429(self, reset_ms: float | None, *, reservation: Reservation | None = None) -> None: ...

    def release(self, reservation: Reservation) -> None: ...


def _setting(name: str, default: Any) -> Any:
    """A Django setting when settings are configured, else the default."""
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:  # pragma: no cover - Django is a dependency
        return default
    try:
        return getattr(settings, name, default)
    except ImproperlyConfigured:
        return default


# --------------------------------------------------------------------------- local


class LocalQuotaGate:
    """In-process gate, thread-safe. ``LocalQuotaGate.for_store(hash)`` is shared."""

    _registry: ClassVar[dict[str, LocalQuotaGate]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        *,
        reserve: int = DEFAULT_RESERVE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        inflight_ttl_s: float = DEFAULT_INFLIGHT_TTL_S,
        name: str = "",
    ) -> None:
        self.reserve = reserve
        self.name = name
        self._clock = clock
        self._sleep = sleep
        self._inflight_ttl_s = inflight_ttl_s
        self._lock = threading.Lock()
        self._left: int | None = None
        self._reset_at: float | None = None
        self._reset_estimated = False
        self._reset_lo: float | None = None  # the reset is known to be no earlier than this
        self._window_start: float | None = None
        self._quota: int | None = None
        self._window_s: float | None = None
        self._pause_until = 0.0
        self._strikes = 0
        self._inflight: dict[str, float] = {}

    @classmethod
    def for_store(cls, store_hash: str) -> LocalQuotaGate:
        """The process-wide gate of one store (created on first use)."""
        with cls._registry_lock:
            gate = cls._registry.get(store_hash)
            if gate is None:
                gate = cls._registry[store_hash] = cls(name=store_hash)
            return gate

    def __repr__(self) -> str:
        return f"<LocalQuotaGate {self.name or id(self)} left={self._left} quota={self._quota}>"

    # state helpers (call with the lock held)
    def _roll(self, now: float) -> None:
        """Forget stale reservations; past the reset, assume a fresh window."""
        for token, since in list(self._inflight.items()):
            if now - since > self._inflight_ttl_s:
                del self._inflight[token]
        if self._reset_at is not None and now >= self._reset_at:
            if self._quota is not None and self._window_s:
                self._left = self._quota
                self._reset_at = now + self._window_s
                self._reset_estimated = True
                # The next reset is at least a window after the last one.
                self._reset_lo = (
                    self._reset_lo + self._window_s if self._reset_lo is not None else None
                )
                self._window_start = now
            else:
                self._left = self._reset_at = self._reset_lo = self._window_start = None
                self._reset_estimated = False

    def _adopt(self, left: int, lo: float, hi: float, now: float) -> None:
        """Take an answer's window as the current one."""
        self._left, self._reset_at, self._reset_lo = left, hi, lo
        self._reset_estimated = False
        self._window_start = hi - self._window_s if self._window_s else now

    def _try_acquire(self, token: str, now: float) -> float | None:
        """None when granted, else the seconds to wait before asking again."""
        self._roll(now)
        if now < self._pause_until:
            return self._pause_until - now
        in_flight = len(self._inflight)
        if self._left is None or self._left - in_flight > self.reserve:
            self._inflight[token] = now
            return None
        if self._reset_at is None:
            return POLL_S
        wait = self._reset_at - now
        if self._window_start is not None and any(
            since < self._window_start for since in self._inflight.values()
        ):
            wait = min(wait, POLL_S)  # answers of the last window may still free units
        return max(wait, 0.001)

    # protocol
    def acquire(self) -> Reservation:
        token = uuid.uuid4().hex
        waited = 0.0
        while True:
            with self._lock:
                wait = self._try_acquire(token, self._clock())
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
        with self._lock:
            now = self._clock()
            since = self._inflight.pop(reservation.token, None) if reservation else None
            self._strikes = 0
            if quota:
                self._quota = int(quota)
            if window_ms:
                self._window_s = float(window_ms) / 1000.0
            self._roll(now)
            reset_s = _clamp_reset_s(reset_ms)
            # The answer's window resets somewhere in [lo, hi]: it was computed between
            # the reservation and now.
            hi = now + reset_s
            lo = (since if since is not None else now) + reset_s
            left = max(0, int(left))
            if self._reset_at is None or lo > self._reset_at + SLACK_S:
                self._adopt(left, lo, hi, now)  # nothing known yet, or a newer window
                return
            if self._reset_lo is not None and hi < self._reset_lo - SLACK_S:
                return  # a late answer from an earlier window
            self._left = left if self._left is None else min(self._left, left)
            self._reset_lo = lo if self._reset_lo is None else max(self._reset_lo, lo)
            sent_in_window = (
                since is not None and self._window_start is not None and since >= self._window_start
            )
            if sent_in_window:  # surely this window's answer: hi bounds its reset
                if self._reset_estimated:
                    self._reset_at, self._reset_estimated = hi, False
                else:
                    self._reset_at = min(self._reset_at, hi)
                if self._window_s:
                    self._window_start = self._reset_at - self._window_s
            else:  # may be an earlier window's answer: only ever wait longer
                self._reset_at = max(self._reset_at, hi)

    def on_429(self, reset_ms: float | None, *, reservation: Reservation | None = None) -> None:
        with self._lock:
            now = self._clock()
            self._roll(now)
            since = self._inflight.pop(reservation.token, None) if reservation else None
            if reset_ms is not None:
                reset_s = _clamp_reset_s(reset_ms)
                lo = (since if since is not None else now) + reset_s
                self._adopt(0, lo, now + reset_s, now)
            else:
                pause = min(LOAD_BACKOFF_CAP_S, LOAD_BACKOFF_BASE_S * 2**self._strikes)
                self._strikes += 1
                self._pause_until = max(self._pause_until, now + pause)

    def release(self, reservation: Reservation) -> None:
        with self._lock:
            self._roll(self._clock())
            self._strikes = 0
            if self._inflight.pop(reservation.token, None) is not None and self._left:
                self._left -= 1


# --------------------------------------------------------------------------- redis

# All scripts share this prelude: read the state, forget stale reservations, roll the window.
# It mirrors LocalQuotaGate (times in ms); keep the two in step.
_LUA_PRELUDE = """
local state, inflight = KEYS[1], KEYS[2]
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local inflight_ttl, key_ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', inflight, '-inf', '(' .. string.format('%.17g', now - inflight_ttl))
local f = redis.call('HMGET', state, 'left', 'reset_at', 'est', 'quota', 'window',
                     'pause_until', 'strikes', 'start', 'reset_lo')
local left, reset_at, est = tonumber(f[1]), tonumber(f[2]), f[3] == '1'
local quota, window = tonumber(f[4]), tonumber(f[5])
local pause_until, strikes = tonumber(f[6]) or 0, tonumber(f[7]) or 0
local start, reset_lo = tonumber(f[8]), tonumber(f[9])
local function roll()
  if reset_at and now >= reset_at then
    if quota and window then
      left, reset_at, est, start = quota, now + window, true, now
      if reset_lo then reset_lo = reset_lo + window end
    else
      left, reset_at, est, start, reset_lo = nil, nil, false, nil, nil
    end
  end
end
local function adopt(l, lo, hi)
  left, reset_at, reset_lo, est = l, hi, lo, false
  if window then start = hi - window else start = now end
end
local function num(x) return string.format('%.17g', x) end
local function save()
  local vals = {left = left, reset_at = reset_at, quota = quota, window = window,
                pause_until = pause_until, strikes = strikes, start = start,
                reset_lo = reset_lo}
  for k, v in pairs(vals) do redis.call('HSET', state, k, num(v)) end
  for _, k in ipairs({'left', 'reset_at', 'quota', 'window', 'start', 'reset_lo'}) do
    if vals[k] == nil then redis.call('HDEL', state, k) end
  end
  redis.call('HSET', state, 'est', est and '1' or '0')
  redis.call('PEXPIRE', state, key_ttl)
  if redis.call('EXISTS', inflight) == 1 then redis.call('PEXPIRE', inflight, key_ttl) end
end
"""

_LUA_ACQUIRE = (
    _LUA_PRELUDE
    + """
roll()
local token, reserve = ARGV[4], tonumber(ARGV[5])
if now < pause_until then save() return {0, num(pause_until - now)} end
local n = redis.call('ZCARD', inflight)
if left == nil or left - n > reserve then
  redis.call('ZADD', inflight, num(now), token)
  save()
  return {1, 0}
end
save()
if not reset_at then return {0, '50'} end
local wait = reset_at - now
if start and redis.call('ZCOUNT', inflight, '-inf', '(' .. num(start)) > 0 then
  wait = math.min(wait, 50)
end
return {0, num(math.max(wait, 1))}
"""
)

_LUA_OBSERVE = (
    _LUA_PRELUDE
    + """
local since = tonumber(redis.call('ZSCORE', inflight, ARGV[4]))
redis.call('ZREM', inflight, ARGV[4])
local hl, rms = tonumber(ARGV[5]), tonumber(ARGV[6])
local q, w = tonumber(ARGV[7]), tonumber(ARGV[8])
strikes = 0
if q and q > 0 then quota = q end
if w and w > 0 then window = w end
roll()
local hi = now + rms
local lo = (since or now) + rms
if reset_at == nil or lo > reset_at + 10 then
  adopt(hl, lo, hi)
elseif reset_lo and hi < reset_lo - 10 then
  -- a late answer from an earlier window
else
  if left == nil or hl < left then left = hl end
  if reset_lo == nil or lo > reset_lo then reset_lo = lo end
  if since and start and since >= start then
    if est then reset_at, est = hi, false
    elseif hi < reset_at then reset_at = hi end
    if window then start = reset_at - window end
  elseif hi > reset_at then
    reset_at = hi
  end
end
save()
return 1
"""
)

_LUA_ON_429 = (
    _LUA_PRELUDE
    + """
roll()
local since = tonumber(redis.call('ZSCORE', inflight, ARGV[4]))
redis.call('ZREM', inflight, ARGV[4])
local rms = tonumber(ARGV[5])
if rms then
  adopt(0, (since or now) + rms, now + rms)
else
  local pause = math.min(tonumber(ARGV[7]), tonumber(ARGV[6]) * (2 ^ strikes))
  strikes = strikes + 1
  if now + pause > pause_until then pause_until = now + pause end
end
save()
return 1
"""
)

_LUA_RELEASE = (
    _LUA_PRELUDE
    + """
roll()
strikes = 0
if redis.call('ZREM', inflight, ARGV[4]) == 1 and left and left > 0 then left = left - 1 end
save()
return 1
"""
)


class RedisQuotaGate:
    """Gate whose state lives in Redis, so every worker process shares one store's quota.

    Keys: ``{prefix}:{{store_hash}}:state`` (hash) and ``...:inflight`` (sorted set of
    reservations), expiring after ``key_ttl_s`` without traffic. Times are taken from the
    Redis server (one clock for all hosts) unless ``clock`` is given (tests). If Redis
    cannot be reached, the gate falls back to the process-local gate and logs a warning.
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
        key_ttl_s: float = 3600.0,
        fallback: QuotaGate | None = None,
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
        self.state_key = f"{key_prefix}:{{{store_hash}}}:state"
        self.inflight_key = f"{key_prefix}:{{{store_hash}}}:inflight"
        self._fallback = fallback
        self._down_until = -math.inf
        self._acquire_script = redis_client.register_script(_LUA_ACQUIRE)
        self._observe_script = redis_client.register_script(_LUA_OBSERVE)
        self._on_429_script = redis_client.register_script(_LUA_ON_429)
        self._release_script = redis_client.register_script(_LUA_RELEASE)

    def __repr__(self) -> str:
        return f"<RedisQuotaGate {self.state_key}>"

    @property
    def fallback(self) -> QuotaGate:
        if self._fallback is None:
            self._fallback = LocalQuotaGate.for_store(self.store_hash)
        return self._fallback

    def _run(self, script: Any, *args: Any) -> Any:
        now = "" if self._clock is None else repr(self._clock() * 1000)
        argv = [now, self._inflight_ttl_ms, self._key_ttl_ms, *args]
        return script(keys=[self.state_key, self.inflight_key], args=argv)

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

    def acquire(self) -> Reservation:
        token = uuid.uuid4().hex
        waited = 0.0
        while True:
            answer = self._call(self._acquire_script, [token, self.reserve], self.fallback.acquire)
            if isinstance(answer, Reservation):  # from the fallback gate
                return Reservation(answer.token, waited + answer.waited_s)
            granted, wait_ms = answer
            if int(granted) == 1:
                return Reservation(token=token, waited_s=waited)
            wait = max(float(wait_ms), 1.0) / 1000.0
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
            f"{_clamp_reset_s(reset_ms) * 1000:.3f}",
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
            "" if reset_ms is None else f"{_clamp_reset_s(reset_ms) * 1000:.3f}",
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


def quota_gate_for(store_hash: str, *, redis_url: str | None = None) -> QuotaGate:
    """The gate every client of ``store_hash`` should share.

    Redis (shared by all processes) when ``redis_url`` or the ``REDIS_URL`` setting is set,
    else the process-local gate of the store.
    """
    url = redis_url if redis_url is not None else (_setting("REDIS_URL", "") or "")
    if not url:
        return LocalQuotaGate.for_store(store_hash)
    client = _redis_client(url)
    with _factory_lock:
        gate = _redis_gates.get((url, store_hash))
        if gate is None:
            gate = _redis_gates[(url, store_hash)] = RedisQuotaGate(
                store_hash=store_hash, redis_client=client
            )
        return gate
