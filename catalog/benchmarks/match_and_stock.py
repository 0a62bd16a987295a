"""The catalog benchmarks of `manage.py bench`: Product Match, Full Stock Update and Changed
Stock Update against a sandbox store, each measured in a child process of its own (so that its
peak RSS is the flow's alone) on a throw-away SQLite database (never the hub's own).

`run_catalog_benchmarks(...)` (called by the bench command) returns the three figure groups.
`main()` is the child: `--mode migrate|match|stock-setup|stock-full|stock-touch|stock-changed`,
prints one JSON line.

Rate limit: the sandbox's quota with a shortened window (the bench's --quota/--window-ms); the
floor of a run is `requests / quota * window` (the time the store's quota allows for its
requests), and wall/floor says how close to it the flow gets."""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

from connections.bigcommerce.sandbox.process import (
    SandboxProcess,
    peak_rss_mb,
    proc_status_mb,
    sandbox_control,
)

CHILD = __name__  # the module each child process runs
STORE_HASH = "catbench1"
TOKEN = "catbench-token-1"


# ----------------------------------------------------------------------------- the child


def _connection(args):
    from connections.models import Connection, Tenant
    from dataflows.services import dataflows_create_for_connection

    connection = Connection.objects.filter(store_hash=args.store_hash).first()
    if connection is None:
        tenant, _ = Tenant.objects.get_or_create(name="Bench")
        connection = Connection.objects.create(
            tenant=tenant, name="Bench store", store_hash=args.store_hash, access_token=args.token
        )
        dataflows_create_for_connection(connection=connection)
    return connection


def _run(args, kind) -> dict:
    from connections.bigcommerce.client import BigCommerceClient
    from connections.bigcommerce.ratelimit import LocalQuotaGate
    from dataflows.models import Dataflow
    from dataflows.services import dataflow_run_foreground

    connection = _connection(args)
    client = BigCommerceClient(
        store_hash=args.store_hash,
        access_token=args.token,
        api_url=args.api_url,
        quota_gate=LocalQuotaGate(),  # this process's own gate: no state left by other benches
    )
    dataflow = Dataflow.objects.select_related("connection").get(connection=connection, kind=kind)
    started = time.monotonic()
    run = dataflow_run_foreground(dataflow=dataflow, client=client)
    wall = time.monotonic() - started
    if run.status != "succeeded":
        raise SystemExit(f"{kind} ended {run.status}: {run.error_message}")
    return {
        "requests": client.stats.requests,
        "http_429": client.stats.http_429,
        "fetched": run.fetched,
        "created": run.created,
        "updated": run.updated,
        "skipped": run.skipped,
        "wall_s": round(wall, 3),
    }


def _stock_setup(args) -> dict:
    """Hub products and links for every variant of the sandbox (from its control API, so no
    API request is spent): on hand varies, a few reserved beyond their stock."""
    from catalog.models import Product, ProductLink

    connection = _connection(args)
    inventory = sandbox_control(args.api_url, "GET", f"stores/{args.store_hash}/inventory")
    tracking = {int(pid): p["inventory_tracking"] for pid, p in inventory["products"].items()}
    variants = sorted((int(vid), v["product_id"]) for vid, v in inventory["variants"].items())
    per_product: dict[int, int] = {}
    for _, product_id in variants:
        per_product[product_id] = per_product.get(product_id, 0) + 1
    from django.utils import timezone

    stock_set_at = timezone.now()
    batch = 5000
    for start in range(0, len(variants), batch):
        chunk = variants[start : start + batch]
        products = Product.objects.bulk_create(
            Product(
                tenant_id=connection.tenant_id,
                sku=f"BENCH-{vid}",
                on_hand=vid * 7 % 250,
                manual_reserved=(vid * 7 % 250) + 3 if vid % 997 == 0 else 0,
                stock_set_at=stock_set_at,  # sent by the warehouse: pushed
            )
            for vid, _ in chunk
        )
        ids = dict(
            Product.objects.filter(
                tenant_id=connection.tenant_id, sku__in=[p.sku for p in products]
            ).values_list("sku", "pk")
        )
        ProductLink.objects.bulk_create(
            ProductLink(
                connection=connection,
                product_id=ids[f"BENCH-{vid}"],
                bc_product_id=pid,
                bc_variant_id=vid,
                bc_sku=f"BENCH-{vid}",
                master_key=f"BENCH-{vid}",
                is_simple_product=per_product[pid] == 1,
                inventory_tracking=tracking[pid],
            )
            for vid, pid in chunk
        )
    from dataflows.bulk import tables_analyze

    tables_analyze([ProductLink, Product])  # as a Product Match that created this many links does
    return {"skus": len(variants)}


def _stock_touch(args) -> dict:
    """Change the on-hand stock of `--changed-share` of the products (spread evenly)."""
    from django.db.models import F

    from catalog.models import Product

    step = max(1, round(1 / args.changed_share))
    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))[::step]
    for start in range(0, len(ids), 900):
        Product.objects.filter(pk__in=ids[start : start + 900]).update(on_hand=F("on_hand") + 5)
    return {"changed_products": len(ids)}


def _stock_changed(args) -> dict:
    from catalog.stock_selection import changed_links, links_page

    connection = _connection(args)
    # The hub-side cost of finding the changed items: the indexed query, first page, warm.
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        rows = links_page(changed_links(connection=connection), after=None)
        timings.append(time.perf_counter() - started)
    result = _run(args, "changed_stock_update")
    result["changed_found"] = len(rows)
    result["find_changed_ms"] = round(min(timings) * 1000, 1)
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--mode",
        required=True,
        choices=["migrate", "match", "stock-setup", "stock-full", "stock-touch", "stock-changed"],
    )
    parser.add_argument("--api-url", default="")
    parser.add_argument("--store-hash", default=STORE_HASH)
    parser.add_argument("--token", default=TOKEN)
    parser.add_argument("--changed-share", type=float, default=0.01)
    args = parser.parse_args(argv)
    rss_before = proc_status_mb("VmRSS")

    if args.mode == "migrate":
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        result = {}
    elif args.mode == "match":
        result = _run(args, "product_match")
    elif args.mode == "stock-setup":
        result = _stock_setup(args)
    elif args.mode == "stock-full":
        result = _run(args, "full_stock_update")
    elif args.mode == "stock-touch":
        result = _stock_touch(args)
    else:
        result = _stock_changed(args)
    result["peak_rss_mb"] = peak_rss_mb()
    result["rss_before_mb"] = rss_before
    print(json.dumps(result))
    sys.stdout.flush()


# ----------------------------------------------------------------------------- the parent


class _Databases:
    """Throw-away SQLite databases: migrated once, copied for each scenario."""

    def __init__(self, command):
        self.command = command
        self.dir = Path(tempfile.mkdtemp(prefix="hub-catalog-bench-"))
        self.template = self.dir / "template.sqlite3"
        self.count = 0

    def env(self, path: Path) -> dict:
        return {"DATABASE_URL": f"sqlite:///{path}", "DATABASE_CONN_MAX_AGE": "0"}

    def fresh(self) -> dict:
        if not self.template.exists():
            self.command.run_child(CHILD, "--mode", "migrate", env=self.env(self.template))
        self.count += 1
        path = self.dir / f"bench{self.count}.sqlite3"
        shutil.copyfile(self.template, path)
        return self.env(path)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def _floor(requests: int, quota: int, window_ms: int) -> float:
    return requests / quota * window_ms / 1000


def run_catalog_benchmarks(
    command,
    *,
    products: int,
    variants: int,
    stock_skus: list[int],
    quota: int,
    window_ms: int,
    latency_ms: int = 0,
) -> dict:
    """The figure groups `product_match`, `full_stock_update`, `changed_stock_update`.
    `command` is the bench command (its run_child starts the children)."""
    limits = {"quota": quota, "window_ms": window_ms, "latency_ms": latency_ms}
    databases = _Databases(command)
    figures: dict = {}
    try:
        with SandboxProcess(
            store_hash=STORE_HASH,
            token=TOKEN,
            orders=10,
            products=products,
            variants=variants,
            quota=quota,
            window_ms=window_ms,
            latency_ms=latency_ms,
            seed=1,
        ) as sandbox:
            common = ("--api-url", sandbox.url)

            # Product Match over products x variants: the first run (every hub product and
            # link created, one log entry each), then a repeat run (the daily steady state).
            env = databases.fresh()
            match: dict = {**limits, "products": products}
            for label in ("first_run", "repeat_run"):
                child = command.run_child(CHILD, "--mode", "match", *common, env=env)
                floor_s = _floor(child["requests"], quota, window_ms)
                match[label] = {
                    "variants": child["fetched"],
                    "links_created": child["created"],
                    "links_unchanged": child["skipped"],
                    "requests": child["requests"],
                    "requests_floor": math.ceil(products / 250),
                    "requests_per_1000_variants": round(
                        child["requests"] * 1000 / max(1, child["fetched"]), 2
                    ),
                    "wall_s": child["wall_s"],
                    "floor_s": round(floor_s, 3),
                    "wall_to_floor": round(child["wall_s"] / floor_s, 3) if floor_s else None,
                    "http_429": child["http_429"],
                    "peak_rss_mb": child["peak_rss_mb"],
                }
            figures["product_match"] = match

            # Full Stock Update of N SKUs (several sizes: peak memory must stay flat).
            full: dict = {**limits}
            largest_env = None
            for size in sorted(stock_skus):
                per_product = 4
                sandbox.control(
                    "POST",
                    "reset",
                    {
                        "orders": 10,
                        "products": size // per_product,
                        "variants": per_product,
                        **limits,
                    },
                )
                env = databases.fresh()
                command.run_child(CHILD, "--mode", "stock-setup", *common, env=env)
                sandbox.control("POST", "stats/reset")
                child = command.run_child(CHILD, "--mode", "stock-full", *common, env=env)
                served = sandbox.control("GET", "stats")
                items = child["updated"]
                floor_s = _floor(child["requests"], quota, window_ms)
                full[f"store_of_{size}_skus"] = {
                    "skus": size,
                    "items_pushed": items,
                    "tracking_off_not_pushed": child["skipped"],
                    "requests": child["requests"],
                    "requests_floor": math.ceil(items / 2000),
                    "requests_goal_for_all_skus": math.ceil(size / 2000),
                    "wall_s": child["wall_s"],
                    "floor_s": round(floor_s, 3),
                    "wall_to_floor": round(child["wall_s"] / floor_s, 3) if floor_s else None,
                    "http_429": child["http_429"],
                    "http_429_served": served.get("http_429", 0),
                    "peak_rss_mb": child["peak_rss_mb"],
                    "rss_before_run_mb": child["rss_before_mb"],
                }
                largest_env = env
            sizes = sorted(stock_skus)
            if len(sizes) > 1:
                small = full[f"store_of_{sizes[0]}_skus"]["peak_rss_mb"]
                large = full[f"store_of_{sizes[-1]}_skus"]["peak_rss_mb"]
                full["peak_rss_growth_mb"] = round(large - small, 1)
            figures["full_stock_update"] = full

            # Changed Stock Update with 1 % of the largest store's SKUs changed.
            touched = command.run_child(CHILD, "--mode", "stock-touch", env=largest_env)
            sandbox.control("POST", "stats/reset")
            child = command.run_child(
                CHILD,
                "--mode",
                "stock-changed",
                *common,
                env=largest_env,
            )
            figures["changed_stock_update"] = {
                **limits,
                "skus": sizes[-1],
                "changed_products": touched["changed_products"],
                "items_pushed": child["updated"],
                "requests": child["requests"],
                "requests_goal": 1,
                "find_changed_ms": child["find_changed_ms"],
                "find_changed_how": "one indexed SQL query (links of the connection joined to "
                "their products, keyset page of 2000), SQLite",
                "wall_s": child["wall_s"],
                "http_429": child["http_429"],
                "peak_rss_mb": child["peak_rss_mb"],
            }
    finally:
        databases.close()
    return figures


if __name__ == "__main__":
    import django

    django.setup()
    main()
