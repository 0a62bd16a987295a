"""`make bench` (`manage.py bench`) at the smallest sizes: the one benchmark test of the default
suite. The goals of each group are checked by the `bench` tests (`make bench-test`)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.sandbox

GROUPS = {
    "orders_fetch",
    "orders_fetch_concurrent",
    "order_import",
    "product_match",
    "full_stock_update",
    "changed_stock_update",
    "quotes",
    "scale",
}


def test_bench_prints_one_json_object_with_every_group_of_figures():
    out = StringIO()

    call_command(
        "bench", orders=[300], import_orders=[300], import_pro_quota=0, peer_orders=100,
        quota=1000, window_ms=1000, catalog_products=300,
        stock_skus=[1000], quotes_clients=2, quotes_seconds=0.5, scale_big_orders=300,
        scale_connections=2, scale_orders=30, scale_workers=1, stdout=out,
    )  # fmt: skip

    figures = json.loads(out.getvalue())
    assert set(figures) == GROUPS
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
    assert figures["order_import"]["order_update"]["sent"] > 0
    assert figures["product_match"]["first_run"]["variants"] == 900
    assert figures["full_stock_update"]["store_of_1000_skus"]["requests"] >= 1
    assert figures["changed_stock_update"]["requests"] == 1
    assert figures["scale"]["load"]["runs_finished"] == 2
    assert figures["scale"]["fairness"]["small_latency_idle_s"] > 0
