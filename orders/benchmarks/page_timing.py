"""Timing of Order Import's pages for the bench child: the wall and CPU time of each page's
transaction (the hub's own work, not the wait for BigCommerce)."""

import time


def time_pages() -> dict:
    """Measure each page's transaction of Order Import (the hub's own time, not the fetch)."""
    from contextlib import contextmanager

    from orders.flows.order_import import OrderImportRun

    timing = {"wall": 0.0, "cpu": 0.0, "pages": 0}
    page = OrderImportRun._page

    @contextmanager
    def timed(self):
        wall, cpu = time.perf_counter(), time.thread_time()
        with page(self):
            yield
        timing["wall"] += time.perf_counter() - wall
        timing["cpu"] += time.thread_time() - cpu
        timing["pages"] += 1

    OrderImportRun._page = timed
    return timing
