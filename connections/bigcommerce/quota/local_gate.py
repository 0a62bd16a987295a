"""The in-process quota gate: one per store, shared by the threads of a process."""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable
from typing import ClassVar

from .gate import (
    DEFAULT_INFLIGHT_TTL_S,
    DEFAULT_PRIORITY,
    DEFAULT_RESERVE,
    LOAD_BACKOFF_BASE_S,
    LOAD_BACKOFF_CAP_S,
    POLL_S,
    PRIORITY_AGING_S,
    SLACK_S,
    WAITER_GRACE_S,
    Reservation,
    clamp_reset_s,
)


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
        aging_s: float = PRIORITY_AGING_S,
        name: str = "",
    ) -> None:
        self.reserve = reserve
        self.name = name
        self._clock = clock
        self._sleep = sleep
        self._inflight_ttl_s = inflight_ttl_s
        self._aging_s = aging_s
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
        # Requests waiting for a unit: token -> (rank, forget after). Lower rank goes first.
        self._waiters: dict[str, tuple[float, float]] = {}

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

    def _wait(self, now: float) -> float:
        """How long a request that found no unit waits before asking again."""
        if self._reset_at is None:
            return POLL_S
        wait = self._reset_at - now
        if self._window_start is not None and any(
            since < self._window_start for since in self._inflight.values()
        ):
            wait = min(wait, POLL_S)  # answers of the last window may still free units
        return max(wait, 0.001)

    def _try_acquire(self, token: str, now: float, priority: int) -> float | None:
        """None when granted, else the seconds to wait before asking again.

        Units go to the waiters in rank order: a request is granted only when more units are
        free than waiters rank before it (rank: when it began waiting plus its class times
        the aging time, so a long wait outranks a better class)."""
        self._roll(now)
        for other, (_, forget_at) in list(self._waiters.items()):
            if now > forget_at:
                del self._waiters[other]
        rank = self._waiters.get(token, (now + priority * self._aging_s, 0.0))[0]
        if now < self._pause_until:
            wait = self._pause_until - now
        else:
            free = (
                math.inf if self._left is None else self._left - len(self._inflight) - self.reserve
            )
            ahead = sum(1 for other, (r, _) in self._waiters.items() if r < rank)
            if free > ahead:
                self._waiters.pop(token, None)
                self._inflight[token] = now
                return None
            wait = POLL_S if free > 0 else self._wait(now)  # free units are the betters'
        self._waiters[token] = (rank, now + wait + WAITER_GRACE_S)
        return wait

    def try_acquire(self, token: str, *, priority: int = DEFAULT_PRIORITY) -> float | None:
        """One attempt of `acquire` for the request `token`: None when granted, else the
        seconds to wait before trying again with the same token (it keeps its place)."""
        with self._lock:
            return self._try_acquire(token, self._clock(), priority)

    # protocol
    def acquire(self, *, priority: int = DEFAULT_PRIORITY) -> Reservation:
        token = uuid.uuid4().hex
        waited = 0.0
        while True:
            wait = self.try_acquire(token, priority=priority)
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
            reset_s = clamp_reset_s(reset_ms)
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
                reset_s = clamp_reset_s(reset_ms)
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
