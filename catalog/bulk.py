"""Fast bulk writes for the catalog flows: plain `INSERT`/`UPDATE` statements run with
`executemany`, without building a model instance and compiling SQL per row (the ORM's
bulk_create spends most of a Product Match page on that). Values must already be what the
database takes: ints, strings, Decimals, None, and datetimes adapted with `db_datetime`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection as db_connection


def db_datetime(value):
    return db_connection.ops.adapt_datetimefield_value(value)


def _quote(name: str) -> str:
    return db_connection.ops.quote_name(name)


def insert_rows(
    model, columns: Sequence[str], rows: Iterable[Sequence], *, ignore_conflicts: bool = False
) -> None:
    """INSERT rows of `columns` (database column names) into the model's table."""
    rows = list(rows)
    if not rows:
        return
    table = _quote(model._meta.db_table)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(_quote(c) for c in columns)}) VALUES ({placeholders})"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    with db_connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def update_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """UPDATE `columns` by primary key: each row is (value, ..., pk)."""
    rows = list(rows)
    if not rows:
        return
    table = _quote(model._meta.db_table)
    assignments = ", ".join(f"{_quote(c)} = %s" for c in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE {_quote(model._meta.pk.column)} = %s"
    with db_connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def analyze_catalog_tables() -> None:
    """Refresh PostgreSQL's planner statistics of the catalog tables after a bulk load (e.g. a
    first Product Match): with stale statistics the stock walk's keyset query is planned as a
    sort of every link per page instead of an ordered index scan. SQLite plans it from the
    index either way; other databases are left alone."""
    if db_connection.vendor != "postgresql":
        return
    from .models import Product, ProductLink

    with db_connection.cursor() as cursor:
        for model in (ProductLink, Product):
            cursor.execute(f"ANALYZE {_quote(model._meta.db_table)}")
