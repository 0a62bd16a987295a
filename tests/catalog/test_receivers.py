"""The catalog's receivers: a purged connection's product links go in batches; product
import settings sent as Product Match dataflow options are saved to the connection's
ProductImportSettings."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from catalog.kinds import PRODUCT_MATCH
from catalog.models import Product, ProductImportSettings, ProductLink
from connections.models import Connection
from connections.signals import connection_purge
from dataflows.models import Dataflow
from dataflows.services import dataflow_update
from tests.fixtures.tenants import make_connection


def links(connection, product, n):
    ProductLink.objects.bulk_create(
        ProductLink(connection=connection, product=product, bc_product_id=1, bc_variant_id=i)
        for i in range(1, n + 1)
    )


def test_a_purged_connection_loses_its_product_links_in_batches(tenant, connection):
    other = make_connection(tenant, name="Other store", store_hash="other1")
    product = Product.objects.create(tenant=tenant, sku="A")
    links(connection, product, 5)
    links(other, product, 2)

    with CaptureQueriesContext(db_connection) as queries:
        connection_purge.send(sender=Connection, connection=connection, batch_size=2)

    assert not ProductLink.objects.filter(connection=connection).exists()
    assert ProductLink.objects.filter(connection=other).count() == 2
    assert Product.objects.filter(pk=product.pk).exists()  # hub products are the tenant's
    table = ProductLink._meta.db_table
    deletes = [q for q in queries.captured_queries if q["sql"].startswith(f'DELETE FROM "{table}"')]
    assert len(deletes) == 3  # 2 + 2 + 1


def test_deleting_a_connection_deletes_its_product_links(tenant, connection):
    from connections.services import connection_delete

    product = Product.objects.create(tenant=tenant, sku="A")
    links(connection, product, 5)

    connection_delete(connection_id=connection.pk, batch_size=2)

    assert not ProductLink.objects.exists()
    assert Product.objects.filter(pk=product.pk).exists()


def test_import_settings_in_the_product_match_options_are_saved_to_the_settings(connection):
    dataflow = Dataflow.objects.get(connection=connection, kind=PRODUCT_MATCH)

    dataflow_update(
        dataflow=dataflow,
        options={"import_mode": "link_only", "overwrite_fields": ["price"], "note": "kept"},
    )

    settings = ProductImportSettings.objects.get(connection=connection)
    assert (settings.import_mode, settings.overwrite_fields) == ("link_only", ["price"])
    dataflow.refresh_from_db()
    assert dataflow.options == {"note": "kept"}


def test_invalid_import_settings_in_the_options_are_refused_and_nothing_saved(connection):
    dataflow = Dataflow.objects.get(connection=connection, kind=PRODUCT_MATCH)

    with pytest.raises(ValidationError) as refused:
        dataflow_update(dataflow=dataflow, options={"overwrite_fields": ["sku"]})

    assert "These fields cannot be overwritten: sku" in str(refused.value)
    assert not ProductImportSettings.objects.exists()
    dataflow.refresh_from_db()
    assert dataflow.options == {}
