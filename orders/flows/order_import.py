"""Order Import (BigCommerce -> hub).

One request per 250 orders, lines and shipping addresses inline
(`GET /v2/orders?include=consignments.line_items&consignment_structure=object&limit=250`).
A run does, in this order:

1. Orders asked for by id (error retries, "re-import this order", webhooks), applied even
   when unchanged: ids less than 250 apart in one listing (`min_id`/`max_id`), the others (and
   those the listing does not return, e.g. archived) one `GET /v2/orders/{id}` each. A run
   queued by webhooks (trigger `webhook`) does only this.
2. Incremental pass (once the connection has a cursor): every order modified since the
   cursor minus an overlap window, all statuses in one listing sorted by `date_modified`
   (keyset paging: the next page starts at the last page's highest `date_modified`, so orders
   changing meanwhile cannot shift one out of sight). New orders must pass the order filters;
   orders the hub has are updated (cancellations always, other edits when "update orders that
   already exist" is on). The cursor is the highest `date_modified` actually processed, saved
   after every page; the overlap re-reads the last minutes, and the idempotent upsert makes
   that harmless (unchanged orders are not written).
3. Backfill by id, per status of the filter (and per archived status when archived orders are
   imported): `status_id=S&min_id=last+1`, one page at a time, the last id saved after every
   page, so a run that stops resumes where it stopped. It runs on a connection's first run,
   and again for a status added to the filter or when the min order id or created-after
   setting is widened (each listing remembers the scope it covered). The first run first asks
   BigCommerce for its highest `date_modified` (one request, `limit=1`): the incremental
   cursor starts there, so orders changed while the backfill runs are picked up next run.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial

from django.db import transaction

from connections.bigcommerce.dates import parse_date
from dataflows.bulk import StatisticsKeeper
from dataflows.models import LogEntry, Run

from ..models import Customer, Order
from ..normalize import consignments_from_sub_resources, consignments_inline, normalize_page
from ..page_reader import PageReader, ReadPage
from ..services.import_filter import created_within_days, import_filter_for
from ..services.importer import OrderImporter
from .order_import_requested import PAGE_SIZE, RequestedOrdersMixin, first_page

logger = logging.getLogger(__name__)

#: A backfill refreshes the planner's statistics of orders and customers each time it wrote
#: as many orders as they held (this many at least): see StatisticsKeeper.
ANALYZE_AFTER_ROWS = 1000

# Each incremental run re-reads orders modified this long before the cursor (late commits,
# same-second changes, clock differences between BigCommerce's servers).
OVERLAP = timedelta(minutes=10)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CURSOR_VERSION = 1


# How the cursor stores its moments (the hub's JSON, not a BigCommerce date).
def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _parse(value) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _prefetching(listings: list[tuple[dict, Callable]]):
    """The pages of each listing (by id) in turn, the next one fetched and read (in a thread)
    while the current one is imported: the hub's writes overlap BigCommerce's answer time and
    the reading of the next page, also from one listing to the next. `listings`: (listing,
    fetch) pairs, `fetch(after_id)` returning (page, what `normalize_page` made of it, or None
    while the page reader is at it). Yields (listing, page, normalized); a listing ends after
    a short page."""
    if not listings:
        return
    fetched: queue.Queue = queue.Queue(maxsize=1)

    def fetch_into(index: int, cursor: int) -> None:
        try:
            fetched.put((True, index, listings[index][1](cursor)))
        except BaseException as exc:  # handed to the run's thread, which raises it
            fetched.put((False, index, exc))

    def start(index: int, cursor: int) -> None:
        # A daemon thread: a run that stops (SIGTERM, an error) never waits for the page in
        # flight, which may take the client's whole retry budget.
        threading.Thread(
            target=fetch_into, args=(index, cursor), name="order-import-fetch", daemon=True
        ).start()

    start(0, listings[0][0]["after_id"])
    while True:
        ok, index, value = fetched.get()
        if not ok:
            raise value
        page = value[0]
        more = len(page) >= PAGE_SIZE
        if more:
            start(index, max(int(o["id"]) for o in page))
        elif index + 1 < len(listings):
            start(index + 1, listings[index + 1][0]["after_id"])
        yield (listings[index][0], *value)
        if not more and index + 1 == len(listings):
            return


def run(ctx) -> None:
    OrderImportRun(ctx).run()


class OrderImportRun(RequestedOrdersMixin):
    def __init__(self, ctx):
        self.ctx = ctx
        self.connection = ctx.connection
        self.client = ctx.client
        self.filter = import_filter_for(connection=self.connection, options=ctx.dataflow.options)
        self.importer = OrderImporter(
            connection=self.connection, import_filter=self.filter, log=self._log
        )
        cursor = dict(ctx.dataflow.cursor or {})
        if cursor.get("version") != CURSOR_VERSION:
            cursor = {"version": CURSOR_VERSION}
        cursor.setdefault("listings", {})
        self.cursor = cursor
        self.done = 0
        self.fallbacks = 0
        # Look-ups by the page's order ids and buyers' e-mails (in the unique indexes).
        self.statistics = StatisticsKeeper([Order, Customer], first_after=ANALYZE_AFTER_ROWS)
        self._page_log: list | None = None

    # -- helpers

    def _log(self, message: str, level: str, bc_order_id: int | None) -> None:
        entry = dict(level=level, object_kind="order", object_id=bc_order_id or "")
        if self._page_log is None:
            self.ctx.log(message, **entry)
        else:
            self._page_log.append((message, entry))

    @contextmanager
    def _page(self):
        """One page in one transaction. Its log entries are written only once it committed: a
        page rolled back must not leave "Order 600 imported" in the log of a run that created
        nothing."""
        self._page_log = []
        try:
            with transaction.atomic():
                yield
            entries = self._page_log
        finally:
            self._page_log = None
        for message, entry in entries:
            self.ctx.log(message, **entry)

    def _import(self, payloads: list[dict], *, force: bool = False, normalized=None):
        """`normalized`: the page as `normalize_page` made it (with its consignments)."""
        if normalized is None:
            payloads = self._with_consignments(payloads)
        result = self.importer.import_page(
            normalized if normalized is not None else payloads, force=force
        )
        self.done += len(payloads)
        self.ctx.count(
            fetched=len(payloads),
            created=result.created,
            updated=result.updated,
            skipped=result.skipped,
            failed=result.failed,
        )
        return result

    def _with_consignments(self, payloads: list[dict]) -> list[dict]:
        """Orders a store sent without inline consignments get them from the per-order
        sub-resources (two requests each; counted and logged)."""
        for payload in payloads:
            if (
                isinstance(payload, dict)
                and payload.get("id")
                and not payload.get("order_is_digital")
                and not consignments_inline(payload)
            ):
                order_id = int(payload["id"])
                addresses = self.client.list_order_shipping_addresses(order_id)
                products = self.client.list_order_products(order_id)
                payload["consignments"] = consignments_from_sub_resources(addresses, products)
                self.fallbacks += 1
        return payloads

    def _save(self) -> None:
        self.ctx.save_cursor(self.cursor)
        self.ctx.progress(done=self.done)

    # -- the run

    def run(self) -> None:
        self.fetch_requested()
        if self.ctx.run.trigger == Run.Trigger.WEBHOOK:
            return  # targeted: just the orders the webhooks named; the schedule does the rest
        dataflow = self.ctx.dataflow
        if not dataflow.enabled and self.ctx.run.trigger == Run.Trigger.RETRY:
            self.ctx.log(
                "Order Import is disabled: only the orders asked for by id were fetched.",
                level=LogEntry.Level.INFO,
            )
            return
        option = (dataflow.options or {}).get("created_within_days")
        if option not in (None, "", 0) and created_within_days(dataflow.options) is None:
            self.ctx.log(
                f"The option created_within_days={option!r} is not a whole number of days "
                "above 0: orders of any age are imported.",
                level=LogEntry.Level.WARNING,
            )
        self._forget_listings_out_of_filter()
        if self.cursor.get("modified_since"):
            self.incremental(archived=False)
        else:
            self.probe()
        if self.filter.archived:
            if not self.cursor.get("archived_modified_since"):
                self.cursor["archived_modified_since"] = self.cursor["modified_since"]
            else:
                self.incremental(archived=True)
        else:
            self.cursor.pop("archived_modified_since", None)
        self.backfill()
        self._save()
        if self.fallbacks:
            self.ctx.log(
                f"{self.fallbacks} order(s) came without inline line items: fetched their "
                f"products and shipping addresses separately ({2 * self.fallbacks} requests).",
                level=LogEntry.Level.WARNING,
            )

    def probe(self) -> None:
        """First run: where the incremental cursor will start (BigCommerce's newest change)."""
        newest = first_page(
            self.client.iter_order_pages(
                sort="date_modified:desc", limit=1, include_consignments=False
            )
        )
        modified = parse_date(newest[0].get("date_modified")) if newest else None
        self.cursor["modified_since"] = _iso(modified or EPOCH)
        self.ctx.log(
            "First run: importing every order of the filter by id; later runs import what "
            f"changed since {self.cursor['modified_since']}.",
            level=LogEntry.Level.INFO,
        )
        self._save()

    def incremental(self, *, archived: bool) -> None:
        key = "archived_modified_since" if archived else "modified_since"
        highest = _parse(self.cursor[key])
        low = highest - OVERLAP
        tie_after_id = None  # > 250 orders share one second: page through it by id
        while True:
            page_high = None
            if tie_after_id is None:
                page = first_page(
                    self.client.iter_order_pages(
                        min_date_modified=low,
                        sort="date_modified:asc",
                        is_deleted=True if archived else None,
                        limit=PAGE_SIZE,
                    )
                )
            else:
                page = first_page(
                    self.client.iter_order_pages(
                        min_date_modified=low,
                        max_date_modified=low,
                        min_id=tie_after_id + 1,
                        sort="id:asc",
                        is_deleted=True if archived else None,
                        limit=PAGE_SIZE,
                    )
                )
            if page:
                page = self._with_consignments(page)
                dates = [parse_date(o.get("date_modified")) for o in page]
                page_high = max((d for d in dates if d is not None), default=None)
                # The page, the cursor past it and the run's progress: one commit.
                with self._page():
                    self._import(page)
                    if page_high is not None and page_high > highest:
                        highest = page_high
                        self.cursor[key] = _iso(highest)
                    self._save()
            if len(page) < PAGE_SIZE:
                if tie_after_id is None:
                    return
                low, tie_after_id = low + timedelta(seconds=1), None
                continue
            if tie_after_id is None:
                self.ctx.checkpoint()  # may hand the worker to another tenant
            if tie_after_id is not None:
                tie_after_id = max(int(o["id"]) for o in page)
            elif page_high is not None and page_high > low:
                low = page_high
            else:
                tie_after_id = 0

    # -- backfill by id

    def _scope(self) -> dict:
        return {
            "min_id": self.filter.min_order_id or 0,
            "created_from": _iso(self.filter.created_from),
        }

    @staticmethod
    def _wider(new: dict, old: dict) -> bool:
        if new["min_id"] < old.get("min_id", 0):
            return True
        old_from, new_from = _parse(old.get("created_from")), _parse(new["created_from"])
        return old_from is not None and (new_from is None or new_from < old_from)

    def _listing_keys(self) -> list[tuple[str, int, bool]]:
        keys = [(str(s), s, False) for s in sorted(self.filter.status_ids)]
        if self.filter.archived:
            keys += [(f"{s}:archived", s, True) for s in sorted(self.filter.status_ids)]
        return keys

    def _forget_listings_out_of_filter(self) -> None:
        wanted = {key for key, _, _ in self._listing_keys()}
        listings = self.cursor["listings"]
        for key in [k for k in listings if k not in wanted]:
            del listings[key]  # a status put back later is backfilled again

    def backfill(self) -> None:
        with closing(PageReader()) as reader:
            self._backfill(reader)
        if reader.pages_read:
            logger.info(
                "Order Import: %s pages read in the page reader process (peak memory %s MB)",
                reader.pages_read,
                reader.peak_rss_mb,
            )

    def _backfill(self, reader: PageReader) -> None:
        scope = self._scope()
        listings = []
        for key, status_id, archived in self._listing_keys():
            listing = self.cursor["listings"].get(key)
            if listing is None or self._wider(scope, listing["scope"]):
                if listing is not None:
                    self.ctx.log(
                        f"The order filters were widened: importing status {status_id}"
                        f"{' (archived)' if archived else ''} again by id.",
                        level=LogEntry.Level.INFO,
                    )
                listing = {"scope": scope, "after_id": 0, "done": False}
            else:
                listing["scope"] = scope  # narrower or equal: what is covered from now on
            self.cursor["listings"][key] = listing
            if not listing["done"]:
                fetch = partial(self._backfill_page, reader, scope, status_id, archived)
                listings.append((listing, fetch))

        with closing(_prefetching(listings)) as pages:
            for listing, page, normalized in pages:
                if isinstance(page, ReadPage):
                    normalized = page.normalized
                # The page, the cursor past it and the run's progress: one commit.
                with self._page():
                    if page:
                        self._import(page, normalized=normalized)
                        listing["after_id"] = max(int(o["id"]) for o in page)
                    listing["done"] = len(page) < PAGE_SIZE
                    self._save()
                self.statistics.grew(by=len(page))
                if not listing["done"]:
                    self.ctx.checkpoint()  # may hand the worker to another tenant

    def _backfill_page(self, reader, scope, status_id, archived, after_id):
        # Runs in the prefetch thread, the only one using the client meanwhile.
        page = first_page(
            self.client.iter_order_pages(
                status_id=status_id,
                min_id=max(after_id, scope["min_id"]) + 1,
                min_date_created=self.filter.created_from,
                is_deleted=True if archived else None,
                sort="id:asc",
                limit=PAGE_SIZE,
                decode=reader.decode,
            )
        )
        if isinstance(page, ReadPage):  # being read in the helper process
            return page, None
        page = self._with_consignments(page)
        # Read in this thread too: it works while the other one waits for the database.
        return page, normalize_page(page)
