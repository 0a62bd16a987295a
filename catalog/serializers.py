"""REST serializers for products and stock (input and output kept apart)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from connections.models import Tenant
from connections.selectors import tenants_for_user

from .models import Product, ProductLink
from .selectors import link_is_drifting
from .services import MAX_INT, MAX_STOCK_ITEMS, PRODUCT_FIELDS

#: Errors named in one answer at most (a 10,000-item request gets a readable 400).
MAX_ERRORS_SHOWN = 50


@extend_schema_serializer(component_name="ProductLink")
class ProductLinkOutputSerializer(serializers.ModelSerializer):
    """A BigCommerce variant (or simple product) of one connection linked to the product."""

    connection_name = serializers.CharField(source="connection.name", read_only=True)
    drift = serializers.SerializerMethodField(
        help_text="BigCommerce's inventory level (read by Product Match) differs from the level "
        "the hub last pushed."
    )

    class Meta:
        model = ProductLink
        fields = [
            "id",
            "connection",
            "connection_name",
            "bc_product_id",
            "bc_variant_id",
            "bc_sku",
            "bc_name",
            "is_simple_product",
            "inventory_tracking",
            "bc_inventory_level",
            "last_pushed_quantity",
            "last_pushed_level",
            "last_pushed_at",
            "push_error",
            "matched_at",
            "drift",
        ]
        read_only_fields = fields

    def get_drift(self, link: ProductLink) -> bool:
        return link_is_drifting(link)


@extend_schema_serializer(component_name="Product")
class ProductOutputSerializer(serializers.ModelSerializer):
    """A hub product: its data, stock (available = on hand - manual reservations - open order
    lines) and its links to BigCommerce, per connection."""

    links = ProductLinkOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "tenant",
            *PRODUCT_FIELDS,
            "reserved_by_orders",
            "available",
            "links",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class VisibleTenantField(serializers.PrimaryKeyRelatedField):
    """A tenant id among the user's tenants: another tenant's id reads as unknown."""

    def get_queryset(self):
        return tenants_for_user(user=self.context["request"].user)


class TenantChoiceMixin:
    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("tenant") is None:
            tenants = list(tenants_for_user(user=self.context["request"].user)[:2])
            if len(tenants) != 1:
                raise serializers.ValidationError(
                    {
                        "tenant": "You belong to several tenants: say which one."
                        if tenants
                        else "You belong to no tenant."
                    }
                )
            attrs["tenant"] = tenants[0]
        return attrs


class ProductFieldsInputSerializer(serializers.Serializer):
    ean = serializers.CharField(max_length=64, allow_blank=True, required=False)
    upc = serializers.CharField(max_length=64, allow_blank=True, required=False)
    mpn = serializers.CharField(max_length=255, allow_blank=True, required=False)
    name = serializers.CharField(max_length=500, allow_blank=True, required=False)
    description = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    weight = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=0, allow_null=True, required=False
    )
    width = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=0, allow_null=True, required=False
    )
    height = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=0, allow_null=True, required=False
    )
    depth = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=0, allow_null=True, required=False
    )
    price = serializers.DecimalField(
        max_digits=14, decimal_places=4, min_value=0, allow_null=True, required=False
    )
    on_hand = serializers.IntegerField(min_value=0, max_value=MAX_INT, required=False)
    manual_reserved = serializers.IntegerField(
        min_value=0, max_value=MAX_INT, required=False, help_text="Stock reserved by hand."
    )


class ProductCreateInputSerializer(TenantChoiceMixin, ProductFieldsInputSerializer):
    tenant = VisibleTenantField(
        queryset=Tenant.objects.all(),
        required=False,
        help_text="Needed only when you belong to several tenants.",
    )
    sku = serializers.CharField(
        max_length=255, help_text="Unique per tenant; spaces around it are removed."
    )


class ProductUpdateInputSerializer(ProductFieldsInputSerializer):
    sku = serializers.CharField(max_length=255, required=False)


class StockItemInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=255)
    on_hand = serializers.IntegerField(min_value=0, max_value=MAX_INT)


class StockBulkOptionsSerializer(TenantChoiceMixin, serializers.Serializer):
    tenant = VisibleTenantField(
        queryset=Tenant.objects.all(),
        required=False,
        help_text="Needed only when you belong to several tenants.",
    )
    on_unknown = serializers.ChoiceField(
        choices=[("reject", "reject"), ("skip", "skip")],
        default="reject",
        help_text="SKUs the hub does not know: 'reject' (default) applies nothing and answers "
        "400 naming them; 'skip' applies the others and names them in the answer.",
    )


class StockBulkInputSerializer(StockBulkOptionsSerializer):
    """Set the on-hand stock of many products at once (one transaction)."""

    items = serializers.ListField(
        child=StockItemInputSerializer(),
        allow_empty=False,
        max_length=MAX_STOCK_ITEMS,
        help_text=f"Up to {MAX_STOCK_ITEMS} items of {{sku, on_hand}}, each SKU once.",
    )

    def to_internal_value(self, data):
        """The items are checked here, one readable message per bad item (at most
        MAX_ERRORS_SHOWN), instead of a list of 10,000 mostly empty error objects."""
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ['Send a JSON object: {"items": [{"sku", "on_hand"}]}.']}
            )
        errors = {}
        options = StockBulkOptionsSerializer(
            data={k: v for k, v in data.items() if k != "items"}, context=self.context
        )
        if not options.is_valid():
            errors.update(options.errors)
        items, problems = self._items(data.get("items"))
        if problems:
            errors["items"] = problems
        if errors:
            raise serializers.ValidationError(errors)
        return {**options.validated_data, "items": items}

    @staticmethod
    def _items(raw_items) -> tuple[list[tuple[str, int]], list[str]]:
        if raw_items is None:
            return [], ["This field is required."]
        if not isinstance(raw_items, list):
            return [], ['Expected a list of {"sku", "on_hand"} objects.']
        if not raw_items:
            return [], ["Send at least one item."]
        if len(raw_items) > MAX_STOCK_ITEMS:
            return [], [
                f"At most {MAX_STOCK_ITEMS} items per request ({len(raw_items)} sent): split "
                "them over several requests."
            ]
        items: list[tuple[str, int]] = []
        problems: list[str] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(raw_items):
            item = StockItemInputSerializer(data=raw)
            sku = raw.get("sku") if isinstance(raw, dict) else None
            what = f"Item {index}" + (f" (SKU {sku.strip()!r})" if isinstance(sku, str) else "")
            if not item.is_valid():
                detail = "; ".join(
                    f"{name}: {' '.join(str(m) for m in messages)}"
                    for name, messages in item.errors.items()
                )
                problems.append(f"{what}: {detail}")
                continue
            sku = item.validated_data["sku"].strip()
            if sku in seen:
                problems.append(f"{what}: the same SKU as item {seen[sku]}; send each SKU once.")
                continue
            seen[sku] = index
            items.append((sku, item.validated_data["on_hand"]))
        if len(problems) > MAX_ERRORS_SHOWN:
            problems = [
                *problems[:MAX_ERRORS_SHOWN],
                f"… and {len(problems) - MAX_ERRORS_SHOWN} more.",
            ]
        return items, problems


class StockBulkOutputSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Items in the request.")
    updated = serializers.IntegerField(help_text="Products whose on-hand stock changed.")
    unchanged = serializers.IntegerField(help_text="Products that already had that stock.")
    unknown_skus = serializers.ListField(
        child=serializers.CharField(),
        help_text="SKUs not in the hub, left out (with on_unknown=skip).",
    )
