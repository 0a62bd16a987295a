"""The quota gate contract and the rate-limit headers BigCommerce sends (see ``ratelimit.py``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

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
#: Quota priority classes (lower goes first when requests wait for one store's quota): the
#: engine gives each run its flow's class (orders 1, shipments 2, stock 3, catalog 4).
DEFAULT_PRIORITY = 5
#: A waiting request gains one class per this many seconds waited, so no class starves.
PRIORITY_AGING_S = 10.0
#: A waiter not seen again this long after its planned wake-up is forgotten (process died).
WAITER_GRACE_S = 2.0
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


def clamp_reset_s(reset_ms: float) -> float:
    return min(max(float(reset_ms), 0.0) / 1000.0, MAX_RESET_S)


@runtime_checkable
class QuotaGate(Protocol):
    """What the client needs from a rate-limit gate (see the module docstring)."""

    def acquire(self, *, priority: int = DEFAULT_PRIORITY) -> Reservation: ...

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
