"""What the webhooks tell the layers above (sent with `sender=WebhookSubscription`)."""

from django.dispatch import Signal

#: The connection's hooks became healthy (all registered and active) or stopped being so:
#: `connection`, `healthy` (bool). The engine slows the polling down while they are healthy.
webhooks_health_changed = Signal()
