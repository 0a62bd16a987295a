"""REST serializers for connections: separate input (validation) and output (representation).

The access token is accepted by the input serializers only; no output serializer has it, so it
can appear neither in a response nor in the schema's response objects.
"""

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from .drivers import BIGCOMMERCE, driver_choices
from .models import CONNECTION_SETTINGS_FIELDS, ORDER_STATUSES, Connection, Tenant
from .selectors import tenants_for_user
from .validators import MAX_BIGINT, MAX_INT, access_token_validator

store_hash_validator = RegexValidator(
    r"^[A-Za-z0-9_-]+$",
    "The store hash is the part after 'store-' in the store's control panel address "
    "(letters and digits only).",
)


class ConnectionSettingsInputSerializer(serializers.Serializer):
    """The connection's settings; every field optional (the model's defaults apply)."""

    variant_option_type = serializers.CharField(max_length=100, allow_blank=True, required=False)
    order_status_filter = serializers.ListField(
        child=serializers.IntegerField(
            min_value=min(ORDER_STATUSES), max_value=max(ORDER_STATUSES)
        ),
        allow_empty=False,
        required=False,
        help_text="BigCommerce order status ids (0..14) whose orders are imported.",
        error_messages={
            "empty": "Choose at least one order status to import; to stop importing orders, "
            "disable the Order Import dataflow."
        },
    )
    import_min_order_id = serializers.IntegerField(
        min_value=0,
        max_value=MAX_BIGINT,
        allow_null=True,
        required=False,
        help_text="Import only orders with an ID greater than this.",
    )
    import_created_after = serializers.DateTimeField(
        allow_null=True, required=False, help_text="Import only orders created after this."
    )
    import_archived_orders = serializers.BooleanField(required=False)
    update_existing_orders = serializers.BooleanField(
        required=False, help_text="Import edits and cancellations of orders already imported."
    )
    master_sku_field = serializers.ChoiceField(choices=Connection.MasterSku.choices, required=False)
    inventory_location_id = serializers.IntegerField(min_value=1, max_value=MAX_INT, required=False)
    allow_partial_shipments = serializers.BooleanField(required=False)
    push_only_mapped_attributes = serializers.BooleanField(required=False)

    def validate_order_status_filter(self, value):
        return sorted(set(value))


class VisibleTenantField(serializers.PrimaryKeyRelatedField):
    """A tenant id among the user's tenants: another tenant's id reads as unknown."""

    def get_queryset(self):
        return tenants_for_user(user=self.context["request"].user)


class ConnectionCreateInputSerializer(ConnectionSettingsInputSerializer):
    """A new connection: name, driver, credentials (checked with the store before anything is
    saved) and, optionally, settings (defaults apply to those left out)."""

    tenant = VisibleTenantField(
        queryset=Tenant.objects.all(),
        required=False,
        help_text="Needed only when you belong to several tenants.",
    )
    name = serializers.CharField(max_length=200)
    driver = serializers.ChoiceField(choices=driver_choices(), default=BIGCOMMERCE.code)
    store_hash = serializers.CharField(max_length=64, validators=[store_hash_validator])
    access_token = serializers.CharField(
        max_length=500,
        write_only=True,
        validators=[access_token_validator],
        style={"input_type": "password"},
    )
    client_id = serializers.CharField(max_length=200, allow_blank=True, required=False)

    def _user(self):
        return self.context["request"].user

    def validate(self, attrs):
        if attrs.get("tenant") is None:
            tenants = list(tenants_for_user(user=self._user())[:2])
            if len(tenants) != 1:
                raise serializers.ValidationError(
                    {
                        "tenant": "You belong to several tenants: say which one this connection "
                        "is for."
                        if tenants
                        else "You belong to no tenant."
                    }
                )
            attrs["tenant"] = tenants[0]
        return attrs


class ConnectionUpdateInputSerializer(ConnectionSettingsInputSerializer):
    """Changes to a connection's name, credentials or settings; fields left out keep their
    value. New credentials are checked with the store before anything is saved. The driver and
    tenant cannot change; the status changes with enable/ and disable/."""

    name = serializers.CharField(max_length=200, required=False)
    store_hash = serializers.CharField(
        max_length=64, validators=[store_hash_validator], required=False
    )
    access_token = serializers.CharField(
        max_length=500,
        write_only=True,
        required=False,
        allow_blank=True,
        validators=[access_token_validator],
        style={"input_type": "password"},
        help_text="A new access token; blank or absent keeps the stored one.",
    )
    client_id = serializers.CharField(max_length=200, allow_blank=True, required=False)


@extend_schema_serializer(component_name="Connection")
class ConnectionOutputSerializer(serializers.ModelSerializer):
    """A connection to a store, with its settings. The access token is never shown."""

    has_order_errors = serializers.BooleanField(
        read_only=True, help_text="The connection has unresolved order errors."
    )
    order_status_filter = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Connection
        fields = [
            "id",
            "tenant",
            "name",
            "driver",
            "status",
            "store_hash",
            "store_name",
            "client_id",
            "created_at",
            "updated_at",
            "has_order_errors",
            *CONNECTION_SETTINGS_FIELDS,
        ]
        read_only_fields = fields
