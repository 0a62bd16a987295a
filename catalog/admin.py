"""Django admin for hub staff: hub products (stock editable), their BigCommerce links (read
only: Product Match writes them) and the stores' bulk leases (read only).

A change of a product's on-hand stock or manual reservation made here pushes the new available
stock to the linked stores shortly, like the REST API does (catalog.services)."""

from django.contrib import admin
from django.utils import timezone

from connections.admin import HubStaffAdmin, ReadOnlyHubStaffAdmin

from .models import Product, ProductImportSettings, ProductLink, StoreLock
from .services import STOCK_FIELDS, products_stock_changed


class ProductLinkInline(admin.TabularInline):
    model = ProductLink
    extra = 0
    can_delete = False
    fields = [
        "connection",
        "bc_product_id",
        "bc_variant_id",
        "bc_sku",
        "inventory_tracking",
        "bc_inventory_level",
        "last_pushed_quantity",
        "last_pushed_at",
        "push_error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return bool(request.user.is_active and request.user.is_staff)


@admin.register(Product)
class ProductAdmin(HubStaffAdmin):
    list_display = [
        "sku",
        "name",
        "tenant",
        "on_hand",
        "manual_reserved",
        "reserved_by_orders",
        "available",
        "updated_at",
    ]
    list_filter = ["tenant"]
    list_editable = ["on_hand", "manual_reserved"]
    search_fields = ["sku", "name", "ean", "upc", "mpn"]
    list_select_related = ["tenant"]
    readonly_fields = [
        "reserved_by_orders",
        "available",
        "stock_set_at",
        "created_at",
        "updated_at",
    ]
    fields = [
        "tenant",
        "sku",
        "name",
        "description",
        ("ean", "upc", "mpn"),
        ("weight", "width", "height", "depth"),
        "price",
        ("on_hand", "manual_reserved", "reserved_by_orders", "available"),
        ("stock_set_at", "created_at", "updated_at"),
    ]
    inlines = [ProductLinkInline]

    def save_model(self, request, obj, form, change):
        obj.sku = (obj.sku or "").strip()
        if not change or "on_hand" in form.changed_data:
            obj.stock_set_at = timezone.now()  # the warehouse's stock, from now on pushed
        super().save_model(request, obj, form, change)
        if not change or STOCK_FIELDS & set(form.changed_data):
            products_stock_changed(product_ids=[obj.pk])


@admin.register(ProductLink)
class ProductLinkAdmin(ReadOnlyHubStaffAdmin):
    list_display = [
        "bc_sku",
        "connection",
        "bc_product_id",
        "bc_variant_id",
        "product",
        "inventory_tracking",
        "bc_inventory_level",
        "last_pushed_quantity",
        "last_pushed_at",
    ]
    list_filter = ["inventory_tracking", "connection"]
    search_fields = ["bc_sku", "master_key", "product__sku", "=bc_variant_id", "=bc_product_id"]
    list_select_related = ["connection", "product"]


@admin.register(ProductImportSettings)
class ProductImportSettingsAdmin(HubStaffAdmin):
    list_display = ["connection", "import_mode", "updated_at"]
    list_select_related = ["connection"]


@admin.register(StoreLock)
class StoreLockAdmin(ReadOnlyHubStaffAdmin):
    list_display = ["store_hash", "label", "holder", "acquired_at", "expires_at"]
