"""Full Stock Update (hub -> BC: every linked item; resumes after the last batch a failed run
got through) and Changed Stock Update (only items whose available stock differs from what was
last pushed)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.stock_push import StockPusher
from dataflows.models import LogEntry

from .common import catalog_lock

INFO = LogEntry.Level.INFO
WARNING = LogEntry.Level.WARNING


def changed_stock_update_options_parse(options: dict) -> dict:
    """`push_on_stock_change` (default true): a stock change in the hub queues a push soon."""
    if not isinstance(options, dict):
        raise ValidationError({"options": "The dataflow's options must be a JSON object."})
    if not isinstance(options.get("push_on_stock_change", True), bool):
        raise ValidationError({"options": "push_on_stock_change must be true or false."})
    return options


def _resume_position(cursor: dict) -> tuple[int, int] | None:
    after = cursor.get("resume_after")
    if (
        isinstance(after, list)
        and len(after) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in after)
    ):
        return (after[0], after[1])
    return None


def push_stock(ctx, *, changed: bool) -> None:
    resume = None if changed else _resume_position(dict(ctx.dataflow.cursor or {}))
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
        f"{totals.tracking_off}; stock never set by the warehouse, not pushed: "
        f"{totals.stock_unset}. Finding the items took {totals.selection_s * 1000:.0f} ms.",
        level=WARNING if totals.rejected else INFO,
    )


def full_stock_update_run(ctx) -> None:
    push_stock(ctx, changed=False)


def changed_stock_update_run(ctx) -> None:
    push_stock(ctx, changed=True)
