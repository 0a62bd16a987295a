"""Order Update's sender: shipment POSTs in worker threads, a client each (the store's quota
gate paces them all), so the hub keeps as many requests in flight as the quota allows while
the flow's own thread records the answers. The threads only talk HTTP: every database write
stays in the flow's thread."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

#: Shipments in flight at once (each of a different order); the quota gate still decides
#: when each may go, so this only needs to cover BigCommerce's answer time at full quota.
DEFAULT_CONCURRENCY = 8


def order_update_concurrency() -> int:
    return max(1, int(getattr(settings, "ORDER_UPDATE_CONCURRENCY", DEFAULT_CONCURRENCY)))


@dataclass
class Sent:
    """What one shipment's exchange gave: BigCommerce's shipment (``answer``), or the error."""

    answer: dict[str, Any] | None = None
    found: bool = False  # an earlier attempt had created it: not posted again
    error: BaseException | None = None
    stats: dict[str, Any] = field(default_factory=dict)


class ShipmentSender:
    """``submit`` one shipment's POST (or look-up first); ``Future[Sent]`` back. A client
    without ``sibling()`` (a test fake) is used as it is, from one thread."""

    def __init__(self, client, *, workers: int):
        self.client = client
        self.shared = not hasattr(client, "sibling")
        self.workers = 1 if self.shared else max(1, workers)
        self._local = threading.local()
        self._clients: list = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(
            max_workers=self.workers, thread_name_prefix="order-update-send"
        )

    def __enter__(self) -> ShipmentSender:
        return self

    def __exit__(self, *exc_info) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for client in self._clients:
            client.close()

    def submit(
        self, *, order_id: int, payload: dict, check_first: bool, claimed: set[int]
    ) -> Future:
        return self._pool.submit(self._send, order_id, payload, check_first, frozenset(claimed))

    def absorb(self, sent: Sent) -> None:
        """Count a thread's requests in the run's client (the run reports its requests)."""
        stats = getattr(self.client, "stats", None)
        if self.shared or stats is None or not sent.stats:
            return
        stats.requests += sent.stats["requests"]
        stats.http_429 += sent.stats["http_429"]
        stats.retries += sent.stats["retries"]
        stats.waited_s += sent.stats["waited_s"]
        stats.by_endpoint.update(sent.stats["by_endpoint"])

    def _thread_client(self):
        if self.shared:
            return self.client
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = self.client.sibling()
            with self._lock:
                self._clients.append(client)
        return client

    def _send(self, order_id, payload, check_first, claimed) -> Sent:
        client = self._thread_client()
        before = _snapshot(client)
        sent = Sent()
        try:
            if check_first:  # an earlier attempt may have created it
                sent.answer = client.find_order_shipment(order_id, payload, claimed=claimed)
                sent.found = sent.answer is not None
            if sent.answer is None:
                sent.answer = client.create_order_shipment(order_id, payload, claimed=claimed)
        except Exception as exc:  # handed to the flow's thread, which decides
            sent.error = exc
        if not self.shared:
            sent.stats = _delta(before, _snapshot(client))
        return sent


def _snapshot(client) -> dict[str, Any]:
    stats = getattr(client, "stats", None)
    if stats is None:
        return {}
    return {
        "requests": stats.requests,
        "http_429": stats.http_429,
        "retries": stats.retries,
        "waited_s": stats.waited_s,
        "by_endpoint": dict(stats.by_endpoint),
    }


def _delta(before: dict, after: dict) -> dict[str, Any]:
    if not after:
        return {}
    return {
        "requests": after["requests"] - before["requests"],
        "http_429": after["http_429"] - before["http_429"],
        "retries": after["retries"] - before["retries"],
        "waited_s": after["waited_s"] - before["waited_s"],
        "by_endpoint": {
            k: v - before["by_endpoint"].get(k, 0)
            for k, v in after["by_endpoint"].items()
            if v - before["by_endpoint"].get(k, 0)
        },
    }
