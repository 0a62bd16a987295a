"""The read paths at scale: the CONNECTIONS list with many connections, the orders list (HTML
and REST) with many orders, order errors filtered by connection. Rows are written with one
INSERT … SELECT per table (generate_series on PostgreSQL, a recursive CTE on SQLite); each
screen is then requested (queries, ms) and its main query's plan printed (PostgreSQL:
EXPLAIN (ANALYZE, BUFFERS)). Run as a benchmark child (`main`) or by the tests."""

import argparse
import json
import time

from django.contrib.auth import get_user_model
from django.db import connection as db
from django.db import models, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from connections.models import Connection, Membership, Tenant
from dataflows.benchmarks.scheduler import connections_build

from ..models import Order, OrderError, OrderLine
from ..selectors import order_error_list, order_list

ERROR_EVERY = 50  # one order in 50 has an open error, one in 150 a resolved one


def _series(count: int) -> str:
    """A FROM item yielding `g.i` = 1..count."""
    if db.vendor == "postgresql":
        return f"generate_series(1, {int(count)}) AS g(i)"
    return (
        f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {int(count)})"
        " SELECT i FROM s) AS g"
    )


def _minutes_ago(expr: str) -> str:
    if db.vendor == "postgresql":
        return f"(now() - ({expr}) * interval '1 minute')"
    return f"datetime('now', '-' || ({expr}) || ' minutes')"


def _insert_select(model, expressions: dict[str, str], from_sql: str, params=()) -> None:
    """INSERT INTO model's table every concrete column: `expressions` (SQL) where given, the
    field's default (a parameter) for the rest, so that a column added later still gets one."""
    columns, values, args = [], [], []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.AutoField):
            continue
        columns.append(db.ops.quote_name(field.column))
        if field.attname in expressions:
            values.append(expressions[field.attname])
            continue
        if field.null and not field.has_default():
            values.append("NULL")
            continue
        default = field.get_default()
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = timezone.now()
        values.append("%s")
        args.append(field.get_db_prep_save(default, connection=db))
    sql = (
        f"INSERT INTO {db.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {from_sql}"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [*args, *params])


def orders_build(*, tenant: Tenant, count: int, lines_each: int = 1) -> None:
    """`count` orders spread over the tenant's connections (newest first by bc id), a line
    each, and open and resolved order errors on some of them."""
    ids = list(Connection.objects.filter(tenant=tenant).order_by("pk").values_list("pk", flat=True))
    first, n = ids[0], len(ids)
    assert ids[-1] - first + 1 == n, "the bench's connections have consecutive ids"
    start = Order.objects.filter(tenant=tenant).aggregate(m=models.Max("bc_order_id"))["m"] or 0
    i = f"(g.i + {start})"
    with transaction.atomic():
        _insert_select(
            Order,
            {
                "tenant_id": str(tenant.pk),
                "connection_id": f"({first} + {i} %% {n})",
                "bc_order_id": i,
                "email": f"'buyer' || {i} || '@example.com'",
                "status_id": "11",
                "status_name": "'Awaiting Fulfillment'",
                "date_created": _minutes_ago(f"{start + count} - {i}"),
                "date_modified": _minutes_ago(f"{start + count} - {i}"),
                "currency_code": "'USD'",
                "items_total": "1",
            },
            _series(count),
        )
        since = f"orders_order.bc_order_id > {start}"
        for line_id in range(1, lines_each + 1):
            _insert_select(
                OrderLine,
                {
                    "order_id": "orders_order.id",
                    "bc_line_id": str(line_id),
                    "sku": f"'SKU-{line_id}'",
                    "quantity": "1",
                },
                f"orders_order WHERE orders_order.tenant_id = {tenant.pk} AND {since}",
            )
        for every, resolved in ((ERROR_EVERY, False), (ERROR_EVERY * 3 + 1, True)):
            _insert_select(
                OrderError,
                {
                    "connection_id": "orders_order.connection_id",
                    "order_id": "orders_order.id",
                    "bc_order_id": "orders_order.bc_order_id",
                    "code": "'unknown_sku'",
                    "message": "'The SKU SKU-1 is not a hub product.'",
                    "first_seen_at": "orders_order.date_created",
                    "last_seen_at": "orders_order.date_created",
                    "resolved_at": "orders_order.date_created" if resolved else "NULL",
                    "resolution": "'resolved'" if resolved else "''",
                },
                f"orders_order WHERE orders_order.tenant_id = {tenant.pk} AND {since} "
                f"AND orders_order.bc_order_id %% {every} = 0",
            )
    tables = "orders_order, orders_orderline, orders_ordererror"
    with db.cursor() as cursor:
        if db.vendor != "postgresql":
            cursor.execute("ANALYZE")
        elif db.in_atomic_block:  # a test's transaction: VACUUM cannot run there
            cursor.execute(f"ANALYZE {tables}")
        else:  # as autovacuum leaves a table: counts read the index only
            cursor.execute(f"VACUUM ANALYZE {tables}")


def viewer_for(tenant: Tenant):
    user, _ = get_user_model().objects.get_or_create(username=f"bench-viewer-{tenant.pk}")
    Membership.objects.get_or_create(tenant=tenant, user=user, role=Membership.Role.VIEWER)
    return user


def _get(client, url, **extra) -> dict:
    started = time.perf_counter()
    with CaptureQueriesContext(db) as queries:
        response = client.get(url, HTTP_HOST="localhost", **extra)
    assert response.status_code == 200, (url, response.status_code)
    return {"queries": len(queries), "ms": round((time.perf_counter() - started) * 1000, 2)}


def screens(*, tenant: Tenant, user) -> dict:
    """Each screen and API list once warmed up: its queries and milliseconds."""
    browser = Client()
    browser.force_login(user)
    token, _ = Token.objects.get_or_create(user=user)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    connection = Connection.objects.filter(tenant=tenant).order_by("pk").first()
    urls = {
        "connections_html": (browser, "/connections/"),
        "dashboard_html": (browser, "/"),
        "orders_html": (browser, "/orders/"),
        "orders_api": (api, "/api/v1/orders/"),
        "order_errors_of_a_connection_html": (
            browser,
            f"/orders/errors/?connection={connection.pk}",
        ),
        "order_errors_of_a_connection_api": (
            api,
            f"/api/v1/order-errors/?connection={connection.pk}&state=open",
        ),
    }
    out = {}
    for name, (client, url) in urls.items():
        _get(client, url)  # warm-up: sessions, content types, templates
        out[name] = _get(client, url)
    return out


def main_queries(*, tenant: Tenant, user) -> dict:
    """The three queries that grow with the data, as the screens run them."""
    connection = Connection.objects.filter(tenant=tenant).order_by("pk").first()
    from connections.selectors import connection_list

    return {
        "connections_list": connection_list(user=user, tenant=tenant).order_by("name", "id"),
        "orders_list_page": order_list(user=user, tenant=tenant)[:50],
        "order_errors_of_a_connection_page": order_error_list(
            user=user, tenant=tenant, filters={"connection": connection.pk, "state": "open"}
        )[:50],
    }


def plans(*, tenant: Tenant, user) -> dict:
    out = {}
    for name, queryset in main_queries(tenant=tenant, user=user).items():
        started = time.perf_counter()
        list(queryset)
        ms = round((time.perf_counter() - started) * 1000, 2)
        if db.vendor == "postgresql":
            plan = queryset.explain(analyze=True, buffers=True)
        else:
            plan = queryset.explain()
        out[name] = {"ms": ms, "plan": plan.splitlines()}
    return out


def figures(*, connections: int, orders: int) -> dict:
    started = time.perf_counter()
    tenant = connections_build(count=connections, runs_each=0, tenant_name="Read paths")
    orders_build(tenant=tenant, count=orders)
    build_s = round(time.perf_counter() - started, 1)
    user = viewer_for(tenant)
    return {
        "vendor": db.vendor,
        "connections": connections,
        "orders": Order.objects.filter(tenant=tenant).count(),
        "order_errors": OrderError.objects.filter(connection__tenant=tenant).count(),
        "build_s": build_s,
        "screens": screens(tenant=tenant, user=user),
        "queries": plans(tenant=tenant, user=user),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=100000)
    args = parser.parse_args()
    print(json.dumps(figures(connections=args.connections, orders=args.orders)))
