"""The "webhooks" group of `make bench` at a small size: orders created in a sandbox reach a
live hub through webhooks within the latency goal, a burst of updates over a few orders costs a
handful of requests, and redelivered callbacks import nothing twice (`make bench-test`)."""

import pytest

from connections.bigcommerce.sandbox.process import SandboxProcess
from orders.benchmarks import webhooks

pytestmark = [pytest.mark.sandbox, pytest.mark.bench]


@pytest.fixture(scope="module")
def figures():
    with SandboxProcess(orders=20, products=40, variants=3, seed=1) as sb:
        yield webhooks.figures(
            sb, orders=30, rate_per_s=10, burst=100, burst_orders=10, duplicates=10, copies=3
        )


def test_orders_reach_the_hub_within_the_latency_goal(figures):
    assert figures["latency_s"]["p95"] < webhooks.GOALS["latency_p95_s"]
    assert 0 < figures["latency_s"]["p50"] <= figures["latency_s"]["p95"]
    assert figures["latency_runs"] < figures["orders"]  # coalesced, not one run per order
    polling = figures["polling_only_latency_s"]
    assert polling["p50"] > figures["latency_s"]["p95"]


def test_a_burst_of_updates_costs_a_handful_of_requests(figures):
    burst = figures["burst"]
    assert burst["updates"] == 100 and burst["orders_touched"] == 10
    goals = webhooks.GOALS
    assert 1 <= burst["api_requests"] <= burst["runs"] + 1
    # About one fetch per coalescing window the burst spans (and the runs at its edges).
    assert (
        burst["api_requests"] <= goals["burst_requests_per_window"] * burst["coalesce_windows"] + 3
    )
    assert burst["api_requests_per_1000_deliveries"] <= goals["burst_requests_per_1000_deliveries"]


def test_duplicate_deliveries_import_nothing_twice(figures):
    dup = figures["duplicates"]
    assert dup["delivered"] == 30 and dup["deliveries_recorded"] == 10
    assert dup["duplicates_refused"] == 20
    assert dup["hub_rows"] + dup["refused_with_an_order_error"] == 10
    assert dup["duplicate_imports"] == webhooks.GOALS["duplicate_imports"] == 0
    assert dup["api_requests"] <= 2
