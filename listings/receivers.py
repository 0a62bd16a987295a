"""The listings' answers to connections' signals: a purged connection's listings go."""

from django.dispatch import receiver

from connections.models import Connection
from connections.signals import connection_purge

from .models import Listing


@receiver(connection_purge, sender=Connection, dispatch_uid="listings-purge")
def listings_purge(sender, *, connection, **kwargs):
    Listing.objects.filter(connection_id=connection.pk).delete()
