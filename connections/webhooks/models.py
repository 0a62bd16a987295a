"""A connection's webhook subscription and the deliveries it received."""

from __future__ import annotations

import secrets

from django.db import models

from ..fields import EncryptedTextField


def new_key() -> str:
    return secrets.token_urlsafe(18)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """The hooks the hub keeps registered in a connection's store, and how they are doing."""

    class State(models.TextChoices):
        OFF = "off", "Not registered"
        PENDING = "pending", "Registering…"
        REGISTERED = "registered", "Registered"
        ERROR = "error", "Registration failed"

    connection = models.OneToOneField(
        "connections.Connection", on_delete=models.CASCADE, related_name="webhook_subscription"
    )
    #: In the callback URL: public, names the connection without its id.
    key = models.CharField(max_length=32, unique=True, default=new_key)
    #: Sent back by BigCommerce in a custom header of every callback.
    secret = EncryptedTextField(default=new_secret)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OFF)
    #: What the operator can do about the last registration failure.
    error = models.TextField(blank=True)
    #: scope -> BigCommerce hook id.
    hook_ids = models.JSONField(default=dict, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    last_delivery_at = models.DateTimeField(null=True, blank=True)
    #: Hooks found deactivated by BigCommerce (and re-enabled) so far.
    deactivated_count = models.PositiveIntegerField(default=0)
    #: Hooks found deactivated at the last check (0: all active).
    deactivated_now = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Webhooks of connection {self.connection_id} ({self.state})"

    def __repr__(self):
        # Never the secret.
        return f"<WebhookSubscription {self.pk} connection={self.connection_id} {self.state}>"


class WebhookDelivery(models.Model):
    """A callback accepted once: BigCommerce sends the same event with the same `hash`."""

    connection = models.ForeignKey(
        "connections.Connection", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    hash = models.CharField(max_length=64)
    scope = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "hash"], name="one_delivery_per_hash")
        ]

    def __str__(self):
        return f"{self.scope} {self.hash}"
