"""The in-process gate (quota/local_gate.py): one per store, shared by threads."""

from __future__ import annotations

import threading

from connections.bigcommerce.ratelimit import (
    LocalQuotaGate,
)
from tests.connections.bigcommerce.helpers import FakeStore, send


def test_one_local_gate_serves_all_clients_of_a_store():
    assert LocalQuotaGate.for_store("shared-a") is LocalQuotaGate.for_store("shared-a")
    assert LocalQuotaGate.for_store("shared-a") is not LocalQuotaGate.for_store("shared-b")


def test_threads_sharing_a_local_gate_never_exceed_the_quota(fake):
    quota, window, n_threads, per_thread = 15, 30.0, 8, 12
    store = FakeStore(fake.clock, quota=quota, window_s=window)
    gate = LocalQuotaGate(clock=fake.clock, sleep=fake.sleep)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(per_thread):
            status = send(gate, store, fake)
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(statuses) == n_threads * per_thread
    assert store.http_429 == 0
    assert all(count <= quota for count in store.windows())
