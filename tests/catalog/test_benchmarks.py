"""The catalog figures of `make bench` at a small size, with their goals (`make bench-test`; the
real sizes run in `make bench`)."""

import pytest

from catalog.benchmarks.match_and_stock import run_catalog_benchmarks
from integrationhub.management.commands.bench import Command

pytestmark = [pytest.mark.sandbox, pytest.mark.bench]


def test_the_catalog_benchmarks_report_requests_wall_floor_and_memory():
    figures = run_catalog_benchmarks(
        Command(), products=300, variants=3, stock_skus=[1000, 3000], quota=1000, window_ms=1000
    )

    match = figures["product_match"]
    assert match["first_run"]["variants"] == 900
    assert match["first_run"]["links_created"] == 900
    assert match["first_run"]["requests"] == match["first_run"]["requests_floor"] == 2
    assert match["repeat_run"]["links_unchanged"] == 900
    assert match["first_run"]["http_429"] == 0

    full = figures["full_stock_update"]["store_of_3000_skus"]
    assert full["requests"] == full["requests_floor"] == 2  # 2000 items a request
    assert full["items_pushed"] + full["tracking_off_not_pushed"] <= 3000
    assert full["peak_rss_mb"] > 0 and "peak_rss_growth_mb" in figures["full_stock_update"]

    changed = figures["changed_stock_update"]
    assert changed["changed_products"] == 30  # 1 % of 3000
    assert changed["requests"] == 1
    assert changed["find_changed_ms"] >= 0
