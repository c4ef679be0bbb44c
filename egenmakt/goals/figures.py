"""A goal's figures as they may be shown: on its page, in the list, in the nämnd report and the chart.

Every value goes through `analytics.privacy.published`, the function the outcomes page uses, so a cell
about fewer than 5 people is "–" here too, and so is the progress computed from it. A goal's cell is the
report's "alla" cell or one target group's; target groups overlap and have no total beside them, so the
outcomes page applies the primary rule only to them as well, and the two pages show the same figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from egenmakt.analytics import presentation, privacy
from egenmakt.analytics.pipeline import INDICATORS
from egenmakt.analytics.report import Report
from egenmakt.goals.models import EVERYONE, Goal, GoalSnapshot
from egenmakt.people.target_groups import definitions as target_group_definitions

DASH = presentation.DASH


def share_indicators() -> list[tuple[str, str]]:
    """Goals follow share indicators: they have a numerator and a denominator to suppress and to snapshot."""
    return [(i.code, str(i.name)) for i in INDICATORS if i.kind == "share"]


def target_groups() -> list[tuple[str, str]]:
    return [(EVERYONE, str(_("Alla"))), *((g.code, g.name) for g in target_group_definitions())]


def indicator_name(code: str) -> str:
    return next((str(i.name) for i in INDICATORS if i.code == code), code)


def target_group_name(code: str) -> str:
    return presentation.group_label(_dimension(code), code)


def _dimension(target_group: str) -> str:
    return "alla" if target_group == EVERYONE else "malgrupp"


def report_cell(report: Report, *, indicator: str, target_group: str) -> tuple[int, int]:
    """(numerator, denominator) of the goal's cell; a cell the report lacks had nobody in it."""
    dimension = _dimension(target_group)
    for share in report.shares:
        if share.indicator == indicator and share.dimension == dimension and share.group == target_group:
            return share.numerator, share.denominator
    return 0, 0


def published(*, numerator: int, denominator: int, group: str) -> privacy.PublishedCell:
    return privacy.published(
        privacy.Cell(
            group=group,
            denominator=denominator,
            numerator=numerator,
            value=numerator / denominator if denominator else None,
        )
    )


def percent_text(value: Decimal | float) -> str:
    return _("%(value)s %%") % {"value": number_format(value, decimal_pos=0 if value == int(value) else 1)}


@dataclass(frozen=True)
class Measurement:
    month: date
    data_end: date
    cell: privacy.PublishedCell

    @property
    def text(self) -> str:
        return presentation.format_value(self.cell, percent=True)

    @property
    def suppressed(self) -> bool:
        return self.cell.suppressed or self.cell.value is None


@dataclass(frozen=True)
class Progress:
    """Where the latest shown value lies between the baseline (0) and the target (1)."""

    share: float | None  # None when there is no value to show

    @property
    def text(self) -> str:
        if self.share is None:
            return DASH
        return _("%(percent)s %% av vägen") % {"percent": number_format(round(100 * self.share), 0)}

    @property
    def state(self) -> str:
        if self.share is None:
            return str(_("Inget värde att visa"))
        if self.share >= 1:
            return str(_("Målet är nått"))
        if self.share < 0:
            return str(_("Längre från målet än vid utgångsläget"))
        return str(_("På väg mot målet"))

    @property
    def bar(self) -> float:
        """0..100 for a progress bar: a value past either end is drawn at that end."""
        return 0.0 if self.share is None else min(max(100 * self.share, 0.0), 100.0)


def progress(goal: Goal, latest: Measurement | None) -> Progress:
    if latest is None or latest.suppressed or latest.cell.value is None:
        return Progress(share=None)
    value = 100 * latest.cell.value
    return Progress(share=(value - float(goal.baseline)) / float(goal.target - goal.baseline))


@dataclass(frozen=True)
class GoalFigures:
    goal: Goal
    indicator_name: str
    target_group_name: str
    measurements: list[Measurement]
    progress: Progress

    @property
    def latest(self) -> Measurement | None:
        return self.measurements[-1] if self.measurements else None

    @property
    def baseline_text(self) -> str:
        return percent_text(self.goal.baseline)

    @property
    def target_text(self) -> str:
        return percent_text(self.goal.target)


def measurement(snapshot: GoalSnapshot, *, group: str) -> Measurement:
    return Measurement(
        month=snapshot.month,
        data_end=snapshot.data_end,
        cell=published(numerator=snapshot.numerator, denominator=snapshot.denominator, group=group),
    )


def figures(goal: Goal, snapshots: Iterable[GoalSnapshot] | None = None) -> GoalFigures:
    """The goal's measurements month by month, suppressed, and its progress. Pass the snapshots when they
    are prefetched (a list of goals)."""
    rows = sorted(
        (
            s
            for s in (goal.snapshots.all() if snapshots is None else snapshots)
            if (s.indicator, s.target_group) == (goal.indicator, goal.target_group)
        ),
        key=lambda s: s.month,
    )
    shown = [measurement(s, group=goal.target_group) for s in rows]
    return GoalFigures(
        goal=goal,
        indicator_name=indicator_name(goal.indicator),
        target_group_name=target_group_name(goal.target_group),
        measurements=shown,
        progress=progress(goal, shown[-1] if shown else None),
    )


@dataclass(frozen=True)
class IndicatorFigure:
    code: str
    name: str
    cell: privacy.PublishedCell

    @property
    def text(self) -> str:
        return presentation.format_value(self.cell, percent=True)


def indicator_figures(report: Report | None, codes: Iterable[str]) -> list[IndicatorFigure]:
    """Indicators for everyone in the latest report, suppressed, as the outcomes page shows them."""
    found = []
    for code in codes:
        numerator, denominator = (
            (0, 0) if report is None else report_cell(report, indicator=code, target_group=EVERYONE)
        )
        found.append(
            IndicatorFigure(
                code=code,
                name=indicator_name(code),
                cell=published(numerator=numerator, denominator=denominator, group=EVERYONE),
            )
        )
    return found
