"""Bulk writes for the apps' flows: plain `INSERT` / `UPDATE` / upsert statements, without
building a model instance and compiling SQL per row (the ORM's bulk_create spends most of a
page of orders or products on that).

Set-based statements: on PostgreSQL one statement whatever the number of rows (a column's
values in one array, `unnest`), on SQLite multi-row statements of up to 512 rows; not one
statement per row. `insert_rows` and `update_rows` take values the
database takes as they are (ints, strings, Decimals, None, datetimes adapted with
`db_datetime`); `upsert_rows` prepares the values of each column through its field."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import UTC
from functools import partial

import orjson
from django.conf import settings
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


# SQLite: rows per multi-row statement at most (and the placeholders within the library's
# limit). PostgreSQL takes any number of rows in one statement (one array a column).
_ROWS_PER_STATEMENT = 512
_MAX_PARAMS = 32000


def _sqlite_chunks(db, rows: list, width: int):
    """Multi-row VALUES lists of a power-of-two number of rows: a handful of distinct
    statements per table, so the driver's statement cache stays small (a compiled statement
    of hundreds of rows is large)."""
    import sqlite3

    db.ensure_connection()
    try:
        limit = min(_MAX_PARAMS, db.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except AttributeError:  # Python < 3.11
        limit = db.features.max_query_params or 999
    size = 1 << (max(1, min(_ROWS_PER_STATEMENT, limit // max(1, width))).bit_length() - 1)
    one = f"({', '.join(['?'] * width)})"
    start = 0
    while start < len(rows):
        while size > len(rows) - start:
            size >>= 1
        chunk = rows[start : start + size]
        start += size
        yield ", ".join([one] * len(chunk)), [v for row in chunk for v in row]


def pg_base_type(field, db) -> str:
    """The field's PostgreSQL type without its modifiers (`varchar`, not `varchar(255)`)."""
    return re.sub(r"\(.*\)", "", field.cast_db_type(db)).strip()


def _pg_arrays(db, fields, rows: list) -> tuple[str, list]:
    """`unnest(%s::type[], …)` of the rows' columns: one small statement whatever the number of
    rows (psycopg parses and PostgreSQL plans it once, then it is prepared). The arrays take
    each column's base type (`varchar`, `numeric`): the column itself then checks lengths and
    precision when the row is stored, as a plain INSERT does (a cast to `varchar(n)` would cut
    a too-long value silently)."""
    types = [pg_base_type(f, db) + "[]" for f in fields]
    columns = [
        _one_type(f, list(column))
        for f, column in zip(fields, zip(*rows, strict=True), strict=True)
    ]
    # Binary arrays: psycopg's text arrays quote every element with a regular expression.
    return "unnest(" + ", ".join(f"%b::{t}" for t in types) + ")", columns


def _one_type(field, values: list) -> list:
    """An array holds one type: a column mixing e.g. ints and Decimals gets its field's."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if len(kinds) <= 1:
        return values
    convert = field.to_python
    return [None if v is None else convert(v) for v in values]


@contextmanager
def _cursor(db):
    """The driver's own cursor, its errors raised as Django's. On PostgreSQL a server-binding
    one (Django's psycopg cursors quote every value into the SQL text in Python; psycopg's own
    sends them apart); on SQLite sqlite3's, the statements written with `?` (Django's cursor
    turns each `%s` of a 500-row statement into `?` with a regular expression)."""
    db.ensure_connection()
    with db.wrap_database_errors:
        if db.vendor == "postgresql":
            import psycopg

            with psycopg.Cursor(db.connection) as cursor:
                yield cursor
            return
        cursor = db.connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


def _fields_of_columns(model, columns):
    by_column = {f.column: f for f in model._meta.concrete_fields}
    return [by_column[c] for c in columns]


def insert_rows(
    model, columns: Sequence[str], rows: Iterable[Sequence], *, ignore_conflicts: bool = False
) -> None:
    """INSERT rows of `columns` (database column names) into the model's table: one statement
    on PostgreSQL, multi-row ones on SQLite."""
    rows = [tuple(row) for row in rows]
    if not rows:
        return
    db = connections[router.db_for_write(model)]
    quote = db.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    with _cursor(db) as cursor:
        if db.vendor == "postgresql":
            source, params = _pg_arrays(db, _fields_of_columns(model, columns), rows)
            cursor.execute(f"{head}SELECT * FROM {source}{tail}", params)
            return
        for values, params in _sqlite_chunks(db, rows, len(columns)):
            cursor.execute(f"{head}VALUES {values}{tail}", params)


def update_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """UPDATE `columns` (database column names) by primary key: each row is (value, ..., pk).
    One `UPDATE … FROM` statement on PostgreSQL, multi-row ones on SQLite."""
    rows = [tuple(row) for row in rows]
    if not rows:
        return
    db = connections[router.db_for_write(model)]
    quote = db.ops.quote_name
    pk = model._meta.pk.column
    names = [*columns, pk]
    table = quote(model._meta.db_table)
    assignments = ", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns)
    aliases = ", ".join(quote(c) for c in names)
    where = f"WHERE {table}.{quote(pk)} = v.{quote(pk)}"
    with _cursor(db) as cursor:
        if db.vendor == "postgresql":
            source, params = _pg_arrays(db, _fields_of_columns(model, names), rows)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {source} AS v ({aliases}) {where}", params
            )
            return
        for values, params in _sqlite_chunks(db, rows, len(names)):
            cursor.execute(
                f"WITH v ({aliases}) AS (VALUES {values}) "
                f"UPDATE {table} SET {assignments} FROM v {where}",
                params,
            )


def upsert_rows(model, columns, rows, *, unique, update, returning=()) -> list[tuple]:
    """`INSERT … ON CONFLICT (unique) DO UPDATE SET …` of many rows: one statement on
    PostgreSQL, multi-row ones on SQLite.

    What `bulk_create(update_conflicts=True)` does, without building a model instance and
    compiling SQL per row and field (that is most of the time of a page of 250 orders): plain
    values pass as they are, the others (dates, decimals, JSON) through their field's own
    database preparation. `columns` are attnames, `rows` tuples in that order. `returning`:
    attnames whose values of the inserted or updated rows are returned (in no set order)."""
    if not rows:
        return []
    db = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(c) for c in columns]  # attnames work too
    prepare = [_preparer(f, db) for f in fields]
    if any(prepare):
        rows = [
            tuple(v if p is None else p(v) for v, p in zip(row, prepare, strict=True))
            for row in rows
        ]
    else:
        rows = [tuple(row) for row in rows]
    # One statement cannot update a row twice: of rows with one key, the last one counts (as
    # when they were written one after another).
    key = [list(columns).index(c) for c in unique]
    rows = list({tuple(row[i] for i in key): row for row in rows}.values())
    quote = db.ops.quote_name
    names = [f.column for f in fields]
    column_of = {f.attname: f.column for f in fields}
    column_of.update({c: model._meta.get_field(c).column for c in returning})
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) "
    tail = (
        f" ON CONFLICT ({', '.join(quote(column_of[c]) for c in unique)}) DO UPDATE SET "
        + ", ".join(f"{quote(column_of[c])} = EXCLUDED.{quote(column_of[c])}" for c in update)
    )
    if returning:
        tail += " RETURNING " + ", ".join(quote(column_of[c]) for c in returning)
    found: list[tuple] = []
    with _cursor(db) as cursor:
        if db.vendor == "postgresql":
            source, params = _pg_arrays(db, fields, rows)
            statements = [(f"{head}SELECT * FROM {source}{tail}", params)]
        else:
            statements = [
                (f"{head}VALUES {values}{tail}", params)
                for values, params in _sqlite_chunks(db, rows, len(names))
            ]
        for sql, params in statements:
            cursor.execute(sql, params)
            if returning:
                found.extend(tuple(row) for row in cursor.fetchall())
    return found


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
        if db.vendor == "sqlite" and settings.USE_TZ and db.timezone_name == "UTC":
            return _sqlite_utc_text
        return db.ops.adapt_datetimefield_value
    if kind == "JSONField" and field.encoder is None and db.vendor in ("sqlite", "postgresql"):
        # JSON text (the column's type casts it on PostgreSQL): compact, and once.
        return _json_text
    return partial(_prep, field, db)


def _sqlite_utc_text(value):
    """What Django stores on SQLite for an aware datetime (its naive UTC text), without its
    checks per value (a fifth of a page's preparation)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return str(value)
    return str(value.astimezone(UTC).replace(tzinfo=None))


class JsonText(str):
    """A JSON column's value already encoded (compact): `upsert_rows` stores it as it is."""


def _json_text(value) -> str:
    if isinstance(value, JsonText):
        return str(value)
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson refuses (lone surrogates, huge integers) Python's json writes
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


class StatisticsKeeper:
    """Keeps PostgreSQL's planner statistics of the tables a run fills current while it fills
    them: `grew(by=rows)` after each page. A connection's first backfill starts before the
    statistics know of it (autovacuum analyzes long after): the planner then thinks the
    connection has a few orders and looks a page's ids up by walking all of them (37 ms a page
    at 90,000 orders, 0.5 ms with current statistics). ANALYZE runs each time the rows written
    since the last one reach what the table held then (1,000 at least): about log2(rows / 1,000)
    times a backfill, and never for a run that adds little to a large table."""

    def __init__(self, models: Iterable, *, first_after: int = 1000):
        self.models = list(models)
        self.first_after = first_after
        self._written = 0
        self._threshold: float | None = None

    def grew(self, *, by: int) -> None:
        if by <= 0 or db_connection.vendor != "postgresql":
            return
        self._written += by
        if self._threshold is None:
            self._threshold = max(self.first_after, self._rows_known())
        if self._written < self._threshold:
            return
        tables_analyze(self.models)
        self._written = 0
        self._threshold = max(self.first_after, self._rows_known())

    def _rows_known(self) -> float:
        """The first table's rows as its statistics have them (0 when never analyzed)."""
        with db_connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
                [self.models[0]._meta.db_table],
            )
            row = cursor.fetchone()
        return max(0.0, float(row[0])) if row else 0.0
