"""`make bench`'s scale groups: the scheduler with many connections (dataflows.benchmarks
.scheduler) and the read paths with many rows (orders.benchmarks.read_paths), each measured in
a child process on a fresh database: SQLite, and PostgreSQL when DATABASE_URL names it."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from orders.benchmarks.databases import BenchDatabases

REPO = Path(__file__).resolve().parents[2]


def _env(database_url: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "integrationhub.settings"}
    env.pop("REDIS_URL", None)
    env.update(DATABASE_URL=database_url, CELERY_BROKER_URL="memory://", LOG_LEVEL="WARNING")
    return env


def _migrate(args, *, database_url):
    subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env=_env(database_url),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _child(module: str, *args: str, database_url: str) -> dict:
    code = f"import django; django.setup(); import {module} as m; m.main()"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=_env(database_url),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} benchmark child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _per_vendor(module: str, args: list[str], *, postgres_url: str | None) -> dict:
    databases = BenchDatabases(
        Path(tempfile.mkdtemp(prefix="bench-scale-")), postgres_url=postgres_url, migrate=_migrate
    )
    try:
        return {
            vendor: _child(module, *args, database_url=databases.fresh(vendor))
            for vendor in databases.vendors()
        }
    finally:
        databases.close()


def scheduler_figures(*, connections: list[int], postgres_url: str | None) -> dict:
    """Per database: beat's start, its burst of every due dataflow, an idle tick, the write-
    back, and one sweep, at each number of connections (6 dataflows each, all scheduled)."""
    args = ["--connections", *map(str, connections)]
    return _per_vendor("dataflows.benchmarks.scheduler", args, postgres_url=postgres_url)


def read_path_figures(*, connections: int, orders: int, postgres_url: str | None) -> dict:
    """Per database: the CONNECTIONS list, the orders list (HTML, REST) and a connection's
    order errors (HTML, REST) with `connections` connections and `orders` orders (queries, ms),
    and the plans of their three main queries (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS))."""
    args = ["--connections", str(connections), "--orders", str(orders)]
    return _per_vendor("orders.benchmarks.read_paths", args, postgres_url=postgres_url)
