"""What the catalog flows share: the store's bulk lock, and pages fetched ahead."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator

from catalog.locks import store_bulk_lock


def prefetched(pages: Iterable, *, timeout_s: float = 1.0) -> Iterator:
    """The pages of `pages`, the next one fetched (in a thread) while the caller works on the
    current one. Requests stay one after the other; only the hub's work on page N overlaps
    BigCommerce answering page N+1 (and the rate limit's waits). Errors of the fetch are
    raised in the caller; a caller that stops early stops the thread (one page at most was
    fetched for nothing)."""
    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def put(value) -> bool:
        while not stop.is_set():
            try:
                handoff.put(value, timeout=timeout_s)
                return True
            except queue.Full:
                continue
        return False

    def fetch():
        try:
            for page in pages:
                if not put(("page", page)):
                    return
            outcome = ("done", done)
        except BaseException as exc:  # handed to the caller
            outcome = ("error", exc)
        put(outcome)

    thread = threading.Thread(target=fetch, name="catalog-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "page":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        thread.join(timeout=60)


def catalog_lock(ctx):
    """The store's bulk lock for this run (waits while another bulk operation holds it)."""
    dataflow = ctx.dataflow
    return store_bulk_lock(
        ctx.connection.store_hash,
        label=f"{dataflow.get_kind_display()} of connection '{ctx.connection.name}' "
        f"(run {ctx.run.pk})",
        holder=f"run-{ctx.run.pk}",
        on_wait=ctx.heartbeat,
    )
