"""A goal's progress as an accessible SVG, drawn the way `analytics.charts` draws (its helpers, palette
and rules): `<svg role="img">` labelled by its title and description, a data table beside it on the page,
3:1 contrast, a dash pattern per line so colour is never the only cue, presentation attributes only.

Months run along x from the first measurement (or the month the goal was set, if earlier) to the deadline.
A hidden (suppressed) month has no point, and the measured line breaks there rather than jumping over it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from egenmakt.analytics import charts
from egenmakt.analytics.charts import (  # the drawing helpers of the outcomes charts, shared on purpose
    PlotFrame,
    check_id,
    coordinate,
    dash_attribute,
    legend_entry,
    nice_ticks,
    svg_document,
    text_element,
)
from egenmakt.goals.figures import GoalFigures


def _index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _label(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def _month_ticks(first: int, last: int, most: int = 6) -> list[int]:
    span = max(last - first, 1)
    # Round steps (a month, a quarter, a half-year, whole years) with at most `most` intervals.
    step = next(
        (s for s in (1, 2, 3, 6, 12, 24, 36, 60) if span / s <= most), 12 * math.ceil(span / 12 / most)
    )
    return list(range(first, last + 1, step))


def progress_chart(*, chart_id: str, title: str, description: str, figures: GoalFigures) -> SafeString:
    check_id(chart_id)
    goal = figures.goal
    months = [_index(m.month) for m in figures.measurements]
    first = min([*months, _index(goal.created_at.date())])
    deadline = _index(goal.deadline)
    last = max([*months, deadline, first + 1])
    values = [m.cell.value for m in figures.measurements]
    top = max([float(goal.baseline) / 100, float(goal.target) / 100, *(v for v in values if v is not None)])
    y_ticks = nice_ticks(min(1.0, top * 1.15) or 1.0, most=5)
    frame = PlotFrame(
        left=64, top=36, width=charts.WIDTH - 64 - 24, height=260, x_max=last - first, y_max=y_ticks[-1]
    )

    def x(index: int) -> float:
        return frame.x(float(index - first))

    parts = charts.y_grid(frame, y_ticks=y_ticks, percent=True)
    for tick in _month_ticks(first, last):
        parts.append(
            f'<line x1="{coordinate(x(tick))}" y1="{coordinate(frame.bottom)}" x2="{coordinate(x(tick))}" y2="{coordinate(frame.bottom + 5)}"'
            f' stroke="{charts.AXIS_COLOUR}"/>'
        )
        parts.append(
            text_element(
                x(tick), frame.bottom + 22, _label(tick), anchor="middle", size=charts.SMALL_FONT_SIZE
            )
        )
    parts.append(
        f'<path class="axis" d="M{coordinate(frame.left)},{coordinate(frame.top)}V{coordinate(frame.bottom)}H{coordinate(frame.right)}"'
        f' fill="none" stroke="{charts.AXIS_COLOUR}"/>'
    )
    parts.append(text_element(frame.left + frame.width / 2, frame.bottom + 50, _("Månad"), anchor="middle"))
    parts.append(text_element(8, frame.top - 18, figures.indicator_name))

    lines = (
        ("baseline", float(goal.baseline) / 100, charts.AXIS_COLOUR, charts.DASHES[2]),
        ("target", float(goal.target) / 100, charts.PALETTE[1], charts.DASHES[1]),
    )
    for name, level, colour, dash in lines:
        y = coordinate(frame.y(level))
        parts.append(
            f'<line class="{name}" x1="{coordinate(frame.left)}" y1="{y}" x2="{coordinate(x(deadline))}" y2="{y}"'
            f' stroke="{colour}" stroke-width="2"{dash_attribute(dash)}/>'
        )
    # The deadline: a vertical line where the target must be reached.
    parts.append(
        f'<line class="deadline" x1="{coordinate(x(deadline))}" y1="{coordinate(frame.top)}" x2="{coordinate(x(deadline))}"'
        f' y2="{coordinate(frame.bottom)}" stroke="{charts.TEXT_COLOUR}" stroke-width="1.5"{dash_attribute(charts.DASHES[3])}/>'
    )
    parts.append(
        text_element(
            x(deadline) - 4, frame.top - 4, _("Klart senast"), anchor="end", size=charts.SMALL_FONT_SIZE
        )
    )

    path, pen_down = [], False
    for index, value in zip(months, values, strict=True):
        if value is None:
            pen_down = False
            continue
        path.append(f"{'L' if pen_down else 'M'}{coordinate(x(index))},{coordinate(frame.y(value))}")
        pen_down = True
        parts.append(
            f'<circle class="point" cx="{coordinate(x(index))}" cy="{coordinate(frame.y(value))}" r="4.5"'
            f' fill="{charts.PALETTE[0]}" stroke="#FFFFFF"/>'
        )
    if path:
        parts.append(
            f'<path class="series" d="{"".join(path)}" fill="none" stroke="{charts.PALETTE[0]}" stroke-width="2.5"/>'
        )

    legend: Sequence[tuple[str, str, str]] = (
        (_("Uppmätt"), charts.PALETTE[0], ""),
        (_("Utgångsläge %(value)s") % {"value": figures.baseline_text}, charts.AXIS_COLOUR, charts.DASHES[2]),
        (_("Mål %(value)s") % {"value": figures.target_text}, charts.PALETTE[1], charts.DASHES[1]),
        (
            _("Klart senast %(day)s") % {"day": f"{goal.deadline:%Y-%m-%d}"},
            charts.TEXT_COLOUR,
            charts.DASHES[3],
        ),
    )
    legend_top = frame.bottom + 76
    for index, (label, colour, dash) in enumerate(legend):
        parts.append(
            legend_entry(top=legend_top + charts.LINE_HEIGHT * index, label=label, colour=colour, dash=dash)
        )
    height = legend_top + charts.LINE_HEIGHT * len(legend)
    return svg_document(chart_id=chart_id, title=title, description=description, height=height, body=parts)
