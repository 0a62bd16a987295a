"""The "order_import" group of `make bench` on a small store: the goals hold and every figure
is there (`make bench-test`; the bench command itself is smoke-tested in the default suite)."""

import pytest

from connections.bigcommerce.sandbox.process import SandboxProcess
from orders.benchmarks import order_import

pytestmark = [pytest.mark.sandbox, pytest.mark.bench]


@pytest.fixture(scope="module")
def figures():
    with SandboxProcess(orders=700, products=60, variants=3, quota=150, window_ms=30000) as sb:
        yield order_import.figures(sb, sizes=[700], shipments=40, update_window_ms=1000)


def test_the_import_figures_meet_the_goals(figures):
    store = figures["store_of_700_orders"]
    assert figures["quota"] == 150 and figures["window_ms"] == 30000
    assert store["orders_imported"] + store["orders_with_errors"] == store["orders_in_filter"]
    assert store["requests"] <= store["requests_floor"] + 2
    assert store["http_429"] == store["http_429_served"] == 0
    assert store["peak_rss_mb"] > 0 and store["wall_s"] > 0 and store["floor_s"] > 0
    assert store["second_run"]["requests"] == 1
    assert store["second_run"]["orders_written"] == 0


def test_the_order_update_figures_meet_the_goal(figures):
    update = figures["order_update"]
    assert update["shipments"] == update["sent"] == 40
    assert update["requests_per_shipment"] == 1.0 and update["posts_served"] == 40
