"""The connection list's filters (django-filter), one FilterSet for the CONNECTIONS screen and
the REST list alike (applied in `selectors.connection_list`)."""

import django_filters

from .drivers import driver_choices
from .models import Connection


class ConnectionFilter(django_filters.FilterSet):
    tenant = django_filters.NumberFilter(field_name="tenant_id", label="Tenant id")
    status = django_filters.ChoiceFilter(choices=Connection.Status.choices)
    driver = django_filters.ChoiceFilter(choices=driver_choices())
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    errors = django_filters.ChoiceFilter(
        choices=[("yes", "Yes"), ("no", "No")],
        method="filter_errors",
        label="Has unresolved errors (yes/no)",
    )

    class Meta:
        model = Connection
        fields = ["tenant", "status", "driver", "q", "errors"]

    def filter_errors(self, queryset, name, value):
        # The queryset carries `has_order_errors` (selectors.connections_with_error_flag).
        return queryset.filter(has_order_errors=value == "yes")
