"""What each role's start page holds, gathered from the domain modules' reads.

A user with several roles gets the parts of each. Parts that name people go through the access policy in
the read that builds them; the förbundschef's and the politician's parts are aggregates only, with small
cells suppressed. Every part is a handful of indexed queries whatever the municipality's size: the start
pages are measured in bench/pages.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from egenmakt.access import logreview, policy
from egenmakt.accounts.models import Role
from egenmakt.activities import services as activities
from egenmakt.activities.models import Enrolment
from egenmakt.analytics import funding
from egenmakt.analytics import services as analytics
from egenmakt.analytics.pipeline import INDICATORS
from egenmakt.attendance import services as attendance
from egenmakt.attendance.services import GroupToday
from egenmakt.goals import access as goal_access
from egenmakt.goals import figures as goal_figures
from egenmakt.goals.models import CommitmentStatusKind
from egenmakt.goals.services import current_status
from egenmakt.organisations.models import Organisation, Unit
from egenmakt.review import finders, unit_figures
from egenmakt.review import services as review
from egenmakt.review.models import QUEUE_KINDS, QueueCount, RuleKind
from egenmakt.review.rules import Setting, settings_for

# The access-log flags counted on the manager's page: the last week's.
LOG_FLAG_DAYS = 7
# Follow-ups planned this close ahead are shown as due, next to the overdue ones.
DUE_SOON_DAYS = 14


# --- Coach (arbetsmarknadskonsulent) -------------------------------------------------------------------


@dataclass(frozen=True)
class CoachPart:
    groups_today: list[GroupToday]
    placements_ending: list[Enrolment]
    ending_days: int


def coach(*, actor: Any, on: date) -> CoachPart:
    return CoachPart(
        groups_today=attendance.groups_to_register(user=actor, on=on),
        placements_ending=activities.placements_ending_soon(actor=actor, on=on),
        ending_days=activities.ENDING_SOON_DAYS,
    )


# --- Unit manager (enhetschef) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitOverview:
    unit: Unit
    figures: unit_figures.Figures  # counted at most unit_figures.FRESH_FOR ago
    review_rules_on: list[str]  # the labels of the queue rules switched on
    review_queue: ReviewQueueFigures | None  # None until the queue has been worked out


@dataclass(frozen=True)
class ReviewQueueFigures:
    """The unit's case-review queue as last worked out (`QueueCount`): the start page does not work it out
    itself, which takes seconds in a large unit."""

    total: int
    by_rule: list[tuple[str, int]]  # (the rule's label, people it picks), rules in the queue's order
    oldest_since: date | None
    counted_at: datetime
    rules_changed_since: bool  # counted under other rules than today's: open the queue to count again


def _review_queue(
    unit: Unit, on: date, count: QueueCount | None, settings: dict[str, Setting]
) -> ReviewQueueFigures | None:
    if count is None:
        return None
    return ReviewQueueFigures(
        total=count.total,
        by_rule=[
            (str(RuleKind(kind).label), count.by_kind.get(kind, 0))
            for kind in QUEUE_KINDS
            if settings[kind].active
        ],
        oldest_since=count.oldest_since,
        counted_at=count.counted_at,
        rules_changed_since=count.rules != review.rules_in_force(unit, on, settings),
    )


@dataclass(frozen=True)
class ManagerPart:
    units: list[UnitOverview]
    period_start: date
    period_end: date
    log_flags: int
    log_from: date

    @property
    def fresh_minutes(self) -> int:
        """How old the unit figures may be before the page counts them again, for the page to say."""
        return int(unit_figures.FRESH_FOR.total_seconds() // 60)


def _unit_overview(actor: Any, unit: Unit, on: date) -> UnitOverview:
    settings = settings_for(unit, on)
    target = finders.decision_target_days(unit, settings[RuleKind.BESLUT_VANTAR])
    return UnitOverview(
        unit=unit,
        figures=unit_figures.figures(actor=actor, unit=unit, on=on, target_days=target),
        review_rules_on=[str(RuleKind(kind).label) for kind in QUEUE_KINDS if settings[kind].active],
        review_queue=_review_queue(unit, on, QueueCount.objects.filter(unit=unit).first(), settings),
    )


def manager(*, actor: Any, on: date) -> ManagerPart:
    units = Unit.objects.filter(pk__in=policy.managed_unit_ids(actor)).select_related("organisation")
    log_from = on - timedelta(days=LOG_FLAG_DAYS - 1)
    return ManagerPart(
        units=[_unit_overview(actor, unit, on) for unit in units.order_by("name")],
        period_start=on - timedelta(days=unit_figures.DECISION_PERIOD_DAYS - 1),
        period_end=on,
        log_flags=logreview.flagged_count(actor=actor, date_from=log_from, date_to=on),
        log_from=log_from,
    )


# --- Outcomes at a glance (förbundschef, politician) ----------------------------------------------------

# The figures the seeds ask every actor to know: work or studies after 12 and 24 months, and long-term
# assistance. From the latest outcome report, for everyone, suppressed as on the outcomes page.
HEADLINE_INDICATORS = (
    "arbete_studier_12m_efter_avslut",
    "arbete_studier_24m_efter_avslut",
    "langvarigt_bistand",
)


@dataclass(frozen=True)
class Headline:
    data_end: date | None  # the last month of data in the report; None when none is computed yet
    indicators: list[goal_figures.IndicatorFigure]


def headline() -> Headline:
    found = analytics.latest()
    codes = [code for code in HEADLINE_INDICATORS if code in {i.code for i in INDICATORS}]
    if found is None:
        return Headline(None, [])
    stored, report = found
    return Headline(stored.data_end, goal_figures.indicator_figures(report, codes))


# --- Förbundschef ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForbundschefPart:
    funding: funding.FundingOverview
    headline: Headline


def forbundschef(*, actor: Any, on: date) -> ForbundschefPart:
    ids = {m.unit.organisation_id for m in policy.memberships(actor) if m.role == Role.FORBUNDSCHEF}
    overview = funding.overview(organisations=list(Organisation.objects.filter(pk__in=ids)), on=on)
    return ForbundschefPart(overview, headline())


# --- Politician (förtroendevald) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PoliticianPart:
    goals: list[goal_figures.GoalFigures]
    commitments_by_status: list[tuple[str, int]]  # every status, in order, with how many commitments have it
    commitments: int
    headline: Headline


def politician(*, actor: Any) -> PoliticianPart:
    goals = goal_access.visible_goals(actor).prefetch_related("organisations", "snapshots")
    commitments = list(goal_access.visible_commitments(actor).prefetch_related("statuses"))
    counts: dict[str, int] = {}
    for commitment in commitments:
        status = current_status(commitment)
        kind = status.status if status is not None else CommitmentStatusKind.EJ_PABORJAD
        counts[kind] = counts.get(kind, 0) + 1
    return PoliticianPart(
        goals=[goal_figures.figures(goal) for goal in goals],
        commitments_by_status=[
            (str(label), counts.get(value, 0)) for value, label in CommitmentStatusKind.choices
        ],
        commitments=len(commitments),
        headline=headline(),
    )
