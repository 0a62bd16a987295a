"""Django admin for hub staff: dataflows (schedule, enable, run now), runs and their logs
(read only)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from connections.admin import HubStaffAdmin, ReadOnlyHubStaffAdmin

from .models import Dataflow, LogEntry, Run
from .options import dataflow_options_validate
from .services import (
    MAX_INTERVAL_S,
    MIN_INTERVAL_S,
    dataflow_update,
    run_queue,
    runs_recover_abandoned,
)

RUN_LOOKUPS = {"dataflow__id__exact", "dataflow__connection__id__exact"}


class DataflowAdminForm(forms.ModelForm):
    class Meta:
        model = Dataflow
        fields = ["enabled", "interval_seconds", "options", "cursor"]

    def clean_interval_seconds(self):
        value = self.cleaned_data["interval_seconds"]
        if not MIN_INTERVAL_S <= value <= MAX_INTERVAL_S:
            raise ValidationError(
                f"Between {MIN_INTERVAL_S} seconds and {MAX_INTERVAL_S // 86400} days."
            )
        return value

    def clean_options(self):
        # The same check as the API and the Dataflows tab: a bad value is a form error here,
        # not a failing run later.
        options = self.cleaned_data["options"]
        try:
            return dataflow_options_validate(kind=self.instance.kind, options=options)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


@admin.register(Dataflow)
class DataflowAdmin(HubStaffAdmin):
    form = DataflowAdminForm
    list_display = [
        "connection",
        "kind",
        "enabled",
        "interval_seconds",
        "tenant",
        "lease_run",
        "lease_expires_at",
    ]
    list_filter = ["kind", "enabled", "connection__status"]
    search_fields = ["connection__name", "connection__store_hash", "connection__tenant__name"]
    list_select_related = ["connection__tenant"]
    fields = [
        "connection",
        "kind",
        "enabled",
        "interval_seconds",
        "options",
        "cursor",
        "periodic_task",
        "lease_run",
        "lease_expires_at",
        "runs_link",
    ]
    readonly_fields = [
        "connection",
        "kind",
        "periodic_task",
        "lease_run",
        "lease_expires_at",
        "runs_link",
    ]
    actions = ["run_now", "recover_abandoned"]

    def has_add_permission(self, request):
        return False  # a connection gets its dataflows when it is created

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Tenant", ordering="connection__tenant__name")
    def tenant(self, obj):
        return obj.connection.tenant

    @admin.display(description="Runs")
    def runs_link(self, obj):
        url = reverse("admin:dataflows_run_changelist") + f"?dataflow__id__exact={obj.pk}"
        return format_html('<a href="{}">Runs of this dataflow</a>', url)

    def save_model(self, request, obj, form, change):
        # Through the service: only the edited columns (a full save would overwrite the lease
        # of a running run), and the beat schedule follows.
        dataflow_update(
            dataflow=obj,
            enabled=obj.enabled,
            interval_seconds=obj.interval_seconds,
            options=obj.options,
        )
        if "cursor" in form.changed_data:
            obj.save(update_fields=["cursor"])

    @admin.action(description="Run now (queue a manual run)")
    def run_now(self, request, queryset):
        queued = 0
        for dataflow in queryset.select_related("connection"):
            try:
                run_queue(dataflow=dataflow, trigger=Run.Trigger.MANUAL)
                queued += 1
            except ValidationError as exc:
                self.message_user(request, f"{dataflow}: {' '.join(exc.messages)}", messages.ERROR)
        if queued:
            self.message_user(request, f"Queued {queued} run(s).", messages.SUCCESS)

    @admin.action(description="Recover runs whose worker died (lease expired)")
    def recover_abandoned(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        recovered = sum(runs_recover_abandoned(dataflow_id=pk) for pk in ids)
        alive = Run.objects.filter(dataflow_id__in=ids, status=Run.Status.RUNNING).count()
        text = f"Recovered {recovered} abandoned run(s); their dataflows were queued again."
        if alive:
            text += (
                f" {alive} run(s) still renew their lease (their worker is alive) and were "
                "left running; a dead worker's lease expires within "
                f"{settings.DATAFLOW_LEASE_SECONDS} s."
            )
        self.message_user(request, text, messages.SUCCESS)


@admin.register(Run)
class RunAdmin(ReadOnlyHubStaffAdmin):
    list_display = [
        "id",
        "dataflow",
        "trigger",
        "status",
        "queued_at",
        "started_at",
        "finished_at",
        "fetched",
        "created",
        "updated",
        "skipped",
        "failed",
        "api_requests",
    ]
    list_filter = ["status", "trigger", "dataflow__kind"]
    search_fields = [
        "=id",
        "dataflow__connection__name",
        "dataflow__connection__tenant__name",
        "error_message",
    ]
    list_select_related = ["dataflow__connection"]
    date_hierarchy = "queued_at"
    fields = [
        "dataflow",
        "trigger",
        "status",
        "queued_at",
        "started_at",
        "finished_at",
        "fetched",
        "created",
        "updated",
        "skipped",
        "failed",
        "api_requests",
        "progress_done",
        "progress_total",
        "error_message",
        "logs_link",
    ]
    readonly_fields = fields

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in RUN_LOOKUPS or super().lookup_allowed(lookup, value, request)

    @admin.display(description="Log")
    def logs_link(self, obj):
        url = reverse("admin:dataflows_logentry_changelist") + f"?run__id__exact={obj.pk}"
        return format_html('<a href="{}">Log entries of this run</a>', url)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyHubStaffAdmin):
    list_display = ["created_at", "run", "level", "object_kind", "object_id", "short_message"]
    list_filter = ["level", "object_kind"]
    search_fields = ["=object_id", "message"]
    list_select_related = ["run__dataflow__connection"]
    fields = ["run", "created_at", "level", "object_kind", "object_id", "message"]
    readonly_fields = fields
    show_full_result_count = False  # the table is large; counting it all is slow

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "run__id__exact" or super().lookup_allowed(lookup, value, request)

    @admin.display(description="Message")
    def short_message(self, obj):
        return Truncator(obj.message).chars(120)
