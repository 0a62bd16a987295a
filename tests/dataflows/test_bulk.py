from decimal import Decimal

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Product
from connections.models import Tenant
from dataflows.bulk import StatisticsKeeper, db_datetime, insert_rows, update_rows, upsert_rows

pytestmark = pytest.mark.django_db

COLUMNS = (
    "tenant_id",
    "sku",
    "name",
    "ean",
    "upc",
    "mpn",
    "description",
    "price",
    "on_hand",
    "manual_reserved",
    "reserved_by_orders",
    "created_at",
    "updated_at",
)


def _rows(tenant, skus, *, name="", price=None):
    now = timezone.now()
    return [(tenant.pk, sku, name, "", "", "", "", price, 0, 0, 0, now, now) for sku in skus]


def test_upsert_rows_inserts_updates_and_returns_the_ids_of_both():
    tenant = Tenant.objects.create(name="Acme")
    first = upsert_rows(
        Product,
        COLUMNS,
        _rows(tenant, ["A", "B"]),
        unique=("tenant_id", "sku"),
        update=("name",),
        returning=("sku", "id"),
    )
    ids = dict(first)
    again = upsert_rows(
        Product,
        COLUMNS,
        _rows(tenant, ["B", "C"], name="new", price=Decimal("1.5")),
        unique=("tenant_id", "sku"),
        update=("name", "price"),
        returning=("sku", "id"),
    )
    assert dict(again)["B"] == ids["B"]
    assert Product.objects.get(sku="B").name == "new"
    assert Product.objects.get(sku="C").price == Decimal("1.5")
    assert Product.objects.count() == 3


def test_upsert_rows_keeps_the_last_of_two_rows_with_one_key():
    tenant = Tenant.objects.create(name="Acme")
    rows = [*_rows(tenant, ["A"], name="first"), *_rows(tenant, ["A"], name="last")]
    upsert_rows(Product, COLUMNS, rows, unique=("tenant_id", "sku"), update=("name",))
    assert list(Product.objects.values_list("name", flat=True)) == ["last"]


def test_insert_and_update_rows_write_more_rows_than_one_statement_holds():
    tenant = Tenant.objects.create(name="Acme")
    now = db_datetime(timezone.now())
    insert_rows(
        Product,
        [c for c in COLUMNS if c != "price"],
        [(tenant.pk, f"S{n}", "", "", "", "", "", 0, 0, 0, now, now) for n in range(1300)],
    )
    pks = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    update_rows(Product, ["on_hand", "name"], [(n, f"n{n}", pk) for n, pk in enumerate(pks)])
    assert Product.objects.count() == 1300
    assert Product.objects.get(pk=pks[1299]).on_hand == 1299
    assert Product.objects.get(pk=pks[700]).name == "n700"


def test_a_value_longer_than_its_column_is_refused_not_cut():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not check text lengths")
    import psycopg

    tenant = Tenant.objects.create(name="Acme")
    with pytest.raises((DatabaseError, psycopg.Error)):
        upsert_rows(
            Product,
            COLUMNS,
            _rows(tenant, ["A"], name="x" * 501),
            unique=("tenant_id", "sku"),
            update=("name",),
        )


def _analyzes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_the_statistics_keeper_analyzes_once_the_rows_written_reach_what_the_table_held():
    tenant = Tenant.objects.create(name="Stats")
    keeper = StatisticsKeeper([Product], first_after=1000)
    insert_rows(Product, COLUMNS, _rows(tenant, [f"SKU-{n}" for n in range(1500)]))

    with CaptureQueriesContext(connection) as small:
        keeper.grew(by=999)
    with CaptureQueriesContext(connection) as grown:
        keeper.grew(by=501)
    with CaptureQueriesContext(connection) as after:
        keeper.grew(by=1000)  # less than the 1,500 rows the table held at the last ANALYZE

    assert _analyzes(small) == [] and _analyzes(after) == []
    assert _analyzes(grown) == ['ANALYZE "catalog_product"']
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'catalog_product'")
        assert cursor.fetchone()[0] >= 1500


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite plans without them")
def test_the_statistics_keeper_does_nothing_on_sqlite():
    keeper = StatisticsKeeper([Product], first_after=1)
    with CaptureQueriesContext(connection) as queries:
        keeper.grew(by=5000)
    assert queries.captured_queries == []


def test_bulk_writes_store_datetimes_as_the_orm_does_whatever_their_time_zone():
    from datetime import datetime, timedelta
    from datetime import timezone as dt_timezone

    tenant = Tenant.objects.create(name="Acme")
    berlin = dt_timezone(timedelta(hours=1))
    when = datetime(2024, 3, 1, 10, 0, 0, 123456, tzinfo=berlin)
    rows = _rows(tenant, ["A"])
    rows[0] = (*rows[0][:-2], when, when.replace(microsecond=0))
    upsert_rows(Product, COLUMNS, rows, unique=("tenant_id", "sku"), update=("name",))
    Product.objects.filter(pk=Product.objects.create(tenant=tenant, sku="B").pk).update(
        created_at=when
    )

    a, b = Product.objects.get(sku="A"), Product.objects.get(sku="B")
    assert a.created_at == when == b.created_at
    assert a.updated_at == when.replace(microsecond=0)
    assert Product.objects.filter(created_at__lt=when + timedelta(microseconds=1)).count() == 2


def test_a_bulk_write_the_database_refuses_raises_djangos_error():
    from django.db import IntegrityError

    tenant = Tenant.objects.create(name="Acme")
    with pytest.raises(IntegrityError):
        insert_rows(Product, COLUMNS, _rows(tenant, ["A", "A"]))
