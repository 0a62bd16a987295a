"""`make bench`, group "order_import": Order Import backfills of sandbox stores into a fresh
database, in a child process per run (its peak RSS is the importer's alone): per database
(SQLite always; PostgreSQL too when `DATABASE_URL` names one), per store size at the Standard
plan's quota, the largest again at the Pro plan's; a second run with nothing changed; Order
Update of 1,000 shipments; and the official client's usual pattern on the same store (peer).

The floor is what the store's rate limit allows: requests / quota windows. The import runs use
BigCommerce's real window (30 s): a backfill of 100,000 orders needs about 400 requests, more
than one Standard window (150), so the pacing waits are real. The peer's ~2 requests per order
run in a shortened window (`peer_window_ms`, 1 s by default; the figures say so) to keep the
bench short, and the hub's import of that same store runs in the same window for the ratios.

`hub_ms_per_page`: the time of a page's transaction (normalize, plan, write, log, commit);
`hub_cpu_ms_per_page` its CPU time (steadier on a loaded machine). `sandbox_cpu_ms_per_request`:
the sandbox's CPU time to build an answer, taken from the cores the hub runs on (BigCommerce's
would not be).
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

from .databases import BenchDatabases
from .page_timing import sandbox_cpu_ms, time_pages

REPO = Path(__file__).resolve().parents[2]
PAGE = 250
ALL_STATUSES = tuple(range(15))  # every BigCommerce order status: a store's whole backlog
UPDATE_SHIPMENTS = 1000
UPDATE_WINDOW_MS = 1000
STANDARD_QUOTA, PRO_QUOTA, WINDOW_MS = 150, 450, 30000


# ----------------------------------------------------------------------------- parent side


def figures(
    sandbox,
    *,
    sizes=(20000, 100000),
    quota: int = STANDARD_QUOTA,
    pro_quota: int | None = PRO_QUOTA,
    window_ms: int = WINDOW_MS,
    shipments: int = UPDATE_SHIPMENTS,
    update_window_ms: int = UPDATE_WINDOW_MS,
    database_url: str | None = None,
    peer_orders: int = 1000,
    peer_window_ms: int = 1000,
) -> dict:
    """`database_url`: a PostgreSQL server to measure on too (fresh databases are created on it
    and dropped after)."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-order-import-"))
    databases = BenchDatabases(workdir, postgres_url=database_url, migrate=_run_django)
    sizes = sorted(sizes)
    result = {
        "quota": quota,
        "pro_quota": pro_quota,
        "window_ms": window_ms,
        "window_note": "BigCommerce's real window for the imports (Standard/Plus: 150 requests "
        "/ 30 s, Pro: 450); the peer comparison runs in a shortened window (see peer)",
        "statuses": "all",
        "load_average": load_average(),
    }
    try:
        for vendor in databases.vendors():
            group: dict = {}
            for size in sizes:
                last = size == sizes[-1]
                group[f"store_of_{size}_orders"] = _import_figures(
                    sandbox,
                    url=databases.fresh(vendor),
                    size=size,
                    quota=quota,
                    window_ms=window_ms,
                    shipments=shipments if last and vendor == "sqlite" else 0,
                )
            rss = [group[f"store_of_{s}_orders"]["peak_rss_mb"] for s in sizes]
            group["peak_rss_growth_mb"] = round(rss[-1] - rss[0], 1)
            group["peak_rss_ratio"] = round(rss[-1] / rss[0], 3) if rss[0] else None
            if pro_quota:
                group[f"store_of_{sizes[-1]}_orders_pro"] = _import_figures(
                    sandbox,
                    url=databases.fresh(vendor),
                    size=sizes[-1],
                    quota=pro_quota,
                    window_ms=window_ms,
                    shipments=0,
                )
            update = group[f"store_of_{sizes[-1]}_orders"].pop("order_update", None)
            if update is not None:
                result["order_update"] = update
            result[vendor] = group
        if peer_orders:
            result["peer"] = _peer_figures(
                sandbox,
                url=databases.fresh("sqlite"),
                size=peer_orders,
                quota=quota,
                window_ms=peer_window_ms,
            )
        result["load_average_after"] = load_average()
        return result
    finally:
        databases.close()
        shutil.rmtree(workdir, ignore_errors=True)


def load_average() -> str:
    """The load average and the number of cores, as the figures print it."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"
    except OSError:
        return ""


def _import_figures(sandbox, *, url, size, quota, window_ms, shipments) -> dict:
    sandbox.control(
        "POST",
        "reset",
        {"orders": size, "quota": quota, "window_ms": window_ms, "latency_ms": 0},
    )
    child = _child(sandbox, database_url=url, shipments=shipments)
    served = sandbox.control("GET", "stats")
    first = child["first_run"]
    floor_requests = child["floor_requests"]
    floor_s = first["requests"] / quota * window_ms / 1000
    entry = {
        "database": child["database"],
        "quota": quota,
        "window_ms": window_ms,
        "orders_in_store": size,
        "orders_in_filter": child["orders_in_filter"],
        "orders_imported": first["created"],
        "orders_with_errors": first["failed"],
        "requests": first["requests"],
        "requests_floor": floor_requests,
        "requests_per_1000_orders": round(first["requests"] * 1000 / child["orders_in_filter"], 2),
        "requests_floor_per_1000_orders": round(
            floor_requests * 1000 / child["orders_in_filter"], 2
        ),
        "wall_s": first["wall_s"],
        "floor_s": round(floor_s, 3),
        "wall_to_floor": round(first["wall_s"] / floor_s, 3) if floor_s else None,
        "hub_ms_per_page": first["hub_ms_per_page"],
        "hub_cpu_ms_per_page": first["hub_cpu_ms_per_page"],
        "wall_ms_per_page": first["wall_ms_per_page"],
        "http_429": first["http_429"],
        "http_429_served": served.get("http_429", 0),
        "sandbox_cpu_ms_per_request": sandbox_cpu_ms(served),
        "peak_rss_mb": child["peak_rss_mb"],
        "page_reader": first["page_reader"],
        "second_run": child["second_run"],
    }
    if "order_update" in child:
        entry["order_update"] = child["order_update"]
    return entry


def _peer_figures(sandbox, *, url, size, quota, window_ms) -> dict:
    """The official client's usual pattern and Order Import on one store, in one window."""
    limits = {"orders": size, "quota": quota, "window_ms": window_ms, "latency_ms": 0}
    sandbox.control("POST", "reset", limits)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "orders.benchmarks.peer_client",
            "--api-url",
            sandbox.url,
            "--store-hash",
            sandbox.store_hash,
            "--token",
            sandbox.token,
        ],
        cwd=REPO,
        env=_env(None),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"peer client benchmark failed:\n{done.stderr[-3000:]}")
    peer = json.loads(done.stdout.strip().splitlines()[-1])
    hub = _import_figures(
        sandbox, url=url, size=size, quota=quota, window_ms=window_ms, shipments=0
    )
    return {
        "how": "the official bigcommerce client's common pattern (list orders, then each "
        "order's products and shipping addresses), simulated with requests; it only reads, "
        "the hub also writes every order",
        "quota": quota,
        "window_ms": window_ms,
        "orders": peer["orders"],
        "peer_requests": peer["requests"],
        "peer_wall_s": peer["wall_s"],
        "peer_http_429": peer["http_429"],
        "hub_requests": hub["requests"],
        "hub_wall_s": hub["wall_s"],
        "requests_ratio": round(peer["requests"] / max(1, hub["requests"]), 1),
        "wall_ratio": round(peer["wall_s"] / hub["wall_s"], 1) if hub["wall_s"] else None,
        "peer_floor_s_at_real_window": round(peer["requests"] / quota * WINDOW_MS / 1000, 1),
        "hub_floor_s_at_real_window": round(hub["requests"] / quota * WINDOW_MS / 1000, 1),
    }


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


def _child(sandbox, *, database_url, shipments, update_window_ms=UPDATE_WINDOW_MS) -> dict:
    code = "import django; django.setup(); import orders.benchmarks.order_import as m; m.main()"
    args = ["--api-url", sandbox.url, "--store-hash", sandbox.store_hash, "--token", sandbox.token,
            "--shipments", str(shipments), "--update-window-ms", str(update_window_ms)]  # fmt: skip
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
        tenant=tenant,
        name="Bench store",
        store_hash=args.store_hash,
        access_token=args.token,
        order_status_filter=list(ALL_STATUSES),
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
    for status_id in ALL_STATUSES:
        n = counter.count_orders(status_id=status_id)
        in_filter += n
        floor += max(1, math.ceil(n / PAGE))
    counter.close()
    sandbox_control(args.api_url, "POST", "stats/reset")
    dataflow = Dataflow.objects.select_related("connection").get(
        connection=connection, kind=ORDER_IMPORT
    )

    timing = time_pages()

    def import_once():
        c = client()
        timing.update(wall=0.0, cpu=0.0, pages=0)
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
    pages = max(1, timing["pages"])
    first["hub_ms_per_page"] = round(timing["wall"] * 1000 / pages, 1)
    first["hub_cpu_ms_per_page"] = round(timing["cpu"] * 1000 / pages, 1)
    first["wall_ms_per_page"] = round(first["wall_s"] * 1000 / pages, 1)
    first["page_reader"] = {k: timing[f"reader_{k}"] for k in ("pages", "peak_rss_mb")}
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
