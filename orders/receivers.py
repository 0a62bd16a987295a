"""Orders' answers to connections' signals: a deleted connection's orders go in batches."""

from django.dispatch import receiver

from connections.models import Connection
from connections.signals import connection_purge

from .services import orders_delete_for_connection


@receiver(connection_purge, sender=Connection)
def on_connection_purge(sender, *, connection: Connection, batch_size: int, **kwargs) -> None:
    orders_delete_for_connection(connection_id=connection.pk, batch_size=batch_size)
