"""What the four catalog flows share: the store's bulk lock, the Product Match options, and
the two drivers (match products, push stock). The flows themselves are one line each.

Every catalog flow holds its store's bulk lock (`catalog.locks`) for the whole run, so a stock
push never overlaps a Product Match or another stock push of the same store, whichever
connection or dataflow they belong to (BigCommerce: no bulk inventory updates in parallel with
bulk catalog operations)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.utils import timezone

from catalog.bulk import analyze_catalog_tables
from catalog.locks import store_bulk_lock
from catalog.matching import OptionsError, PageMatcher, match_options_parse, parse_bc_datetime
from catalog.stock import StockPusher
from dataflows.models import Dataflow, Kind, LogEntry

INFO = LogEntry.Level.INFO
WARNING = LogEntry.Level.WARNING
#: A Product Match that created or changed this many links refreshes the planner statistics.
ANALYZE_AFTER_CHANGES = 1000


def prefetched(pages: Iterable, *, timeout_s: float = 1.0) -> Iterator:
    """The pages of `pages`, the next one fetched (in a thread) while the caller works on the
    current one. Requests stay one after the other; only the hub's work on page N overlaps
    BigCommerce answering page N+1 (and the rate limit's waits). Errors of the fetch are
    raised in the caller; a caller that stops early stops the thread (one page at most was
    fetched for nothing)."""
    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def fetch():
        try:
            for page in pages:
                while not stop.is_set():
                    try:
                        handoff.put(("page", page), timeout=timeout_s)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            outcome = ("done", done)
        except BaseException as exc:  # handed to the caller
            outcome = ("error", exc)
        while not stop.is_set():
            try:
                handoff.put(outcome, timeout=timeout_s)
                return
            except queue.Full:
                continue

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


def match_options(ctx):
    """Product import settings live on the connection's Product Match dataflow (one setting for
    both match flows); the Changed Product Match's own options may add its overlap window."""
    base = {}
    if ctx.dataflow.kind == Kind.PRODUCT_MATCH:
        base = dict(ctx.dataflow.options or {})
    else:
        base = dict(
            Dataflow.objects.filter(connection=ctx.connection, kind=Kind.PRODUCT_MATCH)
            .values_list("options", flat=True)
            .first()
            or {}
        )
        base.update(ctx.dataflow.options or {})
    try:
        return match_options_parse(base)
    except OptionsError as exc:
        raise OptionsError(
            f"The Product Match options are invalid: {exc} Fix them on the connection's "
            "Catalog readiness page (Product import) or through the dataflow's options."
        ) from None


def match_products(ctx, *, changed: bool) -> None:
    """Product Match (every product) or Changed Product Match (products modified since the
    highest date_modified the last run processed, minus an overlap window)."""
    connection = ctx.connection
    options = match_options(ctx)
    started = timezone.now()
    since = None
    cursor = dict(ctx.dataflow.cursor or {})
    if changed:
        last = parse_bc_datetime(cursor.get("date_modified"))
        if last is not None:
            since = last - timedelta(seconds=options.overlap_seconds)
    with catalog_lock(ctx) as lock:
        matcher = PageMatcher(connection=connection, options=options, log=ctx.log, seen_at=started)
        totals = matcher.totals
        scope = f"products modified since {since.isoformat()}" if since else "every product"
        ctx.log(
            f"Matching {scope} by {matcher.master_label}; product info: "
            f"{options.import_mode.replace('_', ' ')}"
            + (
                f" (may overwrite: {', '.join(options.overwrite_fields) or 'nothing'})"
                if options.overwrite
                else ""
            )
            + ".",
            level=INFO,
        )
        products = 0
        pages = ctx.client.iter_product_pages(include_variants=True, date_modified_min=since)
        for page in prefetched(pages):
            before = (totals.links_created, totals.links_updated, totals.links_unchanged)
            items = matcher.match_page(page)
            products += len(page)
            ctx.count(
                fetched=len(items),
                created=totals.links_created - before[0],
                updated=totals.links_updated - before[1],
                skipped=totals.links_unchanged - before[2],
            )
            ctx.progress(done=products)
            lock.renew()
        duplicates = matcher.report_duplicates(keys=totals.keys if changed else None)
        removed = 0 if changed else matcher.remove_unseen()
        if totals.links_created + totals.links_updated + removed >= ANALYZE_AFTER_CHANGES:
            analyze_catalog_tables()
    ctx.log(
        f"{products} product{'s' if products != 1 else ''} with {totals.variants} variant"
        f"{'s' if totals.variants != 1 else ''} read: {totals.links_created} new link"
        f"{'s' if totals.links_created != 1 else ''}, {totals.links_updated} changed, "
        f"{totals.links_unchanged} unchanged; hub products created: {totals.hub_created}, "
        f"overwritten: {totals.hub_overwritten}"
        + (f"; links of variants no longer in BigCommerce removed: {removed}" if removed else "")
        + ". Readiness: "
        f"{totals.no_key} without {matcher.master_label}, {duplicates} duplicated "
        f"{matcher.master_label}{'s' if duplicates != 1 else ''}, {totals.padded} with spaces, "
        f"{totals.tracking_off_products} product{'s' if totals.tracking_off_products != 1 else ''}"
        f" with tracking off, {totals.unmatched} without a hub product.",
        level=WARNING
        if (
            totals.no_key
            or duplicates
            or totals.padded
            or totals.tracking_off_products
            or totals.unmatched
        )
        else INFO,
    )
    if changed and totals.max_date_modified is not None:
        # The highest date_modified processed, never later than this run's start (a product
        # changed while the pages were read is read again next time; the overlap window
        # covers clock differences), and never going back.
        highest = min(totals.max_date_modified, started)
        previous = parse_bc_datetime(cursor.get("date_modified"))
        if previous is None or highest > previous:
            cursor["date_modified"] = highest.isoformat()
        ctx.save_cursor(cursor)


def push_stock(ctx, *, changed: bool) -> None:
    """Full Stock Update (every linked item; resumes after the last batch a failed run got
    through) or Changed Stock Update (items whose available stock differs from the last push)."""
    cursor = dict(ctx.dataflow.cursor or {})
    resume = None
    if not changed:
        after = cursor.get("resume_after")
        if (
            isinstance(after, list)
            and len(after) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in after)
        ):
            resume = (after[0], after[1])
    with catalog_lock(ctx) as lock:
        if resume:
            ctx.log(
                f"Resuming after BigCommerce product {resume[0]} variant {resume[1]}, where the "
                "previous run stopped.",
                level=INFO,
            )
        pusher = StockPusher(ctx, changed_only=changed, lock=lock)
        totals = pusher.run(resume_after=resume)
    if not changed:
        ctx.save_cursor({"completed_at": timezone.now().isoformat()})
    ctx.log(
        f"{totals.pushed} item{'s' if totals.pushed != 1 else ''} pushed at location "
        f"{ctx.connection.inventory_location_id} in {ctx.api_requests} request"
        f"{'s' if ctx.api_requests != 1 else ''}; rejected: {totals.rejected}; pushed as 0 "
        f"because negative: {totals.negatives}; tracking off, not pushed: "
        f"{totals.tracking_off}. Finding the items took {totals.selection_s * 1000:.0f} ms.",
        level=WARNING if totals.rejected else INFO,
    )
