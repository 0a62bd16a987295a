"""Catalog services: products, the bulk stock set, and the debounced Changed Stock Update a
stock change triggers."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog import services
from catalog.kinds import CHANGED_STOCK_UPDATE
from catalog.models import Product, ProductImportSettings, ProductLink
from catalog.selectors import product_import_settings_get
from connections.models import Connection
from dataflows.models import Dataflow, Run
from tests.fixtures.tenants import make_connection


def link(connection, product, variant_id, tracking="variant"):
    return ProductLink.objects.create(
        connection=connection,
        product=product,
        bc_product_id=variant_id // 10,
        bc_variant_id=variant_id,
        bc_sku=product.sku if product else "",
        inventory_tracking=tracking,
    )


def changed_stock_runs(connection=None):
    runs = Run.objects.filter(dataflow__kind=CHANGED_STOCK_UPDATE)
    if connection is not None:
        runs = runs.filter(dataflow__connection=connection)
    return runs


@pytest.fixture
def sent(no_task_is_sent):
    """(run id, countdown) of every task sent."""
    return no_task_is_sent


# ----------------------------------------------------------------------------- products


def test_a_product_sku_is_stored_without_spaces_and_unique_per_tenant(tenant, other_tenant):
    product = services.product_create(tenant=tenant, sku="  AB-1 ", name="Mug")
    assert product.sku == "AB-1"
    assert services.product_create(tenant=other_tenant, sku="AB-1").sku == "AB-1"
    with pytest.raises(ValidationError) as exc:
        services.product_create(tenant=tenant, sku="AB-1")
    assert "already exists" in str(exc.value)
    with pytest.raises(ValidationError):
        services.product_create(tenant=tenant, sku="   ")


def test_available_is_on_hand_minus_manual_and_order_reservations(tenant):
    product = services.product_create(tenant=tenant, sku="A", on_hand=10, manual_reserved=3)
    Product.objects.filter(pk=product.pk).update(reserved_by_orders=4)
    product.refresh_from_db()
    assert product.available == 3


# ----------------------------------------------------------------------------- stock bulk


def test_bulk_stock_sets_every_known_sku_in_one_go(tenant, django_capture_on_commit_callbacks):
    a = services.product_create(tenant=tenant, sku="A", on_hand=1)
    b = services.product_create(tenant=tenant, sku="B", on_hand=5)

    with django_capture_on_commit_callbacks():
        result = services.stock_set_bulk(tenant=tenant, items=[("A", 7), ("B", 5)])

    assert (result.received, result.updated, result.unchanged, result.unknown) == (2, 1, 1, [])
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.on_hand, b.on_hand) == (7, 5)


def test_unknown_skus_reject_the_whole_request_by_default(tenant, other_tenant):
    services.product_create(tenant=tenant, sku="A", on_hand=1)
    services.product_create(tenant=other_tenant, sku="THEIRS", on_hand=1)

    with pytest.raises(services.UnknownSkus) as exc:
        services.stock_set_bulk(tenant=tenant, items=[("A", 9), ("NOPE", 1), ("THEIRS", 3)])

    assert exc.value.unknown == ["NOPE", "THEIRS"]
    assert Product.objects.get(sku="A").on_hand == 1  # nothing half-applied
    assert Product.objects.get(sku="THEIRS").on_hand == 1


def test_unknown_skus_can_be_skipped_and_reported(tenant):
    services.product_create(tenant=tenant, sku="A", on_hand=1)

    result = services.stock_set_bulk(
        tenant=tenant, items=[("A", 9), ("NOPE", 1)], on_unknown="skip"
    )

    assert result.unknown == ["NOPE"] and result.updated == 1
    assert Product.objects.get(sku="A").on_hand == 9


def test_thousands_of_items_take_a_few_queries(tenant, django_assert_max_num_queries):
    Product.objects.bulk_create(Product(tenant=tenant, sku=f"S{i}") for i in range(3000))
    items = [(f"S{i}", i) for i in range(3000)]

    with django_assert_max_num_queries(20):
        result = services.stock_set_bulk(tenant=tenant, items=items)

    assert result.updated == 2999
    assert Product.objects.get(sku="S2999").on_hand == 2999


# ----------------------------------------------------------------------------- the trigger


def test_a_stock_change_queues_one_debounced_push_per_linked_connection(
    tenant, connection, sent, django_capture_on_commit_callbacks, settings
):
    settings.CATALOG_STOCK_PUSH_DEBOUNCE_S = 45
    second = make_connection(tenant, name="Second store", store_hash="second2")
    unlinked = make_connection(tenant, name="Unlinked store", store_hash="unlinked3")
    product = services.product_create(tenant=tenant, sku="A")
    link(connection, product, 1001)
    link(second, product, 2001)

    with django_capture_on_commit_callbacks(execute=True):
        services.stock_set_bulk(tenant=tenant, items=[("A", 4)])

    runs = changed_stock_runs()
    assert {run.dataflow.connection_id for run in runs} == {connection.pk, second.pk}
    assert not changed_stock_runs(unlinked).exists()
    assert sorted(sent) == sorted((run.pk, 45) for run in runs)
    assert {run.status for run in runs} == {Run.Status.QUEUED}


def test_a_burst_of_stock_changes_becomes_one_queued_run(
    tenant, connection, sent, django_capture_on_commit_callbacks
):
    product = services.product_create(tenant=tenant, sku="A")
    link(connection, product, 1001)

    for quantity in (1, 2, 3, 4):
        with django_capture_on_commit_callbacks(execute=True):
            services.stock_set_bulk(tenant=tenant, items=[("A", quantity)])

    run = changed_stock_runs(connection).get()
    assert {run_id for run_id, _ in sent} == {run.pk}  # the waiting run, sent again


def test_nothing_is_queued_before_the_transaction_commits(
    tenant, connection, sent, django_capture_on_commit_callbacks
):
    product = services.product_create(tenant=tenant, sku="A")
    link(connection, product, 1001)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.product_update(product=product, on_hand=3)

    assert not changed_stock_runs().exists()
    assert len(callbacks) == 1


def test_no_push_for_an_unchanged_stock_or_a_data_only_edit(
    tenant, connection, sent, django_capture_on_commit_callbacks
):
    product = services.product_create(tenant=tenant, sku="A", on_hand=2)
    link(connection, product, 1001)

    with django_capture_on_commit_callbacks(execute=True):
        services.stock_set_bulk(tenant=tenant, items=[("A", 2)])
        services.product_update(product=product, name="New name")

    assert not changed_stock_runs().exists()


@pytest.mark.parametrize(
    "why",
    ["dataflow disabled", "connection inactive", "option off"],
)
def test_no_push_when_the_connection_does_not_want_it(
    tenant, connection, sent, django_capture_on_commit_callbacks, why
):
    dataflow = Dataflow.objects.get(connection=connection, kind=CHANGED_STOCK_UPDATE)
    if why == "dataflow disabled":
        dataflow.enabled = False
    elif why == "option off":
        dataflow.options = {"push_on_stock_change": False}
    dataflow.save()
    if why == "connection inactive":
        Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.INACTIVE)
    product = services.product_create(tenant=tenant, sku="A")
    link(connection, product, 1001)

    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(product=product, on_hand=3)

    assert not changed_stock_runs().exists()
    assert sent == []


def test_while_a_push_runs_the_next_one_waits_for_it_without_a_task(
    tenant, connection, sent, django_capture_on_commit_callbacks
):
    dataflow = Dataflow.objects.get(connection=connection, kind=CHANGED_STOCK_UPDATE)
    running = Run.objects.create(dataflow=dataflow, trigger="schedule", status="running")
    Dataflow.objects.filter(pk=dataflow.pk).update(
        lease_run=running, lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    product = services.product_create(tenant=tenant, sku="A")
    link(connection, product, 1001)

    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(product=product, on_hand=8)

    assert changed_stock_runs(connection).filter(status=Run.Status.QUEUED).count() == 1
    assert sent == []  # the running one hands over when it finishes


# ----------------------------------------------------------------- stock set by the warehouse


def test_a_product_match_product_has_no_warehouse_stock_until_it_is_sent(tenant):
    created = Product.objects.create(tenant=tenant, sku="FROM-BC")  # as Product Match does
    with_stock = services.product_create(tenant=tenant, sku="B", on_hand=0)
    without = services.product_create(tenant=tenant, sku="C", name="No stock yet")

    assert created.stock_set_at is None and without.stock_set_at is None
    assert with_stock.stock_set_at is not None


def test_sending_the_same_stock_the_first_time_marks_it_set_and_queues_a_push(
    tenant, connection, sent, django_capture_on_commit_callbacks
):
    product = services.product_create(tenant=tenant, sku="A")
    link(connection, product, 1001)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.stock_set_bulk(tenant=tenant, items=[("A", 0)])

    product.refresh_from_db()
    assert product.stock_set_at is not None
    assert (result.updated, result.unchanged) == (0, 1)  # the on-hand value did not change
    assert changed_stock_runs(connection).count() == 1
    first = product.stock_set_at

    with django_capture_on_commit_callbacks(execute=True):
        services.stock_set_bulk(tenant=tenant, items=[("A", 0)])
    product.refresh_from_db()
    assert product.stock_set_at == first  # an unchanged, already set stock writes nothing


def test_a_product_edit_with_its_on_hand_stock_marks_it_set(tenant, connection, sent):
    product = services.product_create(tenant=tenant, sku="A")

    services.product_update(product=product, name="Mug")
    assert Product.objects.get(pk=product.pk).stock_set_at is None
    services.product_update(product=product, on_hand=0)
    assert Product.objects.get(pk=product.pk).stock_set_at is not None


# ----------------------------------------------------------------------------- product import


def test_product_import_settings_are_created_on_first_save_with_checked_values(connection):
    settings = services.product_import_settings_update(
        connection=connection,
        import_mode="create_and_overwrite",
        overwrite_fields=["price", "name", "price"],
    )

    assert settings.pk is not None
    assert settings.overwrite_fields == ["name", "price"]  # one order, no repeats
    again = services.product_import_settings_update(connection=connection, import_mode="link_only")
    assert again.pk == settings.pk
    assert (again.import_mode, again.overwrite_fields) == ("link_only", ["name", "price"])


@pytest.mark.parametrize(
    "values,message",
    [
        ({"import_mode": "create_everything"}, "Import mode 'create_everything' is not known"),
        ({"overwrite_fields": ["sku"]}, "These fields cannot be overwritten: sku"),
        ({"overwrite_fields": "name"}, "Give a list of field names"),
    ],
)
def test_invalid_product_import_settings_are_refused_naming_the_field(connection, values, message):
    with pytest.raises(ValidationError) as refused:
        services.product_import_settings_update(connection=connection, **values)

    assert message in str(refused.value)
    assert not ProductImportSettings.objects.exists()


def test_the_defaults_apply_until_the_settings_are_saved(connection):
    settings = product_import_settings_get(connection=connection)

    assert settings.pk is None
    assert settings.import_mode == "create_only"
    assert "description" not in settings.overwrite_fields
