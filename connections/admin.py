"""Django admin for hub staff: every tenant's tenants, memberships and connections.

Only active staff users (`is_staff`) get in (Django's AdminSite already refuses everyone
else); inside, hub staff may use every hub model without per-model permissions. The access
token is write-only here too: never rendered, a blank field keeps the stored one.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count

from connections import services, signals
from connections.audit import Action, audit_record
from connections.models import (
    CONNECTION_SETTINGS_FIELDS,
    AuditEvent,
    Connection,
    Membership,
    Tenant,
)


def is_hub_staff(request) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_staff)


class HubStaffAdmin(admin.ModelAdmin):
    """Hub staff may view and change every hub model (no per-model permission needed)."""

    def has_module_permission(self, request):
        return is_hub_staff(request)

    def has_view_permission(self, request, obj=None):
        return is_hub_staff(request)

    def has_add_permission(self, request):
        return is_hub_staff(request)

    def has_change_permission(self, request, obj=None):
        return is_hub_staff(request)

    def has_delete_permission(self, request, obj=None):
        return is_hub_staff(request)


class ReadOnlyHubStaffAdmin(HubStaffAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def actions_report(modeladmin, request, done: int, errors: list[str], what: str) -> None:
    if done:
        modeladmin.message_user(request, f"{what}: {done} connection(s).", messages.SUCCESS)
    for error in errors:
        modeladmin.message_user(request, error, messages.ERROR)


# ----------------------------------------------------------------------------- tenants


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]

    def has_view_permission(self, request, obj=None):
        return is_hub_staff(request)

    def has_add_permission(self, request, obj=None):
        return is_hub_staff(request)

    def has_change_permission(self, request, obj=None):
        return is_hub_staff(request)

    def has_delete_permission(self, request, obj=None):
        return is_hub_staff(request)


@admin.register(Tenant)
class TenantAdmin(HubStaffAdmin):
    list_display = ["name", "id", "connection_count", "member_count", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["created_at"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _connections=Count("connections", distinct=True),
                _members=Count("memberships", distinct=True),
            )
        )

    @admin.display(description="Connections", ordering="_connections")
    def connection_count(self, obj):
        return obj._connections

    @admin.display(description="Members", ordering="_members")
    def member_count(self, obj):
        return obj._members

    def has_delete_permission(self, request, obj=None):
        # A tenant's connections go first (their deletion runs in the background, in batches).
        if obj is not None and obj.connections.exists():
            return False
        return is_hub_staff(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Membership)
class MembershipAdmin(HubStaffAdmin):
    list_display = ["user", "tenant", "role"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__username", "user__email", "tenant__name"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["tenant"]
    list_select_related = ["user", "tenant"]


# ----------------------------------------------------------------------------- connections


class ConnectionAdminForm(forms.ModelForm):
    access_token = forms.CharField(
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only: the stored token is never shown. Leave blank to keep it.",
    )
    check_credentials = forms.BooleanField(
        required=False,
        initial=True,
        help_text="Call the store (GET /v2/store) to check a new store hash or access token.",
    )

    class Meta:
        model = Connection
        fields = [
            "tenant",
            "name",
            "driver",
            "store_hash",
            "access_token",
            "client_id",
            *CONNECTION_SETTINGS_FIELDS,
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.initial["access_token"] = ""  # never sent to the browser
        self.store_info = None
        if self.instance.pk is None:
            self.fields["access_token"].required = True
            self.fields[
                "access_token"
            ].help_text = "The store's API account access token (write-only)."

    def clean_access_token(self):
        token = self.cleaned_data.get("access_token", "")
        if not token and self.instance.pk is not None:
            return self.instance.access_token  # blank keeps the stored token
        return token

    def clean(self):
        cleaned = super().clean()
        store_hash = (cleaned.get("store_hash") or "").strip()
        token = cleaned.get("access_token") or ""
        if "store_hash" in cleaned:
            cleaned["store_hash"] = store_hash
        if self.errors or not store_hash or not token:
            return cleaned
        new_token = bool(self.data.get(self.add_prefix("access_token"), "").strip())
        credentials_changed = (
            self.instance.pk is None or new_token or store_hash != self.instance.store_hash
        )
        status = self.instance.status if self.instance.pk else Connection.Status.ACTIVE
        if status == Connection.Status.ACTIVE:
            services.connection_ensure_store_free(
                user=getattr(self.request, "user", None),
                store_hash=store_hash,
                exclude_pk=self.instance.pk,
            )
        if credentials_changed and cleaned.get("check_credentials"):
            self.store_info = services.connection_check_credentials(
                store_hash=store_hash, access_token=token
            )
        return cleaned


@admin.register(Connection)
class ConnectionAdmin(HubStaffAdmin):
    form = ConnectionAdminForm
    list_display = [
        "name",
        "tenant",
        "status",
        "driver",
        "store_hash",
        "store_name",
        "id",
        "created_at",
    ]
    list_filter = ["status", "driver", "tenant"]
    search_fields = ["name", "store_hash", "store_name", "tenant__name"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]
    readonly_fields = ["status", "store_name", "created_at", "updated_at"]
    actions = ["enable", "disable"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return RequestForm

    def get_fields(self, request, obj=None):
        fields = list(ConnectionAdminForm.Meta.fields) + ["check_credentials"]
        if obj is not None:
            fields += ["status", "store_name", "created_at", "updated_at"]
        return fields

    def save_model(self, request, obj, form, change):
        if form.store_info is not None:
            services._apply_store_info(obj, form.store_info)
        obj.save()
        if not change:  # the layers above add their parts (the engine: the dataflows)
            signals.connection_created.send(sender=Connection, connection=obj)
            audit_record(
                action=Action.CREATED,
                connection=obj,
                user=request.user,
                details={"store_hash": obj.store_hash, "name": obj.name, "by": "admin"},
            )
            return
        credentials = [f for f in ("store_hash", "client_id") if f in form.changed_data]
        if form.data.get(form.add_prefix("access_token"), "").strip():
            credentials.append("access_token")
        if credentials:
            audit_record(
                action=Action.CREDENTIALS_CHANGED,
                connection=obj,
                user=request.user,
                details={"changed": credentials, "store_hash": obj.store_hash, "by": "admin"},
            )
        changed = [
            f
            for f in form.changed_data
            if f not in ("store_hash", "client_id", "access_token", "check_credentials")
        ]
        if changed:
            audit_record(
                action=Action.SETTINGS_CHANGED,
                connection=obj,
                user=request.user,
                details={f: {"to": form.cleaned_data.get(f)} for f in changed} | {"by": "admin"},
            )

    # Deleting: mark Deleting… and remove in the background, in batches (as the screens do).
    def get_deleted_objects(self, objs, request):
        names = [str(obj) for obj in objs]
        return names, {"connections": len(names)}, set(), []

    def delete_model(self, request, obj):
        if obj.status != Connection.Status.DELETING:
            services.connection_delete_start(connection=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def _set_active(self, request, queryset, active: bool):
        done, errors = 0, []
        for connection in queryset:
            try:
                services.connection_set_active(
                    connection=connection, active=active, user=request.user
                )
                done += 1
            except ValidationError as exc:
                errors.append(f"{connection}: {' '.join(exc.messages)}")
        actions_report(self, request, done, errors, "Enabled" if active else "Disabled")

    @admin.action(description="ENABLE: make active and restore the schedules")
    def enable(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description="DISABLE: make inactive and stop the schedules")
    def disable(self, request, queryset):
        self._set_active(request, queryset, False)


# ----------------------------------------------------------------------------- audit trail


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyHubStaffAdmin):
    """The audit trail, as written by connections.audit.audit_record: read only."""

    list_display = ["created_at", "tenant", "connection_name", "actor_name", "action"]
    list_filter = ["action", "tenant"]
    search_fields = ["connection_name", "actor_name", "tenant__name"]
    list_select_related = ["tenant"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "tenant",
        "connection",
        "connection_name",
        "actor",
        "actor_name",
        "action",
        "details",
    ]
    readonly_fields = fields
