"""Seeds what outcome follow-up needs in the demo municipality: months of assistance before the two
months the benefits seed decides, exits with reasons for closed cases, follow-ups after them (most
recorded, some due), the reason for needing assistance on each case; then it derives the status history
and computes the outcome report, so the outcomes page has something to show.

Everything is synthetic. The historical decisions are for months before last month and are not in any
payment run: they stand for payments made before the demo's history begins in this system.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from egenmakt.accounts.models import User
from egenmakt.analytics import services as analytics
from egenmakt.audit import services as audit
from egenmakt.benefits.models import Decision, DecisionKind
from egenmakt.cases.models import Case, CaseType, Forsorjningshinder
from egenmakt.lib.categories import DataCategory
from egenmakt.outcomes import rules as outcome_rules
from egenmakt.outcomes import services as outcomes
from egenmakt.outcomes.models import Exit, ExitFollowUp, ExitReason, FollowUpSource, Status

# Months of decided assistance seeded before last month (the benefits seed decides last month and this).
HISTORY_MONTHS = 36
# Why closed cases closed: an illustration, not a statistic.
EXIT_REASONS = (
    (ExitReason.ARBETE, 0.34),
    (ExitReason.STUDIER, 0.10),
    (ExitReason.ANNAN_ERSATTNING, 0.16),
    (ExitReason.FLYTT, 0.06),
    (ExitReason.OKAND, 0.32),
    (ExitReason.FELREGISTRERING, 0.02),
)
HINDER = (
    (Forsorjningshinder.ARBETSLOS_UTAN_ERSATTNING, 0.34),
    (Forsorjningshinder.ARBETSLOS_OTILLRACKLIG, 0.10),
    (Forsorjningshinder.ARBETSLOS_VANTAR, 0.05),
    (Forsorjningshinder.ETABLERING, 0.08),
    (Forsorjningshinder.ARBETSHINDER_SOCIALA, 0.17),
    (Forsorjningshinder.SJUKSKRIVEN, 0.14),
    (Forsorjningshinder.OHALSA, 0.08),
    (Forsorjningshinder.OVRIGT, 0.04),
)
# Where people are found at a follow-up, given where they went at the exit.
LATER: dict[str, tuple[tuple[str, float], ...]] = {
    Status.ARBETE: ((Status.ARBETE, 0.8), (Status.STUDIER, 0.05), (Status.OKAND, 0.15)),
    Status.STUDIER: ((Status.STUDIER, 0.7), (Status.ARBETE, 0.2), (Status.OKAND, 0.1)),
    Status.ANNAN_ERSATTNING: ((Status.ANNAN_ERSATTNING, 0.7), (Status.ARBETE, 0.15), (Status.OKAND, 0.15)),
    Status.OKAND: ((Status.OKAND, 0.6), (Status.ARBETE, 0.25), (Status.STUDIER, 0.15)),
}
RECORDED_SHARE = 0.8


def _pick(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def _months(first: date, last: date) -> list[date]:
    found, month = [], first.replace(day=1)
    while month <= last:
        found.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return found


def seed_outcomes(*, seed: int, as_of: date) -> dict[str, int]:
    rng = random.Random(seed * 104_729 + 5)
    handlaggare = User.objects.get(username="handlaggare")
    this_month = as_of.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    history_start = outcomes.month_of(outcomes.month_index(last_month) - HISTORY_MONTHS)
    cases = list(
        Case.objects.filter(case_type=CaseType.EKONOMISKT_BISTAND, synthetic=True, household__isnull=False)
        .select_related("participant", "household")
        .order_by("pk")
    )
    decisions: list[Decision] = []
    exits: list[Exit] = []
    with transaction.atomic():
        for case in cases:
            case.forsorjningshinder = _pick(rng, HINDER)
            end = (
                min(case.closed_on, last_month - timedelta(days=1))
                if case.closed_on
                else last_month - timedelta(days=1)
            )
            for month in _months(max(case.opened_on, history_start), end):
                decisions.append(
                    Decision(
                        kind=DecisionKind.BISTAND,
                        case=case,
                        household=case.household,
                        participant=case.participant,
                        month=month,
                        period_start=month,
                        period_end=(month + timedelta(days=32)).replace(day=1) - timedelta(days=1),
                        law_version="SoL2001" if month < date(2025, 7, 1) else "SoL2025",
                        amount=rng.randrange(2_000, 16_000, 10),
                        reasons="",
                        decided_by=handlaggare,
                        decided_at=timezone.make_aware(datetime(month.year, month.month, 1, 9)),
                        notified_on=month,
                    )
                )
            if case.closed_on is not None:
                reason = _pick(rng, EXIT_REASONS)
                subsidised = reason == ExitReason.ARBETE and rng.random() < 0.2
                exits.append(
                    Exit(
                        case=case,
                        participant=case.participant,
                        on=case.closed_on,
                        reason=reason,
                        subsidised=subsidised,
                        municipal_employment=subsidised and rng.random() < 0.5,
                        registered_by=handlaggare,
                        synthetic=True,
                    )
                )
        Case.objects.bulk_update(cases, ["forsorjningshinder"], batch_size=2000)
        Decision.objects.bulk_create(decisions, batch_size=2000)
        Exit.objects.bulk_create(exits, batch_size=2000)
        follow_ups = _follow_ups(rng, exits, as_of, handlaggare)
        audit.record_many(
            actor=handlaggare,
            entries=[
                audit.Entry(
                    action="demo.outcomes_seeded",
                    participant=exit.participant,
                    category=DataCategory.PLAN_OCH_INSATSER,
                    purpose="uppföljning",
                )
                for exit in exits
            ],
        )
    refreshed = outcomes.refresh(actor=None, through=this_month)
    analytics.compute(actor=None)
    return {
        "decisions": len(decisions),
        "exits": len(exits),
        "follow_ups": follow_ups,
        "status_months": refreshed.added,
    }


def _follow_ups(rng: random.Random, exits: list[Exit], as_of: date, actor: User) -> int:
    rows: list[ExitFollowUp] = []
    for exit in exits:
        if exit.reason == ExitReason.FELREGISTRERING:
            continue
        status = exit.status
        for months in outcome_rules.follow_up_schedule(exit.on).months:
            due = outcomes.add_months(exit.on, months)
            row = ExitFollowUp(exit=exit, months_after=months, due_on=due)
            if due <= as_of and rng.random() < RECORDED_SHARE:
                if status not in (Status.FLYTTAT, Status.SUBVENTIONERAT_ARBETE):
                    status = _pick(rng, LATER.get(status, LATER[Status.OKAND]))
                row.status = status
                row.municipal_employment = (
                    status == Status.SUBVENTIONERAT_ARBETE and exit.municipal_employment
                )
                row.source = FollowUpSource.SAMTAL if rng.random() < 0.7 else FollowUpSource.MYNDIGHET
                row.recorded_on = min(as_of, due + timedelta(days=rng.randrange(0, 20)))
                row.recorded_by = actor
            rows.append(row)
    ExitFollowUp.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
