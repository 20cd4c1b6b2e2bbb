"""Bar charts as geometry for an inline SVG (the admin dashboard's template draws them): no script, no library,
nothing loaded from elsewhere, so the page stays within the Content-Security-Policy."""

from datetime import date
from decimal import Decimal

WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 52, 24, 10, 22  # room for the value axis on the left and the dates below


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value` (the axis' top)."""
    if value <= 0:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always answers


def _figure(value) -> str:
    if isinstance(value, Decimal | float) and value != int(value):
        return f"{value:,.2f}"
    return f"{int(value):,}"


def stacked_bars(*, days: list[date], series: list[tuple[str, str, list]], unit: str = "") -> dict:
    """A chart of one bar per day, each made of `series` stacked bottom up: (css class, label, a value per
    day). Answers the SVG's size, the bars (with a title each: day, value, label), the value axis' ticks, the
    dates under every fifth bar and the legend."""
    totals = [sum(values[i] for _, _, values in series) for i in range(len(days))]
    top = _nice_ceiling(float(max(totals, default=0)))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(days), 1)
    bar_width = max(slot * 0.75, 1)
    bars = []
    for i, day in enumerate(days):
        base = 0.0
        for css, label, values in series:
            value = values[i]
            if not value:
                continue
            height = float(value) / top * plot_height
            bars.append(
                {
                    "x": round(LEFT + i * slot + (slot - bar_width) / 2, 1),
                    "y": round(TOP + plot_height - base - height, 1),
                    "width": round(bar_width, 1),
                    "height": round(height, 1),
                    "css": css,
                    "title": f"{day:%d %b}: {_figure(value)}{unit} {label}",
                }
            )
            base += height
    ticks = [
        {"y": round(TOP + plot_height * (1 - share), 1), "label": _figure(top * share)}
        for share in (0, 0.5, 1)
    ]
    labels = [
        {"x": round(LEFT + i * slot + slot / 2, 1), "label": f"{day:%d %b}"}
        for i, day in enumerate(days)
        if (len(days) - 1 - i) % 5 == 0
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": TOP + plot_height,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "legend": [
            {"css": css, "label": label, "total": _figure(sum(values))} for css, label, values in series
        ],
        "empty": not any(totals),
    }
