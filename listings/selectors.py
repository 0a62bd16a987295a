"""Reads of the listings app: the Listings page's rows (a connection's listable hub products
with their listing) and the listings the REST API shows."""

from __future__ import annotations

from django.db.models import Count, FilteredRelation, Q, QuerySet

from catalog.models import Product
from connections.selectors import connections_visible_to

from .models import Listing

LISTING_FILTERS = {
    "not_listed": "Not listed",
    **{state.value: state.label for state in Listing.State},
}


def listing_candidates(*, connection, state: str = "", search: str = "") -> QuerySet[Product]:
    """Parents and simple products of the connection's tenant, each with `listing_*` columns
    of its listing on the connection (None: not listed) and its variant count."""
    products = (
        Product.objects.filter(tenant_id=connection.tenant_id, parent=None)
        .alias(here=FilteredRelation("listings", condition=Q(listings__connection=connection)))
        .annotate(variant_count=Count("variants", distinct=True))
        .values(
            "pk",
            "sku",
            "name",
            "price",
            "brand",
            "variant_count",
            "here__id",
            "here__state",
            "here__pending",
            "here__bc_product_id",
            "here__last_error",
            "here__synced_at",
        )
        .order_by("sku", "pk")
    )
    if search:
        products = products.filter(Q(sku__icontains=search) | Q(name__icontains=search))
    if state == "not_listed":
        products = products.filter(here__id=None)
    elif state:
        products = products.filter(here__state=state)
    return products


def listings_visible_to(*, user) -> QuerySet[Listing]:
    return Listing.objects.filter(connection__in=connections_visible_to(user=user)).select_related(
        "product", "connection"
    )
