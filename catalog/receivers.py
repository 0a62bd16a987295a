"""The catalog's answers to signals of the layers below: a purged connection's product links
go (in batches), and product import settings given as Product Match dataflow options are
saved where they live, in the connection's ProductImportSettings."""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from connections.models import Connection
from connections.signals import connection_purge
from dataflows.models import Dataflow

from .kinds import PRODUCT_MATCH
from .models import IMPORT_SETTINGS_KEYS
from .services import product_import_settings_update, product_links_delete_for_connection


@receiver(connection_purge, sender=Connection, dispatch_uid="catalog-links-purge")
def product_links_purge(sender, *, connection, batch_size=2000, **kwargs):
    product_links_delete_for_connection(connection_id=connection.pk, batch_size=batch_size)


@receiver(pre_save, sender=Dataflow, dispatch_uid="catalog-import-settings-from-options")
def product_import_settings_from_options(sender, *, instance, **kwargs):
    """The dataflow API (and admin) still accept import_mode / overwrite_fields in the Product
    Match options: they are checked and saved to the settings, and kept out of the options."""
    if instance.kind != PRODUCT_MATCH or not isinstance(instance.options, dict):
        return
    values = {key: instance.options[key] for key in IMPORT_SETTINGS_KEYS if key in instance.options}
    if not values:
        return
    product_import_settings_update(connection=instance.connection, **values)
    instance.options = {k: v for k, v in instance.options.items() if k not in values}
