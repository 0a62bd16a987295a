"""The listings benchmark of `manage.py bench`: Sync Listings of N changed listings against a
sandbox store, in a child process on a throw-away SQLite database.

The child links the store's products with Product Match, lists each linked hub product
(Publish Listings adopts the linked store product: batched updates, no duplicate), changes
every hub price, and measures the Sync Listings that sends them. Floor: ceil(N / 10) product
batch requests; wall/floor against the store quota's time for those requests."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from decimal import Decimal

from catalog.benchmarks.match_and_stock import _connection, _Databases, _floor, _run
from connections.bigcommerce.sandbox.process import SandboxProcess, peak_rss_mb

CHILD = __name__
STORE_HASH = "listbench1"
TOKEN = "listbench-token-1"


def _sync(args) -> dict:
    from django.db.models import F
    from django.utils import timezone

    from catalog.models import Product
    from listings.models import Listing

    connection = _connection(args)
    _run(args, "product_match")
    linked = Product.objects.filter(links__connection=connection).distinct()
    Listing.objects.bulk_create(
        [Listing(connection=connection, product=p, pending="publish") for p in linked]
    )
    publish = _run(args, "publish_listings")
    now = timezone.now()
    changed = Product.objects.filter(pk__in=linked.values("pk"))
    changed.exclude(price=None).update(price=F("price") + Decimal("1"), updated_at=now)
    changed.filter(price=None).update(price=Decimal("9"), updated_at=now)
    started = time.monotonic()
    sync = _run(args, "sync_listings")
    sync["wall_s"] = round(time.monotonic() - started, 3)
    sync["listings"] = Listing.objects.filter(connection=connection, state="live").count()
    sync["publish_requests"] = publish["requests"]
    return sync


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", required=True, choices=["migrate", "sync"])
    parser.add_argument("--api-url", default="")
    parser.add_argument("--store-hash", default=STORE_HASH)
    parser.add_argument("--token", default=TOKEN)
    args = parser.parse_args(argv)
    if args.mode == "migrate":
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        result = {}
    else:
        result = _sync(args)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    sys.stdout.flush()


def run_listings_benchmark(command, *, listings: int, quota: int, window_ms: int) -> dict:
    """The figure group `sync_listings`."""
    databases = _Databases(command)
    databases.fresh = _fresh(databases)
    try:
        with SandboxProcess(
            store_hash=STORE_HASH,
            token=TOKEN,
            orders=1,
            products=listings,
            variants=1,
            quota=quota,
            window_ms=window_ms,
            seed=2,
        ) as sandbox:
            child = command.run_child(
                CHILD, "--mode", "sync", "--api-url", sandbox.url, env=databases.fresh()
            )
    finally:
        databases.close()
    changed = max(1, child["updated"])
    floor_requests = math.ceil(changed / 10)
    floor_s = _floor(child["requests"], quota, window_ms)
    return {
        "quota": quota,
        "window_ms": window_ms,
        "listings": child["listings"],
        "changed_listings_sent": child["updated"],
        "requests": child["requests"],
        "requests_per_1000_changed_listings": round(child["requests"] * 1000 / changed, 2),
        "requests_floor_per_1000": 100,
        "requests_floor": floor_requests,
        "wall_s": child["wall_s"],
        "floor_s": round(floor_s, 3),
        "wall_to_floor": round(child["wall_s"] / floor_s, 3) if floor_s else None,
        "http_429": child["http_429"],
        "publish_requests": child["publish_requests"],
        "peak_rss_mb": child["peak_rss_mb"],
    }


def _fresh(databases):
    """The catalog's throw-away databases, migrated by this module's child."""

    def fresh() -> dict:
        if not databases.template.exists():
            databases.command.run_child(
                CHILD, "--mode", "migrate", env=databases.env(databases.template)
            )
        databases.count += 1
        path = databases.dir / f"bench{databases.count}.sqlite3"
        import shutil

        shutil.copyfile(databases.template, path)
        return databases.env(path)

    return fresh
