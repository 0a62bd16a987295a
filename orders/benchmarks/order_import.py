"""`make bench`, group "order_import": Order Import of a sandbox store into a fresh database,
in a child process per store size (its peak RSS is the importer's alone), then a second run
with nothing changed, then Order Update of 1,000 shipments.

`figures(sandbox, sizes=..., quota=..., window_ms=...)` is called by the bench command with a
running `SandboxProcess`; `main()` is the child. The database is a fresh SQLite file per size
(migrated once, copied), unless `--database-url` names another one.

The floor is what the store's rate limit allows: requests / quota windows. The goal is a wall
time of at most 1.10 x the floor, so the window used matters: the default is BigCommerce's own
(150 requests / 30 s). Order Update posts one request per shipment, so its 1,000 POSTs run in a
shortened window (1 s) to keep the bench short; both windows are in the figures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from connections.bigcommerce.sandbox.process import peak_rss_mb, sandbox_control

REPO = Path(__file__).resolve().parents[2]
PAGE = 250
IMPORT_STATUSES = (11, 5)
UPDATE_SHIPMENTS = 1000
UPDATE_WINDOW_MS = 1000


# ----------------------------------------------------------------------------- parent side


def figures(
    sandbox,
    *,
    sizes=(5000, 20000),
    quota: int = 150,
    window_ms: int = 30000,
    shipments: int = UPDATE_SHIPMENTS,
    update_window_ms: int = UPDATE_WINDOW_MS,
    database_url: str | None = None,
) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-order-import-"))
    try:
        template = None
        if database_url is None:
            template = workdir / "template.sqlite3"
            _run_django(["migrate", "--noinput"], database_url=f"sqlite:///{template}")
        result = {
            "quota": quota,
            "window_ms": window_ms,
            "window_note": "BigCommerce's own window (Standard/Plus: 150 requests / 30 s); the "
            "whole import fits in one window's quota, so pacing never waits and the floor is "
            "the sustained rate the limit allows",
            "statuses": list(IMPORT_STATUSES),
        }
        for size in sorted(sizes):
            sandbox.control(
                "POST",
                "reset",
                {"orders": size, "quota": quota, "window_ms": window_ms, "latency_ms": 0},
            )
            url = database_url
            if template is not None:
                db = workdir / f"orders_{size}.sqlite3"
                shutil.copyfile(template, db)
                url = f"sqlite:///{db}"
            last = size == max(sizes)
            child = _child(
                sandbox,
                database_url=url,
                shipments=shipments if last else 0,
                update_window_ms=update_window_ms,
            )
            served = sandbox.control("GET", "stats")
            first = child["first_run"]
            floor_requests = child["floor_requests"]
            floor_s = first["requests"] / quota * window_ms / 1000
            entry = {
                "orders_in_store": size,
                "orders_in_filter": child["orders_in_filter"],
                "orders_imported": first["created"],
                "orders_with_errors": first["failed"],
                "requests": first["requests"],
                "requests_floor": floor_requests,
                "requests_per_1000_orders": round(
                    first["requests"] * 1000 / child["orders_in_filter"], 2
                ),
                "requests_floor_per_1000_orders": round(
                    floor_requests * 1000 / child["orders_in_filter"], 2
                ),
                "wall_s": first["wall_s"],
                "floor_s": round(floor_s, 3),
                "wall_to_floor": round(first["wall_s"] / floor_s, 3) if floor_s else None,
                "hub_ms_per_page": first["hub_ms_per_page"],
                "http_429": first["http_429"],
                "http_429_served": served.get("http_429", 0),
                "peak_rss_mb": child["peak_rss_mb"],
                "second_run": child["second_run"],
            }
            result[f"store_of_{size}_orders"] = entry
            if "order_update" in child:
                result["order_update"] = child["order_update"]
        rss = [result[f"store_of_{s}_orders"]["peak_rss_mb"] for s in sorted(sizes)]
        result["peak_rss_growth_mb"] = round(rss[-1] - rss[0], 1)
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _env(database_url: str | None) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "integrationhub.settings"}
    env.pop("REDIS_URL", None)  # one process: the in-process quota gate
    if database_url:
        env["DATABASE_URL"] = database_url
    env.setdefault("LOG_LEVEL", "WARNING")
    return env


def _run_django(args, *, database_url):
    subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env=_env(database_url),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _child(sandbox, *, database_url, shipments, update_window_ms) -> dict:
    code = "import django; django.setup(); import orders.benchmarks.order_import as m; m.main()"
    args = [
        "--api-url",
        sandbox.url,
        "--store-hash",
        sandbox.store_hash,
        "--token",
        sandbox.token,
        "--shipments",
        str(shipments),
        "--update-window-ms",
        str(update_window_ms),
    ]
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=_env(database_url),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"order import benchmark child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- child side


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--store-hash", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--shipments", type=int, default=0)
    parser.add_argument("--update-window-ms", type=int, default=UPDATE_WINDOW_MS)
    args = parser.parse_args(argv)

    from django.db import connection as db
    from django.db.models import Max

    from catalog.models import Product
    from connections.bigcommerce.client import BigCommerceClient
    from connections.bigcommerce.ratelimit import LocalQuotaGate
    from connections.models import Connection, Tenant
    from dataflows.models import Dataflow
    from dataflows.services import dataflow_run_foreground, dataflows_create_for_connection
    from orders.flows import ORDER_IMPORT, ORDER_UPDATE
    from orders.models import Order
    from orders.services import shipment_create

    # Set-up (not measured): a tenant, a connection to the store, a hub product per SKU.
    # A database used before (--database-url) may hold an earlier bench's connection.
    Connection.objects.filter(store_hash=args.store_hash).update(status=Connection.Status.INACTIVE)
    tenant = Tenant.objects.create(name=f"Bench {time.time_ns()}")
    connection = Connection.objects.create(
        tenant=tenant, name="Bench store", store_hash=args.store_hash, access_token=args.token
    )
    dataflows_create_for_connection(connection=connection)
    inventory = sandbox_control(args.api_url, "GET", f"stores/{args.store_hash}/inventory")
    skus = {(v["sku"] or "").strip() for v in inventory["variants"].values()} - {""}
    Product.objects.bulk_create([Product(tenant=tenant, sku=s, on_hand=10**6) for s in skus])
    gate = LocalQuotaGate()

    def client():
        return BigCommerceClient(
            store_hash=args.store_hash,
            access_token=args.token,
            api_url=args.api_url,
            quota_gate=gate,
        )

    counter = client()
    in_filter = floor = 0
    for status_id in IMPORT_STATUSES:
        n = counter.count_orders(status_id=status_id)
        in_filter += n
        floor += max(1, math.ceil(n / PAGE))
    counter.close()
    sandbox_control(args.api_url, "POST", "stats/reset")
    dataflow = Dataflow.objects.select_related("connection").get(
        connection=connection, kind=ORDER_IMPORT
    )

    def import_once():
        c = client()
        started = time.monotonic()
        run = dataflow_run_foreground(dataflow=dataflow, client=c)
        wall = time.monotonic() - started
        run.refresh_from_db()
        figures = {
            "status": run.status,
            "requests": run.api_requests,
            "created": run.created,
            "updated": run.updated,
            "skipped": run.skipped,
            "failed": run.failed,
            "http_429": c.stats.http_429,
            "wall_s": round(wall, 3),
        }
        c.close()
        return figures

    first = import_once()
    pages = max(1, first["requests"] - 1)
    first["hub_ms_per_page"] = round(first["wall_s"] * 1000 / pages, 1)
    peak = peak_rss_mb()
    last_write = Order.objects.aggregate(m=Max("updated_at"))["m"]
    second = import_once()
    second["orders_written"] = (
        Order.objects.filter(updated_at__gt=last_write).count() + (second["created"])
    )
    result = {
        "orders_in_filter": in_filter,
        "floor_requests": floor,
        "first_run": first,
        "second_run": {
            k: second[k] for k in ("status", "requests", "orders_written", "wall_s", "skipped")
        },
        "peak_rss_mb": peak,
        "database": db.vendor,
    }

    if args.shipments:
        sandbox_control(
            args.api_url, "POST", "config", {"window_ms": args.update_window_ms, "quota": 150}
        )
        orders = list(
            Order.objects.filter(connection=connection, hub_status=Order.HubStatus.OPEN)
            .order_by("pk")
            .only("pk")[: args.shipments]
        )
        for n, order in enumerate(orders):
            shipment_create(order=order, tracking_number=f"BENCH{n:06d}", tracking_carrier="ups")
        sandbox_control(args.api_url, "POST", "stats/reset")
        update = Dataflow.objects.select_related("connection").get(
            connection=connection, kind=ORDER_UPDATE
        )
        gate = LocalQuotaGate()  # the window changed: nothing known about the new one
        c = client()
        started = time.monotonic()
        run = dataflow_run_foreground(dataflow=update, client=c)
        wall = time.monotonic() - started
        run.refresh_from_db()
        served = sandbox_control(args.api_url, "GET", "stats")
        result["order_update"] = {
            "shipments": len(orders),
            "sent": run.created,
            "failed": run.failed,
            "requests": run.api_requests,
            "requests_per_shipment": round(run.api_requests / max(1, len(orders)), 3),
            "posts_served": served.get("endpoints", {}).get("POST /v2/orders/{id}/shipments", 0),
            "quota": 150,
            "window_ms": args.update_window_ms,
            "wall_s": round(wall, 3),
            "floor_s": round(run.api_requests / 150 * args.update_window_ms / 1000, 3),
            "http_429": c.stats.http_429,
        }
        c.close()
    print(json.dumps(result))
    sys.stdout.flush()
