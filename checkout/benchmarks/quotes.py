"""`make bench`, group "quotes": the rate endpoint's latency under concurrent load, through
gunicorn as in production, next to a trivial Django endpoint (`/health/`) in the same run.

`figures(clients=20, seconds=30)` (the parent) migrates a fresh SQLite database, seeds a
connection with delivery options and stocked products, starts gunicorn on loopback, and runs
the load from a second process (`main()`: `clients` threads posting for `seconds` to each
endpoint in turn). Goal: the quote p95 within 2x the trivial endpoint's, and 0 errors.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CARTS = 50  # distinct carts the shoppers send (BigCommerce asks again for each change)
GOAL_P95_RATIO = 2.0


# ----------------------------------------------------------------------------- parent side


def figures(*, clients: int = 20, seconds: float = 30, workers: int = 2) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-quotes-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "integrationhub.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DEBUG": "false",
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True
    )
    key = _run_json([python, "-c", _SEED], env)["key"]
    port = _free_port()
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "integrationhub.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_for(port)
        load = _run_json(
            [python, "-m", "checkout.benchmarks.quotes", "--url", f"http://127.0.0.1:{port}",
             f"--key={key}", "--clients", str(clients), "--seconds", str(seconds)],
            env,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    quote, trivial = load["quote"], load["trivial"]
    ratio = round(quote["p95_ms"] / trivial["p95_ms"], 2) if trivial["p95_ms"] else None
    return {
        "clients": clients,
        "seconds_per_endpoint": seconds,
        "gunicorn_workers": workers,
        "database": "sqlite",
        "quote": quote,
        "trivial": trivial,
        "p95_ratio": ratio,
        "goal_p95_ratio": GOAL_P95_RATIO,
        "errors": quote["errors"] + trivial["errors"],
    }


_SEED = f"""
import django, json
django.setup()
from datetime import time
from catalog.models import Product
from connections.models import Connection, Tenant
from checkout.services import checkout_settings_update, delivery_option_create
tenant = Tenant.objects.create(name="Bench")
connection = Connection.objects.create(tenant=tenant, name="Bench store", store_hash="bench",
                                       access_token="x")
Product.objects.bulk_create([Product(tenant=tenant, sku=f"SKU-{{i}}", on_hand=50)
                             for i in range({CARTS * 3})])
settings = checkout_settings_update(connection=connection, timezone="Europe/Berlin",
                                    rates={{"USD": "1.08"}})
delivery_option_create(connection=connection, code="STANDARD", display_name="Standard",
    carrier="DHL", pricing="weight", bands=[["2", "4.95"], ["30", "9.95"]],
    free_above="100", countries=["DE", "NL", "BE"], cutoff=time(15), transit_min=1,
    transit_max=2)
delivery_option_create(connection=connection, code="EXPRESS", display_name="Express",
    carrier="UPS", pricing="flat", price="12.50", countries=["DE", "NL"],
    postcode_ranges=[["DE", "10000", "14999"]], cutoff=time(12), transit_min=1, transit_max=1,
    needs_stock=True)
print(json.dumps({{"key": settings.key}}))
"""


def _run_json(command, env) -> dict:
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)  # polling a starting server, not waiting on a test's outcome
    raise RuntimeError(f"gunicorn did not listen on port {port} within {timeout} s")


# ----------------------------------------------------------------------------- load process


def cart_body(key: str, index: int) -> bytes:
    items = [
        {"sku": f"SKU-{index * 3 + j}", "quantity": 1 + j,
         "weight": {"units": "g", "value": 250 * (j + 1)},
         "discounted_price": {"currency": "EUR", "amount": 19.95}}
        for j in range(3)
    ]  # fmt: skip
    return json.dumps(
        {
            "base_options": {
                "origin": {"zip": "1011AB", "country_iso2": "NL"},
                "destination": {"zip": f"{10000 + index * 97}", "country_iso2": "DE"},
                "items": items,
                "store_id": "1001",
            },
            "connection_options": {"checkout_key": key},
        }
    ).encode()


def load(*, url: str, bodies: list[bytes] | None, clients: int, seconds: float) -> dict:
    """`clients` threads sending requests back to back for `seconds`: latency percentiles."""
    import requests

    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(number: int):
        session = requests.Session()
        mine, failed, i = [], 0, number
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                if bodies is None:
                    response = session.get(url, timeout=10)
                else:
                    body = bodies[i % len(bodies)]
                    response = session.post(
                        url, data=body, headers={"Content-Type": "application/json"}, timeout=10
                    )
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
            mine.append((time.perf_counter() - started) * 1000)
            failed += not ok
            i += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 2)

    return {
        "requests": len(latencies),
        "per_second": round(len(latencies) / seconds, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "errors": errors[0],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args(argv)
    bodies = [cart_body(args.key, i) for i in range(CARTS)]
    # Warm both (first requests import modules and open connections), then measure.
    load(url=f"{args.url}/checkout/bigcommerce/rate", bodies=bodies, clients=2, seconds=0.5)
    load(url=f"{args.url}/health/", bodies=None, clients=2, seconds=0.5)
    quote = load(
        url=f"{args.url}/checkout/bigcommerce/rate", bodies=bodies,
        clients=args.clients, seconds=args.seconds,
    )  # fmt: skip
    trivial = load(
        url=f"{args.url}/health/", bodies=None, clients=args.clients, seconds=args.seconds
    )
    print(json.dumps({"quote": quote, "trivial": trivial}))


if __name__ == "__main__":
    main()
