"""REST serializers for orders, shipments and order errors (input and output kept apart)."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from connections.validators import MAX_BIGINT

from .models import Address, Customer, Order, OrderError, OrderLine, Shipment, ShipmentLine

MAX_BULK = 1000


class CustomerOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="`company` or `person`.")

    class Meta:
        model = Customer
        fields = ["id", "email", "kind", "display_name", "company", "first_name", "last_name"]
        read_only_fields = fields


@extend_schema_serializer(component_name="Order")
class OrderOutputSerializer(serializers.ModelSerializer):
    """An order imported from BigCommerce, as listed."""

    status_label = serializers.SerializerMethodField(
        help_text="The store's label of the BigCommerce status."
    )
    customer = CustomerOutputSerializer(read_only=True, allow_null=True)
    has_errors = serializers.BooleanField(read_only=True, help_text="Unresolved order errors.")
    line_count = serializers.IntegerField(read_only=True)
    shipment_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "connection",
            "bc_order_id",
            "status_id",
            "status_label",
            "hub_status",
            "is_archived",
            "date_created",
            "date_modified",
            "date_shipped",
            "email",
            "customer",
            "currency_code",
            "total_inc_tax",
            "items_total",
            "line_count",
            "shipment_count",
            "has_errors",
            "imported_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_status_label(self, order: Order) -> str:
        return order.connection.status_label(order.status_id)


class AddressOutputSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="`billing` or `shipping`.")

    class Meta:
        model = Address
        fields = [
            "kind",
            "bc_address_id",
            "first_name",
            "last_name",
            "company",
            "street_1",
            "street_2",
            "city",
            "state",
            "zip",
            "country",
            "country_iso2",
            "phone",
            "email",
            "shipping_method",
        ]
        read_only_fields = fields


class OrderLineOutputSerializer(serializers.ModelSerializer):
    quantity_open = serializers.IntegerField(read_only=True)
    product_sku = serializers.CharField(source="product.sku", read_only=True, allow_null=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "bc_line_id",
            "bc_product_id",
            "bc_variant_id",
            "bc_address_id",
            "sku",
            "name",
            "options",
            "quantity",
            "quantity_shipped",
            "quantity_open",
            "price_ex_tax",
            "price_inc_tax",
            "total_inc_tax",
            "product",
            "product_sku",
        ]
        read_only_fields = fields


class ShipmentLineOutputSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="order_line_id", read_only=True)
    order_product_id = serializers.IntegerField(source="order_line.bc_line_id", read_only=True)
    sku = serializers.CharField(source="order_line.sku", read_only=True)

    class Meta:
        model = ShipmentLine
        fields = ["line", "order_product_id", "sku", "quantity"]
        read_only_fields = fields


@extend_schema_serializer(component_name="Shipment")
class ShipmentOutputSerializer(serializers.ModelSerializer):
    """A parcel the warehouse sent; Order Update reports it to BigCommerce."""

    lines = ShipmentLineOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "order",
            "status",
            "tracking_number",
            "tracking_carrier",
            "shipping_method",
            "comments",
            "bc_address_id",
            "bc_shipment_id",
            "sent_at",
            "last_error",
            "created_at",
            "lines",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="OrderError")
class OrderErrorOutputSerializer(serializers.ModelSerializer):
    """An order that could not be imported, or a shipment BigCommerce refused."""

    code_label = serializers.CharField(source="get_code_display", read_only=True)
    state = serializers.ChoiceField(
        choices=["open", "retrying", "resolved", "ignored"], read_only=True
    )
    # Blank while the error is open: documented, so the schema's enum admits "".
    resolution = serializers.ChoiceField(
        choices=OrderError.Resolution.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = OrderError
        fields = [
            "id",
            "connection",
            "order",
            "shipment",
            "bc_order_id",
            "code",
            "code_label",
            "message",
            "state",
            "first_seen_at",
            "last_seen_at",
            "occurrences",
            "retry_requested_at",
            "resolved_at",
            "resolution",
            "resolution_note",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="OrderDetail")
class OrderDetailOutputSerializer(OrderOutputSerializer):
    """An order with its lines, addresses, shipments and errors."""

    lines = OrderLineOutputSerializer(many=True, read_only=True)
    addresses = AddressOutputSerializer(many=True, read_only=True)
    shipments = ShipmentOutputSerializer(many=True, read_only=True)
    errors = OrderErrorOutputSerializer(many=True, read_only=True)

    class Meta(OrderOutputSerializer.Meta):
        fields = [
            *OrderOutputSerializer.Meta.fields,
            "bc_customer_id",
            "payment_method",
            "payment_status",
            "customer_message",
            "subtotal_ex_tax",
            "subtotal_inc_tax",
            "shipping_cost_inc_tax",
            "total_tax",
            "total_ex_tax",
            "lines",
            "addresses",
            "shipments",
            "errors",
        ]
        read_only_fields = fields


class ShipmentLineInputSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_BIGINT, help_text="The hub's order line id."
    )
    order_product_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_BIGINT,
        help_text="Or BigCommerce's order product id of the line.",
    )
    quantity = serializers.IntegerField(min_value=1)

    def validate(self, attrs):
        if ("line" in attrs) == ("order_product_id" in attrs):
            raise serializers.ValidationError("Give either `line` or `order_product_id`.")
        return attrs


class ShipmentCreateInputSerializer(serializers.Serializer):
    """A shipment the warehouse sent. Without `lines`, everything still open is shipped."""

    tracking_number = serializers.CharField(
        max_length=50, allow_blank=True, required=False, default=""
    )
    tracking_carrier = serializers.CharField(
        max_length=100,
        allow_blank=True,
        required=False,
        default="",
        help_text="A BigCommerce tracking carrier code (ups, fedex, usps, dhl, ...) or blank.",
    )
    shipping_method = serializers.CharField(
        max_length=250, allow_blank=True, required=False, default=""
    )
    comments = serializers.CharField(allow_blank=True, required=False, default="")
    lines = ShipmentLineInputSerializer(many=True, required=False, max_length=MAX_BULK)


class IgnoreInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Why the error is ignored.")


class BulkIdsSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_BIGINT),
        required=False,
        max_length=MAX_BULK,
        help_text="Order error ids.",
    )
    connection = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_BIGINT,
        help_text="Or: every open error of this connection (with `code`).",
    )
    code = serializers.ChoiceField(choices=OrderError.Code.choices, required=False)

    def validate(self, attrs):
        if not attrs.get("ids") and attrs.get("connection") is None:
            raise serializers.ValidationError(
                "Name the errors: `ids`, or `connection` (optionally with `code`)."
            )
        return attrs


class BulkIgnoreInputSerializer(BulkIdsSerializer):
    reason = serializers.CharField(max_length=1000, help_text="Why the errors are ignored.")


class BulkResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many errors were retried or ignored.")


class OrderErrorSkuOutputSerializer(serializers.Serializer):
    sku = serializers.CharField()
    errors = serializers.IntegerField()


@extend_schema_serializer(component_name="OrderErrorGroup")
class OrderErrorGroupOutputSerializer(serializers.Serializer):
    """The errors of one cause among the filtered ones: counts, what it means, what to do."""

    code = serializers.CharField()
    label = serializers.CharField()
    severity = serializers.ChoiceField(
        choices=["blocking", "warning"],
        help_text="blocking: the order is not imported (or its shipment not confirmed)",
    )
    errors = serializers.IntegerField()
    orders = serializers.IntegerField(help_text="Distinct BigCommerce orders")
    open = serializers.IntegerField()
    retrying = serializers.IntegerField()
    explanation = serializers.CharField(source="cause.explanation")
    action = serializers.CharField(source="cause.action")
    skus = OrderErrorSkuOutputSerializer(
        many=True, help_text="Unknown SKUs and tracking off: the SKUs named, most errors first"
    )
