"""`make bench`: benchmarks against a sandbox store; prints one JSON object of figures.

Wall time is compared with the floor that the store's rate limit sets: `requests / quota`
windows. The window is shortened (the quota is not) so the bench stays short; the figures name
the quota and window used."""

import json
import math
import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from dataflows.benchmarks.sandbox import SandboxProcess


class Command(BaseCommand):
    help = "Run the benchmarks against a sandbox store and print one JSON object."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, nargs="+", default=[5000, 20000])
        parser.add_argument("--quota", type=int, default=20)
        parser.add_argument("--window-ms", type=int, default=2000)
        parser.add_argument("--latency-ms", type=int, default=0)

    def handle(self, *args, orders, quota, window_ms, latency_ms, **options):
        figures = {}
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
                "dataflows.benchmarks.orders_fetch",
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

    @staticmethod
    def run_child(module, *args):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "integrationhub.settings"}
        code = f"import django; django.setup(); import {module} as m; m.main()"
        completed = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"{module} failed:\n{completed.stderr[-3000:]}")
        return json.loads(completed.stdout.strip().splitlines()[-1])
