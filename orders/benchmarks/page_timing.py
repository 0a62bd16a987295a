"""Timing of Order Import's pages for the bench child: the wall and CPU time of each page's
transaction (the hub's own work, not the wait for BigCommerce); and the sandbox's CPU time."""

import time


def time_pages() -> dict:
    """Measure each page's transaction of Order Import (the hub's own time, not the fetch),
    and what the page reader's helper did."""
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

    # The page reader's helper process: the pages it read and its peak memory.
    from orders.page_reader import PageReader

    timing.update(reader_pages=0, reader_peak_rss_mb=None)
    close = PageReader.close

    def closing(reader):
        close(reader)
        if reader.pages_read:
            timing["reader_pages"] = reader.pages_read
            timing["reader_peak_rss_mb"] = reader.peak_rss_mb

    PageReader.close = closing
    return timing


def sandbox_cpu_ms(served: dict) -> float | None:
    """The sandbox's CPU time per answer it built, from its `stats`."""
    timed = served.get("cpu_ms", {}).values()
    answered = sum(t["n"] for t in timed)
    return round(sum(t["total"] for t in timed) / answered, 1) if answered else None
