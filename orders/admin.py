"""Django admin for hub staff: orders (read only, with their lines, addresses and shipments),
shipments (recorded through the same service as the API), order errors (retry, ignore) and
customers."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from connections.admin import HubStaffAdmin, ReadOnlyHubStaffAdmin

from . import services
from .models import Address, Customer, Order, OrderError, OrderLine, Shipment, ShipmentLine


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(_ReadOnlyInline):
    model = OrderLine
    fields = ["bc_line_id", "sku", "name", "quantity", "quantity_shipped", "product"]
    readonly_fields = fields


class AddressInline(_ReadOnlyInline):
    model = Address
    fields = ["kind", "bc_address_id", "first_name", "last_name", "street_1", "zip", "city"]
    readonly_fields = fields


class ShipmentInline(_ReadOnlyInline):
    model = Shipment
    fields = ["status", "tracking_number", "tracking_carrier", "bc_shipment_id", "sent_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Order)
class OrderAdmin(ReadOnlyHubStaffAdmin):
    list_display = [
        "bc_order_id",
        "connection",
        "tenant",
        "status_id",
        "hub_status",
        "email",
        "date_created",
    ]
    list_filter = ["hub_status", "status_id", "is_archived", "connection"]
    search_fields = ["=bc_order_id", "email", "customer__company"]
    list_select_related = ["connection", "tenant"]
    raw_id_fields = ["customer"]
    exclude = ["raw"]
    readonly_fields = ["raw_payload"]
    inlines = [OrderLineInline, AddressInline, ShipmentInline]
    actions = ["reimport"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw")

    @admin.display(description="Raw payload (as BigCommerce sent it)")
    def raw_payload(self, obj):
        raw = Order.objects.values_list("raw", flat=True).get(pk=obj.pk)
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", json.dumps(raw, indent=2))

    @admin.action(description="Re-import the selected orders (next Order Import run)")
    def reimport(self, request, queryset):
        count = 0
        for order in queryset.select_related("connection"):
            try:
                services.order_reimport(order=order)
                count += 1
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
        self.message_user(request, f"{count} order(s) will be fetched again.", messages.SUCCESS)


class ShipmentAddForm(forms.ModelForm):
    lines_text = forms.CharField(
        label="Lines",
        required=False,
        help_text="Hub order line id and quantity, e.g. “12:1, 13:2”; blank ships everything "
        "still open.",
    )

    class Meta:
        model = Shipment
        fields = ["order", "tracking_number", "tracking_carrier", "shipping_method", "comments"]

    def clean_lines_text(self):
        text = (self.cleaned_data.get("lines_text") or "").strip()
        if not text:
            return None
        lines = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            line_id, _, quantity = part.partition(":")
            try:
                lines.append((int(line_id), int(quantity or 1)))
            except ValueError as exc:
                raise ValidationError(f"“{part}” is not line-id:quantity.") from exc
        return lines

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.shipment = services.shipment_create(
                order=cleaned["order"],
                lines=cleaned.get("lines_text"),
                tracking_number=cleaned.get("tracking_number", ""),
                tracking_carrier=cleaned.get("tracking_carrier", ""),
                shipping_method=cleaned.get("shipping_method", ""),
                comments=cleaned.get("comments", ""),
                user=getattr(self, "user", None),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    field = {"lines": "lines_text"}.get(field, field)
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc)
        return cleaned


class ShipmentLineInline(_ReadOnlyInline):
    model = ShipmentLine
    fields = ["order_line", "quantity"]
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(HubStaffAdmin):
    list_display = ["pk", "order", "status", "tracking_number", "tracking_carrier", "created_at"]
    list_filter = ["status", "order__connection"]
    search_fields = ["tracking_number", "=order__bc_order_id"]
    list_select_related = ["order"]
    raw_id_fields = ["order"]
    inlines = [ShipmentLineInline]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            return type("ShipmentAddFormForUser", (ShipmentAddForm,), {"user": request.user})
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "order",
                "tracking_number",
                "tracking_carrier",
                "shipping_method",
                "comments",
                "lines_text",
            ]
        return [
            "order",
            "status",
            "tracking_number",
            "tracking_carrier",
            "shipping_method",
            "comments",
            "bc_address_id",
            "bc_shipment_id",
            "sent_at",
            "needs_check",
            "attempts",
            "last_error",
            "created_by",
            "created_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def save_model(self, request, obj, form, change):
        if not change:  # the service saved it while validating the form
            obj.pk = form.shipment.pk
            obj.__dict__.update(form.shipment.__dict__)
            return
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrderError)
class OrderErrorAdmin(ReadOnlyHubStaffAdmin):
    list_display = ["bc_order_id", "connection", "code", "state", "last_seen_at", "occurrences"]
    list_filter = ["code", "resolution", "connection"]
    search_fields = ["=bc_order_id", "message"]
    list_select_related = ["connection"]
    actions = ["retry", "ignore"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Retry the selected errors")
    def retry(self, request, queryset):
        count = services.order_errors_retry(errors=queryset.select_related("connection"))
        self.message_user(request, f"{count} error(s) will be retried.", messages.SUCCESS)

    @admin.action(description="Ignore the selected errors (“ignored by hub staff”)")
    def ignore(self, request, queryset):
        count = services.order_errors_ignore(
            errors=queryset, reason="Ignored by hub staff in the admin.", user=request.user
        )
        self.message_user(request, f"{count} error(s) ignored.", messages.SUCCESS)


@admin.register(Customer)
class CustomerAdmin(ReadOnlyHubStaffAdmin):
    list_display = ["email", "kind", "company", "first_name", "last_name", "tenant"]
    list_filter = ["kind", "tenant"]
    search_fields = ["email", "company", "last_name"]
    list_select_related = ["tenant"]
