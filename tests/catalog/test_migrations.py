"""The migration that moves the product import settings out of the Product Match dataflow's
options and marks the stock of products already live as set by the warehouse."""

import pytest
from django.db import connection as db_connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("catalog", "0002_match_fields_store_lock")


def migrate(catalog_migration=None):
    """Migrate every app to its latest migration, the catalog to `catalog_migration`."""
    executor = MigrationExecutor(db_connection)
    leaves = executor.loader.graph.leaf_nodes()
    # Listings builds on the catalog's latest migrations: it is unapplied while the catalog
    # is migrated back.
    targets = [n for n in leaves if n[0] not in ("catalog", "listings")]
    targets.append(catalog_migration or next(n for n in leaves if n[0] == "catalog"))
    targets += (
        [n for n in leaves if n[0] == "listings"] if not catalog_migration else [("listings", None)]
    )
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([n for n in targets if n[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_the_settings_are_copied_from_the_options_and_live_stock_counts_as_set():
    apps = migrate(BEFORE)
    Tenant = apps.get_model("connections", "Tenant")
    Connection = apps.get_model("connections", "Connection")
    Dataflow = apps.get_model("dataflows", "Dataflow")
    Product = apps.get_model("catalog", "Product")
    ProductLink = apps.get_model("catalog", "ProductLink")
    tenant = Tenant.objects.create(name="Acme")
    set_up = Connection.objects.create(tenant=tenant, name="Set up", store_hash="aaa111")
    default = Connection.objects.create(tenant=tenant, name="Default", store_hash="bbb222")
    Dataflow.objects.create(
        connection=set_up,
        kind="product_match",
        options={"import_mode": "link_only", "overwrite_fields": ["name"], "other": 1},
    )
    Dataflow.objects.create(connection=default, kind="product_match", options={})
    stocked = Product.objects.create(tenant=tenant, sku="STOCKED", on_hand=4)
    pushed = Product.objects.create(tenant=tenant, sku="PUSHED", on_hand=0)
    ProductLink.objects.create(
        connection=set_up, product=pushed, bc_product_id=1, bc_variant_id=1, last_pushed_quantity=0
    )
    new = Product.objects.create(tenant=tenant, sku="FROM-MATCH", on_hand=0)

    try:
        apps = migrate()
        Settings = apps.get_model("catalog", "ProductImportSettings")
        Dataflow = apps.get_model("dataflows", "Dataflow")
        Product = apps.get_model("catalog", "Product")

        settings = Settings.objects.get()
        assert settings.connection_id == set_up.pk
        assert (settings.import_mode, settings.overwrite_fields) == ("link_only", ["name"])
        assert Dataflow.objects.get(connection_id=set_up.pk).options == {"other": 1}
        assert Product.objects.get(pk=stocked.pk).stock_set_at is not None
        assert Product.objects.get(pk=pushed.pk).stock_set_at is not None
        assert Product.objects.get(pk=new.pk).stock_set_at is None
    finally:
        migrate()
