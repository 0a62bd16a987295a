"""`make bench`, group "order_update": Order Update of 1,000 shipments (one POST each, the
floor: BigCommerce has no batch endpoint) into a fresh SQLite database, in a child process.

The set-up (not measured) imports a sandbox store at an unthrottled quota and records one
shipment per open order; the update then runs at `quota` requests per `window_ms` (a
shortened window, 150 per second by default, so the bench stays short; the figures name it)
with `latency_ms` of BigCommerce answer time per request. The floor is requests / quota
windows; `wall_to_floor` the ratio (goal <= 1.10).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from connections.bigcommerce.sandbox.process import sandbox_control

from .databases import BenchDatabases
from .order_import import REPO, _env, _run_django

SHIPMENTS = 1000
QUOTA = 150
WINDOW_MS = 1000
SETUP_QUOTA = 100000
ORDER_STATUSES = (11,)  # Awaiting Fulfillment: open orders the warehouse ships


def figures(
    sandbox,
    *,
    shipments: int = SHIPMENTS,
    quota: int = QUOTA,
    window_ms: int = WINDOW_MS,
    latency_ms: int = 0,
    concurrency: int | None = None,
) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-order-update-"))
    databases = BenchDatabases(workdir, postgres_url=None, migrate=_run_django)
    try:
        sandbox.control(
            "POST",
            "reset",
            {
                "orders": int(shipments * 2.6) + 50,
                "quota": SETUP_QUOTA,
                "window_ms": 30000,
                "latency_ms": 0,
            },
        )
        args = [
            "--api-url",
            sandbox.url,
            "--store-hash",
            sandbox.store_hash,
            "--token",
            sandbox.token,
            "--shipments",
            str(shipments),
            "--quota",
            str(quota),
            "--window-ms",
            str(window_ms),
            "--latency-ms",
            str(latency_ms),
        ]
        env = _env(databases.fresh("sqlite"))
        if concurrency:
            env["ORDER_UPDATE_CONCURRENCY"] = str(concurrency)
        code = "import django; django.setup(); import orders.benchmarks.order_update as m; m.main()"
        done = subprocess.run(
            [sys.executable, "-c", code, *args], cwd=REPO, env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"order update benchmark child failed:\n{done.stderr[-3000:]}")
        child = json.loads(done.stdout.strip().splitlines()[-1])
        served = sandbox.control("GET", "stats")
    finally:
        databases.close()
        shutil.rmtree(workdir, ignore_errors=True)
    floor_s = child["requests"] / quota * window_ms / 1000
    posts = served.get("endpoints", {}).get("POST /v2/orders/{id}/shipments", 0)
    return {
        **child,
        "quota": quota,
        "window_ms": window_ms,
        "latency_ms": latency_ms,
        "window_note": "shortened window (BigCommerce's is 30 s): the floor scales with it",
        "requests_per_shipment": round(child["requests"] / max(1, child["shipments"]), 3),
        "posts_served": posts,
        "floor_s": round(floor_s, 3),
        "wall_to_floor": round(child["wall_s"] / floor_s, 3) if floor_s else None,
        "http_429_served": served.get("http_429", 0),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    for name in ("--api-url", "--store-hash", "--token"):
        parser.add_argument(name, required=True)
    for name, default in (
        ("--shipments", SHIPMENTS),
        ("--quota", QUOTA),
        ("--window-ms", WINDOW_MS),
        ("--latency-ms", 0),
    ):
        parser.add_argument(name, type=int, default=default)
    args = parser.parse_args(argv)

    from catalog.models import Product
    from connections.bigcommerce.client import BigCommerceClient
    from connections.bigcommerce.ratelimit import LocalQuotaGate
    from connections.models import Connection, Tenant
    from dataflows.models import Dataflow
    from dataflows.services import dataflow_run_foreground, dataflows_create_for_connection
    from orders.flows import ORDER_IMPORT, ORDER_UPDATE
    from orders.flows.shipment_sender import order_update_concurrency
    from orders.models import Order
    from orders.services import shipment_create

    tenant = Tenant.objects.create(name=f"Bench {time.time_ns()}")
    connection = Connection.objects.create(
        tenant=tenant,
        name="Bench store",
        store_hash=args.store_hash,
        access_token=args.token,
        order_status_filter=list(ORDER_STATUSES),
        allow_partial_shipments=True,
    )
    dataflows_create_for_connection(connection=connection)
    inventory = sandbox_control(args.api_url, "GET", f"stores/{args.store_hash}/inventory")
    skus = {(v["sku"] or "").strip() for v in inventory["variants"].values()} - {""}
    Product.objects.bulk_create([Product(tenant=tenant, sku=s, on_hand=10**6) for s in skus])

    def client():
        return BigCommerceClient(
            store_hash=args.store_hash,
            access_token=args.token,
            api_url=args.api_url,
            quota_gate=LocalQuotaGate(),
        )

    with client() as c:
        dataflow_run_foreground(
            dataflow=Dataflow.objects.get(connection=connection, kind=ORDER_IMPORT), client=c
        )
    orders = list(
        Order.objects.filter(connection=connection, hub_status=Order.HubStatus.OPEN)
        .order_by("pk")
        .only("pk")[: args.shipments]
    )
    for n, order in enumerate(orders):
        shipment_create(order=order, tracking_number=f"BENCH{n:06d}", tracking_carrier="ups")
    sandbox_control(
        args.api_url,
        "POST",
        "config",
        {"quota": args.quota, "window_ms": args.window_ms, "latency_ms": args.latency_ms},
    )
    sandbox_control(args.api_url, "POST", "stats/reset")
    update = Dataflow.objects.select_related("connection").get(
        connection=connection, kind=ORDER_UPDATE
    )
    with client() as c:
        started = time.monotonic()
        run = dataflow_run_foreground(dataflow=update, client=c)
        wall = time.monotonic() - started
        http_429 = c.stats.http_429
    run.refresh_from_db()
    print(
        json.dumps(
            {
                "shipments": len(orders),
                "sent": run.created,
                "failed": run.failed,
                "status": run.status,
                "requests": run.api_requests,
                "concurrency": order_update_concurrency(),
                "wall_s": round(wall, 3),
                "http_429": http_429,
            }
        )
    )
    sys.stdout.flush()
