"""Full and Changed Stock Update: the hub's available stock pushed to BigCommerce
(what is pushed: `catalog.stock_selection`; what is recorded: `catalog.stock_records`).

`PUT /v3/inventory/adjustments/absolute`, 2000 items a request at the connection's inventory
location, one request after the other.

A batch BigCommerce rejects (422) is split until the items it rejects are isolated: items
BigCommerce names in its answer are set aside at once, otherwise the batch is halved. A
rejected item gets a log error (and `push_error` on its link); the rest goes through.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings

from connections.bigcommerce import errors as bc_errors

from .stock_records import PushTotals, StockRecorder
from .stock_selection import (
    PAGE_LINKS,
    StockItem,
    changed_links,
    linked_links,
    links_page,
    product_groups,
    rejected_links_up_to,
    stock_items_build,
)

BATCH_ITEMS = 2000
#: An item set aside because BigCommerce named it, or isolated by halving, counts here; past
#: this many in one run the cause is taken for not item-specific and the run stops.
MAX_REJECTED_ITEMS = 200
#: BigCommerce naming every item of a batch at least this big is not about the items.
SYSTEMIC_MIN_ITEMS = 10
#: Requests spent on splitting rejected batches, at most, in one run.
MAX_SPLIT_REQUESTS = 400

_NAMED_ITEM = re.compile(r"\b(variant_id|product_id)\D{0,3}(\d+)")
_ITEM_FIELD = re.compile(r"^items[.\[](\d+)\]?")


class SystemicRejection(bc_errors.ValidationError):
    """BigCommerce rejects the pushes for a reason that is not one item's."""


def _transaction_id(answers) -> str:
    if answers and isinstance(answers[0], dict):
        return str(answers[0].get("transaction_id") or "")
    return ""


def _message_of(exc: bc_errors.BigCommerceError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    title = body.get("title") if isinstance(body.get("title"), str) else ""
    title = title.strip("[] ")
    details = "; ".join(
        dict.fromkeys(
            str(d["message"]).strip("[] ")
            for d in exc.details
            if d.get("message") and str(d["message"]).strip("[] ") != title
        )
    )
    text = "; ".join(part for part in (title, details) if part)
    return text or exc.message


def _item_rejection(exc) -> bool:
    return exc.status in (400, 413, 422) and not isinstance(exc, SystemicRejection)


class StockPusher:
    """One Full or Changed Stock Update run of a connection (holding the store's lock)."""

    def __init__(
        self,
        ctx,
        *,
        changed_only: bool,
        lock=None,
        batch_items: int | None = None,
        page_links: int | None = None,
    ):
        self.ctx = ctx
        self.connection = ctx.connection
        self.client = ctx.client
        self.changed_only = changed_only
        self.lock = lock
        self.batch_items = (
            batch_items or getattr(settings, "CATALOG_STOCK_BATCH_ITEMS", 0) or BATCH_ITEMS
        )
        self.page_links = page_links or PAGE_LINKS
        self.location_id = self.connection.inventory_location_id
        self.records = StockRecorder(ctx, changed_only=changed_only)
        self.totals: PushTotals = self.records.totals
        self._deferred: tuple | None = None  # an accepted batch not recorded yet
        self._in_flight: Future | None = None
        self._pool: ThreadPoolExecutor | None = None
        self.reason = (
            "Integration hub: Changed Stock Update"
            if changed_only
            else "Integration hub: Full Stock Update"
        )

    # -- the walk ---------------------------------------------------------------------------

    def run(self, *, resume_after: tuple[int, int] | None = None) -> PushTotals:
        try:
            return self._walk(resume_after)
        finally:
            self._close()

    def _walk(self, resume_after: tuple[int, int] | None) -> PushTotals:
        self.records.report_summaries()
        if self.changed_only:
            queryset = changed_links(connection=self.connection)
        else:
            # Every linked item: those not pushed are reported as the walk meets them
            # (spread over the pushes instead of holding up the first one).
            queryset = linked_links(connection=self.connection)
        pending: list[StockItem] = []
        known_failed: list[StockItem] = []
        if resume_after is not None and not self.changed_only:
            known_failed += self._rejected_before(queryset, resume_after)
        position = resume_after
        while True:
            started = time.perf_counter()
            rows = links_page(queryset, after=position, limit=self.page_links)
            groups = product_groups(connection=self.connection, rows=rows)
            self.totals.selection_s += time.perf_counter() - started
            if not rows:
                break
            items, position = stock_items_build(
                rows, groups, location_id=self.location_id, records=self.records
            )
            self.ctx.count(fetched=len(rows))
            for item in items:
                (known_failed if item.known_failed else pending).append(item)
            while len(pending) >= self.batch_items:
                batch, pending = pending[: self.batch_items], pending[self.batch_items :]
                self._send_batch(batch)
            while len(known_failed) >= self.batch_items:
                batch = known_failed[: self.batch_items]
                known_failed = known_failed[self.batch_items :]
                self._send_batch(batch, save_position=False)
            if len(rows) < self.page_links:
                break
        self.records.tracking_off(None)
        if pending:
            self._send_batch(pending)
        if known_failed:
            self._send_batch(known_failed, save_position=False)
        self._record_deferred()
        self.ctx.flush_logs()
        return self.totals

    def _rejected_before(self, queryset, resume_after: tuple[int, int]) -> list[StockItem]:
        """Resuming: the items before the position whose last push was rejected. The run that
        stopped held them back for a batch of its own at its end, which it never reached (or
        never recorded), so they are sent with this run's."""
        rejected = rejected_links_up_to(queryset, resume_after)
        items: list[StockItem] = []
        position = None
        while True:
            rows = links_page(rejected, after=position, limit=self.page_links)
            if not rows:
                return items
            groups = product_groups(connection=self.connection, rows=rows)
            page, position = stock_items_build(
                rows, groups, location_id=self.location_id, records=self.records
            )
            self.ctx.count(fetched=len(rows))
            items += page
            if len(rows) < self.page_links:
                return items

    # -- sending ------------------------------------------------------------------------------

    def _send_batch(self, batch: list[StockItem], *, save_position: bool = True) -> None:
        """Send one batch. While BigCommerce works on it, the previous batch's accepted pushes
        are recorded (requests stay one after the other; only the hub's database work
        overlaps the wait). The store's and the run's leases are renewed before each send."""
        if self.lock is not None:
            self.lock.renew()
        self.ctx.heartbeat()
        payload = [item.payload for item in batch]
        future = self._executor().submit(
            self.client.set_inventory_absolute, payload, reason=self.reason
        )
        self._in_flight = future
        self._record_deferred()
        try:
            answers = future.result()
        except bc_errors.ValidationError as exc:
            if not _item_rejection(exc):
                raise
            self._isolate(batch, exc)  # rare: one request at a time, recorded as it goes
            self._after_batch(batch, save_position)
            return
        finally:
            self._in_flight = None
        self._deferred = (batch, _transaction_id(answers), save_position)

    def _record_deferred(self) -> None:
        if self._deferred is None:
            return
        batch, transaction_id, save_position = self._deferred
        self._deferred = None
        self.records.pushed(batch, transaction_id)
        self._after_batch(batch, save_position)

    def _after_batch(self, batch: list[StockItem], save_position: bool) -> None:
        self.totals.items += len(batch)
        self.ctx.progress(done=self.totals.items)
        if save_position and not self.changed_only:
            self.ctx.save_cursor({"resume_after": list(batch[-1].position)})

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stock-push")
        return self._pool

    def _close(self) -> None:
        """After the walk, or on an error: never leave a request running behind the run."""
        if self._in_flight is not None:
            try:
                self._in_flight.result()
            except Exception:
                pass  # the error that stops the run is the one being raised
            self._in_flight = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _send(self, items: list[StockItem]) -> None:
        """Send items and record the outcome at once (isolating rejected items)."""
        try:
            answers = self.client.set_inventory_absolute(
                [item.payload for item in items], reason=self.reason
            )
        except bc_errors.ValidationError as exc:
            if not _item_rejection(exc):
                raise
            self._isolate(items, exc)
            return
        self.records.pushed(items, _transaction_id(answers))

    # -- isolating rejected items ---------------------------------------------------------------

    def _isolate(self, items: list[StockItem], exc: bc_errors.ValidationError) -> None:
        if exc.status == 413 and len(items) > 1:  # too big: halve without blaming anyone
            self._split(items, exc)
            return
        if len(items) == 1:
            self._reject(items[0], _message_of(exc), exc)
            return
        suspects = self._suspects(items, exc)
        if suspects and len(suspects) == len(items) and len(items) >= SYSTEMIC_MIN_ITEMS:
            raise self._systemic(exc, f"BigCommerce rejected every item of a batch of {len(items)}")
        if suspects:
            for item, message in suspects.items():
                self._reject(item, message, exc)
            rest = [item for item in items if item not in suspects]
            if rest:
                self._count_split_request(exc)
                self._send(rest)
            return
        self._split(items, exc)

    def _split(self, items, exc) -> None:
        middle = len(items) // 2
        for part in (items[:middle], items[middle:]):
            self._count_split_request(exc)
            self._send(part)

    def _count_split_request(self, exc) -> None:
        self.totals.requests_split += 1
        if self.totals.requests_split > MAX_SPLIT_REQUESTS:
            raise self._systemic(
                exc,
                f"Isolating the items BigCommerce rejects took over {MAX_SPLIT_REQUESTS} requests",
            )

    def _reject(self, item: StockItem, message: str, exc) -> None:
        self.records.rejected(item, message)
        if self.totals.rejected > MAX_REJECTED_ITEMS:
            raise self._systemic(
                exc, f"BigCommerce rejected more than {MAX_REJECTED_ITEMS} items in this run"
            )

    def _suspects(self, items, exc) -> dict[StockItem, str]:
        """Items BigCommerce's answer names: `items.N` error fields, or the variant/product id
        its messages quote."""
        named: dict[StockItem, str] = {}
        by_ref = {(item.kind, item.ref): item for item in items}
        for detail in exc.details:
            message = str(detail.get("message") or "")
            match = _ITEM_FIELD.match(str(detail.get("field") or ""))
            if match and int(match.group(1)) < len(items):
                named.setdefault(items[int(match.group(1))], message.strip("[] "))
        texts = [d.get("message") or "" for d in exc.details]
        body = exc.body if isinstance(exc.body, dict) else {}
        if isinstance(body.get("title"), str):
            texts.append(body["title"])
        for text in texts:
            for kind, ref in _NAMED_ITEM.findall(str(text)):
                item = by_ref.get((kind, int(ref)))
                if item is not None:
                    named.setdefault(item, str(text).strip("[] "))
        return named

    def _systemic(self, exc, what: str) -> SystemicRejection:
        return SystemicRejection(
            f"{what}: {_message_of(exc)}",
            hint=(
                "The cause is probably not one item's: check the connection's inventory "
                f"location (id {self.location_id}) exists in BigCommerce and that the API "
                "account may write inventory. Items pushed before this stay pushed; the next "
                "run continues."
            ),
            status=exc.status,
            details=exc.details,
            method=exc.method,
            endpoint=exc.endpoint,
            store_hash=exc.store_hash,
            body=exc.body,
        )
