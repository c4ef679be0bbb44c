"""Accessible SVG charts drawn by hand: no JavaScript, no external library, nothing from a CDN.

Each chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`. The page puts a data table
next to every chart, so charts carry no tooltips and screen readers get the numbers from the table.
Lines and bars have at least 3:1 contrast against white (WCAG 1.4.11). Colours come from the Okabe–Ito
palette, which colour-blind readers can tell apart, and every series also has its own dash pattern, so
colour is never the only cue (WCAG 1.4.1). The SVG takes the width of its container and scales its text
with it. Only presentation attributes are used, no `style`, so a strict Content-Security-Policy allows them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Okabe–Ito, reordered so the first colours are the most distinct. Orange, sky blue and reddish purple are
# darkened (same hue, lower lightness) to reach 3:1 against white; yellow cannot be, so it is left out.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#C870A1",  # reddish purple, darkened from #CC79A7
    "#BB8100",  # orange, darkened from #E69F00
    "#1C95D9",  # sky blue, darkened from #56B4E9
    "#000000",  # black
)
# stroke-dasharray per series, in the same order: solid, dashed, dotted, dash-dot, ...
DASHES: tuple[str, ...] = ("", "9 5", "2 4", "12 4 2 4", "5 5", "12 4 2 4 2 4", "16 6")
TEXT_COLOUR = "#1F1F1F"
AXIS_COLOUR = "#595959"
GRID_COLOUR = "#E0E0E0"  # decorative only: the tick labels carry the scale

WIDTH = 640
FONT_SIZE = 14
SMALL_FONT_SIZE = 12
LINE_HEIGHT = 22
NO_DATA_HEIGHT = 120

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_LIMIT_95 = (PALETTE[1], DASHES[1])
_LIMIT_998 = (PALETTE[3], DASHES[2])
# Round steps for an axis in months: quarters, half-years, years.
_MONTH_STEPS = (1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 36.0, 60.0, 120.0)


@dataclass(frozen=True)
class Series:
    label: str
    x: Sequence[float]
    y: Sequence[float]
    lower: Sequence[float] | None = None
    upper: Sequence[float] | None = None


@dataclass(frozen=True)
class FunnelPoint:
    label: str
    expected: float
    ratio: float


@dataclass(frozen=True)
class PlotFrame:
    """Where the plot area sits in the SVG and how data maps onto it."""

    left: float
    top: float
    width: float
    height: float
    x_max: float
    y_max: float

    def x(self, value: float) -> float:
        return self.left + _clamp(value, 0.0, self.x_max) / self.x_max * self.width

    def y(self, value: float) -> float:
        return self.top + self.height - _clamp(value, 0.0, self.y_max) / self.y_max * self.height

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width


def step_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    y_max: float = 1.0,
    percent: bool = True,
) -> SafeString:
    """Step curves (Kaplan–Meier, cumulative incidence) with optional confidence bands and a legend.

    A curve holds its value until the next x. Points with a missing (non-finite) x or y are left out; a
    band is drawn only when all its limits are finite. x is in months.
    """
    check_id(chart_id)
    curves = [_finite_steps(one) for one in series]
    if not any(points for points, band in curves):
        return _no_data(chart_id=chart_id, title=title, description=description)

    x_ticks = nice_ticks(max(x for points, band in curves for x, y in points), steps=_MONTH_STEPS, most=8)
    y_ticks = nice_ticks(y_max if y_max > 0 else 1.0, most=5)
    frame = PlotFrame(
        left=64, top=36, width=WIDTH - 64 - 24, height=260, x_max=x_ticks[-1], y_max=y_ticks[-1]
    )
    legend_top = frame.bottom + 76
    height = legend_top + LINE_HEIGHT * len(series)

    parts = _axes(frame, x_ticks=x_ticks, y_ticks=y_ticks, percent=percent, x_label=x_label, y_label=y_label)
    for index, (one, (points, band)) in enumerate(zip(series, curves, strict=True)):
        colour, dash = _style(index)
        if band:
            # The band is a supplement (the table holds the limits), so it may be faint.
            corners = " ".join(f"{coordinate(frame.x(x))},{coordinate(frame.y(y))}" for x, y in band)
            parts.append(f'<polygon class="band" points="{corners}" fill="{colour}" fill-opacity="0.15"/>')
        if points:
            parts.append(
                f'<path class="series" d="{_step_path(frame, points)}" fill="none" stroke="{colour}"'
                f' stroke-width="2.5"{dash_attribute(dash)}/>'
            )
        parts.append(
            legend_entry(top=legend_top + LINE_HEIGHT * index, label=one.label, colour=colour, dash=dash)
        )
    return svg_document(chart_id=chart_id, title=title, description=description, height=height, body=parts)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, float | None]],
    percent: bool = True,
    x_max: float | None = None,
) -> SafeString:
    """Horizontal bars, each labelled above and with its value at its end.

    A value of None (a suppressed cell) draws no bar and shows "–". Values must not be negative. The axis
    runs from 0 to the first round tick at or above `x_max` (default: the largest value); a value beyond it
    is drawn to the edge but labelled with its true value.
    """
    check_id(chart_id)
    if not bars:
        return _no_data(chart_id=chart_id, title=title, description=description)
    # A share of nobody (NaN) has nothing to draw, like a suppressed cell.
    values = [value if value is not None and math.isfinite(value) else None for label, value in bars]
    if any(value is not None and value < 0 for value in values):
        raise ValueError("bar_chart draws non-negative values only")
    top = x_max if x_max is not None else max((value for value in values if value is not None), default=0.0)
    ticks = nice_ticks(top, most=5)
    row_height = 48
    # The right margin leaves room for the value label of a full-length bar.
    frame = PlotFrame(
        left=16, top=8, width=WIDTH - 16 - 88, height=row_height * len(bars), x_max=ticks[-1], y_max=1
    )
    height = frame.bottom + 40

    parts: list[str] = []
    for tick in ticks:
        x = coordinate(frame.x(tick))
        parts.append(
            f'<line x1="{x}" y1="{coordinate(frame.top)}" x2="{x}" y2="{coordinate(frame.bottom)}" stroke="{GRID_COLOUR}"/>'
        )
        parts.append(
            text_element(
                frame.x(tick),
                frame.bottom + 20,
                format_number(tick, percent=percent, step=ticks[1]),
                anchor="middle",
            )
        )
    for index, ((label, _raw), value) in enumerate(zip(bars, values, strict=True)):
        row = frame.top + row_height * index
        parts.append(text_element(frame.left, row + 16, label))
        if value is None:
            shown = "–"
            end = frame.left
        else:
            shown = format_number(value, percent=percent)
            end = frame.x(value)
            parts.append(
                f'<rect class="bar" x="{coordinate(frame.left)}" y="{coordinate(row + 22)}" width="{coordinate(end - frame.left)}"'
                f' height="18" fill="{PALETTE[0]}"/>'
            )
        parts.append(text_element(end + 6, row + 36, shown))
    x = coordinate(frame.left)
    parts.append(
        f'<line x1="{x}" y1="{coordinate(frame.top)}" x2="{x}" y2="{coordinate(frame.bottom)}" stroke="{AXIS_COLOUR}"/>'
    )
    return svg_document(chart_id=chart_id, title=title, description=description, height=height, body=parts)


def funnel_plot(
    *,
    chart_id: str,
    title: str,
    description: str,
    points: Sequence[FunnelPoint],
    limits: Sequence[tuple[float, float, float, float, float]],
) -> SafeString:
    """Observed/expected ratio against expected events, with control limits and a line at 1.

    `limits` rows are (expected, lower 95 %, upper 95 %, lower 99.8 %, upper 99.8 %). Points with a
    non-finite expected or ratio (nothing expected) cannot be placed and are left out; the table shows them.
    """
    check_id(chart_id)
    placed = [point for point in points if math.isfinite(point.expected) and math.isfinite(point.ratio)]
    if not placed:
        return _no_data(chart_id=chart_id, title=title, description=description)
    rows = sorted((row for row in limits if math.isfinite(row[0])), key=lambda row: row[0])
    x_top = max(point.expected for point in placed)
    x_ticks = nice_ticks(x_top, most=6)
    # The y range follows the points, not the limits: those widen without bound as expected falls to 0.
    y_ticks = nice_ticks(max(1.0, *(point.ratio for point in placed)) * 1.1, most=5)
    frame = PlotFrame(
        left=64, top=36, width=WIDTH - 64 - 24, height=300, x_max=x_ticks[-1], y_max=y_ticks[-1]
    )
    legend_top = frame.bottom + 76

    parts = _axes(
        frame,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        percent=False,
        x_label=_("Förväntat antal händelser"),
        y_label=_("Observerat / förväntat"),
    )
    clip = f"{chart_id}-plot"
    parts.append(
        f'<clipPath id="{clip}"><rect x="{coordinate(frame.left)}" y="{coordinate(frame.top)}"'
        f' width="{coordinate(frame.width)}" height="{coordinate(frame.height)}"/></clipPath>'
    )
    legend = [
        (_("Förväntat (kvot 1)"), TEXT_COLOUR, ""),
        (_("Kontrollgräns %(level)s %%") % {"level": number_format(95)}, *_LIMIT_95),
        (_("Kontrollgräns %(level)s %%") % {"level": number_format(99.8, decimal_pos=1)}, *_LIMIT_998),
    ]
    y_one = coordinate(frame.y(1.0))
    parts.append(
        f'<line class="target" x1="{coordinate(frame.left)}" y1="{y_one}" x2="{coordinate(frame.right)}" y2="{y_one}"'
        f' stroke="{TEXT_COLOUR}" stroke-width="1.5"/>'
    )
    for column, (colour, dash) in ((1, _LIMIT_95), (2, _LIMIT_95), (3, _LIMIT_998), (4, _LIMIT_998)):
        # Limits far above the plot are clipped away; capping them keeps the numbers in the SVG small.
        line = [
            (row[0], _clamp(row[column], 0.0, 10 * frame.y_max)) for row in rows if math.isfinite(row[column])
        ]
        if len(line) > 1:
            d = "M" + "L".join(f"{coordinate(frame.x(x))},{coordinate(frame.y(y))}" for x, y in line)
            parts.append(
                f'<path class="limit" d="{d}" fill="none" stroke="{colour}" stroke-width="2.5"'
                f' stroke-linecap="round"{dash_attribute(dash)} clip-path="url(#{clip})"/>'
            )
    for point in placed:
        cx, cy = frame.x(point.expected), frame.y(point.ratio)
        parts.append(
            f'<circle class="point" cx="{coordinate(cx)}" cy="{coordinate(cy)}" r="5" fill="{PALETTE[0]}" stroke="#FFFFFF"/>'
        )
        # Labels near the right edge go on the left of their point, so they stay inside the chart.
        if cx > WIDTH - 140:
            parts.append(text_element(cx - 8, cy - 6, point.label, anchor="end", size=SMALL_FONT_SIZE))
        else:
            parts.append(text_element(cx + 8, cy - 6, point.label, size=SMALL_FONT_SIZE))
    for index, (label, colour, dash) in enumerate(legend):
        parts.append(
            legend_entry(top=legend_top + LINE_HEIGHT * index, label=label, colour=colour, dash=dash)
        )
    height = legend_top + LINE_HEIGHT * len(legend)
    return svg_document(chart_id=chart_id, title=title, description=description, height=height, body=parts)


def svg_document(
    *, chart_id: str, title: str, description: str, height: float, body: Sequence[str]
) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {coordinate(height)}"'
        f' width="100%" preserveAspectRatio="xMidYMid meet">'
    )
    text = [
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    return mark_safe("\n".join([head, *text, *body, "</svg>"]))  # noqa: S308 every text above is escaped


def _no_data(*, chart_id: str, title: str, description: str) -> SafeString:
    message = _("Inga uppgifter att visa")
    # role="img" hides the visible message from screen readers, so the description says it too.
    description = f"{description} {message}." if description else f"{message}."
    body = [text_element(WIDTH / 2, NO_DATA_HEIGHT / 2 + 5, message, anchor="middle")]
    return svg_document(
        chart_id=chart_id, title=title, description=description, height=NO_DATA_HEIGHT, body=body
    )


def y_grid(frame: PlotFrame, *, y_ticks: Sequence[float], percent: bool) -> list[str]:
    """A grid line and a label at each tick of the y axis."""
    parts: list[str] = []
    for tick in y_ticks:
        y = coordinate(frame.y(tick))
        parts.append(
            f'<line x1="{coordinate(frame.left)}" y1="{y}" x2="{coordinate(frame.right)}" y2="{y}" stroke="{GRID_COLOUR}"/>'
        )
        parts.append(
            text_element(
                frame.left - 8,
                frame.y(tick) + 5,
                format_number(tick, percent=percent, step=y_ticks[1]),
                anchor="end",
            )
        )
    return parts


def _axes(
    frame: PlotFrame,
    *,
    x_ticks: Sequence[float],
    y_ticks: Sequence[float],
    percent: bool,
    x_label: str,
    y_label: str,
) -> list[str]:
    parts = y_grid(frame, y_ticks=y_ticks, percent=percent)
    for tick in x_ticks:
        x = coordinate(frame.x(tick))
        parts.append(
            f'<line x1="{x}" y1="{coordinate(frame.bottom)}" x2="{x}" y2="{coordinate(frame.bottom + 5)}" stroke="{AXIS_COLOUR}"/>'
        )
        parts.append(
            text_element(
                frame.x(tick),
                frame.bottom + 22,
                format_number(tick, percent=False, step=x_ticks[1]),
                anchor="middle",
            )
        )
    left, bottom = coordinate(frame.left), coordinate(frame.bottom)
    parts.append(
        f'<path class="axis" d="M{left},{coordinate(frame.top)}V{bottom}H{coordinate(frame.right)}" fill="none" stroke="{AXIS_COLOUR}"/>'
    )
    # Axis titles are written horizontally: rotated text is hard to read.
    parts.append(text_element(frame.left + frame.width / 2, frame.bottom + 50, x_label, anchor="middle"))
    parts.append(text_element(8, frame.top - 18, y_label))
    return parts


def legend_entry(*, top: float, label: str, colour: str, dash: str) -> str:
    y = coordinate(top + LINE_HEIGHT / 2)
    return (
        f'<line class="legend-key" x1="16" y1="{y}" x2="56" y2="{y}" stroke="{colour}" stroke-width="2.5"'
        f' stroke-linecap="round"{dash_attribute(dash)}/>'
        + text_element(66, top + LINE_HEIGHT / 2 + 5, label)
    )


def _step_path(frame: PlotFrame, points: Sequence[tuple[float, float]]) -> str:
    (x0, y0), rest = points[0], points[1:]
    # Post-step: the value holds until the next x, then the curve moves straight to the new value.
    return f"M{coordinate(frame.x(x0))},{coordinate(frame.y(y0))}" + "".join(
        f"H{coordinate(frame.x(x))}V{coordinate(frame.y(y))}" for x, y in rest
    )


def _corners(xs: Sequence[float], ys: Sequence[float]) -> list[tuple[float, float]]:
    """The vertices of a post-step line: (x0, y0), (x1, y0), (x1, y1), (x2, y1), ..."""
    corners = [(xs[0], ys[0])]
    for i in range(1, len(xs)):
        corners += [(xs[i], ys[i - 1]), (xs[i], ys[i])]
    return corners


def _finite_steps(series: Series) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The series' points sorted by x, and the outline of its band (empty when there is none)."""
    for values in (series.y, series.lower, series.upper):
        if values is not None and len(values) != len(series.x):
            raise ValueError(f"Series {series.label!r} needs one value per x in y, lower and upper")
    order = sorted(
        (i for i in range(len(series.x)) if math.isfinite(series.x[i]) and math.isfinite(series.y[i])),
        key=lambda i: series.x[i],
    )
    points = [(series.x[i], series.y[i]) for i in order]
    if series.lower is None or series.upper is None or not order:
        return points, []
    xs = [series.x[i] for i in order]
    lower = [series.lower[i] for i in order]
    upper = [series.upper[i] for i in order]
    if not all(math.isfinite(value) for value in (*lower, *upper)):
        return points, []
    # The band steps like the curve: forwards along the upper limit, back along the lower one.
    return points, _corners(xs, upper) + _corners(xs, lower)[::-1]


def nice_ticks(top: float, *, most: int, steps: Sequence[float] = ()) -> list[float]:
    """Ticks from 0 up to at least `top` on a round step, with at most `most` intervals."""
    if not (math.isfinite(top) and top > 0):
        top = 1.0
    magnitude = 10.0 ** math.floor(math.log10(top / most))
    candidates = [*steps, *(factor * magnitude for factor in (1, 2, 2.5, 5, 10, 20))]
    step = next(step for step in candidates if math.ceil(top / step - 1e-9) <= most)
    return [round(i * step, 10) for i in range(max(1, math.ceil(top / step - 1e-9)) + 1)]


def format_number(value: float, *, percent: bool, step: float | None = None) -> str:
    """A tick or value label in the active language: "42 %", "1,5"; ticks get as many decimals as their step."""
    # Decimal from the shortest repr, so 0.305 is 30.5 % and rounds half up to 31 %, as readers expect.
    scaled = Decimal(repr(value)) * (100 if percent else 1)
    if step is not None:
        scaled_step = Decimal(repr(step)) * (100 if percent else 1)
        decimals = next((d for d in range(4) if scaled_step == round(scaled_step, d)), 3)
    else:
        decimals = 0 if percent or scaled == scaled.to_integral_value() else 1
    # number_format cuts surplus decimals off instead of rounding them, so round first.
    rounded = scaled.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    number = number_format(rounded, decimal_pos=decimals)
    return _("%(value)s %%") % {"value": number} if percent else number


def text_element(x: float, y: float, content: str, *, anchor: str = "start", size: int = FONT_SIZE) -> str:
    return (
        f'<text x="{coordinate(x)}" y="{coordinate(y)}" font-size="{size}" fill="{TEXT_COLOUR}"'
        f' text-anchor="{anchor}">{escape(content)}</text>'
    )


def _style(index: int) -> tuple[str, str]:
    return PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]


def dash_attribute(dash: str) -> str:
    return f' stroke-dasharray="{dash}"' if dash else ""


def check_id(chart_id: str) -> None:
    # The id goes into id and aria-labelledby attributes, where a space would split it in two.
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"chart_id must be a letter followed by letters, digits, - or _: {chart_id!r}")


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def coordinate(value: float) -> str:
    """A coordinate for the SVG, refusing NaN and infinity so a bad number cannot break the drawing."""
    if not math.isfinite(value):
        raise ValueError(f"Not a finite coordinate: {value}")
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
