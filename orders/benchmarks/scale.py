"""`make bench`, group "scale": Order Import on real Celery worker processes against sandbox stores.

- fairness: one worker process; a small tenant's import (the last `small_orders` orders of its
  store) is timed from queued to finished on an idle hub, then again while another tenant's
  backfill of `big_orders` runs on the same worker (goal: within 2x; the backfill hands the
  worker over between pages after DATAFLOW_SLICE_SECONDS).
- load: `workers` worker processes, `connections` connections (one store each, tenants of
  five) importing at once: 429s served, runs finished, failed, deadlocks, duplicates.

PostgreSQL when DATABASE_URL names one (a fresh database), else SQLite; Redis as broker and
quota store when one answers (REDIS_URL / CELERY_BROKER_URL), else the filesystem broker.
`figures()` is the parent (called by the bench command); `main()` the child.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from connections.bigcommerce.sandbox.process import SandboxProcess, sandbox_control

from .databases import BenchDatabases

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = float(os.environ.get("BENCH_SCALE_TIMEOUT_S", "600"))
GOAL_RATIO = 2.0


# ----------------------------------------------------------------------------- parent side


def figures(
    *,
    big_orders: int = 10000,
    small_orders: int = 250,
    connections: int = 50,
    load_orders: int = 300,
    workers: int = 4,
    quota: int = 20,
    window_ms: int = 2000,
    slice_s: float = 0.5,
    database_url: str | None = None,
    redis_url: str | None = None,
) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    stores = ",".join(f"load{n:03d}:tok-{n:03d}" for n in range(connections))
    fair = SandboxProcess(
        store_hash="big01", token="tok-big", orders=big_orders, products=60, variants=3,
        quota=quota, window_ms=window_ms, seed=3,
    )  # fmt: skip
    load = SandboxProcess(
        store_hash="load000", token="tok-000", orders=load_orders, products=60, variants=3,
        quota=quota, window_ms=window_ms, seed=4,
    )  # fmt: skip
    dbs = BenchDatabases(workdir, postgres_url=database_url, migrate=_manage)
    try:
        fair.control("POST", "reset", {"stores": "big01:tok-big,small01:tok-s1,small02:tok-s2"})
        load.control("POST", "reset", {"stores": stores})
        url = dbs.fresh("postgresql" if dbs.postgres_url else "sqlite")
        env = _env(url, redis_url, workdir)
        common = [
            "--connections", str(connections), "--workers", str(workers),
            "--small-orders", str(small_orders), "--slice-s", str(slice_s),
            "--quota", str(quota), "--window-ms", str(window_ms),
        ]  # fmt: skip
        result = {
            phase: _child(phase, sandbox.url, common, env)
            for phase, sandbox in (("fairness", fair), ("load", load))
        }
        result["database"] = "postgresql" if url.startswith("postgres") else "sqlite"
        result["broker"] = "redis" if env["CELERY_BROKER_URL"].startswith("redis") else "filesystem"
        result["fairness"]["big_orders"] = big_orders
        result["load"]["orders_per_store"] = load_orders
        return result
    finally:
        fair.close()
        load.close()
        dbs.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _child(phase: str, api_url: str, common: list[str], env: dict) -> dict:
    code = "import django; django.setup(); import orders.benchmarks.scale as m; m.main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "--phase", phase, "--api-url", api_url, *common],
        cwd=REPO, env={**env, "BIGCOMMERCE_API_URL": api_url}, stdout=subprocess.PIPE,
        text=True, timeout=TIMEOUT_S * 3,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"scale benchmark ({phase}) failed (its error is printed above)")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _manage(args, *, database_url):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "integrationhub.settings"}
    env["DATABASE_URL"] = database_url
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def _redis(url: str | None) -> str:
    for candidate in (url, os.environ.get("REDIS_URL"), os.environ.get("CELERY_BROKER_URL")):
        if candidate and candidate.startswith("redis"):
            try:
                import redis

                redis.Redis.from_url(candidate, socket_connect_timeout=1).ping()
                return candidate
            except Exception:  # noqa: BLE001 - no Redis: the embedded default
                continue
    return ""


def _env(database_url: str, redis_url: str | None, workdir: Path) -> dict:
    redis = _redis(redis_url)
    broker = os.environ.get("CELERY_BROKER_URL", "") if redis else ""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "integrationhub.settings",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "0",
        "HUB_READ_DEMO_ENV": "false",
        "HUB_VAR_DIR": str(workdir / "var"),
        "CELERY_BROKER_URL": broker if broker.startswith("redis") else (redis or "filesystem://"),
        "REDIS_URL": redis,
        "LOG_LEVEL": "WARNING",
    }
    return env


# ----------------------------------------------------------------------------- child side


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase", choices=("fairness", "load"), required=True)
    parser.add_argument("--api-url", required=True)
    for name in ("--connections", "--workers", "--small-orders", "--quota", "--window-ms"):
        parser.add_argument(name, type=int, required=True)
    parser.add_argument("--slice-s", type=float, required=True)
    args = parser.parse_args(argv)
    os.environ["DATAFLOW_SLICE_SECONDS"] = str(args.slice_s)  # the workers read it
    if args.phase == "fairness":
        fair = {
            "big": _connect(args.api_url, "big01", "tok-big", tenant="Big tenant"),
            "idle": _connect(args.api_url, "small01", "tok-s1", tenant="Small tenant A"),
            "busy": _connect(args.api_url, "small02", "tok-s2", tenant="Small tenant B"),
        }
        for key in ("idle", "busy"):
            _only_newest(fair[key], args.api_url, args.small_orders)
        _say("fairness: set up")
        result = _fairness(fair, args)
    else:
        loads = [
            _connect(args.api_url, f"load{n:03d}", f"tok-{n:03d}", tenant=f"Load tenant {n // 5}")
            for n in range(args.connections)
        ]
        result = _load(loads, args)
    print(json.dumps(result))


def _say(message: str) -> None:
    print(f"bench scale: {message}", file=sys.stderr, flush=True)


def _connect(api_url, store_hash, token, *, tenant):
    from catalog.models import Product
    from connections.models import Connection, Tenant
    from dataflows.services import dataflows_create_for_connection

    from .order_import import ALL_STATUSES

    owner, _ = Tenant.objects.get_or_create(name=tenant)
    connection = Connection.objects.create(
        tenant=owner, name=store_hash, store_hash=store_hash, access_token=token,
        order_status_filter=list(ALL_STATUSES),
    )  # fmt: skip
    dataflows_create_for_connection(connection=connection)
    inventory = sandbox_control(api_url, "GET", f"stores/{store_hash}/inventory")
    skus = {(v["sku"] or "").strip() for v in inventory["variants"].values()} - {""}
    have = set(Product.objects.filter(tenant=owner).values_list("sku", flat=True))
    Product.objects.bulk_create([Product(tenant=owner, sku=s, on_hand=10**6) for s in skus - have])
    return connection


def _only_newest(connection, api_url, n: int) -> None:
    """A small tenant: its import takes only the store's newest `n` orders."""
    answer = requests.get(
        f"{api_url}/stores/{connection.store_hash}/v2/orders",
        params={"sort": "id:desc", "limit": n},
        headers={"X-Auth-Token": connection.access_token, "Accept": "application/json"},
        timeout=30,
    )
    answer.raise_for_status()
    connection.import_min_order_id = min(int(o["id"]) for o in answer.json()) - 1
    connection.save(update_fields=["import_min_order_id"])


class Workers:
    """Celery worker processes (one task at a time each) on the orders queue; returns once all
    of them are ready (their start-up is not measured)."""

    def __init__(self, n: int, name: str, *, api_url: str):
        celery = [sys.executable, "-m", "celery", "-A", "integrationhub", "worker"]
        logs = Path(os.environ["HUB_VAR_DIR"])
        logs.mkdir(parents=True, exist_ok=True)
        self.logs = [logs / f"{name}{i}.log" for i in range(n)]
        self.children = [
            subprocess.Popen(
                [
                    *celery,
                    "--pool",
                    "solo",
                    "-Q",
                    "orders",
                    "--loglevel",
                    "INFO",
                    "-n",
                    f"{name}{i}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--logfile",
                    str(log),
                ],
                cwd=REPO,
                env=os.environ.copy(),
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            for i, log in enumerate(self.logs)
        ]
        _until(
            lambda: all(log.exists() and " ready." in log.read_text() for log in self.logs),
            f"{n} worker process(es) starting",
        )

    def close(self) -> None:
        for child in self.children:
            child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()


def _queue(connection):
    from dataflows.models import Dataflow, Run
    from dataflows.services import run_queue
    from orders.flows import ORDER_IMPORT

    dataflow = Dataflow.objects.select_related("connection").get(
        connection=connection, kind=ORDER_IMPORT
    )
    return run_queue(dataflow=dataflow, trigger=Run.Trigger.MANUAL)


def _until(predicate, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"scale benchmark: {what} did not happen within {TIMEOUT_S} s")
        time.sleep(0.05)


def _ended(run_ids) -> bool:
    from dataflows.models import Run

    return not Run.objects.filter(
        pk__in=run_ids, status__in=(Run.Status.QUEUED, Run.Status.RUNNING)
    ).exists()


def _latency(run_id) -> float:
    from dataflows.models import Run

    run = Run.objects.get(pk=run_id)
    return round((run.finished_at - run.queued_at).total_seconds(), 3)


def _fairness(fair, args) -> dict:
    from dataflows.models import LogEntry, Run

    workers = Workers(1, "fair", api_url=args.api_url)
    try:
        _say("fairness: the small import on an idle hub")
        idle = _queue(fair["idle"]).pk
        _until(lambda: _ended([idle]), "the small import on an idle hub")
        big = _queue(fair["big"]).pk
        _until(
            lambda: Run.objects.filter(pk=big, progress_done__gt=0).exists() or _ended([big]),
            "the backfill's first page",
        )
        _say("fairness: the small import beside the backfill")
        busy = _queue(fair["busy"]).pk
        _until(lambda: _ended([busy]), "the small import beside the backfill")
        _until(lambda: _ended([big]), "the backfill")
    finally:
        workers.close()
    idle_s, busy_s = _latency(idle), _latency(busy)
    big_run = Run.objects.get(pk=big)
    return {
        "workers": 1,
        "slice_seconds": args.slice_s,
        "small_orders": args.small_orders,
        "small_latency_idle_s": idle_s,
        "small_latency_beside_backfill_s": busy_s,
        "latency_ratio": round(busy_s / idle_s, 3) if idle_s else None,
        "goal_ratio": GOAL_RATIO,
        "backfill_status": big_run.status,
        "backfill_orders": big_run.created + big_run.updated + big_run.failed,
        "backfill_wall_s": _latency(big),
        "backfill_slices": 1
        + LogEntry.objects.filter(run_id=big, message__startswith="Handed its worker").count(),
        "small_statuses": [Run.objects.get(pk=pk).status for pk in (idle, busy)],
    }


def _load(loads, args) -> dict:
    from django.db.models import Count

    from dataflows.models import Run
    from orders.models import Order, OrderError

    api_url = args.api_url
    sandbox_control(api_url, "POST", "stats/reset")
    workers = Workers(args.workers, "load", api_url=api_url)
    try:
        _say(f"load: {len(loads)} connections on {args.workers} workers")
        started = time.monotonic()
        run_ids = [_queue(connection).pk for connection in loads]
        _until(lambda: _ended(run_ids), "the load runs")
        wall_s = time.monotonic() - started
    finally:
        workers.close()
    stats = sandbox_control(api_url, "GET", "stats")
    runs = Run.objects.filter(pk__in=run_ids)
    errors = list(runs.exclude(error_message="").values_list("error_message", flat=True))
    by_store = [s.get("requests", 0) for s in stats.get("by_store", {}).values()]
    floor_s = max(by_store, default=0) / args.quota * args.window_ms / 1000
    duplicates = sum(
        row["n"] - 1
        for row in Order.objects.values("connection_id", "bc_order_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    return {
        "workers": args.workers,
        "connections": len(loads),
        "quota": args.quota,
        "window_ms": args.window_ms,
        "runs": len(run_ids),
        "runs_finished": runs.filter(status__in=(Run.Status.SUCCEEDED, Run.Status.PARTIAL)).count(),
        "runs_failed": runs.filter(status=Run.Status.FAILED).count(),
        "deadlocks": sum("deadlock" in e.lower() for e in errors),
        "errors": errors[:3],
        "orders_imported": Order.objects.filter(connection__in=loads).count(),
        "orders_with_errors": OrderError.objects.filter(connection__in=loads)
        .values("bc_order_id")
        .distinct()
        .count(),
        "duplicates": duplicates,
        "requests": stats.get("requests", 0),
        "http_429_served": stats.get("http_429", 0),
        "wall_s": round(wall_s, 3),
        "floor_s": round(floor_s, 3),
    }
