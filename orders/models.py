"""Orders imported from BigCommerce, their customers, addresses and lines, the shipments the
warehouse records, and the order errors that need someone's attention.

One row per (connection, BigCommerce order id), enforced by a unique constraint: retries,
overlapping runs and a webhook racing the poller can only ever update that row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalog.models import Product
from connections.models import Connection, Tenant

from .fields import PayloadJSONField


class Customer(models.Model):
    """A buyer of one tenant, matched by e-mail across its connections (APIcenter's rule): a
    company customer when the billing address names a company, else a person."""

    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        PERSON = "person", "Person"

    # No index of its own: the unique (tenant, email) index serves every look-up by tenant,
    # and a tenant-only index would let the planner use it for a look-up by e-mail (then scan
    # the tenant's customers) when its statistics are stale.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="customers", db_index=False
    )
    email = models.CharField(max_length=254)  # lower-cased
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PERSON)
    company = models.CharField(max_length=255, blank=True)
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    bc_customer_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email"], name="one_customer_per_tenant_email"
            )
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        person = " ".join(p for p in (self.first_name, self.last_name) if p)
        if self.kind == self.Kind.COMPANY and self.company:
            return f"{self.company} ({person})" if person else self.company
        return person or self.email


class Order(models.Model):
    class HubStatus(models.TextChoices):
        OPEN = "open", "Open"
        PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
        SHIPPED = "shipped", "Shipped"
        CANCELLED = "cancelled", "Cancelled"

    # Open orders reserve stock for their unshipped quantities.
    RESERVING = (HubStatus.OPEN, HubStatus.PARTIALLY_SHIPPED)

    # Both lead an index below (the single-column ones would only slow the inserts down).
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="orders", db_index=False
    )
    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="orders", db_index=False
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    bc_order_id = models.PositiveBigIntegerField("BigCommerce order id")
    bc_customer_id = models.PositiveBigIntegerField(default=0)  # 0: guest
    email = models.CharField(max_length=254, blank=True)
    status_id = models.PositiveSmallIntegerField()
    status_name = models.CharField(max_length=100, blank=True)
    hub_status = models.CharField(max_length=20, choices=HubStatus.choices, default=HubStatus.OPEN)
    is_archived = models.BooleanField(default=False)
    date_created = models.DateTimeField()
    date_modified = models.DateTimeField()  # BigCommerce's, of the last version seen
    date_shipped = models.DateTimeField(null=True, blank=True)
    currency_code = models.CharField(max_length=3, blank=True)
    subtotal_ex_tax = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    subtotal_inc_tax = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    shipping_cost_inc_tax = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    total_tax = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    total_ex_tax = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    total_inc_tax = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    items_total = models.PositiveIntegerField(default=0)
    payment_method = models.CharField(max_length=100, blank=True)
    payment_status = models.CharField(max_length=100, blank=True)
    customer_message = models.TextField(blank=True)
    staff_notes = models.TextField(blank=True)
    order_source = models.CharField(max_length=100, blank=True)
    # The order exactly as BigCommerce last sent it (for support), and fingerprints: of that
    # version (nothing relevant changed when it matches) and of the lines and addresses the
    # hub's copy holds (an edit when it differs).
    raw = PayloadJSONField(default=dict, blank=True)
    source_hash = models.CharField(max_length=40, blank=True)
    content_hash = models.CharField(max_length=40, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the retention removed the order's personal data (the tenant's pii_retention_days).
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "bc_order_id"], name="one_order_per_connection_bc_id"
            )
        ]
        indexes = [
            # The lists' order (newest first, id breaking ties) straight from the index: a
            # page of 50 reads 50 entries however many orders there are.
            models.Index(
                fields=["tenant", "-date_created", "-id"], name="orders_tenant_created_idx"
            ),
            models.Index(
                fields=["connection", "-date_created", "-id"], name="orders_conn_created_idx"
            ),
            models.Index(fields=["connection", "hub_status"], name="orders_conn_hub_status_idx"),
        ]

    def __str__(self):
        return f"Order {self.bc_order_id}"

    @property
    def is_cancelled(self) -> bool:
        return self.hub_status == self.HubStatus.CANCELLED

    @property
    def status_label(self) -> str:
        return self.connection.status_label(self.status_id)


class Address(models.Model):
    class Kind(models.TextChoices):
        BILLING = "billing", "Billing"
        SHIPPING = "shipping", "Shipping"

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="addresses", db_index=False
    )  # leads the unique constraint's index
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # The BigCommerce order address (consignment) id of a shipping address; 0 for billing.
    bc_address_id = models.PositiveBigIntegerField(default=0)
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    company = models.CharField(max_length=255, blank=True)
    street_1 = models.CharField(max_length=255, blank=True)
    street_2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    zip = models.CharField(max_length=32, blank=True)
    country = models.CharField(max_length=100, blank=True)
    country_iso2 = models.CharField(max_length=2, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    email = models.CharField(max_length=254, blank=True)
    shipping_method = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["order_id", "kind", "bc_address_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind", "bc_address_id"], name="one_address_per_order_kind_id"
            )
        ]

    def __str__(self):
        return ", ".join(p for p in (self.name, self.street_1, self.city, self.country_iso2) if p)

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", db_index=False
    )  # leads the unique constraint's index
    bc_line_id = models.PositiveBigIntegerField("BigCommerce order product id")
    bc_product_id = models.PositiveBigIntegerField(default=0)
    bc_variant_id = models.PositiveBigIntegerField(default=0)
    bc_address_id = models.PositiveBigIntegerField(default=0)  # the shipping address it goes to
    sku = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=500, blank=True)
    options = models.CharField(max_length=500, blank=True)  # "Size: L, Color: Red"
    quantity = models.PositiveIntegerField()
    quantity_shipped = models.PositiveIntegerField(default=0)
    price_ex_tax = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    price_inc_tax = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    total_inc_tax = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="order_lines"
    )

    class Meta:
        ordering = ["order_id", "bc_line_id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "bc_line_id"], name="one_line_per_order_bc_id")
        ]

    def __str__(self):
        return f"{self.quantity} × {self.sku or self.name}"

    @property
    def quantity_open(self) -> int:
        return max(0, self.quantity - self.quantity_shipped)


class Shipment(models.Model):
    """A parcel the warehouse sent: Order Update reports it to BigCommerce (one POST)."""

    class Status(models.TextChoices):
        PENDING = "pending", "To send"
        SENT = "sent", "Sent to BigCommerce"
        REJECTED = "rejected", "Rejected by BigCommerce"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    bc_address_id = models.PositiveBigIntegerField(default=0)
    tracking_number = models.CharField(max_length=50, blank=True)
    tracking_carrier = models.CharField(max_length=100, blank=True)  # BigCommerce's code
    shipping_method = models.CharField(max_length=250, blank=True)
    comments = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Set before every POST and cleared with its answer: a shipment still marked was maybe
    # created in BigCommerce, so its next attempt looks for it first (never a duplicate).
    needs_check = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    bc_shipment_id = models.PositiveBigIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order_id", "id"]
        indexes = [
            models.Index(
                fields=["status"], condition=Q(status="pending"), name="orders_shipment_pending_idx"
            )
        ]

    def __str__(self):
        return f"Shipment {self.pk} of order {self.order.bc_order_id}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["shipment_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "order_line"], name="one_shipment_line_per_order_line"
            )
        ]

    def __str__(self):
        return f"{self.quantity} × line {self.order_line_id}"


class OrderError(models.Model):
    """An order that could not be imported (or a shipment BigCommerce refused). Open while
    `resolved_at` is empty; resolved by a later successful import or send, or ignored with a
    reason. One open error per order, code (and shipment)."""

    class Code(models.TextChoices):
        UNKNOWN_SKU = "unknown_sku", "Unknown SKU"
        MISSING_SKU = "missing_sku", "Line without SKU"
        MISSING_SHIPPING_ADDRESS = "missing_shipping_address", "Missing shipping address"
        INVALID_ADDRESS = "invalid_address", "Invalid address"
        TRACKING_OFF = "tracking_off", "Inventory tracking off"
        CHANGED_AFTER_SHIPMENT = "changed_after_shipment", "Changed after shipment"
        SHIPMENT_REJECTED = "shipment_rejected", "Shipment rejected by BigCommerce"
        UNREADABLE = "unreadable", "Unreadable order data"
        INVALID_QUANTITY = "invalid_quantity", "Invalid line quantity"

    class Resolution(models.TextChoices):
        RESOLVED = "resolved", "Resolved"
        IGNORED = "ignored", "Ignored"

    # Codes that keep an order out of the hub (the others are reported on an imported order).
    BLOCKING = (
        Code.UNREADABLE,
        Code.UNKNOWN_SKU,
        Code.MISSING_SKU,
        Code.MISSING_SHIPPING_ADDRESS,
        Code.INVALID_ADDRESS,
        Code.INVALID_QUANTITY,
    )
    IMPORT_CODES = (*BLOCKING, Code.TRACKING_OFF, Code.CHANGED_AFTER_SHIPMENT)

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="order_errors", db_index=False
    )  # leads the indexes below
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="errors"
    )
    shipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.CASCADE, related_name="errors"
    )
    bc_order_id = models.PositiveBigIntegerField("BigCommerce order id")
    code = models.CharField(max_length=32, choices=Code.choices)
    message = models.TextField()
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    occurrences = models.PositiveIntegerField(default=1)
    retry_requested_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "bc_order_id", "code"],
                condition=Q(resolved_at__isnull=True, shipment__isnull=True),
                name="one_open_order_error_per_code",
            ),
            models.UniqueConstraint(
                fields=["shipment", "code"],
                condition=Q(resolved_at__isnull=True, shipment__isnull=False),
                name="one_open_shipment_error_per_code",
            ),
        ]
        indexes = [
            models.Index(fields=["connection", "bc_order_id"], name="orders_error_conn_bc_idx"),
            # Open errors of a connection in the list's order (and its error flag).
            models.Index(
                fields=["connection", "-last_seen_at", "-id"],
                condition=Q(resolved_at__isnull=True),
                name="orders_error_open_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_code_display()} · order {self.bc_order_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def state(self) -> str:
        if self.resolved_at is None:
            return "retrying" if self.retry_requested_at else "open"
        return self.resolution or "resolved"


class OrderFetchRequest(models.Model):
    """An order to fetch again by id in the next Order Import run: a retry of its errors, a
    "re-import this order", or a webhook. One per order: asking twice is asking once."""

    class Reason(models.TextChoices):
        RETRY = "retry", "Error retry"
        REIMPORT = "reimport", "Re-import"
        WEBHOOK = "webhook", "Webhook"

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="order_fetch_requests"
    )
    bc_order_id = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "bc_order_id"], name="one_fetch_request_per_order"
            )
        ]

    def __str__(self):
        return f"Fetch order {self.bc_order_id} ({self.reason})"
