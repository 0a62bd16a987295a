"""Filters of the `products/` list."""

import django_filters

from connections.selectors import connections_visible_to

from .models import Product
from .selectors import PRODUCT_FILTERS, products_filtered


class ProductFilter(django_filters.FilterSet):
    tenant = django_filters.NumberFilter(field_name="tenant_id", label="Tenant id")
    sku = django_filters.CharFilter(field_name="sku", label="SKU (exact)")
    show = django_filters.ChoiceFilter(
        choices=list(PRODUCT_FILTERS.items()),
        method="filter_show",
        label="Only products that are not linked, have a link with tracking off, drift "
        "(BigCommerce's level differs from the last push) or a rejected push",
    )
    connection = django_filters.NumberFilter(
        method="filter_connection",
        label="Connection id: only products linked to it (with `show`: about its links)",
    )
    search = django_filters.CharFilter(method="filter_search", label="SKU or name contains")

    class Meta:
        model = Product
        fields = ["tenant", "sku", "show", "connection", "search"]

    def _connection(self):
        value = self.form.cleaned_data.get("connection")
        if value is None:
            return None
        request = getattr(self, "request", None)
        visible = connections_visible_to(user=request.user) if request else None
        if visible is None or not visible.filter(pk=value).exists():
            return -1  # another tenant's (or no) connection: matches nothing
        return value

    def filter_show(self, queryset, name, value):
        connection = self._connection()
        if connection == -1:
            return queryset.none()
        return products_filtered(queryset, show=value, connection=connection)

    def filter_connection(self, queryset, name, value):
        if self.form.cleaned_data.get("show"):
            return queryset  # filter_show handles it
        connection = self._connection()
        if connection == -1:
            return queryset.none()
        return products_filtered(queryset, connection=connection)

    def filter_search(self, queryset, name, value):
        return products_filtered(queryset, search=value)
