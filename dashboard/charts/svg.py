"""Charts as server-rendered SVG: bars (stacked when several series) or lines, on a "nice"
scale, with axis labels, a legend, a <title>/<desc> and a data table as the text alternative,
and an empty state. Scaled by its viewBox, so one drawing serves desktop and phone widths."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 480, 250
LEFT, RIGHT, TOP, BOTTOM = 56, 10, 14, 38
#: Distinct for the colour-blind (Okabe-Ito), darkest first.
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")
LIMIT_COLOUR = "#dc2626"


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float]


@dataclass(frozen=True)
class Chart:
    key: str  # unique on the page (element ids)
    title: str
    description: str  # what the chart shows, for screen readers and the <desc>
    x_labels: list[str]  # one per bucket ("12-01", "14:00")
    series: list[Series]
    kind: str = "bar"  # "bar" (stacked when several series) or "line"
    empty_text: str = "Nothing to show yet."
    unit: str = ""
    limit: float | None = None  # a horizontal line, e.g. the store's quota
    limit_label: str = ""
    x_title: str = ""
    #: Show every n-th x label (the others would overlap at phone width).
    label_every: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(v for s in self.series for v in s.values)


def nice_scale(
    maximum: float, *, ticks: int = 4, integer: bool = False
) -> tuple[float, list[float]]:
    """The top of the axis and its tick values: round steps (1, 2, 2.5, 5 × 10^n; whole
    numbers only when `integer`, for counts) whose top is at or above `maximum`; a zero
    maximum gets the scale 0..1."""
    if maximum <= 0 or math.isnan(maximum):
        return (1.0, [0.0, 1.0]) if integer else (1.0, [0.0, 0.25, 0.5, 0.75, 1.0])
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer and magnitude < 10 else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in steps if m * magnitude >= raw)
    if integer:
        step = max(1, round(step))
    count = math.ceil(maximum / step - 1e-9)
    top = step * count
    return top, [step * i for i in range(count + 1)]


def number_label(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 10_000:
        return f"{value / 1000:g}k"
    return f"{value:g}" if value != int(value) else f"{int(value)}"


def _stacked_max(chart: Chart) -> float:
    if chart.kind == "line" or len(chart.series) == 1:
        top = max((v for s in chart.series for v in s.values), default=0)
    else:
        top = max(
            (sum(col) for col in zip(*(s.values for s in chart.series), strict=True)), default=0
        )
    return max(top, chart.limit or 0)


def _plot(chart: Chart) -> list[str]:
    n = len(chart.x_labels)
    width, height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top, ticks = nice_scale(_stacked_max(chart), integer=True)  # every chart counts things

    def y(value: float) -> float:
        return TOP + height - (value / top) * height

    slot = width / max(n, 1)
    parts = []
    for tick in ticks:
        parts.append(
            f'<line class="grid-line" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}" stroke="#e2e8f0"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
            f"{escape(number_label(tick))}</text>"
        )
    every = chart.label_every or max(1, math.ceil(n / 8))
    for i, label in enumerate(chart.x_labels):
        if i % every == 0:
            x = LEFT + slot * (i + 0.5)
            parts.append(
                f'<text class="tick" x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    if chart.kind == "line":
        for index, series in enumerate(chart.series):
            points = " ".join(
                f"{LEFT + slot * (i + 0.5):.1f},{y(v):.1f}" for i, v in enumerate(series.values)
            )
            parts.append(
                f'<polyline fill="none" stroke="{COLOURS[index % len(COLOURS)]}" '
                f'stroke-width="2" points="{points}">'
                f"<title>{escape(series.label)}</title></polyline>"
            )
    else:
        bar = max(1.0, slot * 0.7)
        base = [0.0] * n
        for index, series in enumerate(chart.series):
            colour = COLOURS[index % len(COLOURS)]
            for i, value in enumerate(series.values):
                if not value:
                    continue
                x = LEFT + slot * i + (slot - bar) / 2
                y0, y1 = y(base[i]), y(base[i] + value)
                base[i] += value
                parts.append(
                    f'<rect x="{x:.1f}" y="{y1:.1f}" width="{bar:.1f}" height="{y0 - y1:.1f}" '
                    f'fill="{colour}"><title>{escape(chart.x_labels[i])}: '
                    f"{escape(series.label)} {escape(number_label(value))}</title></rect>"
                )
    if chart.limit:
        parts.append(
            f'<line class="limit" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(chart.limit):.1f}" '
            f'y2="{y(chart.limit):.1f}" stroke="{LIMIT_COLOUR}" stroke-width="1.5" '
            f'stroke-dasharray="6 4"><title>{escape(chart.limit_label)}</title></line>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + height}" y2="{TOP + height}" '
        'stroke="#94a3b8"/>'
    )
    if chart.unit:
        parts.append(
            f'<text class="tick" x="14" y="{TOP + height / 2:.1f}" text-anchor="middle" '
            f'transform="rotate(-90 14 {TOP + height / 2:.1f})">{escape(chart.unit)}</text>'
        )
    if chart.x_title:
        parts.append(
            f'<text class="tick" x="{LEFT + width / 2:.1f}" y="{HEIGHT - 2}" '
            f'text-anchor="middle">{escape(chart.x_title)}</text>'
        )
    return parts


def _legend(chart: Chart) -> str:
    items = []
    for index, series in enumerate(chart.series):
        shape = "line" if chart.kind == "line" else "box"
        items.append(
            format_html(
                '<li><span class="chart-swatch {}" style="background:{}" aria-hidden="true">'
                "</span>{}</li>",
                shape,
                COLOURS[index % len(COLOURS)],
                series.label,
            )
        )
    if chart.limit:
        items.append(
            format_html(
                '<li><span class="chart-swatch line" style="background:{}" aria-hidden="true">'
                "</span>{}</li>",
                LIMIT_COLOUR,
                chart.limit_label,
            )
        )
    return '<ul class="chart-legend">' + "".join(items) + "</ul>"


def _table(chart: Chart) -> str:
    head = "".join(format_html('<th scope="col">{}</th>', s.label) for s in chart.series)
    rows = []
    for i, label in enumerate(chart.x_labels):
        cells = "".join(format_html("<td>{}</td>", number_label(s.values[i])) for s in chart.series)
        rows.append(format_html('<tr><th scope="row">{}</th>', label) + cells + "</tr>")
    return (
        "<details><summary>The numbers as a table</summary>"
        '<div class="table-wrap"><table class="grid">'
        f'<thead><tr><th scope="col">{escape(chart.x_title or "When")}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></details>"
    )


def chart_html(chart: Chart) -> SafeString:
    """The chart's heading, drawing (or empty state), legend and table, as HTML."""
    title_id, desc_id = f"chart-{chart.key}-title", f"chart-{chart.key}-desc"
    head = format_html(
        '<div class="chart" data-chart="{}"><h3 id="{}">{}</h3>', chart.key, title_id, chart.title
    )
    notes = "".join(format_html('<p class="small muted">{}</p>', note) for note in chart.notes)
    if chart.empty:
        return mark_safe(
            head + format_html('<p class="chart-empty">{}</p>', chart.empty_text) + notes + "</div>"
        )
    svg = (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="14" '
        f'fill="#64748b"><title>{escape(chart.title)}</title>'
        f'<desc id="{desc_id}">{escape(chart.description)}</desc>'
        + "".join(_plot(chart))
        + "</svg>"
    )
    return mark_safe(head + svg + _legend(chart) + notes + _table(chart) + "</div>")
