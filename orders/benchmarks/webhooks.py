"""`make bench`, group "webhooks": orders created in a sandbox store reach the hub's database
through webhooks, end to end: the sandbox's sender thread posts each callback to a live hub
(Django's WSGI app on a local port), whose receiver queues a targeted Order Import run that one
worker thread executes (with the run's countdown, WEBHOOK_COALESCE_S).

Figures: latency from creating an order in the sandbox to the order in the hub's database
(p50, p95 over orders created at a steady rate; goal p95 < 10 s), the API requests and runs a
burst of updates over a few orders costs (500 over 20 by default), duplicates (each callback of
new orders delivered several times, as BigCommerce redelivers one it thinks failed) against the
imports they caused, and what polling alone would give at Order Import's default interval (half
the interval on average, the whole interval at worst: computed, not waited for).

`figures(sandbox, ...)` is called by the bench command with a running `SandboxProcess`;
`main()` is the child, on a fresh SQLite database.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from connections.bigcommerce.sandbox.process import sandbox_control

REPO = Path(__file__).resolve().parents[2]
PUBLIC = "https://hub.bench.invalid"
TIMEOUT_S = 180


# ----------------------------------------------------------------------------- parent side


GOALS = {
    "latency_p95_s": 10,  # an order in the hub seconds after it was created
    # Coalesced: a burst costs about one fetch per coalescing window it spans (the sandbox sends
    # its callbacks one at a time, so a burst of 500 spans many windows), far below one fetch
    # per delivery.
    "burst_requests_per_window": 1.5,
    "burst_requests_per_1000_deliveries": 100,
    "duplicate_imports": 0,  # a redelivered callback imports nothing again
}


def figures(
    sandbox,
    *,
    orders: int = 200,
    rate_per_s: float = 20,
    burst: int = 500,
    burst_orders: int = 20,
    duplicates: int = 20,
    copies: int = 3,
) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    try:
        database_url = f"sqlite:///{workdir / 'hub.sqlite3'}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "integrationhub.settings",
            "DATABASE_URL": database_url,
            "BIGCOMMERCE_API_URL": sandbox.url,
            "BIGCOMMERCE_LOGIN_URL": sandbox.url,
            "PUBLIC_BASE_URL": PUBLIC,
            "HUB_READ_DEMO_ENV": "false",
            "CELERY_BROKER_URL": "memory://",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        code = "import django; django.setup(); import orders.benchmarks.webhooks as m; m.main()"
        args = [
            "--api-url", sandbox.url, "--store-hash", sandbox.store_hash, "--token",
            sandbox.token, "--orders", str(orders), "--rate", str(rate_per_s), "--burst",
            str(burst), "--burst-orders", str(burst_orders), "--duplicates", str(duplicates),
            "--copies", str(copies),
        ]  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=REPO, env=env, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"webhooks benchmark failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ----------------------------------------------------------------------------- child side


class Worker:
    """One worker: executes the runs the engine sends, after their countdown."""

    def __init__(self):
        self.runs: queue.Queue = queue.Queue()
        self.pending = 0
        self.executed = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._loop, daemon=True).start()

    def enqueue(self, run_id: int, countdown: int | None = None) -> None:
        with self.lock:
            self.pending += 1
        threading.Timer(countdown or 0, self.runs.put, (run_id,)).start()

    def _loop(self) -> None:
        from django.db import close_old_connections

        from dataflows.services import run_execute

        while True:
            run_id = self.runs.get()
            try:
                run_execute(run_id=run_id)
            finally:
                close_old_connections()
                with self.lock:
                    self.pending -= 1
                    self.executed += 1

    def idle(self) -> bool:
        from dataflows.models import Run

        with self.lock:
            if self.pending:
                return False
        return not Run.objects.filter(status__in=[Run.Status.QUEUED, Run.Status.RUNNING]).exists()


def _serve_hub() -> str:
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", 0, get_wsgi_application(), Server, Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def _wait(predicate, what: str, detail=None) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"timed out waiting for {what}" + (f": {detail()}" if detail else "")
            )
        time.sleep(0.05)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--api-url", "--store-hash", "--token"):
        parser.add_argument(name, required=True)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--burst-orders", type=int, default=20)
    parser.add_argument("--duplicates", type=int, default=20)
    parser.add_argument("--copies", type=int, default=3)
    opts = parser.parse_args(sys.argv[1:])

    from django.conf import settings

    from catalog.models import Product
    from connections.models import Connection, Tenant
    from connections.webhooks.registration import webhooks_register
    from dataflows import services
    from dataflows.models import Run
    from dataflows.registry import flow_spec
    from dataflows.services import dataflows_create_for_connection
    from orders.flows import ORDER_IMPORT
    from orders.models import Order

    def control(method, path, body=None):
        return sandbox_control(opts.api_url, method, path, body)

    hub_url = _serve_hub()
    control("POST", "reset", {
        "orders": 20, "products": 40, "variants": 3, "quota": 150, "window_ms": 30000,
        "webhook_auto_send": True, "webhook_base_url": hub_url, "webhook_retry_scale": 0.01,
    })  # fmt: skip
    tenant = Tenant.objects.create(name="Bench webhooks")
    skus = {v["sku"].strip() for v in control("GET", f"stores/{opts.store_hash}/inventory")[
        "variants"].values() if (v["sku"] or "").strip()}  # fmt: skip
    Product.objects.bulk_create([Product(tenant=tenant, sku=s, on_hand=10**6) for s in skus])
    connection = Connection.objects.create(
        tenant=tenant, name="Bench", store_hash=opts.store_hash, access_token=opts.token
    )
    dataflows_create_for_connection(connection=connection)
    worker = Worker()
    services._enqueue_run = worker.enqueue
    sub = webhooks_register(connection=connection)
    if sub.state != sub.State.REGISTERED:
        raise RuntimeError(f"webhooks not registered: {sub.error}")

    # Latency: orders created at a steady rate, each timed until it is in the hub's database.
    created: dict[int, float] = {}
    interval = 1 / opts.rate
    start = time.time()
    for n in range(opts.orders):
        due = start + n * interval
        if due > time.time():
            time.sleep(due - time.time())
        order = control("POST", f"stores/{opts.store_hash}/orders", {})
        created[int(order["id"])] = time.time()

    def all_in():  # imported, or refused with an order error (e.g. a SKU the hub lacks)
        imported = Order.objects.filter(connection=connection, bc_order_id__in=created).count()
        return imported + _refused(connection, created) >= len(created)

    _wait(all_in, "the orders to be imported")
    imported = dict(
        Order.objects.filter(connection=connection, bc_order_id__in=created).values_list(
            "bc_order_id", "imported_at"
        )
    )
    latencies = [imported[i].timestamp() - t for i, t in created.items() if i in imported]
    latency_runs = Run.objects.filter(trigger=Run.Trigger.WEBHOOK).count()
    _wait(worker.idle, "the worker")

    # A burst of updates to the orders just created: requests and runs it costs.
    control("POST", "stats/reset")
    runs_before = Run.objects.filter(trigger=Run.Trigger.WEBHOOK).count()
    delivered_before = control("GET", "webhooks")["delivered"]
    ids = sorted(created)[: max(1, opts.burst_orders)]
    burst_start = time.time()
    for n in range(opts.burst):
        control("PATCH", f"stores/{opts.store_hash}/orders/{ids[n % len(ids)]}",
                {"staff_notes": f"burst {n}"})  # fmt: skip
    _wait(
        lambda: control("GET", "webhooks")["delivered"] >= delivered_before + opts.burst,
        "the burst's deliveries",
    )
    _wait(worker.idle, "the worker after the burst")
    burst_wall = time.time() - burst_start
    stats = control("GET", "stats")["by_store"].get(opts.store_hash, {})
    burst_requests = stats.get("requests", 0)
    burst_runs = Run.objects.filter(trigger=Run.Trigger.WEBHOOK).count() - runs_before
    duplicates = _duplicates(control, opts, connection, sub, hub_url, worker)

    poll_s = flow_spec(ORDER_IMPORT).default_interval_s
    print(json.dumps({
        "orders": opts.orders,
        "orders_refused_with_an_error": _refused(connection, created),
        "rate_per_s": opts.rate,
        "coalesce_s": settings.WEBHOOK_COALESCE_S,
        "latency_s": {
            "p50": _pct(latencies, 0.5), "p95": _pct(latencies, 0.95),
            "max": round(max(latencies), 3), "mean": round(statistics.mean(latencies), 3),
        },
        "latency_goal_p95_s": 10,
        "latency_runs": latency_runs,
        "polling_only_latency_s": {
            "interval_s": poll_s, "p50": poll_s / 2, "p95": round(poll_s * 0.95, 1),
            "note": "computed: an order waits for the next tick of Order Import's default "
                    "schedule (uniformly 0 to interval)",
        },
        "burst": {
            "updates": opts.burst,
            "orders_touched": min(opts.burst, len(ids)),
            "api_requests": burst_requests,
            "api_requests_per_1000_deliveries": round(burst_requests * 1000 / opts.burst, 1),
            "endpoints": stats.get("endpoints", {}),
            "runs": burst_runs,
            "wall_s": round(burst_wall, 3),
            "coalesce_windows": max(1, math.ceil(burst_wall / max(1, settings.WEBHOOK_COALESCE_S))),
            "requests_per_window": round(
                burst_requests
                / max(1, math.ceil(burst_wall / max(1, settings.WEBHOOK_COALESCE_S))),
                2,
            ),
        },
        "duplicates": duplicates,
        "goals": GOALS,
    }))  # fmt: skip


def _refused(connection, ids) -> int:
    """Orders of `ids` not imported but recorded as an open order error."""
    from orders.models import Order, OrderError

    stored = Order.objects.filter(connection=connection, bc_order_id__in=ids).values("bc_order_id")
    return (
        OrderError.objects.filter(connection=connection, bc_order_id__in=ids)
        .exclude(bc_order_id__in=stored)
        .values("bc_order_id")
        .distinct()
        .count()
    )


def _duplicates(control, opts, connection, sub, hub_url, worker) -> dict:
    """New orders whose `store/order/created` callback is delivered `copies` times each (the
    same hash, as BigCommerce redelivers a callback it thinks failed): what they import."""
    import hashlib
    import urllib.request

    from django.db.models import Sum
    from django.urls import reverse

    from connections.webhooks.models import WebhookDelivery
    from connections.webhooks.registration import SECRET_HEADER
    from dataflows.models import Run
    from orders.models import Order

    if opts.duplicates < 1:
        return {}
    control("POST", "config", {"webhook_auto_send": False})  # the bench delivers these itself
    ids = [
        int(control("POST", f"stores/{opts.store_hash}/orders", {})["id"])
        for _ in range(opts.duplicates)
    ]
    control("POST", "webhooks/clear")
    control("POST", "stats/reset")
    recorded_before = WebhookDelivery.objects.filter(connection=connection).count()
    runs_before = set(Run.objects.filter(trigger=Run.Trigger.WEBHOOK).values_list("pk", flat=True))
    url = hub_url + reverse("webhook-receive", kwargs={"key": sub.key})
    answers: dict[int, int] = {}
    for _copy in range(opts.copies):
        for order_id in ids:
            body = {
                "scope": "store/order/created", "store_id": "1",
                "data": {"type": "order", "id": order_id},
                "hash": hashlib.sha1(f"bench-dup-{order_id}".encode()).hexdigest(),
                "created_at": int(time.time()), "producer": f"stores/{opts.store_hash}",
            }  # fmt: skip
            request = urllib.request.Request(
                url, data=json.dumps(body).encode(), method="POST",
                headers={"Content-Type": "application/json", SECRET_HEADER: sub.secret},
            )  # fmt: skip
            with urllib.request.urlopen(request, timeout=30) as response:
                answers[response.status] = answers.get(response.status, 0) + 1
    _wait(worker.idle, "the worker after the duplicates")
    control("POST", "config", {"webhook_auto_send": True})
    runs = Run.objects.filter(trigger=Run.Trigger.WEBHOOK).exclude(pk__in=runs_before)
    totals = runs.aggregate(created=Sum("created"), updated=Sum("updated"))
    stats = control("GET", "stats")["by_store"].get(opts.store_hash, {})
    recorded = WebhookDelivery.objects.filter(connection=connection).count() - recorded_before
    return {
        "orders": len(ids),
        "delivered": len(ids) * opts.copies,
        "answers": {str(k): v for k, v in sorted(answers.items())},
        "deliveries_recorded": recorded,
        "duplicates_refused": len(ids) * opts.copies - recorded,
        "runs": runs.count(),
        "orders_created": totals["created"] or 0,
        "orders_updated_again": totals["updated"] or 0,
        "hub_rows": Order.objects.filter(connection=connection, bc_order_id__in=ids).count(),
        "refused_with_an_order_error": _refused(connection, ids),
        "duplicate_imports": max(
            0,
            (totals["created"] or 0)
            + (totals["updated"] or 0)
            + _refused(connection, ids)
            - len(ids),
        ),
        "api_requests": stats.get("requests", 0),
    }
