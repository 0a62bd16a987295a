import json
from io import StringIO

from django.core.management import call_command


def test_bench_prints_one_json_object_with_the_order_fetch_figures():
    out = StringIO()

    call_command(
        "bench", orders=[300], quota=1000, window_ms=1000, catalog_products=300,
        stock_skus=[1000, 3000], stdout=out,
    )  # fmt: skip

    figures = json.loads(out.getvalue())
    fetch = figures["orders_fetch"]["store_of_300_orders"]
    assert fetch["orders"] > 250
    assert fetch["requests"] == 2  # 250 a request: one full page, one short page
    assert fetch["requests_per_1000_orders"] == round(2000 / fetch["orders"], 2)
    assert fetch["http_429"] == 0
    assert fetch["peak_rss_mb"] > 0
    concurrent = figures["orders_fetch_concurrent"]
    assert concurrent["orders_each"] == [fetch["orders"]] * concurrent["processes"]
