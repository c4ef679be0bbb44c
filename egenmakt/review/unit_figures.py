"""A unit's figures for its manager's start page: open cases and what is late per caseworker, time from
application to decision, follow-ups after exit not made in time.

Counting them reads every open case, follow-up and waiting application of the unit: at 100 000 people
about a quarter of a second, more than a start page may take. So they are kept (`UnitFigures`) and
counted again when the page is opened and they are older than FRESH_FOR, were counted on another day,
or against another decision target than today's. The page says when they were counted. Counts and
staff names only: no one the unit works with is named, so the access policy has nothing to filter here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from egenmakt.accounts.models import User
from egenmakt.audit import services as audit
from egenmakt.benefits import reads as benefit_reads
from egenmakt.benefits.models import Application, ApplicationStatus
from egenmakt.cases.models import Case
from egenmakt.organisations.models import Unit
from egenmakt.outcomes.models import ExitFollowUp
from egenmakt.plans.models import FollowUp
from egenmakt.review.models import UnitFigures

# Figures this old are counted again when the start page is opened.
FRESH_FOR = timedelta(minutes=10)
# Decisions made this many days back make up the time-to-decision figures.
DECISION_PERIOD_DAYS = 90
# Caseworkers listed, those with the most that is late first.
CASELOAD_ROWS = 25
PURPOSE = "uppföljning av enheten"


@dataclass(frozen=True)
class CaseworkerLoad:
    """One caseworker's open cases in the unit and what is late among them. Counts only."""

    name: str
    open_cases: int
    overdue_follow_ups: int
    waiting_applications: int


@dataclass(frozen=True)
class Figures:
    caseload: list[CaseworkerLoad]
    caseworkers: int  # with an open case in the unit; `caseload` lists the first CASELOAD_ROWS of them
    totals: CaseworkerLoad
    unassigned: int  # open cases without a responsible caseworker
    decision_times: benefit_reads.DecisionTimes
    waiting_past_target: int
    exit_follow_ups_late: int  # follow-ups after exit that are due and not recorded
    counted_at: datetime


def figures(*, actor: Any, unit: Unit, on: date, target_days: int) -> Figures:
    """The unit's figures: as kept, while fresh and counted against `target_days`; otherwise counted now
    and kept. The caller has checked that `actor` manages the unit."""
    kept = UnitFigures.objects.filter(unit=unit).first()
    if (
        kept is not None
        and kept.counted_on == on
        and kept.target_days == target_days
        and kept.counted_at >= timezone.now() - FRESH_FOR
    ):
        try:
            return _from_kept(kept)
        except (KeyError, TypeError):
            pass  # kept by a version with other fields (just after an upgrade): count them again
    return count(actor=actor, unit=unit, on=on, target_days=target_days)


def count(*, actor: Any | None, unit: Unit, on: date, target_days: int) -> Figures:
    """Count the unit's figures now and keep them. The counting reads outside the transaction; the audit
    trail's lock is held only for storing. Two managers storing at once is fine: `update_or_create`
    updates the row the other created."""
    counted = _count(unit, on, target_days)
    with transaction.atomic():
        kept, _created = UnitFigures.objects.update_or_create(
            unit=unit,
            defaults={
                "counted_on": on,
                "counted_at": counted.counted_at,
                "target_days": target_days,
                "figures": _to_json(counted),
            },
        )
        audit.record(
            actor=actor,
            action="review.unit_figures_counted",
            target=kept,
            purpose=PURPOSE,
            detail={"unit": unit.pk, "on": on.isoformat(), "open_cases": counted.totals.open_cases},
        )
    return counted


def _count(unit: Unit, on: date, target_days: int) -> Figures:
    started = timezone.now()
    open_cases = Case.objects.open().filter(unit=unit)
    cases = _by(open_cases.values("responsible_id").annotate(n=Count("pk")).order_by(), "responsible_id")
    overdue = _by(
        FollowUp.objects.overdue(on)
        # Joined to the case once: `plan__case__in=open_cases` made PostgreSQL join the cases twice.
        .filter(plan__case__unit=unit, plan__case__closed_on__isnull=True)
        .values("plan__case__responsible_id")
        .annotate(n=Count("pk"))
        .order_by(),
        "plan__case__responsible_id",
    )
    waiting_rows = list(
        Application.objects.filter(
            status=ApplicationStatus.INKOMMEN, case__unit=unit, case__closed_on__isnull=True
        )
        .values("case__responsible_id")
        # Counted without the id, which is not in the index the counts are read from (index-only); a date
        # before the target's is never null, so counting it counts the late applications.
        .annotate(
            n=Count("*"),
            late=Count("received_on", filter=Q(received_on__lt=on - timedelta(days=target_days))),
        )
        .order_by()
    )
    waiting = _by(waiting_rows, "case__responsible_id")
    # The caseworkers with the most that is late first; a big unit shows its first CASELOAD_ROWS.
    assigned = [pk for pk in cases if pk is not None]
    ranked = sorted(assigned, key=lambda pk: -(overdue.get(pk, 0) + waiting.get(pk, 0)))[:CASELOAD_ROWS]
    staff = {user.pk: user for user in User.objects.filter(pk__in=ranked)}
    caseload = sorted(
        (CaseworkerLoad(str(staff[pk]), cases[pk], overdue.get(pk, 0), waiting.get(pk, 0)) for pk in ranked),
        key=lambda row: (-(row.overdue_follow_ups + row.waiting_applications), row.name),
    )
    return Figures(
        caseload=caseload,
        caseworkers=len(assigned),
        totals=CaseworkerLoad(
            "", sum(cases.values()), sum(overdue.values()), sum(row["n"] for row in waiting_rows)
        ),
        unassigned=cases.get(None, 0),
        decision_times=benefit_reads.decision_times(
            unit_ids=[unit.pk],
            since=on - timedelta(days=DECISION_PERIOD_DAYS - 1),
            until=on,
            target=target_days,
        ),
        waiting_past_target=sum(row["late"] for row in waiting_rows),
        exit_follow_ups_late=ExitFollowUp.objects.filter(
            recorded_on__isnull=True, due_on__lte=on, exit__case__unit=unit
        ).count(),
        counted_at=started,
    )


def _by(rows: Any, key: str) -> dict[int | None, int]:
    return {row[key]: row["n"] for row in rows}


def _to_json(counted: Figures) -> dict[str, Any]:
    kept = asdict(counted)
    del kept["counted_at"]  # a column of its own
    return kept


def _from_kept(kept: UnitFigures) -> Figures:
    values = kept.figures
    return Figures(
        caseload=[CaseworkerLoad(**row) for row in values["caseload"]],
        caseworkers=values["caseworkers"],
        totals=CaseworkerLoad(**values["totals"]),
        unassigned=values["unassigned"],
        decision_times=benefit_reads.DecisionTimes(**values["decision_times"]),
        waiting_past_target=values["waiting_past_target"],
        exit_follow_ups_late=values["exit_follow_ups_late"],
        counted_at=kept.counted_at,
    )
