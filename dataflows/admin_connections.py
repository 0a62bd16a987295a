"""The engine's part of the Connection admin (connections' admin knows no dataflows): the
dataflow inline, a link to the connection's runs and the SYNCHRONIZE action, added by
re-registering Connection with a subclass of connections' admin (imported from
DataflowsConfig.ready())."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from connections.admin import ConnectionAdmin, actions_report, is_hub_staff
from connections.models import Connection

from .models import Dataflow
from .services import connection_synchronize


class DataflowInline(admin.TabularInline):
    model = Dataflow
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["kind", "enabled", "interval_seconds", "lease_run", "lease_expires_at"]
    readonly_fields = fields
    show_change_link = True

    def has_view_permission(self, request, obj=None):
        return is_hub_staff(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ConnectionWithDataflowsAdmin(ConnectionAdmin):
    inlines = [*ConnectionAdmin.inlines, DataflowInline]
    readonly_fields = [*ConnectionAdmin.readonly_fields, "dataflows_link"]
    actions = ["synchronize", *ConnectionAdmin.actions]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [*fields, "dataflows_link"] if obj is not None else fields

    @admin.display(description="Runs")
    def dataflows_link(self, obj):
        url = reverse("admin:dataflows_run_changelist")
        url += f"?dataflow__connection__id__exact={obj.pk}"
        return format_html('<a href="{}">Runs of this connection</a>', url)

    @admin.action(description="SYNCHRONIZE: queue every enabled dataflow now")
    def synchronize(self, request, queryset):
        done, errors = 0, []
        for connection in queryset:
            try:
                connection_synchronize(connection=connection)
                done += 1
            except ValidationError as exc:
                errors.append(f"{connection}: {' '.join(exc.messages)}")
        actions_report(self, request, done, errors, "Sync triggered")


if admin.site.is_registered(Connection):
    admin.site.unregister(Connection)
admin.site.register(Connection, ConnectionWithDataflowsAdmin)
