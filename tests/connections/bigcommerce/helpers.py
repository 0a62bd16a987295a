"""Helpers of the driver tests: a client on simulated time, mocked store URLs and pages, and a
fake BigCommerce quota window.
"""

from __future__ import annotations

import math
import os
import random
import threading
from collections.abc import Callable
from typing import Any

from responses import matchers

from connections.bigcommerce.client import BigCommerceClient
from connections.bigcommerce.ratelimit import (
    LocalQuotaGate,
    QuotaGate,
    parse_rate_limit_headers,
)

STORE = "abc123"
TOKEN = "tok-3f9a1c-SECRET-7d2e"
API = "https://bc.test"
BASE = f"{API}/stores/{STORE}"


def rate_headers(left: int, reset_ms: int = 20000, quota: int = 150, window_ms: int = 30000):
    return {
        "X-Rate-Limit-Requests-Left": str(left),
        "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
        "X-Rate-Limit-Requests-Quota": str(quota),
        "X-Rate-Limit-Time-Window-Ms": str(window_ms),
    }


def build_client(fake: FakeTime, **kwargs) -> BigCommerceClient:
    """A client on simulated time with its own quota gate."""
    options = {
        "store_hash": STORE,
        "access_token": TOKEN,
        "api_url": API,
        "quota_gate": LocalQuotaGate(clock=fake.clock, sleep=fake.sleep),
        "sleep": fake.sleep,
        "rng": random.Random(7),
        "max_retries": 3,
    }
    options.update(kwargs)
    return BigCommerceClient(**options)


STORE_URL = f"{BASE}/v2/store"
SHIPMENTS = f"{BASE}/v2/orders/9/shipments"
SHIPMENT = {
    "order_address_id": 12,
    "tracking_number": "1Z999AA10123456784",
    "tracking_carrier": "ups",
    "items": [{"order_product_id": 55, "quantity": 2}, {"order_product_id": 56, "quantity": 1}],
}
ORDERS = f"{BASE}/v2/orders"
PRODUCTS = f"{BASE}/v3/catalog/products"
VARIANTS = f"{BASE}/v3/catalog/variants"
INCLUDE = {"include": "consignments.line_items", "consignment_structure": "object"}


def orders(first: int, count: int) -> list[dict]:
    return [{"id": i} for i in range(first, first + count)]


def page_query(page: int, limit: int = 250, **extra) -> Callable[..., Any]:
    params = {"limit": str(limit), "page": str(page), **{k: str(v) for k, v in extra.items()}}
    return matchers.query_param_matcher(params)


def v3_page(data: list[dict], page: int, total_pages: int) -> dict:
    return {
        "data": data,
        "meta": {
            "pagination": {
                "total": 0,
                "count": len(data),
                "per_page": 250,
                "current_page": page,
                "total_pages": total_pages,
            }
        },
    }


# The run's own Redis when given (keys are under a prefix of the test only).
REDIS_TEST_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


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
