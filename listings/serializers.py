"""REST serializers of the listings app: product data (bulk), listings, listing actions."""

from __future__ import annotations

from rest_framework import serializers

from catalog.serializers import TenantChoiceMixin, VisibleTenantField
from connections.models import Tenant

from .models import Listing
from .product_data import MAX_ITEMS


class AttributeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=1000)
    value = serializers.CharField(max_length=10000, allow_blank=True)


class OptionValueSerializer(serializers.Serializer):
    option = serializers.CharField(max_length=255)
    value = serializers.CharField(max_length=255)


class ProductDataItemSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=255)
    parent_sku = serializers.CharField(max_length=255, allow_blank=True, required=False)
    name = serializers.CharField(max_length=500, allow_blank=True, required=False)
    description = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False)
    ean = serializers.CharField(max_length=64, allow_blank=True, required=False)
    upc = serializers.CharField(max_length=64, allow_blank=True, required=False)
    mpn = serializers.CharField(max_length=255, allow_blank=True, required=False)
    brand = serializers.CharField(max_length=255, allow_blank=True, required=False)
    price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0, required=False)
    weight = serializers.DecimalField(max_digits=12, decimal_places=4, min_value=0, required=False)
    width = serializers.DecimalField(max_digits=12, decimal_places=4, min_value=0, required=False)
    height = serializers.DecimalField(max_digits=12, decimal_places=4, min_value=0, required=False)
    depth = serializers.DecimalField(max_digits=12, decimal_places=4, min_value=0, required=False)
    image_urls = serializers.ListField(
        child=serializers.URLField(max_length=2000), max_length=50, required=False
    )
    categories = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=50, required=False
    )
    attributes = AttributeSerializer(many=True, required=False)
    option_values = OptionValueSerializer(many=True, required=False)

    def validate(self, attrs):
        attrs["sku"] = attrs["sku"].strip()
        if "parent_sku" in attrs:
            attrs["parent_sku"] = attrs["parent_sku"].strip()
            if attrs["parent_sku"] == attrs["sku"]:
                raise serializers.ValidationError(
                    {"parent_sku": "A product is not its own parent."}
                )
        for name in ("attributes", "option_values"):
            if name in attrs:
                attrs[name] = [dict(x) for x in attrs[name]]
        return attrs


class ProductDataBulkInputSerializer(TenantChoiceMixin, serializers.Serializer):
    """Create or update the listing data of many hub products (one transaction)."""

    tenant = VisibleTenantField(
        queryset=Tenant.objects.all(),
        required=False,
        help_text="Needed only when you belong to several tenants.",
    )
    items = ProductDataItemSerializer(many=True, allow_empty=False, max_length=MAX_ITEMS)

    def validate_items(self, items):
        seen = set()
        for item in items:
            if item["sku"] in seen:
                raise serializers.ValidationError(f"SKU {item['sku']!r} is sent twice.")
            seen.add(item["sku"])
        return items


class ProductDataBulkOutputSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.ListField(child=serializers.CharField())
    updated = serializers.ListField(child=serializers.CharField())
    unchanged = serializers.ListField(child=serializers.CharField())


class ListingOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    name = serializers.CharField(source="product.name", read_only=True)
    connection_name = serializers.CharField(source="connection.name", read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "connection",
            "connection_name",
            "product",
            "sku",
            "name",
            "state",
            "pending",
            "bc_product_id",
            "synced_at",
            "last_error",
            "error_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ListingActionInputSerializer(serializers.Serializer):
    connection = serializers.IntegerField()
    action = serializers.ChoiceField(
        choices=["publish", "pause", "unpause", "hide", "unhide", "delist"]
    )
    products = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=False,
        max_length=10000,
        help_text="Hub product ids (parents or simple products).",
    )


class ListingActionOutputSerializer(serializers.Serializer):
    message = serializers.CharField()
