from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .drivers import BIGCOMMERCE, driver_choices
from .fields import EncryptedTextField

# BigCommerce order statuses (ids are fixed; stores may relabel them).
ORDER_STATUSES = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}
DEFAULT_ORDER_STATUS_FILTER = [11, 5]


def default_order_status_filter():
    return list(DEFAULT_ORDER_STATUS_FILTER)


# The connection's settings (one list for the API, the admin and the screens).
CONNECTION_SETTINGS_FIELDS = (
    "variant_option_type",
    "order_status_filter",
    "import_min_order_id",
    "import_created_after",
    "import_archived_orders",
    "update_existing_orders",
    "master_sku_field",
    "inventory_location_id",
    "allow_partial_shipments",
    "push_only_mapped_attributes",
)


class Tenant(models.Model):
    """A merchant: sees and manages only its own connections, orders and products."""

    name = models.CharField(max_length=200, unique=True)
    # Retention (the nightly task): run logs are deleted after this many days; the personal
    # data of orders shipped or cancelled this many days ago is anonymised (None: kept).
    log_retention_days = models.PositiveSmallIntegerField(
        "delete run logs after (days)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    pii_retention_days = models.PositiveSmallIntegerField(
        "anonymise customers' personal data after (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="Of orders shipped or cancelled that long ago. Blank keeps personal data.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        MANAGER = "manager", "Manager"  # connections and credentials
        OPERATOR = "operator", "Operator"  # synchronize, enable, disable
        VIEWER = "viewer", "Viewer"  # read only

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="one_membership_per_tenant")
        ]

    def __str__(self):
        return f"{self.user} @ {self.tenant} ({self.role})"

    @property
    def can_operate(self) -> bool:
        return self.role in (self.Role.MANAGER, self.Role.OPERATOR)

    @property
    def can_manage(self) -> bool:
        return self.role == self.Role.MANAGER


class Connection(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DELETING = "deleting", "Deleting…"

    class MasterSku(models.TextChoices):
        SKU = "sku", "SKU"
        UPC = "upc", "UPC"
        MPN = "mpn", "MPN"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="connections")
    name = models.CharField(max_length=200)
    driver = models.CharField(max_length=32, choices=driver_choices(), default=BIGCOMMERCE.code)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    store_hash = models.CharField(max_length=64)
    access_token = EncryptedTextField()
    client_id = models.CharField(max_length=200, blank=True)
    store_name = models.CharField(max_length=200, blank=True)
    order_status_labels = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Settings.
    variant_option_type = models.CharField(max_length=100, blank=True)
    order_status_filter = models.JSONField(default=default_order_status_filter)
    import_min_order_id = models.PositiveBigIntegerField(null=True, blank=True)
    import_created_after = models.DateTimeField(null=True, blank=True)
    import_archived_orders = models.BooleanField(default=False)
    update_existing_orders = models.BooleanField(default=False)
    master_sku_field = models.CharField(
        max_length=8, choices=MasterSku.choices, default=MasterSku.SKU
    )
    inventory_location_id = models.PositiveIntegerField(default=1)
    allow_partial_shipments = models.BooleanField(default=False)
    push_only_mapped_attributes = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # Two active connections to one store would mean two hubs pushing stock.
            models.UniqueConstraint(
                fields=["store_hash"],
                condition=Q(status="active"),
                name="one_active_connection_per_store",
            )
        ]

    def __str__(self):
        return self.name

    def __repr__(self):
        # Never the token.
        return f"<Connection {self.pk} {self.name!r} store={self.store_hash}>"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def status_label(self, status_id: int) -> str:
        return self.order_status_labels.get(str(status_id)) or ORDER_STATUSES.get(
            status_id, str(status_id)
        )


# --- The CONNECTIONS list's saved views and column preferences (per user).

CONNECTION_LIST_COLUMNS = {
    "name": "Name",
    "status": "Status",
    "errors": "Order/Return have errors",
    "driver": "Driver",
    "id": "ID",
    "store_hash": "Store hash",
    "store_name": "Store name",
    "created": "Created",
}
DEFAULT_CONNECTION_LIST_COLUMNS = ["name", "status", "errors", "driver", "id"]


def default_connection_list_columns():
    return list(DEFAULT_CONNECTION_LIST_COLUMNS)


class SavedListView(models.Model):
    """A named filter + sort + columns of a list, saved by one user ("VIEW" drop-down)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_list_views"
    )
    list_key = models.CharField(max_length=32, default="connections")
    name = models.CharField(max_length=80)
    filters = models.JSONField(default=dict, blank=True)
    sort = models.CharField(max_length=32, blank=True)
    columns = models.JSONField(default=default_connection_list_columns)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_key", "name"], name="one_saved_view_name_per_user_list"
            )
        ]

    def __str__(self):
        return self.name


class ListPreference(models.Model):
    """What a user last chose on a list: the shown columns (in order) and the current view."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_preferences"
    )
    list_key = models.CharField(max_length=32, default="connections")
    columns = models.JSONField(default=default_connection_list_columns)
    view = models.ForeignKey(
        SavedListView, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "list_key"], name="one_list_preference")
        ]

    def __str__(self):
        return f"{self.user} · {self.list_key}"


# --- Who did what to a connection (the audit trail) and which signed payloads were used.


class AuditEvent(models.Model):
    """One change to a connection or a tenant's app install, by whom; never a secret."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CREDENTIALS_CHANGED = "credentials_changed", "Changed the credentials"
        SETTINGS_CHANGED = "settings_changed", "Changed the settings"
        ENABLED = "enabled", "Enabled"
        DISABLED = "disabled", "Disabled"
        SYNCHRONIZED = "synchronized", "Synchronized"
        DELETED = "deleted", "Deleted"
        ERROR_IGNORED = "error_ignored", "Ignored an error"
        APP_INSTALLED = "app_installed", "Installed the BigCommerce app"
        APP_UNINSTALLED = "app_uninstalled", "Uninstalled the BigCommerce app"
        TENANT_SETTINGS_CHANGED = "tenant_settings_changed", "Changed the tenant's settings"
        RETENTION_APPLIED = "retention_applied", "Deleted old logs and personal data"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="audit_events")
    # Kept when the connection is deleted: its name says what the event was about.
    connection = models.ForeignKey(
        Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    connection_name = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The actor's username, kept when the user is deleted; "" for BigCommerce or the hub.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["connection", "-created_at"], name="audit_by_connection")]

    def __str__(self):
        return f"{self.get_action_display()} · {self.connection_name} · {self.actor_name or '—'}"


class SignedPayloadUse(models.Model):
    """A BigCommerce signed payload already used (its ``jti``), kept until it expires: a payload
    works once, at the callback it was used at (a load payload sits in URLs and logs)."""

    jti = models.CharField(max_length=200, unique=True)
    callback = models.CharField(max_length=32)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.callback} {self.jti}"


# The webhooks' models live in their package (connections/webhooks).
from .webhooks.models import WebhookDelivery, WebhookSubscription  # noqa: E402, F401
