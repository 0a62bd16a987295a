"""The connection list's filters (django-filter), one FilterSet for the CONNECTIONS screen and
the REST list alike (applied in `selectors.connection_list`)."""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from .drivers import driver_choices
from .models import Connection
from .validators import MAX_BIGINT


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_BIGINT})
class IdFilter(django_filters.NumberFilter):
    """A whole-number filter (an id, a status) for every FilterSet, bounded to what the
    databases compare: a bigger value (10^20) is refused by the form, never sent to SQL."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_BIGINT)
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:  # PostgreSQL takes offsets up to ±15:59 only, Python's up to ±23:59
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError("Give a date and time between the years 1 and 9999.") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter for every FilterSet, compared in UTC: any offset Python
    reads ("+23:04") is one the database can take."""

    field_class = UtcIsoDateTimeField


class ConnectionFilter(django_filters.FilterSet):
    tenant = IdFilter(field_name="tenant_id", label="Tenant id")
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
