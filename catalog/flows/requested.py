"""Changed Product Match's first step: the products webhooks named, matched again by id (one
request per 250 products), whatever their date_modified."""

from __future__ import annotations

from catalog.models import ProductMatchRequest
from dataflows.models import LogEntry

#: Products asked for by id, at most this many per run (the rest next run).
MAX_REQUESTS = 2000


def match_requested(ctx, matcher, lock) -> int:
    requests = list(
        ProductMatchRequest.objects.filter(connection=ctx.connection).order_by(
            "requested_at", "id"
        )[:MAX_REQUESTS]
    )
    if not requests:
        return 0
    ids = [r.bc_product_id for r in requests]
    matched = 0
    totals = matcher.totals
    for page in ctx.client.iter_product_pages(include_variants=True, ids=ids):
        before = (totals.links_created, totals.links_updated, totals.links_unchanged)
        items = matcher.match_page(page)
        matched += len(page)
        ctx.count(
            fetched=len(items),
            created=totals.links_created - before[0],
            updated=totals.links_updated - before[1],
            skipped=totals.links_unchanged - before[2],
        )
        ctx.progress(done=matched)
        lock.renew()
    ProductMatchRequest.objects.filter(pk__in=[r.pk for r in requests]).delete()
    ctx.log(
        f"{matched} product(s) changed in BigCommerce (webhooks) matched again; "
        f"{len(ids) - matched} no longer exist.",
        level=LogEntry.Level.INFO,
    )
    return matched
