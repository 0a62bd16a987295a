"""Sync Listings: only what changed in the hub since a listing's last sync goes to the store,
through the batch endpoints (products 10 a request, variants 50: the driver batches and splits
a rejected batch to isolate the bad item).

Changed: the product or one of its variants was saved after the listing's last sync, or the
connection or its listing settings were (a setting changes what is sent). Among those, only
listings whose content now hashes differently are sent, and of each only the half that
changed (the product, or its variants). Each page's outcomes are saved before the next page is
sent: a run that dies resumes with the listings still unsynced, none sent twice."""

from __future__ import annotations

from django.db.models import F, Prefetch, Q
from django.utils import timezone

from catalog.flows.common import catalog_lock
from catalog.link_writes import chunks
from catalog.models import Product
from dataflows.models import LogEntry

from .models import Listing, ListingSettings
from .payloads import (
    ListingProblem,
    content_hash,
    names_used,
    to_bigcommerce,
    update_content,
    variant_content,
)
from .store_links import (
    NameIds,
    link_variant_ids,
    links_write,
    listing_failed,
    listings_api,
    options_for,
    variants_of,
)

PAGE = 200
SYNCED_STATES = (Listing.State.LIVE, Listing.State.HIDDEN)


def changed_listings(*, connection):
    """Ids of the connection's synced listings that may have changed since their last sync."""
    settings_at = (
        ListingSettings.objects.filter(connection=connection)
        .values_list("updated_at", flat=True)
        .first()
    )
    marks = [connection.updated_at, settings_at]
    since = (
        Q(synced_at=None)
        | Q(product__updated_at__gt=F("synced_at"))
        | Q(product__variants__updated_at__gt=F("synced_at"))
    )
    for mark in filter(None, marks):
        since |= Q(synced_at__lt=mark)
    return (
        Listing.objects.filter(
            connection=connection, state__in=SYNCED_STATES, pending="", bc_product_id__isnull=False
        )
        .filter(since)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def sync_run(ctx) -> None:
    api = listings_api(ctx.client)
    opts = options_for(ctx.connection)
    ids = NameIds(api)
    with catalog_lock(ctx):
        todo = list(changed_listings(connection=ctx.connection))
        ctx.progress(done=0, total=len(todo))
        for number, chunk in enumerate(chunks(todo, PAGE)):
            page = list(
                Listing.objects.filter(pk__in=chunk)
                .select_related("product", "connection")
                .prefetch_related(Prefetch("product__variants", queryset=Product.objects.all()))
                .order_by("pk")
            )
            ctx.count(fetched=len(page))
            _sync_page(ctx, api, page, opts, ids)
            ctx.progress(done=min(len(todo), (number + 1) * PAGE))


def _sync_page(ctx, api, page, opts, ids) -> None:
    now = timezone.now()
    plans = {}
    for listing in page:
        variants = variants_of(listing.product)
        try:
            product_part, variant_parts, notes = update_content(listing.product, variants, opts)
        except ListingProblem as exc:
            listing_failed(listing, str(exc))
            ctx.count(failed=1)
            ctx.log(
                f"{listing.product.sku}: {exc}",
                level=LogEntry.Level.ERROR,
                object_kind="listing",
                object_id=listing.pk,
            )
            continue
        new = content_hash(product_part, variant_parts)
        old_product, _, old_variants = listing.content_hash.partition(":")
        new_product, _, new_variants = new.partition(":")
        plans[listing.pk] = (
            new,
            product_part if new_product != old_product and product_part else None,
            variant_parts if new_variants != old_variants and variants else None,
        )
    categories, brands = set(), set()
    for _, product_part, _ in plans.values():
        if product_part:
            c, b = names_used(product_part)
            categories |= c
            brands |= b
    ids.ensure(categories=categories, brands=brands)
    product_items, variant_items, new_variants = [], [], {}
    by_pk = {listing.pk: listing for listing in page}
    for pk, (_, product_part, variant_parts) in plans.items():
        listing = by_pk[pk]
        if product_part:
            payload = to_bigcommerce(
                product_part, category_ids=ids.categories, brand_ids=ids.brands
            )
            product_items.append((str(pk), {"id": listing.bc_product_id, **payload}))
        if variant_parts:
            linked = link_variant_ids(listing)
            for sku, variant_id in linked.items():
                if sku in variant_parts:
                    variant_items.append((f"{pk}:{sku}", {"id": variant_id, **variant_parts[sku]}))
            new_variants[pk] = [v for v in variants_of(listing.product) if v.sku not in linked]
    outcomes = {}
    for pk, variants in new_variants.items():
        outcomes.update(_variants_create(api, by_pk[pk], variants, opts.variant_option_type))
    if product_items:
        outcomes.update({o.key: o for o in api.products_update(items=product_items)})
    if variant_items:
        outcomes.update({o.key: o for o in api.variants_update(items=variant_items)})
    with ctx.atomic():
        for listing in page:
            plan = plans.get(listing.pk)
            if plan is None:
                listing.save()
                continue
            bad = [
                o
                for key, o in outcomes.items()
                if (key == str(listing.pk) or key.startswith(f"{listing.pk}:")) and not o.ok
            ]
            if bad:
                listing_failed(listing, f"BigCommerce refused the update: {bad[0].error}")
                ctx.count(failed=1)
                ctx.log(
                    f"{listing.product.sku}: {listing.last_error}",
                    level=LogEntry.Level.ERROR,
                    object_kind="listing",
                    object_id=listing.pk,
                )
            else:
                sent = plan[1] is not None or plan[2] is not None
                listing.content_hash = plan[0]
                listing.last_error = ""
                ctx.count(**({"updated": 1} if sent else {"skipped": 1}))
            listing.synced_at = now
            listing.save()


def _variants_create(api, listing, variants, option_type: str) -> dict:
    """Variants added to the hub's group since the listing was published: one request each
    (BigCommerce has no batch create), linked like the published ones; an option the product
    lacks is created of the connection's Variant option type."""
    outcomes = {}
    for variant in variants:
        if not variant.option_values:
            continue  # its group's sync reports nothing new for it until it has them
        payload = {
            "sku": variant.sku,
            **variant_content(variant),
            "option_values": [
                {"option_display_name": o["option"], "label": o["value"]}
                for o in variant.option_values
            ],
        }
        outcome = api.variant_create(
            product_id=listing.bc_product_id, payload=payload, option_type=option_type
        )
        outcomes[f"{listing.pk}:{variant.sku}"] = outcome
        if outcome.ok:
            links_write(listing=listing, variants=[variant], variant_ids=outcome.variant_ids)
    return outcomes
