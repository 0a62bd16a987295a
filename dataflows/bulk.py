"""Bulk writes for the apps' flows: plain `INSERT` / `UPDATE` / upsert statements run with
`executemany`, without building a model instance and compiling SQL per row (the ORM's
bulk_create spends most of a page of orders or products on that).

`insert_rows` and `update_rows` take values the database takes as they are (ints, strings,
Decimals, None, datetimes adapted with `db_datetime`); `upsert_rows` prepares the values of
each column through its field."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import partial

from django.db import connection as db_connection
from django.db import connections, router

_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "TextField",
    }
)


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


def upsert_rows(model, columns, rows, *, unique, update) -> None:
    """`INSERT … ON CONFLICT (unique) DO UPDATE SET …` of many rows in one `executemany`.

    What `bulk_create(update_conflicts=True)` does, without building a model instance and
    compiling SQL per row and field (that is most of the time of a page of 250 orders): plain
    values pass as they are, the others (dates, decimals, JSON) through their field's own
    database preparation. `columns` are attnames, `rows` tuples in that order."""
    if not rows:
        return
    db = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(c) for c in columns]  # attnames work too
    prepare = [_preparer(f, db) for f in fields]
    if any(prepare):
        rows = [
            tuple(v if p is None else p(v) for v, p in zip(row, prepare, strict=True))
            for row in rows
        ]
    quote = db.ops.quote_name
    names = [f.column for f in fields]
    by_attname = {f.attname: f.column for f in fields}
    head = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) VALUES "
    )
    tail = (
        f" ON CONFLICT ({', '.join(quote(by_attname[c]) for c in unique)}) DO UPDATE SET "
        + ", ".join(f"{quote(by_attname[c])} = EXCLUDED.{quote(by_attname[c])}" for c in update)
    )
    one = f"({', '.join(['%s'] * len(names))})"
    sql = head + one + tail
    if db.vendor == "postgresql":
        # Django's psycopg cursors bind on the client (the values are quoted into the SQL
        # text in Python); a server-binding cursor sends them apart, pipelined.
        import psycopg

        db.ensure_connection()
        with psycopg.Cursor(db.connection) as cursor:
            cursor.executemany(sql, rows)
        return
    with db.cursor() as cursor:
        cursor.executemany(sql, rows)


def _preparer(field, db):
    kind = field.get_internal_type()
    if kind in _PLAIN_TYPES:
        return None
    if kind == "DecimalField":  # values are Decimals already
        return partial(
            db.ops.adapt_decimalfield_value,
            max_digits=field.max_digits,
            decimal_places=field.decimal_places,
        )
    if kind == "DateTimeField":  # values are aware datetimes already
        return db.ops.adapt_datetimefield_value
    if kind == "JSONField" and field.encoder is None and db.vendor in ("sqlite", "postgresql"):
        # JSON text (the column's type casts it on PostgreSQL): compact, and once.
        return _json_text
    return partial(_prep, field, db)


class JsonText(str):
    """A JSON column's value already encoded (compact): `upsert_rows` stores it as it is."""


def _json_text(value) -> str:
    if isinstance(value, JsonText):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _prep(field, db, value):
    return field.get_db_prep_save(value, db)


def tables_analyze(models: Iterable) -> None:
    """Refresh PostgreSQL's planner statistics of the models' tables after a bulk load (e.g. a
    first Product Match): with stale statistics a keyset query can be planned as a sort of
    the whole table per page instead of an ordered index scan. SQLite plans from the index
    either way; other databases are left alone."""
    if db_connection.vendor != "postgresql":
        return
    with db_connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {_quote(model._meta.db_table)}")
