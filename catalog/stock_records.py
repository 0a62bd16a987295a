"""What a stock push leaves behind: the accepted quantities on the links (one bulk UPDATE per
chunk), the rejected ones (`push_error`), the run's counters and log lines, and the reports
of items not pushed (tracking off, stock never set by the warehouse, negative stock)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection as db_connection
from django.utils import timezone

from dataflows.models import LogEntry

from .models import ProductLink
from .stock_selection import StockItem, stock_unset_links

ERROR = LogEntry.Level.ERROR
WARNING = LogEntry.Level.WARNING
INFO = LogEntry.Level.INFO


@dataclass
class PushTotals:
    links: int = 0
    items: int = 0
    pushed: int = 0
    rejected: int = 0
    negatives: int = 0
    tracking_off: int = 0
    stock_unset: int = 0
    requests_split: int = 0
    selection_s: float = 0.0
    transactions: list = field(default_factory=list)


def _examples(queryset) -> str:
    skus = queryset.order_by("bc_product_id", "bc_variant_id").values_list(
        "product__sku", flat=True
    )[:5]
    return ", ".join(skus)


class StockRecorder:
    """The records of one Full or Changed Stock Update run. The full update reports each item
    it does not push; the changed one (every few minutes) a summary only."""

    def __init__(self, ctx, *, changed_only: bool):
        self.ctx = ctx
        self.connection = ctx.connection
        self.changed_only = changed_only
        self.totals = PushTotals()
        self._tracking_off_rows: list[dict] = []

    # -- before the walk --------------------------------------------------------------------

    def report_summaries(self) -> None:
        if self.changed_only:
            self._tracking_off_summary()
        self._stock_unset_summary()

    def _tracking_off_summary(self) -> None:
        """Changed update: one warning naming how many linked items have tracking off."""
        off = ProductLink.objects.filter(
            connection=self.connection,
            product__isnull=False,
            inventory_tracking=ProductLink.Tracking.NONE,
        )
        count = off.count()
        if not count:
            return
        self.totals.tracking_off = count
        self.ctx.count(skipped=count)
        self.ctx.log(
            f"{count} linked item{'s have' if count != 1 else ' has'} inventory tracking off in "
            f"BigCommerce (e.g. {_examples(off)}): BigCommerce ignores their stock, so it is "
            "not pushed, and their shipments cannot be confirmed. Turn on 'Track inventory' for "
            "them in BigCommerce (see the connection's Catalog readiness page).",
            level=WARNING,
        )

    def _stock_unset_summary(self) -> None:
        """One warning naming how many linked items wait for the warehouse's first stock."""
        unset = stock_unset_links(connection=self.connection)
        count = unset.count()
        if not count:
            return
        if self.changed_only:
            self.totals.stock_unset = count
            self.ctx.count(skipped=count)
        self.ctx.log(
            f"{count} linked item{'s are' if count != 1 else ' is'} not pushed because the "
            f"warehouse has not sent the stock of their hub products yet (e.g. "
            f"{_examples(unset)}); BigCommerce keeps its own levels for them. Send their stock "
            "to the hub (the REST stock/ endpoint or the product's page) and the next stock "
            "update pushes it.",
            level=WARNING,
        )

    # -- items the walk does not push ---------------------------------------------------------

    def component(self, row) -> tuple[int, int, int | None]:
        """(link id, its quantity clamped at 0, last pushed) of a link row; warns when the hub
        has more reserved than on hand."""
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

    def stock_unset(self, label: str, rows: list[dict], *, object_kind: str, object_id) -> None:
        """Full update: one warning per item left alone because the warehouse never set the
        stock of (one of) its hub products."""
        if self.changed_only:
            return  # counted by the summary
        skus = ", ".join(sorted({r["product__sku"] for r in rows}))
        self.totals.stock_unset += 1
        self.ctx.count(skipped=1)
        self.ctx.log(
            f"{label}: not pushed, the warehouse has not sent the stock of SKU {skus} yet "
            "(pushing would set the store's stock to 0). Send it to the hub and the next stock "
            "update pushes it.",
            level=WARNING,
            object_kind=object_kind,
            object_id=object_id,
        )

    def tracking_off(self, row: dict | None) -> None:
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

    # -- outcomes of the pushes ---------------------------------------------------------------

    def rejected(self, item: StockItem, message: str) -> None:
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

    def pushed(self, items: list[StockItem], transaction_id: str) -> None:
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


PUSHED_COLUMNS = (
    "last_pushed_quantity",
    "last_pushed_level",
    "bc_inventory_level",
    "last_pushed_at",
    "push_error",
    "push_error_at",
)


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
        for row in part:
            params.extend(row)
        if vendor == "postgresql":
            values = ",".join(["(%s::bigint, %s::integer, %s::integer)"] * len(part))
            sql = (
                f'UPDATE "{table}" AS l SET last_pushed_quantity = v.q, last_pushed_level = '
                "v.lvl, bc_inventory_level = v.lvl, last_pushed_at = %s, push_error = '', "
                "push_error_at = NULL "
                f"FROM (VALUES {values}) AS v(id, q, lvl) WHERE l.id = v.id"
            )
        elif vendor == "sqlite":
            values = ",".join(["(%s, %s, %s)"] * len(part))
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
            ProductLink.objects.bulk_update(links, PUSHED_COLUMNS)
            continue
        with db_connection.cursor() as cursor:
            cursor.execute(sql, params)
