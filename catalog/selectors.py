"""Reads for the hub's catalog. Everything a user sees goes through `products_visible_to` or a
connection visible to them, so tenant isolation is enforced here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Trim

from connections.models import Connection
from connections.selectors import connections_visible_to, tenants_for_user
from dataflows.models import Run

from .filters import TRACKING_OFF, ProductFilter
from .kinds import MATCH_KINDS
from .models import Product, ProductImportSettings, ProductLink


def products_visible_to(*, user) -> QuerySet[Product]:
    return Product.objects.filter(tenant__in=tenants_for_user(user=user))


def products_filter(
    *, queryset: QuerySet[Product], filters: dict | None, connections=None
) -> QuerySet[Product]:
    """`queryset` narrowed by ProductFilter's parameters (show, connection, search, sku,
    tenant); invalid values are ignored. `connections`: those a `connection` filter may name
    (None: any)."""
    return ProductFilter(filters or {}, queryset=queryset, connections=connections).qs


def product_list(*, user, filters: dict | None = None) -> QuerySet[Product]:
    """The products of the user's tenants matching `filters`, with their links."""
    products = products_filter(
        queryset=products_visible_to(user=user),
        filters=filters,
        connections=connections_visible_to(user=user),
    )
    return products_with_links(products).order_by("sku", "id")


def link_is_drifting(link: ProductLink) -> bool:
    """DRIFT_Q for a loaded link (no query)."""
    return (
        link.inventory_tracking != TRACKING_OFF
        and link.last_pushed_level is not None
        and link.bc_inventory_level is not None
        and link.bc_inventory_level != link.last_pushed_level
    )


def products_with_links(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Each product's links (with their connection) in two queries, whatever the page size."""
    return queryset.prefetch_related(
        Prefetch(
            "links",
            queryset=ProductLink.objects.select_related("connection").order_by(
                "connection__name", "connection_id", "bc_product_id", "bc_variant_id"
            ),
        )
    )


# ----------------------------------------------------------------------------- readiness

READINESS_SECTIONS = {
    "no_key": (
        "Variants without {master}",
        "They cannot be matched to a hub product: their stock is never updated and their "
        "orders cannot be fulfilled by SKU. Give each a {master} in BigCommerce.",
    ),
    "duplicates": (
        "Duplicate {master}s within the store",
        "Several variants share one {master}: each gets the same stock (the store can sell it "
        "twice) and an order line cannot tell them apart. Make them unique in BigCommerce.",
    ),
    "padded": (
        "{master}s with leading or trailing spaces",
        "Matched without the spaces, but orders carry them. Remove them in BigCommerce.",
    ),
    "tracking_off": (
        "Inventory tracking off",
        "BigCommerce ignores the stock the hub pushes and shipments cannot be confirmed. Turn "
        "on 'Track inventory' for these products in BigCommerce.",
    ),
    "unmatched": (
        "BigCommerce {master}s with no hub product",
        "Not linked, so their stock is not pushed. Create the hub products (or let Product "
        "Match create them) and run Product Match again.",
    ),
    "push_failed": (
        "Stock pushes BigCommerce rejected",
        "The last push of these items was refused; the reason is BigCommerce's. The next "
        "Changed Stock Update sends them again.",
    ),
}

MASTER_FIELD_COLUMN = {"sku": "bc_sku", "upc": "bc_upc", "mpn": "bc_mpn"}


def readiness_links(*, connection: Connection, section: str) -> QuerySet[ProductLink]:
    links = ProductLink.objects.filter(connection=connection).select_related("product")
    if section == "no_key":
        links = links.filter(master_key="")
    elif section == "duplicates":
        duplicated = (
            ProductLink.objects.filter(connection=connection)
            .exclude(master_key="")
            .values("master_key")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values("master_key")
        )
        links = links.filter(master_key__in=duplicated).order_by("master_key", "bc_variant_id")
        return links
    elif section == "padded":
        column = MASTER_FIELD_COLUMN.get(connection.master_sku_field, "bc_sku")
        links = links.annotate(sku_trimmed=Trim("bc_sku"), master_trimmed=Trim(column)).filter(
            ~Q(bc_sku=F("sku_trimmed")) | ~Q(**{column: F("master_trimmed")})
        )
    elif section == "tracking_off":
        links = links.filter(inventory_tracking=TRACKING_OFF)
    elif section == "unmatched":
        links = links.filter(product__isnull=True).exclude(master_key="")
    elif section == "push_failed":
        links = links.exclude(push_error="")
    else:
        raise ValueError(f"unknown readiness section {section!r}")
    return links.order_by("bc_product_id", "bc_variant_id")


@dataclass
class ReadinessSummary:
    total: int
    linked: int
    counts: dict[str, int]
    last_match: Run | None

    @property
    def problems(self) -> int:
        return sum(self.counts.values())


def readiness_summary(*, connection: Connection) -> ReadinessSummary:
    links = ProductLink.objects.filter(connection=connection)
    totals = links.aggregate(total=Count("id"), linked=Count("id", filter=Q(product__isnull=False)))
    counts = {
        section: readiness_links(connection=connection, section=section).count()
        for section in READINESS_SECTIONS
    }
    last_match = (
        Run.objects.filter(
            dataflow__connection=connection,
            dataflow__kind__in=MATCH_KINDS,
            status__in=Run.FINISHED,
        )
        .select_related("dataflow")
        .order_by("-finished_at", "-id")
        .first()
    )
    return ReadinessSummary(
        total=totals["total"], linked=totals["linked"], counts=counts, last_match=last_match
    )


def product_import_settings_get(*, connection: Connection) -> ProductImportSettings:
    """The connection's product import settings; the defaults (not saved) until first saved."""
    settings = ProductImportSettings.objects.filter(connection=connection).first()
    return settings or ProductImportSettings(connection=connection)
