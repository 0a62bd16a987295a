"""The dashboard's charts: the numbers behind each (one grouped query per chart, in UTC
buckets), shaped as `Chart`s for `chart_html`."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDay

from catalog.kinds import CHANGED_STOCK_UPDATE, FULL_STOCK_UPDATE
from dataflows.models import ApiUsageHour, Run
from dataflows.usage import hour_start
from orders.models import Order, OrderError, Shipment

from .svg import Chart, Series

DAYS = 30
HOURS = 48
#: BigCommerce's Standard and Plus plans: 150 requests per 30 s, scaled to an hour.
DEFAULT_QUOTA_PER_HOUR = 150 * 120
#: More connections than this share one "Other connections" line.
MAX_LINES = 6


def day_buckets(*, now: datetime, days: int = DAYS) -> list[date]:
    """The last `days` UTC dates, oldest first, today last."""
    today = now.astimezone(UTC).date()
    return [today - timedelta(days=days - 1 - i) for i in range(days)]


def hour_buckets(*, now: datetime, hours: int = HOURS) -> list[datetime]:
    """The starts of the last `hours` UTC hours, oldest first, the current one last."""
    current = hour_start(now)
    return [current - timedelta(hours=hours - 1 - i) for i in range(hours)]


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _day_labels(days: list[date]) -> list[str]:
    return [f"{d:%m-%d}" for d in days]


def _per_day(rows, days: list[date], value: str = "n") -> list[float]:
    found = {row["day"].astimezone(UTC).date(): row[value] or 0 for row in rows}
    return [found.get(day, 0) for day in days]


def _scoped(queryset, *, connections, path: str = "connection"):
    return queryset.filter(**{f"{path}__in": connections})


def orders_chart(*, connections, now: datetime) -> Chart:
    days = day_buckets(now=now)
    rows = (
        _scoped(Order.objects, connections=connections)
        .filter(imported_at__gte=_day_start(days[0]))
        .annotate(day=TruncDay("imported_at", tzinfo=UTC))
        .values("day")
        .annotate(n=Count("id"))
    )
    values = _per_day(rows, days)
    total = int(sum(values))
    return Chart(
        key="orders",
        title="Orders imported per day",
        description=f"Orders imported into the hub on each of the last {DAYS} days (UTC): "
        f"{total} in all.",
        x_labels=_day_labels(days),
        series=[Series("Orders imported", values)],
        empty_text=f"No orders imported in the last {DAYS} days.",
        unit="orders",
        x_title="Day (UTC)",
    )


def order_errors_chart(*, connections, now: datetime) -> Chart:
    """Errors open at the end of each day (or now, for today), stacked by cause."""
    days = day_buckets(now=now)
    ends = [min(_day_start(day) + timedelta(days=1), now) for day in days]
    counts = {
        f"d{i}": Count(
            "id",
            filter=Q(first_seen_at__lt=end)
            & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=end)),
        )
        for i, end in enumerate(ends)
    }
    rows = (
        _scoped(OrderError.objects, connections=connections)
        .filter(first_seen_at__lt=now)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=ends[0]))
        .values("code")
        .annotate(**counts)
        .order_by("code")
    )
    labels = dict(OrderError.Code.choices)
    series = [
        Series(labels.get(row["code"], row["code"]), [row[f"d{i}"] for i in range(len(days))])
        for row in rows
    ]
    series = [s for s in series if any(s.values)]
    series.sort(key=lambda s: -sum(s.values))  # the largest cause at the bottom of the stack
    return Chart(
        key="order-errors",
        title="Open order errors by cause",
        description="Order errors open at the end of each of the last "
        f"{DAYS} days (UTC), by cause; today: {int(sum(s.values[-1] for s in series))} open.",
        x_labels=_day_labels(days),
        series=series,
        empty_text=f"No order errors were open in the last {DAYS} days.",
        unit="errors",
        x_title="Day (UTC)",
    )


def api_usage_chart(*, connections, now: datetime) -> Chart:
    """Requests per hour per connection, against the tightest quota among their stores."""
    hours = hour_buckets(now=now)
    rows = list(
        _scoped(ApiUsageHour.objects, connections=connections)
        .filter(hour__gte=hours[0])
        .values("connection_id", "connection__name", "hour", "requests", "throttled")
        .order_by("connection__name", "connection_id", "hour")
    )
    quotas = (
        _scoped(ApiUsageHour.objects, connections=connections)
        .filter(quota_per_hour__isnull=False)
        .values("connection_id")
        .annotate(q=Max("quota_per_hour"))
    )
    by_connection: dict[int, dict] = defaultdict(lambda: {"name": "", "values": {}})
    throttled = 0
    for row in rows:
        entry = by_connection[row["connection_id"]]
        entry["name"] = row["connection__name"]
        entry["values"][hour_start(row["hour"])] = row["requests"]
        throttled += row["throttled"]
    lines = sorted(by_connection.values(), key=lambda e: -sum(e["values"].values()))
    series = [Series(e["name"], [e["values"].get(h, 0) for h in hours]) for e in lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        rest = [sum(e["values"].get(h, 0) for e in lines[MAX_LINES:]) for h in hours]
        series.append(Series("Other connections", rest))
    known = [row["q"] for row in quotas]
    quota = min(known) if known else DEFAULT_QUOTA_PER_HOUR
    quota_text = (
        f"Store quota: {quota:,} requests per hour"
        if known
        else f"Store quota: {quota:,} per hour (150 per 30 s, until a store tells its own)"
    )
    notes = (
        [f"{throttled} request{'s' if throttled != 1 else ''} answered “429 Too Many Requests”."]
        if throttled
        else []
    )
    return Chart(
        key="api-usage",
        title="API requests per hour",
        description=f"API requests the hub sent to BigCommerce in each of the last {HOURS} hours "
        f"(UTC), per connection, against the store's quota of {quota:,} per hour.",
        x_labels=[f"{h:%H}h" for h in hours],
        series=series,
        kind="line",
        empty_text=f"No API requests in the last {HOURS} hours.",
        unit="requests",
        limit=quota,
        limit_label=quota_text,
        x_title="Hour (UTC)",
        label_every=6,
        notes=notes,
    )


def pushes_chart(*, connections, now: datetime) -> Chart:
    """Stock levels pushed (items the stock updates changed) and shipments sent, per day."""
    days = day_buckets(now=now)
    start = _day_start(days[0])
    stock = (
        _scoped(Run.objects, connections=connections, path="dataflow__connection")
        .filter(
            dataflow__kind__in=(FULL_STOCK_UPDATE, CHANGED_STOCK_UPDATE), finished_at__gte=start
        )
        .annotate(day=TruncDay("finished_at", tzinfo=UTC))
        .values("day")
        .annotate(n=Sum("updated"))
    )
    shipments = (
        _scoped(Shipment.objects, connections=connections, path="order__connection")
        .filter(sent_at__gte=start)
        .annotate(day=TruncDay("sent_at", tzinfo=UTC))
        .values("day")
        .annotate(n=Count("id"))
    )
    return Chart(
        key="pushes",
        title="Stock pushes and shipments sent per day",
        description=f"Stock levels pushed to the stores and shipments sent to BigCommerce on each "
        f"of the last {DAYS} days (UTC).",
        x_labels=_day_labels(days),
        series=[
            Series("Stock levels pushed", _per_day(stock, days)),
            Series("Shipments sent", _per_day(shipments, days)),
        ],
        kind="line",
        empty_text=f"No stock pushed and no shipments sent in the last {DAYS} days.",
        unit="items",
        x_title="Day (UTC)",
    )


def dashboard_charts(*, connections, now: datetime) -> list[Chart]:
    """The four charts over these connections (a queryset or list of them)."""
    return [
        orders_chart(connections=connections, now=now),
        order_errors_chart(connections=connections, now=now),
        api_usage_chart(connections=connections, now=now),
        pushes_chart(connections=connections, now=now),
    ]
