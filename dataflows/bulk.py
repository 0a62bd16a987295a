"""TEMPORARY copy of orders' upsert_rows (the catalog engineer writes the real dataflows/bulk.py;
the lead drops this commit at merge)."""

import json
from functools import partial

from django.db import connections, router

# Column types whose Python values go to the database as they are.
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


def _json_text(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _prep(field, db, value):
    return field.get_db_prep_save(value, db)
