"""The one way to filter the order lists (django-filter), used by the selectors for the
screens and the REST API alike. The querysets they filter are already limited to the user's
tenants; another tenant's ids yield nothing."""

import django_filters
from django.db.models import Q

from connections.filters import DateTimeFilter, IdFilter

from .error_causes import BLOCKING_CODES, SEVERITIES, WARNING
from .models import Order, OrderError


class OrderFilter(django_filters.FilterSet):
    connection = IdFilter(field_name="connection_id", label="Connection id")
    status = IdFilter(field_name="status_id", label="BigCommerce order status id (0-14)")
    hub_status = django_filters.ChoiceFilter(choices=Order.HubStatus.choices)
    has_errors = django_filters.BooleanFilter(label="Has unresolved order errors")
    bc_id = IdFilter(field_name="bc_order_id", label="BigCommerce order id")
    created_after = DateTimeFilter(
        field_name="date_created", lookup_expr="gte", label="Created at or after"
    )
    created_before = DateTimeFilter(
        field_name="date_created", lookup_expr="lt", label="Created before"
    )
    archived = django_filters.BooleanFilter(field_name="is_archived")
    email = django_filters.CharFilter(lookup_expr="iexact", label="Customer e-mail")
    q = django_filters.CharFilter(
        method="filter_search", label="Search: order id (#123), e-mail or company (contains)"
    )

    class Meta:
        model = Order
        fields = ["connection", "status", "hub_status", "bc_id", "archived"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        match = Q(email__icontains=value) | Q(customer__company__icontains=value)
        if value.lstrip("#").isdigit():
            match |= Q(bc_order_id=int(value.lstrip("#")))
        return queryset.filter(match)


class OrderErrorFilter(django_filters.FilterSet):
    STATES = (("open", "Open"), ("ignored", "Ignored"), ("resolved", "Resolved"), ("all", "All"))

    connection = IdFilter(field_name="connection_id", label="Connection id")
    code = django_filters.ChoiceFilter(choices=OrderError.Code.choices)
    resolved = django_filters.BooleanFilter(
        field_name="resolved_at", lookup_expr="isnull", exclude=True, label="Resolved or ignored"
    )
    state = django_filters.ChoiceFilter(choices=STATES, method="filter_state")
    bc_order_id = IdFilter(label="BigCommerce order id")
    order = IdFilter(field_name="order_id", label="Hub order id")
    severity = django_filters.ChoiceFilter(
        choices=SEVERITIES,
        method="filter_severity",
        label="Blocking (the order or its shipment is held) or warning",
    )
    sku = django_filters.CharFilter(
        method="filter_sku", max_length=255, label="Errors about this SKU (exact)"
    )

    class Meta:
        model = OrderError
        fields = ["connection", "code", "bc_order_id", "order", "severity", "sku"]

    def filter_severity(self, queryset, name, value):
        blocking = Q(code__in=BLOCKING_CODES)
        return queryset.filter(~blocking if value == WARNING else blocking)

    def filter_sku(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(message__contains=f"SKU “{value}”")

    def filter_state(self, queryset, name, value):
        if value == "all":
            return queryset
        if value == "open":
            return queryset.filter(resolved_at__isnull=True)
        if value == "ignored":
            return queryset.filter(resolution=OrderError.Resolution.IGNORED)
        return queryset.filter(
            Q(resolved_at__isnull=False) & ~Q(resolution=OrderError.Resolution.IGNORED)
        )
