"""Bar charts drawn on the server as SVG: no script, no external request, and presentation
attributes only (no inline styles), so they render under the admin's content security policy.

`bar_chart` computes the geometry; `templates/reports/_bar_chart.html` draws it.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 72, 8, 12, 28  # room for the axis labels
TICKS = 4


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the period, shown under some bars
    show_label: bool
    title: str  # label and value, shown on hover and read by screen readers


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right_edge: int
    baseline: float
    bars: list[Bar]
    ticks: list[Tick]


def nice_step(span: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) that splits `span` in about TICKS parts."""
    raw = span / TICKS
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= raw)


def bar_chart(
    points: list[tuple[str, Decimal | int]], *, format_value=str, format_tick=None
) -> Chart:
    """Bars for (label, value) points, on an axis from the lowest to the highest value (and
    always 0); negative values (e.g. a day of refunds) hang below the zero line. Bars' titles
    use `format_value`, the axis `format_tick` (the same by default)."""
    format_tick = format_tick or format_value
    values = [float(value) for _, value in points]
    low, high = min([0.0, *values]), max([0.0, *values])
    step = nice_step(high - low) if high > low else 1.0
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step or step
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT

    def y_of(value):
        return TOP + (high - value) / (high - low) * plot_height

    slot = plot_width / max(len(points), 1)
    label_every = math.ceil(len(points) / 12) or 1
    bars = []
    for index, (label, value) in enumerate(points):
        top, bottom = sorted((y_of(float(value)), y_of(0.0)))
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.1, 2),
                y=round(top, 2),
                width=round(slot * 0.8, 2),
                height=round(max(bottom - top, 0.5 if value else 0), 2),
                label=label,
                show_label=index % label_every == 0,
                title=f"{label}: {format_value(value)}",
            )
        )
    ticks = []
    value = low
    while value <= high + step / 2:
        ticks.append(Tick(y=round(y_of(value), 2), label=format_tick(Decimal(str(value)))))
        value += step
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, round(y_of(0.0), 2), bars, ticks)
