"""The filters of the products list: one FilterSet, applied by the selectors, so that the
catalog page and the REST `products/` list filter the same way with the same parameters."""

import django_filters
from django.db.models import Exists, F, OuterRef, Q

from connections.selectors import connections_visible_to

from .models import Product, ProductLink

TRACKING_OFF = ProductLink.Tracking.NONE

#: A link whose BigCommerce inventory level (read by Product Match) differs from the level the
#: hub last pushed for its item.
DRIFT_Q = (
    Q(last_pushed_level__isnull=False, bc_inventory_level__isnull=False)
    & ~Q(bc_inventory_level=F("last_pushed_level"))
    & ~Q(inventory_tracking=TRACKING_OFF)
)

PRODUCT_FILTERS = {
    "not_linked": "Not linked",
    "tracking_off": "Tracking off",
    "drift": "Drift",
    "push_failed": "Push rejected",
}


class ProductFilter(django_filters.FilterSet):
    tenant = django_filters.NumberFilter(field_name="tenant_id", label="Tenant id")
    sku = django_filters.CharFilter(field_name="sku", label="SKU (exact)")
    show = django_filters.ChoiceFilter(
        choices=list(PRODUCT_FILTERS.items()),
        method="filter_links",
        label="Only products that are not linked, have a link with tracking off, drift "
        "(BigCommerce's level differs from the last push) or a rejected push",
    )
    connection = django_filters.NumberFilter(
        method="filter_links",
        label="Connection id: only products linked to it (with `show`: about its links)",
    )
    search = django_filters.CharFilter(
        method="filter_search", label="SKU or name contains; EAN, UPC or MPN equals"
    )

    class Meta:
        model = Product
        fields = ["tenant", "sku", "show", "connection", "search"]

    def __init__(self, data=None, queryset=None, *, connections=None, **kwargs):
        """`connections`: those the user may name (another one matches nothing, even with
        show=not_linked); by default the request's user's."""
        super().__init__(data, queryset, **kwargs)
        if connections is None and self.request is not None:
            connections = connections_visible_to(user=self.request.user)
        self.connections = connections

    def filter_links(self, queryset, name, value):
        """`show` about the links of `connection` (or of any connection); `connection` alone:
        products linked to it. Both are applied once, by whichever comes first."""
        data = self.form.cleaned_data
        if name == "connection" and data.get("show"):
            return queryset  # applied with `show`
        show, connection = data.get("show") or "", data.get("connection")
        if connection is not None and self.connections is not None:
            if not self.connections.filter(pk=connection).exists():
                return queryset.none()  # another tenant's (or no) connection
        links = ProductLink.objects.filter(product=OuterRef("pk"))
        if connection is not None:
            links = links.filter(connection_id=connection)
        if show == "not_linked":
            return queryset.filter(~Exists(links))
        if show == "tracking_off":
            return queryset.filter(Exists(links.filter(inventory_tracking=TRACKING_OFF)))
        if show == "drift":
            return queryset.filter(Exists(links.filter(DRIFT_Q)))
        if show == "push_failed":
            return queryset.filter(Exists(links.exclude(push_error="")))
        return queryset.filter(Exists(links)) if connection is not None else queryset

    def filter_search(self, queryset, name, value):
        search = (value or "").strip()
        if not search:
            return queryset
        return queryset.filter(
            Q(sku__icontains=search)
            | Q(name__icontains=search)
            | Q(ean=search)
            | Q(upc=search)
            | Q(mpn__iexact=search)
        )
