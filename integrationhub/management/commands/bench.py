"""`make bench`: benchmarks against a sandbox store; prints one JSON object of figures.

Wall time is compared with the floor that the store's rate limit sets: `requests / quota`
windows. The window is shortened (the quota is not) so the bench stays short, except for the
Order Import backfills, which run in BigCommerce's real 30 s window; the figures name the quota
and window used. `machine` is a fixed pure-Python workload timed before and after: the
machine's speed (a shared VM's drifts by a third within minutes), to read the figures by."""

import json
import math
import os
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from catalog.benchmarks.match_and_stock import run_catalog_benchmarks
from checkout.benchmarks import quotes
from connections.bigcommerce.sandbox.process import SandboxProcess
from integrationhub.benchmarks import scale
from listings.benchmarks.sync import run_listings_benchmark
from orders.benchmarks import order_import, order_update, webhooks
from orders.benchmarks import scale as worker_scale


class Command(BaseCommand):
    help = "Run the benchmarks against a sandbox store and print one JSON object."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, nargs="+", default=[5000, 20000])
        parser.add_argument("--quota", type=int, default=20)
        parser.add_argument("--window-ms", type=int, default=2000)
        parser.add_argument("--latency-ms", type=int, default=0)
        parser.add_argument(
            "--listings", type=int, default=1000, help="Sync Listings group: changed listings"
        )
        parser.add_argument(
            "--import-quota", type=int, default=150, help="Order Import group: requests a window"
        )
        parser.add_argument(
            "--import-window-ms",
            type=int,
            default=30000,
            help="Order Import group: the rate-limit window (BigCommerce's is 30000)",
        )
        parser.add_argument(
            "--import-orders",
            type=int,
            nargs="+",
            default=[20000, 100000],
            help="Order Import group: store sizes (every status imported)",
        )
        parser.add_argument(
            "--import-pro-quota",
            type=int,
            default=450,
            help="Order Import group: the largest store again at this quota (0: not)",
        )
        parser.add_argument(
            "--peer-orders",
            type=int,
            default=1000,
            help="Order Import group: store size of the official-client comparison (0: none)",
        )
        parser.add_argument(
            "--update-shipments", type=int, default=1000, help="Order Update group: shipments"
        )
        parser.add_argument(
            "--update-latency-ms",
            type=int,
            default=0,
            help="Order Update group: BigCommerce's answer time per request",
        )
        # Catalog benchmarks: Product Match and the stock updates.
        parser.add_argument("--catalog-products", type=int, default=10000)
        parser.add_argument("--catalog-variants", type=int, default=3)
        parser.add_argument("--stock-skus", type=int, nargs="+", default=[20000, 100000])
        # Checkout quotes: latency under concurrent load through gunicorn (--quotes-seconds 5
        # for a shorter run).
        parser.add_argument("--quotes-clients", type=int, default=20)
        parser.add_argument("--quotes-seconds", type=float, default=30)
        # Scale: beat's tick and the sweep with this many connections, every dataflow on.
        parser.add_argument("--scale-connections", type=int, nargs="+", default=[100, 1000])
        # Webhooks: orders created in a sandbox reach a live hub through its receiver.
        parser.add_argument("--webhook-orders", type=int, default=200, help="0: no webhooks group")
        parser.add_argument(
            "--webhook-rate", type=float, default=20, help="orders created a second"
        )
        parser.add_argument("--webhook-burst", type=int, default=500, help="updates in the burst")
        parser.add_argument("--webhook-burst-orders", type=int, default=20)
        parser.add_argument("--webhook-duplicates", type=int, default=20)
        # Read paths: the lists with this many connections and orders (1000000 for the goal).
        parser.add_argument("--read-connections", type=int, default=1000)
        parser.add_argument("--read-orders", type=int, default=100000)
        # Scale: Order Import on real worker processes (fairness beside a backfill, and load).
        parser.add_argument("--load-big-orders", type=int, default=10000)
        parser.add_argument("--load-connections", type=int, default=50)
        parser.add_argument("--load-orders", type=int, default=300)
        parser.add_argument("--load-workers", type=int, default=4)
        parser.add_argument("--load-slice-s", type=float, default=0.5)

    def handle(
        self,
        *args,
        orders,
        quota,
        window_ms,
        latency_ms,
        import_quota=150,
        import_window_ms=30000,
        import_orders=None,
        import_pro_quota=450,
        peer_orders=1000,
        **options,
    ):
        figures = {"machine": {"python_probe_ms_before": python_probe_ms()}}
        with SandboxProcess(
            orders=max(orders),
            products=500,
            variants=3,
            quota=quota,
            window_ms=window_ms,
            latency_ms=latency_ms,
            seed=1,
        ) as sandbox:
            figures["orders_fetch"] = self.orders_fetch(
                sandbox, sizes=orders, quota=quota, window_ms=window_ms, latency_ms=latency_ms
            )
            figures["orders_fetch_concurrent"] = self.orders_fetch_concurrent(
                sandbox, size=min(orders), processes=3, quota=quota, window_ms=window_ms
            )
            figures["order_import"] = order_import.figures(
                sandbox,
                sizes=import_orders or orders,
                quota=import_quota,
                pro_quota=import_pro_quota,
                window_ms=import_window_ms,
                database_url=postgres_url(),
                peer_orders=peer_orders,
                peer_window_ms=window_ms,
                shipments=0,  # Order Update has its own group below
            )
            figures["order_update"] = order_update.figures(
                sandbox,
                shipments=options["update_shipments"],
                latency_ms=options["update_latency_ms"],
            )
        figures.update(
            run_catalog_benchmarks(
                self,
                products=options["catalog_products"],
                variants=options["catalog_variants"],
                stock_skus=options["stock_skus"],
                quota=quota,
                window_ms=window_ms,
                latency_ms=latency_ms,
            )
        )
        figures["sync_listings"] = run_listings_benchmark(
            self, listings=options["listings"], quota=quota, window_ms=window_ms
        )
        figures["quotes"] = quotes.figures(
            clients=options["quotes_clients"], seconds=options["quotes_seconds"]
        )
        figures["scheduler"] = scale.scheduler_figures(
            connections=options["scale_connections"], postgres_url=postgres_url()
        )
        if options["webhook_orders"]:
            with SandboxProcess(orders=20, products=40, variants=3, seed=1) as sandbox:
                figures["webhooks"] = webhooks.figures(
                    sandbox,
                    orders=options["webhook_orders"],
                    rate_per_s=options["webhook_rate"],
                    burst=options["webhook_burst"],
                    burst_orders=options["webhook_burst_orders"],
                    duplicates=options["webhook_duplicates"],
                )
        figures["read_paths"] = scale.read_path_figures(
            connections=options["read_connections"],
            orders=options["read_orders"],
            postgres_url=postgres_url(),
        )
        figures["scale"] = worker_scale.figures(
            big_orders=options["load_big_orders"],
            connections=options["load_connections"],
            load_orders=options["load_orders"],
            workers=options["load_workers"],
            slice_s=options["load_slice_s"],
            quota=quota,
            window_ms=window_ms,
            database_url=postgres_url(),
        )
        figures["machine"]["python_probe_ms_after"] = python_probe_ms()
        figures["machine"]["load_average_after"] = order_import.load_average()
        self.stdout.write(json.dumps(figures, indent=2))

    def orders_fetch(self, sandbox, *, sizes, quota, window_ms, latency_ms):
        result = {"quota": quota, "window_ms": window_ms, "latency_ms": latency_ms}
        for size in sorted(sizes):
            sandbox.control(
                "POST",
                "reset",
                {"orders": size, "quota": quota, "window_ms": window_ms, "latency_ms": latency_ms},
            )
            child = self.run_child(
                "orders.benchmarks.orders_fetch",
                "--api-url",
                sandbox.url,
                "--store-hash",
                sandbox.store_hash,
                "--token",
                sandbox.token,
            )
            served = sandbox.control("GET", "stats")
            floor_s = child["requests"] / quota * window_ms / 1000
            result[f"store_of_{size}_orders"] = {
                **child,
                "requests_per_1000_orders": round(child["requests"] * 1000 / child["orders"], 2),
                "requests_floor": math.ceil(child["orders"] / 250),
                "floor_s": round(floor_s, 3),
                "wall_to_floor": round(child["wall_s"] / floor_s, 3) if floor_s else None,
                "http_429_served": served.get("http_429", 0),
            }
        return result

    def orders_fetch_concurrent(self, sandbox, *, size, processes, quota, window_ms):
        """Several importer processes on one store at once: the shared quota must hold."""
        redis_url = reachable_redis_url()
        sandbox.control("POST", "reset", {"orders": size, "quota": quota, "window_ms": window_ms})
        args = (
            "--api-url",
            sandbox.url,
            "--store-hash",
            sandbox.store_hash,
            "--token",
            sandbox.token,
        )
        env = {"REDIS_URL": redis_url} if redis_url else {}
        children = [
            self.start_child("orders.benchmarks.orders_fetch", *args, env=env)
            for _ in range(processes)
        ]
        results = [self.finish_child(child) for child in children]
        served = sandbox.control("GET", "stats")
        requests = sum(r["requests"] for r in results)
        floor_s = requests / quota * window_ms / 1000
        wall_s = max(r["wall_s"] for r in results)
        return {
            "processes": processes,
            "quota_shared_through": "redis" if redis_url else "nothing (no Redis)",
            "orders_each": [r["orders"] for r in results],
            "requests": requests,
            "wall_s": wall_s,
            "floor_s": round(floor_s, 3),
            "wall_to_floor": round(wall_s / floor_s, 3),
            "http_429": sum(r["http_429"] for r in results),
            "http_429_served": served.get("http_429", 0),
        }

    def run_child(self, module, *args, env=None):
        return self.finish_child(self.start_child(module, *args, env=env))

    @staticmethod
    def start_child(module, *args, env=None):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "integrationhub.settings", **(env or {})}
        code = f"import django; django.setup(); import {module} as m; m.main()"
        return subprocess.Popen(
            [sys.executable, "-c", code, *args],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @staticmethod
    def finish_child(child):
        stdout, stderr = child.communicate()
        if child.returncode != 0:
            raise RuntimeError(f"benchmark child failed:\n{stderr[-3000:]}")
        return json.loads(stdout.strip().splitlines()[-1])


def python_probe_ms() -> float:
    """CPU time of a fixed pure-Python workload (the best of three), in ms."""
    best = math.inf
    for _ in range(3):
        started = time.process_time()
        sum(i * i for i in range(2_000_000))
        best = min(best, time.process_time() - started)
    return round(best * 1000, 1)


def postgres_url() -> str | None:
    """DATABASE_URL when it names a PostgreSQL server: the order import figures are measured
    there too (in fresh databases created beside it)."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else None


def reachable_redis_url() -> str:
    url = settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return ""
    return url
