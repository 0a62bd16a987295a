"""Forms of the CONNECTIONS screens. They only validate input; writes go through services."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from .drivers import DRIVERS
from .models import ORDER_STATUSES, Connection, Tenant
from .validators import MAX_BIGINT, access_token_validator

# BigCommerce option types that make variants (products_catalog.v3.yml, option `type`).
VARIANT_OPTION_TYPES = [
    ("", "Any option type"),
    ("dropdown", "Drop-down"),
    ("radio_buttons", "Radio buttons"),
    ("rectangles", "Rectangles"),
    ("swatch", "Swatch"),
    ("product_list", "Product list"),
    ("product_list_with_images", "Product list with images"),
]


class TokenInput(forms.PasswordInput):
    """Write-only: never renders a value, and asks browsers not to offer saved passwords."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"autocomplete": "new-password", "spellcheck": "false", **(attrs or {})},
            render_value=False,
        )


def _strip_store_hash(value: str) -> str:
    value = (value or "").strip()
    # People paste the store URL or "stores/abc123": keep the hash.
    for prefix in ("https://", "http://"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if value.startswith("store-") and ".mybigcommerce.com" in value:
        value = value[len("store-") :].split(".", 1)[0]
    if value.startswith("stores/"):
        value = value[len("stores/") :]
    return value.strip("/ ")


class StoreHashField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=64,
            help_text="The part after “store-” in the store’s address, "
            "e.g. abc123 for store-abc123.mybigcommerce.com.",
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(_strip_store_hash(value))
        if value and not value.replace("-", "").replace("_", "").isalnum():
            raise ValidationError("A store hash has only letters and digits, like abc123.")
        return value


class ConnectionCreateForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"autofocus": True}),
        error_messages={"required": "Give the connection a name."},
    )
    driver = forms.ChoiceField(
        choices=[("", "Choose a driver…")] + [(d.code, d.label) for d in DRIVERS.values()],
        error_messages={"required": "Choose a driver to enter its credentials."},
    )
    store_hash = StoreHashField()
    access_token = forms.CharField(
        max_length=500, widget=TokenInput(), strip=True, validators=[access_token_validator]
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("Give the connection a name.")
        return name


class ConnectionNameForm(forms.Form):
    name = forms.CharField(
        max_length=200, error_messages={"required": "Give the connection a name."}
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("Give the connection a name.")
        return name


class CredentialsForm(forms.Form):
    store_hash = StoreHashField()
    access_token = forms.CharField(
        max_length=500,
        required=False,
        validators=[access_token_validator],
        widget=TokenInput(attrs={"placeholder": "Stored — leave blank to keep it"}),
        help_text="Write-only: the stored token is never shown. Leave blank to keep it.",
    )


class SettingsSectionForm(forms.Form):
    """One menu entry of the Settings tab; its fields are Connection fields of the same name."""

    title = ""

    def __init__(self, *args, connection: Connection, **kwargs):
        self.connection = connection
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, connection: Connection) -> dict:
        return {name: getattr(connection, name) for name in cls.base_fields}


class VariantOptionTypeForm(SettingsSectionForm):
    title = "Variant option type"
    variant_option_type = forms.ChoiceField(
        label="Variant option type used for variants", choices=VARIANT_OPTION_TYPES, required=False
    )

    def __init__(self, *args, connection: Connection, **kwargs):
        super().__init__(*args, connection=connection, **kwargs)
        current = connection.variant_option_type
        if current and current not in dict(VARIANT_OPTION_TYPES):
            self.fields["variant_option_type"].choices = VARIANT_OPTION_TYPES + [(current, current)]


class OrderFiltersForm(SettingsSectionForm):
    title = "Order filters"
    order_status_filter = forms.TypedMultipleChoiceField(
        label="Filter orders to import by",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    import_min_order_id = forms.IntegerField(
        label="Import only orders with an ID greater than",
        min_value=0,
        max_value=MAX_BIGINT,
        required=False,
        help_text="Leave blank to import orders of any ID.",
    )
    import_created_after = forms.DateField(
        label="Import only orders created after",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave blank to import orders of any date.",
    )
    import_archived_orders = forms.BooleanField(label="Import archived orders", required=False)

    def __init__(self, *args, connection: Connection, **kwargs):
        super().__init__(*args, connection=connection, **kwargs)
        self.fields["order_status_filter"].choices = [
            (status_id, f"{connection.status_label(status_id)}") for status_id in ORDER_STATUSES
        ]

    def clean_order_status_filter(self):
        statuses = sorted(set(self.cleaned_data["order_status_filter"]))
        if not statuses:
            raise ValidationError("Turn on at least one order status, or no order is imported.")
        return statuses

    def clean_import_created_after(self):
        day = self.cleaned_data["import_created_after"]
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    @classmethod
    def initial_for(cls, connection: Connection) -> dict:
        created_after = connection.import_created_after
        return {
            "order_status_filter": connection.order_status_filter,
            "import_min_order_id": connection.import_min_order_id,
            "import_created_after": timezone.localtime(created_after).date()
            if created_after
            else None,
            "import_archived_orders": connection.import_archived_orders,
        }


class OrderUpdatesForm(SettingsSectionForm):
    title = "Orders and shipments"
    update_existing_orders = forms.BooleanField(
        label="Update orders that already exist",
        required=False,
        help_text="Import later edits and cancellations of orders the hub already has.",
    )
    allow_partial_shipments = forms.BooleanField(
        label="Allow partial shipments",
        required=False,
        help_text="A shipment of some items sets the order to Partially Shipped; otherwise the "
        "order becomes Shipped when everything has shipped.",
    )


class ProductsStockForm(SettingsSectionForm):
    title = "Products and stock"
    master_sku_field = forms.ChoiceField(
        label="Match products by",
        choices=Connection.MasterSku.choices,
        help_text="The BigCommerce field that holds the hub's SKU.",
    )
    inventory_location_id = forms.IntegerField(
        label="Inventory location ID",
        min_value=1,
        help_text="The BigCommerce location that receives stock updates (1 is the default).",
    )


class OffersForm(SettingsSectionForm):
    title = "Offers"
    push_only_mapped_attributes = forms.BooleanField(
        label="Only push mapped attributes", required=False
    )


# Settings tab: menu entries, in order (section slug -> form class).
SETTINGS_SECTIONS = {
    "variant-option-type": VariantOptionTypeForm,
    "order-filters": OrderFiltersForm,
    "orders-shipments": OrderUpdatesForm,
    "products-stock": ProductsStockForm,
    "offers": OffersForm,
}


class TenantRetentionForm(forms.ModelForm):
    title = "Data retention"

    class Meta:
        model = Tenant
        fields = ["log_retention_days", "pii_retention_days"]
        help_texts = {
            "log_retention_days": "Run logs older than this are deleted every night (1 to 3650).",
            "pii_retention_days": (
                "Names, e-mails, phones and addresses of orders shipped or cancelled this many "
                "days ago are removed every night; order ids, lines, totals and country stay. "
                "Leave blank to keep personal data."
            ),
        }
