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
* Priority: ``acquire(priority=n)`` (the client's ``quota_priority``, the run's flow class:
  orders 1, shipments 2, stock 3, catalog 4). Requests that have to wait are ranked by when
  they began waiting plus their class times ``PRIORITY_AGING_S``; a request is granted only
  when more units are free than waiters rank before it, so a better class goes first and a
  long wait outranks it (nothing starves). A waiter that stops asking is forgotten.

``LocalQuotaGate`` shares the state between threads and clients of one process (one gate
per store hash), ``RedisQuotaGate`` between processes (state in Redis, every update one
atomic Lua script, times from the Redis server clock unless a clock is injected).
``quota_gate_for(store_hash)`` picks Redis when ``REDIS_URL`` is set.
"""

from __future__ import annotations

from .quota.gate import (
    QuotaGate,
    parse_rate_limit_headers,
    reset_ms_from_headers,
)
from .quota.local_gate import LocalQuotaGate
from .quota.redis_gate import RedisQuotaGate, redis_gate_for
from .settings import setting

__all__ = [
    "LocalQuotaGate",
    "QuotaGate",
    "RedisQuotaGate",
    "parse_rate_limit_headers",
    "quota_gate_for",
    "reset_ms_from_headers",
]


def quota_gate_for(store_hash: str, *, redis_url: str | None = None) -> QuotaGate:
    """The gate every client of ``store_hash`` should share.

    Redis (shared by all processes) when ``redis_url`` or the ``REDIS_URL`` setting is set,
    else the process-local gate of the store.
    """
    url = redis_url if redis_url is not None else (setting("REDIS_URL", "") or "")
    if not url:
        return LocalQuotaGate.for_store(store_hash)
    return redis_gate_for(store_hash, url)
