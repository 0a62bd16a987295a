"""Publish Listings, Hide/Unhide Listings and Delist Listings: each works through the
connection's listings that a bulk action marked (`pending`), a page at a time; each page's
outcomes are saved before the next page is sent, so a run that dies resumes with what is still
pending. Every failure is that listing's error (BigCommerce's message), never a stopped run;
only transport errors (401, 429 or 5xx after retries) stop it."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from catalog.flows.common import catalog_lock
from catalog.link_writes import chunks
from catalog.models import Product, ProductLink
from dataflows.models import LogEntry

from .models import Listing
from .payloads import (
    ListingProblem,
    content_hash,
    create_payload,
    names_used,
    product_content,
    to_bigcommerce,
    update_content,
)
from .store_links import (
    NameIds,
    adopt_existing,
    link_variant_ids,
    links_write,
    listing_failed,
    listing_ok,
    listings_api,
    options_for,
    variants_of,
)

PAGE = 50
State = Listing.State
ERROR, WARNING, INFO = LogEntry.Level.ERROR, LogEntry.Level.WARNING, LogEntry.Level.INFO


def pending_pages(ctx, action: str):
    """The pending listings of `action`, a page at a time, with products and variants."""
    ids = list(
        Listing.objects.filter(connection=ctx.connection, pending=action)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ctx.progress(done=0, total=len(ids))
    for done, chunk in enumerate(chunks(ids, PAGE)):
        yield (
            list(
                Listing.objects.filter(pk__in=chunk, pending=action)
                .select_related("product", "connection")
                .prefetch_related(Prefetch("product__variants", queryset=Product.objects.all()))
                .order_by("pk")
            ),
            min(len(ids), (done + 1) * PAGE),
        )


def _fail(ctx, listing, message):
    listing_failed(listing, message)
    ctx.count(failed=1)
    ctx.log(
        f"{listing.product.sku}: {message}",
        level=ERROR,
        object_kind="listing",
        object_id=listing.pk,
    )


def _save(listings):
    for listing in listings:
        listing.save()


def _synced(listing, opts, variants):
    product_part, variant_parts, _ = update_content(listing.product, variants, opts)
    listing.content_hash = content_hash(product_part, variant_parts)
    listing.synced_at = timezone.now()


def publish_run(ctx) -> None:
    api = listings_api(ctx.client)
    opts = options_for(ctx.connection)
    ids = NameIds(api)
    live = State.PAUSED if opts.paused else State.LIVE
    with catalog_lock(ctx):
        for page, done in pending_pages(ctx, Listing.Action.PUBLISH):
            ctx.count(fetched=len(page))
            creates, updates = [], []
            for listing in page:
                if listing.bc_product_id is None:
                    adopt_existing(listing)
                (updates if listing.bc_product_id else creates).append(listing)
            categories, brands = set(), set()
            for listing in page:
                try:
                    content, _ = product_content(listing.product, opts)
                except ListingProblem:
                    continue  # failed with its message below
                c, b = names_used(content)
                categories |= c
                brands |= b
            ids.ensure(categories=categories, brands=brands)
            for listing in creates:
                _create(ctx, api, listing, opts, ids, live)
            _republish(ctx, api, updates, opts, ids)
            with ctx.atomic():
                _save(page)
            ctx.progress(done=done)


def _create(ctx, api, listing, opts, ids, live) -> None:
    variants = variants_of(listing.product)
    try:
        payload, notes = create_payload(
            listing.product, variants, opts, category_ids=ids.categories, brand_ids=ids.brands
        )
    except ListingProblem as exc:
        _fail(ctx, listing, str(exc))
        return
    outcome = api.product_create(payload=payload)
    if not outcome.ok:
        _fail(ctx, listing, f"BigCommerce refused the product: {outcome.error}")
        return
    listing.bc_product_id = outcome.product_id
    listing_ok(listing, live)
    _synced(listing, opts, variants)
    links_write(listing=listing, variants=variants, variant_ids=outcome.variant_ids)
    if variants and opts.variant_option_type:
        _option_type(ctx, api, listing, opts)
    ctx.count(created=1)
    for note in notes:
        ctx.log(
            f"{listing.product.sku}: {note}",
            level=WARNING,
            object_kind="listing",
            object_id=listing.pk,
        )
    ctx.log(
        f"{listing.product.sku} published as BigCommerce product {listing.bc_product_id}"
        f"{' (paused: not synced until unpaused)' if live == State.PAUSED else ''}.",
        object_kind="listing",
        object_id=listing.pk,
    )


def _option_type(ctx, api, listing, opts) -> None:
    """BigCommerce gives the options it makes from inline variants its own display type; the
    driver changes only the options of another type (nothing when they already match)."""
    outcome = api.product_options_set_type(
        product_id=listing.bc_product_id, option_type=opts.variant_option_type
    )
    if not outcome.ok:
        ctx.log(
            f"{listing.product.sku}: published, but BigCommerce refused the variant option type "
            f"{opts.variant_option_type!r} ({outcome.error}). Choose another Variant option type "
            "in the connection's settings, or change the option in the store.",
            level=WARNING,
            object_kind="listing",
            object_id=listing.pk,
        )


def _republish(ctx, api, listings, opts, ids) -> None:
    """Listings already on the store (published before, or linked by Product Match): an
    update with what the settings let it send, visible again."""
    items = []
    for listing in listings:
        variants = variants_of(listing.product)
        try:
            product_part, _, _ = update_content(listing.product, variants, opts)
        except ListingProblem as exc:
            _fail(ctx, listing, str(exc))
            continue
        payload = to_bigcommerce(product_part, category_ids=ids.categories, brand_ids=ids.brands)
        items.append(
            (str(listing.pk), {"id": listing.bc_product_id, **payload, "is_visible": True})
        )
    outcomes = {o.key: o for o in api.products_update(items=items)} if items else {}
    for listing in listings:
        outcome = outcomes.get(str(listing.pk))
        if outcome is None:
            continue
        if not outcome.ok:
            _fail(ctx, listing, f"BigCommerce refused the update: {outcome.error}")
            continue
        variants = variants_of(listing.product)
        listing_ok(listing, State.LIVE)
        _synced(listing, opts, variants)
        ids_by_sku = link_variant_ids(listing) or dict(outcome.variant_ids or {})
        links_write(listing=listing, variants=variants, variant_ids=ids_by_sku)
        ctx.count(updated=1)
        ctx.log(
            f"{listing.product.sku} is live again on BigCommerce product {listing.bc_product_id}.",
            object_kind="listing",
            object_id=listing.pk,
        )


def visibility_run(ctx) -> None:
    """Hide (not visible, not purchasable: the product and all its variants together) and
    Unhide."""
    api = listings_api(ctx.client)
    with catalog_lock(ctx):
        for action, hide in ((Listing.Action.HIDE, True), (Listing.Action.UNHIDE, False)):
            for page, done in pending_pages(ctx, action):
                ctx.count(fetched=len(page))
                products, variants = [], []
                for listing in page:
                    if not listing.bc_product_id:
                        _fail(ctx, listing, "The listing is not on the store: publish it first.")
                        continue
                    products.append(
                        (
                            str(listing.pk),
                            {
                                "id": listing.bc_product_id,
                                "is_visible": not hide,
                                "availability": "disabled" if hide else "available",
                            },
                        )
                    )
                    if listing.product.variants.all():
                        variants += [
                            (f"{listing.pk}:{sku}", {"id": vid, "purchasing_disabled": hide})
                            for sku, vid in link_variant_ids(listing).items()
                        ]
                outcomes = (
                    {o.key: o for o in api.products_update(items=products)} if products else {}
                )
                if variants:
                    outcomes.update({o.key: o for o in api.variants_update(items=variants)})
                for listing in page:
                    if not listing.bc_product_id:
                        continue
                    bad = [
                        o
                        for k, o in outcomes.items()
                        if (k == str(listing.pk) or k.startswith(f"{listing.pk}:")) and not o.ok
                    ]
                    if bad:
                        _fail(ctx, listing, f"BigCommerce refused to {action} it: {bad[0].error}")
                        continue
                    listing_ok(listing, State.HIDDEN if hide else State.LIVE)
                    ctx.count(updated=1)
                    ctx.log(
                        f"{listing.product.sku} {'hidden' if hide else 'visible again'}.",
                        object_kind="listing",
                        object_id=listing.pk,
                    )
                with ctx.atomic():
                    _save(page)
                ctx.progress(done=done)


def delist_run(ctx) -> None:
    """Delete the products from the store; the listing stays (delisted) and publishing it
    again creates the product anew."""
    api = listings_api(ctx.client)
    with catalog_lock(ctx):
        for page, done in pending_pages(ctx, Listing.Action.DELIST):
            ctx.count(fetched=len(page))
            on_store = [listing for listing in page if listing.bc_product_id]
            outcomes = (
                {
                    o.key: o
                    for o in api.products_delete(
                        product_ids=[listing.bc_product_id for listing in on_store]
                    )
                }
                if on_store
                else {}
            )
            with ctx.atomic():
                for listing in page:
                    outcome = outcomes.get(str(listing.bc_product_id))
                    if listing.bc_product_id and outcome is not None and not outcome.ok:
                        _fail(ctx, listing, f"BigCommerce refused to delete it: {outcome.error}")
                        listing.save()
                        continue
                    if listing.bc_product_id:
                        ProductLink.objects.filter(
                            connection_id=listing.connection_id,
                            bc_product_id=listing.bc_product_id,
                        ).delete()
                    ctx.log(
                        f"{listing.product.sku} delisted (BigCommerce product "
                        f"{listing.bc_product_id} deleted).",
                        object_kind="listing",
                        object_id=listing.pk,
                    )
                    listing.bc_product_id = None
                    listing.content_hash = ""
                    listing_ok(listing, State.DELISTED)
                    listing.save()
                    ctx.count(updated=1)
            ctx.progress(done=done)
