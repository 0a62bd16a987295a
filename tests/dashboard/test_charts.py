"""The chart builders: scales, the SVG and its text alternatives, empty data, and the numbers
behind each chart bucketed by UTC day or hour from aware datetimes."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from catalog.kinds import FULL_STOCK_UPDATE
from dashboard.charts.series import (
    DEFAULT_QUOTA_PER_HOUR,
    api_usage_chart,
    day_buckets,
    hour_buckets,
    order_errors_chart,
    orders_chart,
    pushes_chart,
)
from dashboard.charts.svg import Chart, Series, chart_html, nice_scale
from dataflows.models import Run
from dataflows.usage import api_usage_record
from orders.models import OrderError, Shipment
from tests.dashboard.helpers import finished_run, order_of
from tests.fixtures.tenants import make_connection

NOW = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)


# ------------------------------------------------------------------------------ scale


@pytest.mark.parametrize(
    ("maximum", "top", "ticks"),
    [
        (0, 1.0, [0, 0.25, 0.5, 0.75, 1.0]),
        (7, 8, [0, 2, 4, 6, 8]),
        (10, 10, [0, 2.5, 5, 7.5, 10]),
        (18000, 20000, [0, 5000, 10000, 15000, 20000]),
        (1, 1, [0, 0.25, 0.5, 0.75, 1]),
    ],
)
def test_the_scale_has_round_steps_and_reaches_the_maximum(maximum, top, ticks):
    assert nice_scale(maximum) == (top, ticks)


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (2, [0, 1, 2]),
        (10, [0, 5, 10]),
        (0, [0, 1]),
        (7, [0, 2, 4, 6, 8]),
        (18000, [0, 5000, 10000, 15000, 20000]),
    ],
)
def test_a_scale_of_counts_has_whole_steps(maximum, ticks):
    assert nice_scale(maximum, integer=True)[1] == ticks


def test_a_scale_always_covers_its_maximum():
    for maximum in (3, 13, 99, 101, 333, 4999, 123456):
        top, ticks = nice_scale(maximum)
        assert top >= maximum and ticks[-1] == top and len(ticks) <= 6


# ------------------------------------------------------------------------------ svg


def chart(**fields) -> Chart:
    values = {
        "key": "demo",
        "title": "Orders imported per day",
        "description": "Orders per day.",
        "x_labels": ["12-01", "12-02"],
        "series": [Series("Orders", [3, 5])],
        "empty_text": "No orders imported in the last 30 days.",
    }
    return Chart(**{**values, **fields})


def test_a_chart_is_an_svg_scaled_by_its_viewbox_with_title_desc_legend_and_table():
    html = chart_html(chart())
    assert '<svg viewBox="0 0 ' in html and 'width="' not in html.split("<svg")[1].split(">")[0]
    assert 'role="img"' in html
    assert "<title>Orders imported per day</title>" in html
    assert '<desc id="chart-demo-desc">Orders per day.</desc>' in html
    assert 'aria-labelledby="chart-demo-title chart-demo-desc"' in html
    assert '<ul class="chart-legend">' in html and ">Orders</li>" in html
    assert "<table" in html and '<th scope="row">12-02</th><td>5</td>' in html
    assert html.count("<rect") == 2
    assert ">12-01</text>" in html  # axis labels


def test_an_empty_chart_says_so_instead_of_drawing():
    html = chart_html(chart(series=[Series("Orders", [0, 0])]))
    assert "No orders imported in the last 30 days." in html
    assert "<svg" not in html


def test_labels_are_escaped():
    html = chart_html(chart(series=[Series("<script>x</script>", [1, 2])]))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_stacked_bars_scale_to_the_highest_column():
    html = chart_html(chart(series=[Series("A", [6, 1]), Series("B", [3, 1])]))
    assert ">10</text>" in html  # 9 on a column: the axis goes to 10
    assert html.count("<rect") == 4


def test_a_line_chart_draws_its_limit_and_names_it_in_the_legend():
    html = chart_html(
        chart(kind="line", limit=18000, limit_label="Store quota: 18,000 requests per hour")
    )
    assert "<polyline" in html and 'class="limit"' in html
    assert "Store quota: 18,000 requests per hour" in html


# ------------------------------------------------------------------------------ buckets


def test_buckets_are_utc_days_and_hours_from_any_aware_time():
    in_auckland = NOW.astimezone(ZoneInfo("Pacific/Auckland"))  # already Dec 3rd there
    days = day_buckets(now=in_auckland)
    assert len(days) == 30 and days[-1] == NOW.date()
    hours = hour_buckets(now=in_auckland)
    assert len(hours) == 48
    assert hours[-1] == datetime(2026, 12, 2, 14, tzinfo=UTC)
    assert all(h.tzinfo is not None for h in hours)


# ------------------------------------------------------------------------------ series


@pytest.mark.django_db
def test_orders_are_counted_on_the_utc_day_they_were_imported(tenant):
    connection = make_connection(tenant)
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # Dec 2nd in Berlin: still Dec 1st here
    order_of(connection, 1, imported_at=late)
    order_of(connection, 2, imported_at=NOW - timedelta(minutes=5))
    order_of(connection, 3, imported_at=NOW - timedelta(days=40))  # outside the window
    result = orders_chart(connections=[connection], now=NOW)
    assert result.series[0].values[-2:] == [1, 1]
    assert sum(result.series[0].values) == 2


@pytest.mark.django_db
def test_no_orders_gives_the_empty_state(tenant):
    result = orders_chart(connections=[make_connection(tenant)], now=NOW)
    assert result.empty
    assert "No orders imported in the last 30 days." in chart_html(result)


@pytest.mark.django_db
def test_another_connections_rows_are_not_counted(tenant, other_tenant):
    mine = make_connection(tenant)
    theirs = make_connection(other_tenant, name="Theirs", store_hash="zzz999")
    order_of(theirs, 1, imported_at=NOW - timedelta(hours=1))
    assert orders_chart(connections=[mine], now=NOW).empty


@pytest.mark.django_db
def test_open_errors_are_counted_each_day_until_resolved_by_cause(tenant):
    connection = make_connection(tenant)

    def error(bc_order_id, code, first_seen, resolved=None):
        return OrderError.objects.create(
            connection=connection,
            bc_order_id=bc_order_id,
            code=code,
            message="m",
            first_seen_at=first_seen,
            last_seen_at=first_seen,
            resolved_at=resolved,
        )

    error(1, OrderError.Code.UNKNOWN_SKU, NOW - timedelta(days=3))
    error(2, OrderError.Code.UNKNOWN_SKU, NOW - timedelta(days=3), NOW - timedelta(days=1))
    error(3, OrderError.Code.TRACKING_OFF, NOW - timedelta(hours=1))
    result = order_errors_chart(connections=[connection], now=NOW)
    # Nov 28 .. Dec 2, each at the day's end (today: now); error 2 resolved on Dec 1.
    by_cause = {s.label: s.values[-5:] for s in result.series}
    assert by_cause["Unknown SKU"] == [0, 2, 2, 1, 1]
    assert by_cause["Inventory tracking off"] == [0, 0, 0, 0, 1]
    assert [s.label for s in result.series] == ["Unknown SKU", "Inventory tracking off"]


@pytest.mark.django_db
def test_api_usage_is_per_hour_against_the_known_quota(tenant):
    connection = make_connection(tenant)
    api_usage_record(connection_id=connection.pk, requests=120, throttled=2, at=NOW)
    api_usage_record(
        connection_id=connection.pk,
        requests=30,
        quota_per_hour=54000,
        at=NOW - timedelta(hours=2, minutes=10),
    )
    result = api_usage_chart(connections=[connection], now=NOW)
    assert result.series[0].values[-1] == 120 and result.series[0].values[-3] == 30
    assert result.limit == 54000
    assert "2 requests answered" in result.notes[0]


@pytest.mark.django_db
def test_api_usage_assumes_the_standard_quota_until_a_store_tells(tenant):
    connection = make_connection(tenant)
    api_usage_record(connection_id=connection.pk, requests=5, at=NOW)
    result = api_usage_chart(connections=[connection], now=NOW)
    assert result.limit == DEFAULT_QUOTA_PER_HOUR == 18000
    assert "until a store tells its own" in result.limit_label


@pytest.mark.django_db
def test_stock_pushes_and_shipments_are_counted_per_day(tenant):
    connection = make_connection(tenant)
    run = finished_run(connection, FULL_STOCK_UPDATE, minutes_ago=10, updated=40)
    Run.objects.filter(pk=run.pk).update(finished_at=NOW - timedelta(minutes=10))
    order = order_of(connection, 1)
    Shipment.objects.create(
        order=order, status=Shipment.Status.SENT, sent_at=NOW - timedelta(days=1)
    )
    result = pushes_chart(connections=[connection], now=NOW)
    stock, shipments = result.series
    assert stock.values[-1] == 40
    assert shipments.values[-2:] == [1, 0]
