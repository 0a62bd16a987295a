"""Full and Changed Stock Update: the hub's available stock pushed to BigCommerce.

What is pushed, per linked BigCommerce item, is the hub product's `available` (on hand minus
manual and order reservations), never below 0:
* by `variant_id` for variants (and simple products) tracked by variant;
* by `product_id` for products tracked by product, with the sum of its linked variants' stock
  (a simple product is the one-variant case);
* nothing for items with inventory tracking off: BigCommerce ignores their stock. They are
  reported (a warning per item in the full update, a summary in the changed one).

`PUT /v3/inventory/adjustments/absolute`, 2000 items a request at the connection's inventory
location, one request after the other. The links are read in keyset pages of 2000 ordered by
(BC product id, BC variant id), so memory stays flat whatever the catalog's size.

Changed Stock Update pushes only links whose available stock (clamped at 0) differs from
`last_pushed_quantity`, the quantity BigCommerce last accepted for them (one SQL query per
page on the indexed links joined to their products; nothing is compared in Python). A
quantity that moved and came back is therefore not sent, and an item whose push failed is
sent again by the next run.

A batch BigCommerce rejects (422) is split until the items it rejects are isolated: items
BigCommerce names in its answer are set aside at once, otherwise the batch is halved. A
rejected item gets a log error (and `push_error` on its link); the rest goes through.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import connection as db_connection
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from connections.bigcommerce import errors as bc_errors
from dataflows.models import LogEntry

from .models import ProductLink

PAGE_LINKS = 2000
BATCH_ITEMS = 2000
#: An item set aside because BigCommerce named it, or isolated by halving, counts here; past
#: this many in one run the cause is taken for not item-specific and the run stops.
MAX_REJECTED_ITEMS = 200
#: BigCommerce naming every item of a batch at least this big is not about the items.
SYSTEMIC_MIN_ITEMS = 10
#: Requests spent on splitting rejected batches, at most, in one run.
MAX_SPLIT_REQUESTS = 400

ERROR = LogEntry.Level.ERROR
WARNING = LogEntry.Level.WARNING
INFO = LogEntry.Level.INFO

_NAMED_ITEM = re.compile(r"\b(variant_id|product_id)\D{0,3}(\d+)")
_ITEM_FIELD = re.compile(r"^items[.\[](\d+)\]?")

LINK_VALUES = (
    "id",
    "bc_product_id",
    "bc_variant_id",
    "bc_sku",
    "inventory_tracking",
    "last_pushed_quantity",
    "push_error",
    "product__sku",
    "product__available",
)


# ----------------------------------------------------------------------------- queries


def linked_links(*, connection):
    """Links of the connection matched to a hub product."""
    return ProductLink.objects.filter(connection=connection, product__isnull=False)


def pushable_links(*, connection):
    """Links of the connection whose stock is pushed: matched, tracking on."""
    return ProductLink.objects.filter(connection=connection, product__isnull=False).exclude(
        inventory_tracking=ProductLink.Tracking.NONE
    )


def changed_links(*, connection):
    """Pushable links whose available stock (>= 0) differs from what BigCommerce last
    accepted (never pushed counts as different)."""
    return (
        pushable_links(connection=connection)
        .annotate(hub_quantity=Greatest(F("product__available"), Value(0)))
        .exclude(last_pushed_quantity=F("hub_quantity"))
    )


def _after(queryset, position: tuple[int, int] | None):
    if position is None:
        return queryset
    product_id, variant_id = position
    return queryset.filter(bc_product_id__gte=product_id).filter(
        Q(bc_product_id__gt=product_id) | Q(bc_product_id=product_id, bc_variant_id__gt=variant_id)
    )


def links_page(queryset, *, after: tuple[int, int] | None, limit: int = PAGE_LINKS) -> list[dict]:
    return list(
        _after(queryset, after)
        .order_by("bc_product_id", "bc_variant_id")
        .values(*LINK_VALUES)[:limit]
    )


# ----------------------------------------------------------------------------- items


@dataclass(eq=False)  # items are told apart by identity (dict keys, `in`)
class StockItem:
    kind: str  # "variant_id" or "product_id"
    ref: int
    quantity: int
    location_id: int
    links: list[tuple[int, int, int | None]]  # (link id, own quantity, last pushed)
    label: str
    position: tuple[int, int]
    known_failed: bool = False

    @property
    def payload(self) -> dict:
        return {"location_id": self.location_id, self.kind: self.ref, "quantity": self.quantity}

    @property
    def object_kind(self) -> str:
        return "variant" if self.kind == "variant_id" else "product"


@dataclass
class PushTotals:
    links: int = 0
    items: int = 0
    pushed: int = 0
    rejected: int = 0
    negatives: int = 0
    tracking_off: int = 0
    requests_split: int = 0
    selection_s: float = 0.0
    transactions: list = field(default_factory=list)


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
        self.batch_items = batch_items or BATCH_ITEMS
        self.page_links = page_links or PAGE_LINKS
        self.location_id = self.connection.inventory_location_id
        self.totals = PushTotals()
        self._tracking_off_rows: list[dict] = []
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
        if self.changed_only:
            self.report_tracking_off_summary()
            queryset = changed_links(connection=self.connection)
        else:
            # Every linked item: those with tracking off are reported as the walk meets them
            # (spread over the pushes instead of holding up the first one).
            queryset = linked_links(connection=self.connection)
        pending: list[StockItem] = []
        known_failed: list[StockItem] = []
        position = resume_after
        while True:
            started = time.perf_counter()
            rows = links_page(queryset, after=position, limit=self.page_links)
            groups = self._product_groups(rows)
            self.totals.selection_s += time.perf_counter() - started
            if not rows:
                break
            items, position = self._items(rows, groups)
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
        self._report_tracking_off(None)
        if pending:
            self._send_batch(pending)
        if known_failed:
            self._send_batch(known_failed, save_position=False)
        self._record_deferred()
        self.ctx.flush_logs()
        return self.totals

    def _product_groups(self, rows: list[dict]) -> dict[int, list[dict]]:
        """All pushable links of the page's product-tracked products (a product's stock is
        the sum of its variants', so the whole product is sent even if one variant changed)."""
        product_ids = {r["bc_product_id"] for r in rows if r["inventory_tracking"] == "product"}
        if not product_ids:
            return {}
        groups: dict[int, list[dict]] = {}
        for row in (
            pushable_links(connection=self.connection)
            .filter(bc_product_id__in=product_ids, inventory_tracking="product")
            .order_by("bc_product_id", "bc_variant_id")
            .values(*LINK_VALUES)
        ):
            groups.setdefault(row["bc_product_id"], []).append(row)
        return groups

    def _items(self, rows, groups) -> tuple[list[StockItem], tuple[int, int]]:
        items = []
        done_products = set()
        position = (rows[-1]["bc_product_id"], rows[-1]["bc_variant_id"])
        for row in rows:
            if row["inventory_tracking"] == ProductLink.Tracking.NONE:
                self._report_tracking_off(row)
                continue
            if row["inventory_tracking"] == "product":
                product_id = row["bc_product_id"]
                if product_id in done_products:
                    continue
                done_products.add(product_id)
                group = groups.get(product_id) or [row]
                links = [self._component(link) for link in group]
                label = (
                    f"BigCommerce product {product_id} "
                    f"(SKU {', '.join(sorted({link['product__sku'] for link in group}))})"
                )
                last = group[-1]
                items.append(
                    StockItem(
                        kind="product_id",
                        ref=product_id,
                        quantity=sum(c[1] for c in links),
                        location_id=self.location_id,
                        links=links,
                        label=label,
                        position=(product_id, last["bc_variant_id"]),
                        known_failed=any(link["push_error"] for link in group),
                    )
                )
                if product_id == position[0]:
                    position = (product_id, max(position[1], last["bc_variant_id"]))
            else:
                component = self._component(row)
                items.append(
                    StockItem(
                        kind="variant_id",
                        ref=row["bc_variant_id"],
                        quantity=component[1],
                        location_id=self.location_id,
                        links=[component],
                        label=f"SKU {row['product__sku']} (BigCommerce variant "
                        f"{row['bc_variant_id']})",
                        position=(row["bc_product_id"], row["bc_variant_id"]),
                        known_failed=bool(row["push_error"]),
                    )
                )
        return items, position

    def _component(self, row) -> tuple[int, int, int | None]:
        available = row["product__available"]
        if available < 0:
            self.totals.negatives += 1
            self.ctx.log(
                f"SKU {row['product__sku']}: available stock is {available} in the hub (more "
                "reserved than on hand); pushed as 0.",
                level=WARNING,
                object_kind="variant",
                object_id=row["bc_variant_id"],
            )
        return (row["id"], max(available, 0), row["last_pushed_quantity"])

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
            if exc.status not in (400, 413, 422) or isinstance(exc, SystemicRejection):
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
        self._mark_pushed(batch, transaction_id)
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
            if exc.status not in (400, 413, 422) or isinstance(exc, SystemicRejection):
                raise
            self._isolate(items, exc)
            return
        self._mark_pushed(items, _transaction_id(answers))

    def _isolate(self, items: list[StockItem], exc: bc_errors.ValidationError) -> None:
        if exc.status == 413 and len(items) > 1:  # too big: halve without blaming anyone
            self._split(items, exc)
            return
        if len(items) == 1:
            self._mark_failed(items[0], _message_of(exc), exc)
            return
        suspects = self._suspects(items, exc)
        if suspects and len(suspects) == len(items) and len(items) >= SYSTEMIC_MIN_ITEMS:
            raise self._systemic(exc, f"BigCommerce rejected every item of a batch of {len(items)}")
        if suspects:
            for item, message in suspects.items():
                self._mark_failed(item, message, exc)
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

    # -- recording ----------------------------------------------------------------------------

    def _mark_failed(self, item: StockItem, message: str, exc) -> None:
        self.totals.rejected += 1
        self.ctx.count(failed=1)
        self.ctx.log(
            f"{item.label}: BigCommerce rejected the stock update to {item.quantity}: {message}",
            level=ERROR,
            object_kind=item.object_kind,
            object_id=item.ref,
        )
        ProductLink.objects.filter(pk__in=[link_id for link_id, _, _ in item.links]).update(
            push_error=message[:2000] or "Rejected by BigCommerce", push_error_at=timezone.now()
        )
        if self.totals.rejected > MAX_REJECTED_ITEMS:
            raise self._systemic(
                exc, f"BigCommerce rejected more than {MAX_REJECTED_ITEMS} items in this run"
            )

    def _mark_pushed(self, items: list[StockItem], transaction_id: str) -> None:
        now = timezone.now()
        rows = [(link_id, own, item.quantity) for item in items for link_id, own, _ in item.links]
        bulk_set_pushed(rows, now)
        self.totals.pushed += len(items)
        self.ctx.count(updated=len(items))
        if self.changed_only:
            for item in items:
                before = [last for _, _, last in item.links]
                was = (
                    "never pushed before"
                    if all(b is None for b in before)
                    else f"was {sum(b or 0 for b in before)}"
                )
                self.ctx.log(
                    f"{item.label}: stock {item.quantity} pushed ({was}).",
                    level=INFO,
                    object_kind=item.object_kind,
                    object_id=item.ref,
                )
        else:
            self.ctx.log(
                f"Stock of {len(items)} item{'s' if len(items) != 1 else ''} pushed"
                + (f" (BigCommerce transaction {transaction_id})." if transaction_id else "."),
                level=INFO,
            )
        if transaction_id:
            self.totals.transactions.append(transaction_id)

    # -- tracking off -------------------------------------------------------------------------

    def report_tracking_off_summary(self) -> None:
        """Changed update: one warning naming how many linked items have tracking off."""
        off = ProductLink.objects.filter(
            connection=self.connection,
            product__isnull=False,
            inventory_tracking=ProductLink.Tracking.NONE,
        )
        count = off.count()
        if not count:
            return
        examples = list(
            off.order_by("bc_product_id", "bc_variant_id").values_list("product__sku", flat=True)[
                :5
            ]
        )
        self.totals.tracking_off = count
        self.ctx.count(skipped=count)
        self.ctx.log(
            f"{count} linked item{'s have' if count != 1 else ' has'} inventory tracking off in "
            f"BigCommerce (e.g. {', '.join(examples)}): BigCommerce ignores their stock, so it is "
            "not pushed, and their shipments cannot be confirmed. Turn on 'Track inventory' for "
            "them in BigCommerce (see the connection's Catalog readiness page).",
            level=WARNING,
        )

    def _report_tracking_off(self, row: dict | None) -> None:
        """Full update: one warning per BigCommerce product with tracking off, naming its
        linked SKUs (rows arrive in product order; None flushes the last product)."""
        pending = self._tracking_off_rows
        if pending and (row is None or row["bc_product_id"] != pending[0]["bc_product_id"]):
            product_id = pending[0]["bc_product_id"]
            skus = ", ".join(
                f"{r['product__sku']} (variant {r['bc_variant_id']})" for r in pending[:20]
            )
            more = f" and {len(pending) - 20} more" if len(pending) > 20 else ""
            self.ctx.log(
                f"BigCommerce product {product_id}: inventory tracking is off, so the stock of "
                f"SKU {skus}{more} is not pushed (BigCommerce would ignore it) and their "
                "shipments cannot be confirmed. Turn on 'Track inventory' for the product in "
                "BigCommerce.",
                level=WARNING,
                object_kind="product",
                object_id=product_id,
            )
            self._tracking_off_rows = pending = []
        if row is not None:
            pending.append(row)
            self.totals.tracking_off += 1
            self.ctx.count(skipped=1)


# ----------------------------------------------------------------------------- writing


def bulk_set_pushed(rows: list[tuple[int, int, int]], now, *, chunk: int = 2000) -> None:
    """Record accepted pushes: rows of (link id, the link's own quantity, the quantity
    BigCommerce now has for its item). One UPDATE ... FROM (VALUES ...) per chunk."""
    if not rows:
        return
    table = ProductLink._meta.db_table
    vendor = db_connection.vendor
    stamp = db_connection.ops.adapt_datetimefield_value(now)
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        params: list = [stamp]
        if vendor == "postgresql":
            values = ",".join(["(%s::bigint, %s::integer, %s::integer)"] * len(part))
            for row in part:
                params.extend(row)
            sql = (
                f'UPDATE "{table}" AS l SET last_pushed_quantity = v.q, last_pushed_level = '
                "v.lvl, bc_inventory_level = v.lvl, last_pushed_at = %s, push_error = '', "
                "push_error_at = NULL "
                f"FROM (VALUES {values}) AS v(id, q, lvl) WHERE l.id = v.id"
            )
        elif vendor == "sqlite":
            values = ",".join(["(%s, %s, %s)"] * len(part))
            for row in part:
                params.extend(row)
            sql = (
                f'UPDATE "{table}" SET last_pushed_quantity = v.column2, last_pushed_level = '
                "v.column3, bc_inventory_level = v.column3, last_pushed_at = %s, push_error = '', "
                "push_error_at = NULL "
                f'FROM (VALUES {values}) AS v WHERE "{table}".id = v.column1'
            )
        else:  # any other database: the ORM's way
            links = [
                ProductLink(
                    pk=link_id,
                    last_pushed_quantity=own,
                    last_pushed_level=level,
                    bc_inventory_level=level,
                    last_pushed_at=now,
                    push_error="",
                    push_error_at=None,
                )
                for link_id, own, level in part
            ]
            ProductLink.objects.bulk_update(
                links,
                [
                    "last_pushed_quantity",
                    "last_pushed_level",
                    "bc_inventory_level",
                    "last_pushed_at",
                    "push_error",
                    "push_error_at",
                ],
            )
            continue
        with db_connection.cursor() as cursor:
            cursor.execute(sql, params)
