"""The connection's own signals: hooks follow ENABLE, DISABLE, DELETE (after commit, in the
sync task, so no request waits for BigCommerce)."""

import logging

from django.dispatch import receiver

from .. import signals
from ..models import Connection
from .models import WebhookDelivery, WebhookSubscription
from .registration import webhooks_remove
from .tasks import webhooks_sync_enqueue

logger = logging.getLogger(__name__)


@receiver(signals.connection_created, sender=Connection)
@receiver(signals.connection_enabled, sender=Connection)
def _register(sender, connection, **kwargs):
    sub, _ = WebhookSubscription.objects.get_or_create(connection=connection)
    WebhookSubscription.objects.filter(pk=sub.pk).update(state=WebhookSubscription.State.PENDING)
    webhooks_sync_enqueue(connection_id=connection.pk)


@receiver(signals.connection_disabled, sender=Connection)
@receiver(signals.connection_deleting, sender=Connection)
def _remove(sender, connection, **kwargs):
    if WebhookSubscription.objects.filter(connection=connection).exists():
        webhooks_sync_enqueue(connection_id=connection.pk)


@receiver(signals.connection_purge, sender=Connection)
def _purge(sender, connection, batch_size=1000, **kwargs):
    try:  # in case the sync task has not removed them yet (it is a background task too)
        webhooks_remove(connection=connection)
    except Exception:
        logger.exception("Webhooks of connection %s could not be removed", connection.pk)
    while True:
        ids = list(
            WebhookDelivery.objects.filter(connection=connection).values_list("pk", flat=True)[
                :batch_size
            ]
        )
        if not ids:
            break
        WebhookDelivery.objects.filter(pk__in=ids).delete()
    WebhookSubscription.objects.filter(connection=connection).delete()
