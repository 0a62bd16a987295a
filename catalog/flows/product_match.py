"""Product Match (BC -> hub): every BigCommerce product and variant matched to a hub product by
the connection's master SKU field, product info imported, bad data reported. Changed Product
Match: the same, only for products modified since the last run."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.bc_items import parse_bc_datetime
from catalog.import_options import (
    OptionsError,
    match_options_build,
    overlap_seconds_parse,
)
from catalog.matching import PageMatcher
from catalog.models import IMPORT_SETTINGS_KEYS, Product, ProductImportSettings, ProductLink
from catalog.selectors import product_import_settings_get
from dataflows.bulk import tables_analyze
from dataflows.models import LogEntry, Run

from .common import catalog_lock, prefetched
from .requested import match_requested

INFO = LogEntry.Level.INFO
WARNING = LogEntry.Level.WARNING
#: A Product Match that created or changed this many links refreshes the planner statistics.
ANALYZE_AFTER_CHANGES = 1000


def product_match_options_parse(options: dict) -> dict:
    """The engine's check of Product Match options when they are saved: the product import
    settings they may carry (import_mode, overwrite_fields) are checked here and then saved to
    the connection's ProductImportSettings (`catalog.receivers`)."""
    if not isinstance(options, dict):
        raise ValidationError({"options": "The dataflow's options must be a JSON object."})
    values = {key: options[key] for key in IMPORT_SETTINGS_KEYS if key in options}
    if values:
        ProductImportSettings(**values).clean()
    return options


def changed_product_match_options_parse(options: dict) -> dict:
    """The engine's check of Changed Product Match options (`overlap_seconds`) when saved."""
    try:
        overlap_seconds_parse(options)
    except OptionsError as exc:
        raise ValidationError({"options": str(exc)}) from None
    return options


def _options(ctx, *, changed: bool):
    """The connection's product import settings (shared by both match flows); the Changed
    Product Match's own options add its overlap window."""
    try:
        overlap = overlap_seconds_parse(ctx.dataflow.options) if changed else 0
        return match_options_build(
            settings=product_import_settings_get(connection=ctx.connection),
            overlap_seconds=overlap,
        )
    except OptionsError as exc:
        raise OptionsError(f"{exc} The run did nothing.") from None


def match_products(ctx, *, changed: bool) -> None:
    """Product Match (every product) or Changed Product Match (products modified since the
    highest date_modified the last run processed, minus an overlap window)."""
    connection = ctx.connection
    options = _options(ctx, changed=changed)
    started = timezone.now()
    since = None
    cursor = dict(ctx.dataflow.cursor or {})
    if changed:
        last = parse_bc_datetime(cursor.get("date_modified"))
        if last is not None:
            since = last - timedelta(seconds=options.overlap_seconds)
    with catalog_lock(ctx) as lock:
        matcher = PageMatcher(
            connection=connection,
            options=options,
            log=ctx.log,
            seen_at=started,
            atomic=ctx.atomic,
        )
        totals = matcher.totals
        if changed:
            match_requested(ctx, matcher, lock)
            if ctx.run.trigger == Run.Trigger.WEBHOOK:
                return  # targeted: only the products the webhooks named
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
            tables_analyze([ProductLink, Product])
    _log_summary(ctx, matcher, products=products, duplicates=duplicates, removed=removed)
    if changed and totals.max_date_modified is not None:
        # The highest date_modified processed, never later than this run's start (a product
        # changed while the pages were read is read again next time; the overlap window
        # covers clock differences), and never going back.
        highest = min(totals.max_date_modified, started)
        previous = parse_bc_datetime(cursor.get("date_modified"))
        if previous is None or highest > previous:
            cursor["date_modified"] = highest.isoformat()
        ctx.save_cursor(cursor)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _log_summary(ctx, matcher: PageMatcher, *, products: int, duplicates: int, removed: int):
    totals, label = matcher.totals, matcher.master_label
    problems = (
        totals.no_key
        or duplicates
        or totals.padded
        or totals.tracking_off_products
        or totals.unmatched
    )
    ctx.log(
        f"{_plural(products, 'product')} with {_plural(totals.variants, 'variant')} read: "
        f"{_plural(totals.links_created, 'new link')}, {totals.links_updated} changed, "
        f"{totals.links_unchanged} unchanged; hub products created: {totals.hub_created}, "
        f"overwritten: {totals.hub_overwritten}"
        + (f"; links of variants no longer in BigCommerce removed: {removed}" if removed else "")
        + ". Readiness: "
        f"{totals.no_key} without {label}, {duplicates} duplicated "
        f"{label}{'s' if duplicates != 1 else ''}, {totals.padded} with spaces, "
        f"{_plural(totals.tracking_off_products, 'product')} with tracking off, "
        f"{totals.unmatched} without a hub product.",
        level=WARNING if problems else INFO,
    )


def product_match_run(ctx) -> None:
    match_products(ctx, changed=False)


def changed_product_match_run(ctx) -> None:
    match_products(ctx, changed=True)
