"""`make bench` (`manage.py bench`) at the smallest sizes: the one benchmark test of the default
suite. The goals of each group are checked by the `bench` tests (`make bench-test`)."""

import json
import math
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.sandbox

GROUPS = {
    "machine",
    "orders_fetch",
    "orders_fetch_concurrent",
    "order_import",
    "order_update",
    "product_match",
    "full_stock_update",
    "changed_stock_update",
    "sync_listings",
    "quotes",
    "scheduler",
    "webhooks",
    "read_paths",
    "scale",
}


def test_bench_prints_one_json_object_with_every_group_of_figures():
    out = StringIO()

    call_command(
        "bench", orders=[300], import_orders=[300], import_pro_quota=0, peer_orders=100,
        quota=1000, window_ms=1000, catalog_products=300,
        stock_skus=[1000], listings=50, quotes_clients=2, quotes_seconds=0.5,
        scale_connections=[2, 5],
        webhook_orders=3, webhook_rate=10, webhook_burst=20, webhook_burst_orders=3,
        webhook_duplicates=2, update_shipments=20, read_connections=3, read_orders=300,
        load_big_orders=300, load_connections=2, load_orders=30, load_workers=1,
        stdout=out,
    )  # fmt: skip

    figures = json.loads(out.getvalue())
    assert set(figures) == GROUPS
    machine = figures["machine"]
    assert machine["python_probe_ms_before"] > 0 and machine["python_probe_ms_after"] > 0
    fetch = figures["orders_fetch"]["store_of_300_orders"]
    assert fetch["orders"] > 250
    assert fetch["requests"] == 2  # 250 a request: one full page, one short page
    assert fetch["requests_per_1000_orders"] == round(2000 / fetch["orders"], 2)
    assert fetch["http_429"] == 0
    assert fetch["peak_rss_mb"] > 0
    concurrent = figures["orders_fetch_concurrent"]
    assert concurrent["orders_each"] == [fetch["orders"]] * concurrent["processes"]
    assert figures["order_import"]["sqlite"]["store_of_300_orders"]["orders_imported"] > 0
    assert figures["order_import"]["peer"]["requests_ratio"] > 1
    assert figures["order_update"]["sent"] == figures["order_update"]["shipments"] == 20
    assert figures["product_match"]["first_run"]["variants"] == 900
    assert figures["full_stock_update"]["store_of_1000_skus"]["requests"] >= 1
    assert figures["changed_stock_update"]["requests"] == 1
    beat = figures["scheduler"]["sqlite"]["connections_5"]["beat"]
    assert beat["sent"] >= 30 and beat["burst_queries"] <= 4
    assert figures["webhooks"]["latency_s"]["p95"] > 0
    assert figures["webhooks"]["duplicates"]["delivered"] == 6
    listings = figures["sync_listings"]
    assert listings["requests"] == math.ceil(listings["changed_listings_sent"] / 10)
    read = figures["read_paths"]["sqlite"]
    assert read["orders"] == 300 and read["screens"]["orders_api"]["queries"] <= 4
    assert read["queries"]["orders_list_page"]["plan"]
    assert figures["scale"]["load"]["runs_finished"] == 2
    assert figures["scale"]["fairness"]["small_latency_idle_s"] > 0
