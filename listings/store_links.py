"""What the listing runs share: the driver's listings API, the connection's settings, a
listing's variant group, category and brand ids, and the ProductLinks of a published product
(the same kind of link Product Match makes: one per BigCommerce variant)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Product, ProductLink

from .models import Listing, ListingSettings
from .payloads import build_options


def listings_api(client):
    """The driver's ListingsAPI of this client (a resource attribute or the client itself)."""
    return getattr(client, "listings", client)


def settings_for(connection) -> ListingSettings:
    return ListingSettings.objects.filter(connection=connection).first() or ListingSettings(
        connection=connection
    )


def options_for(connection):
    return build_options(connection=connection, settings=settings_for(connection))


def variants_of(product: Product) -> list[Product]:
    return sorted(product.variants.all(), key=lambda v: v.sku)


class NameIds:
    """Category and brand ids of one run, created on the store when missing (asked once per
    name per run)."""

    def __init__(self, api):
        self.api = api
        self.categories: dict[str, int] = {}
        self.brands: dict[str, int] = {}

    def ensure(self, *, categories: set[str], brands: set[str]) -> None:
        missing = sorted(categories - set(self.categories))
        if missing:
            self.categories.update(self.api.categories_ensure(names=missing))
        missing = sorted(brands - set(self.brands))
        if missing:
            self.brands.update(self.api.brands_ensure(names=missing))


def adopt_existing(listing: Listing) -> bool:
    """A product Product Match already linked on this store is the listing's product: no
    second copy is created (its SKU would clash)."""
    skus = [listing.product_id, *[v.pk for v in listing.product.variants.all()]]
    link = (
        ProductLink.objects.filter(connection_id=listing.connection_id, product_id__in=skus)
        .order_by("bc_product_id")
        .first()
    )
    if link is None:
        return False
    listing.bc_product_id = link.bc_product_id
    return True


def links_write(*, listing: Listing, variants: list[Product], variant_ids: dict) -> None:
    """One ProductLink per BigCommerce variant of the listing's product, tied to the hub
    product of that SKU. Upserted on (connection, variant id): a Product Match that linked
    the same variant meanwhile leaves one row."""
    by_sku = {v.sku: v for v in variants} or {listing.product.sku: listing.product}
    simple = not variants
    master = listing.connection.master_sku_field
    now = timezone.now()
    for sku, variant_id in (variant_ids or {}).items():
        product = by_sku.get(sku)
        if product is None or not variant_id:
            continue
        values = {
            "product": product,
            "bc_product_id": listing.bc_product_id,
            "bc_sku": sku,
            "bc_upc": product.upc,
            "bc_mpn": product.mpn,
            "bc_name": product.name or listing.product.name,
            "master_key": (getattr(product, master, "") or "").strip(),
            "is_simple_product": simple,
            "inventory_tracking": ProductLink.Tracking.PRODUCT
            if simple
            else ProductLink.Tracking.VARIANT,
            "matched_at": now,
        }
        for attempt in range(2):
            try:
                with transaction.atomic():
                    ProductLink.objects.update_or_create(
                        connection=listing.connection,
                        bc_variant_id=variant_id,
                        defaults=values,
                    )
                break
            except IntegrityError:
                if attempt:
                    raise


def link_variant_ids(listing: Listing) -> dict[str, int]:
    """BigCommerce variant id of each linked hub SKU of the listing's product."""
    return dict(
        ProductLink.objects.filter(
            connection_id=listing.connection_id, bc_product_id=listing.bc_product_id
        )
        .exclude(product=None)
        .values_list("product__sku", "bc_variant_id")
    )


def listing_failed(listing: Listing, message: str) -> None:
    listing.state = Listing.State.ERROR
    listing.last_error = message
    listing.error_at = timezone.now()
    listing.pending = ""


def listing_ok(listing: Listing, state: str) -> None:
    listing.state = state
    listing.last_error = ""
    listing.error_at = None
    listing.pending = ""
