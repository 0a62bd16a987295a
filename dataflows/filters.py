"""The runs' and log entries' filters (django-filter), one FilterSet for the screens and the
REST lists alike (applied in dataflows.selectors). The querysets they filter are already
limited to the user's tenants; filtering by another tenant's id yields nothing."""

import re

import django_filters
from django.db.models import Q

from .models import LogEntry, Run
from .registry import kind_choices


class RunFilter(django_filters.FilterSet):
    connection = django_filters.NumberFilter(
        field_name="dataflow__connection_id", label="Connection id"
    )
    dataflow = django_filters.NumberFilter(field_name="dataflow_id", label="Dataflow id")
    kind = django_filters.ChoiceFilter(field_name="dataflow__kind", choices=kind_choices)
    status = django_filters.ChoiceFilter(choices=Run.Status.choices)
    trigger = django_filters.ChoiceFilter(choices=Run.Trigger.choices)
    queued_after = django_filters.IsoDateTimeFilter(
        field_name="queued_at", lookup_expr="gte", label="Queued at or after"
    )
    queued_before = django_filters.IsoDateTimeFilter(
        field_name="queued_at", lookup_expr="lt", label="Queued before"
    )

    q = django_filters.CharFilter(method="filter_q", label="Run id (#123) or error text")

    class Meta:
        model = Run
        fields = ["connection", "dataflow", "kind", "status", "trigger", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if match := re.fullmatch(r"#?(\d+)", value):
            return queryset.filter(Q(pk=int(match[1])) | Q(error_message__icontains=value))
        return queryset.filter(error_message__icontains=value) if value else queryset


class LogEntryFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=LogEntry.Level.choices)
    object_kind = django_filters.CharFilter(label="Object kind (order, product, variant, ...)")
    object_id = django_filters.CharFilter(label="BigCommerce id of the object")

    class Meta:
        model = LogEntry
        fields = ["level", "object_kind", "object_id"]
