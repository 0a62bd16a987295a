"""How the orders app reacts to connections' signals (connections never import orders)."""

from django.dispatch import receiver

from connections.models import Connection
from connections.signals import connection_purge

from .services.deletes import DELETE_BATCH_SIZE, orders_delete_for_connection


@receiver(connection_purge, sender=Connection, dispatch_uid="orders-connection-purge")
def orders_purge(sender, *, connection, batch_size: int = DELETE_BATCH_SIZE, **kwargs) -> None:
    """The connection is about to be deleted: delete its orders (in batches; idempotent)."""
    orders_delete_for_connection(connection_id=connection.pk, batch_size=batch_size)
