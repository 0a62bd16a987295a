"""The quotes group of `make bench`: a tiny run in the default suite (a few seconds), the full
20 clients x 30 s with its goal behind the `bench` marker (`make bench-test`)."""

import pytest

from checkout.benchmarks.quotes import GOAL_P95_RATIO, figures


def test_the_quotes_benchmark_reports_percentiles_for_both_endpoints_and_no_errors():
    got = figures(clients=2, seconds=0.5, workers=1)
    for endpoint in ("quote", "trivial"):
        assert got[endpoint]["requests"] > 0
        assert 0 < got[endpoint]["p50_ms"] <= got[endpoint]["p95_ms"] <= got[endpoint]["p99_ms"]
    assert got["errors"] == 0
    assert got["p95_ratio"] == round(got["quote"]["p95_ms"] / got["trivial"]["p95_ms"], 2)


@pytest.mark.bench
def test_quote_latency_stays_within_twice_the_trivial_endpoints_under_load():
    got = figures(clients=20, seconds=30)
    assert got["errors"] == 0
    assert got["p95_ratio"] <= GOAL_P95_RATIO, got
