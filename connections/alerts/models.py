from django.conf import settings
from django.db import models
from django.db.models import Q

from connections.fields import EncryptedTextField
from connections.models import Connection, Tenant

DEFAULT_PERIOD_MINUTES = 60


class Alert(models.Model):
    """One occurrence of a condition on a connection (or the whole tenant), open until it
    clears. A condition that comes back after it resolved is a new row: the list keeps the
    history, the throttle looks at the last notice of the same (connection, condition, key)."""

    class Condition(models.TextChoices):
        RUN_FAILED = "run_failed", "A dataflow run failed"
        RUN_NOT_STARTED = "run_not_started", "A dataflow did not start when due"
        CREDENTIALS_REFUSED = "credentials_refused", "The store refused the credentials"
        BLOCKING_ORDER_ERRORS = "blocking_order_errors", "Orders are blocked by errors"
        WEBHOOK_DEACTIVATED = "webhook_deactivated", "BigCommerce deactivated a webhook"
        MISSED_ORDERS = "missed_orders", "Orders in the store are missing in the hub"
        STOCK_DRIFT = "stock_drift", "Stock in the store differs from the hub"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="alerts")
    connection = models.ForeignKey(
        Connection, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    condition = models.CharField(max_length=32, choices=Condition.choices)
    # What the condition is about within the connection, e.g. the dataflow kind.
    key = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    message = models.TextField()
    action = models.TextField(blank=True)  # what the operator can do about it
    occurrences = models.PositiveIntegerField(default=1)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    # When its "raised" notice was sent; None when the throttle held it back.
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "connection", "condition", "key"],
                condition=Q(state="open"),
                name="one_open_alert_per_subject",
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "state", "-last_seen_at"], name="alert_by_tenant"),
            models.Index(
                fields=["connection", "condition", "key", "-notified_at"], name="alert_throttle"
            ),
        ]

    def __str__(self):
        return f"{self.get_condition_display()} · {self.connection or self.tenant}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class AlertSettings(models.Model):
    """A tenant's alert delivery: e-mail to its managers, a signed JSON webhook, the period
    within which one subject is told at most once."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="alert_settings")
    email_enabled = models.BooleanField(default=True)
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret = EncryptedTextField(blank=True)  # write-only: never shown again
    period_minutes = models.PositiveIntegerField(default=DEFAULT_PERIOD_MINUTES)
    # Stock drift alerts when at least this many products differ between the hub and the store.
    stock_drift_threshold = models.PositiveIntegerField(default=10)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "alert settings"

    def __str__(self):
        return f"Alert settings · {self.tenant}"

    def __repr__(self):
        return f"<AlertSettings tenant={self.tenant_id} webhook={bool(self.webhook_url)}>"
