"""Reads for the economic-assistance pages: what a person has applied for and been decided, the open case
a reduction would belong to, who may open which organisation's pages, and the payment run's progress.

Nothing here changes anything. Where a read shows personal data, the caller gets a function that both
filters by the policy and writes the audit event (category ekonomi), as access.reads does for lists.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from egenmakt.access import policy
from egenmakt.accounts.models import CASEWORK_ROLES, Role
from egenmakt.attendance.models import AbsenceTask, AttendanceStatus, TaskStatus
from egenmakt.audit import services as audit
from egenmakt.benefits.models import Application, Decision, DecisionKind, Payment, PaymentRun, Reduction
from egenmakt.cases.models import Case, CaseType
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation, OrganisationKind
from egenmakt.people.models import Participant

ECONOMY = DataCategory.EKONOMI
PURPOSE = "ekonomiskt_bistand"
Row = TypeVar("Row")


# --- Cases and absences ------------------------------------------------------------------------------


def open_benefit_cases() -> QuerySet[Case]:
    """Open cases of ekonomiskt bistånd with a household: where applications and reductions belong."""
    return Case.objects.open().filter(case_type=CaseType.EKONOMISKT_BISTAND, household__isnull=False)


def open_benefit_case(participant: Participant) -> Case | None:
    """The person's open case with a household (the newest, as the reduction service picks it)."""
    return (
        open_benefit_cases()
        .filter(participant=participant)
        .select_related("unit__organisation")
        .order_by("-opened_on", "-pk")
        .first()
    )


def with_benefit_case(participant_ids: Iterable[int]) -> set[int]:
    """Which of these people have an open case of ekonomiskt bistånd with a household."""
    return set(
        open_benefit_cases()
        .filter(participant_id__in=list(participant_ids))
        .values_list("participant_id", flat=True)
    )


def open_unexcused_tasks(participant: Participant) -> QuerySet[AbsenceTask]:
    """The person's absence tasks that are still open and are about an unexcused absence."""
    return (
        AbsenceTask.objects.filter(
            participant=participant,
            status=TaskStatus.OPPEN,
            attendance__status=AttendanceStatus.OGILTIG_FRANVARO,
        )
        .select_related("attendance__enrolment__activity")
        .order_by("attendance__day", "pk")
    )


# --- What a person has ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonsBenefits:
    applications: list[Application]
    decisions: list[Decision]
    reductions: list[Reduction]

    def __bool__(self) -> bool:
        return bool(self.applications or self.decisions or self.reductions)


def for_participant(participant: Participant, *, limit: int = 24) -> PersonsBenefits:
    """The person's own applications, decisions and reductions, newest first (two years of months)."""
    return PersonsBenefits(
        applications=list(
            Application.objects.filter(applicant=participant)
            .select_related("decision")
            .order_by("-month", "-received_on", "-pk")[:limit]
        ),
        decisions=list(
            Decision.objects.filter(participant=participant)
            .prefetch_related("items")
            .order_by("-month", "-decided_at", "-pk")[:limit]
        ),
        reductions=list(Reduction.objects.filter(participant=participant).order_by("-month", "-pk")[:limit]),
    )


def household_names(application: Application) -> dict[str, str]:
    """The names of the members an application's input lists (by the id it stores, the person's key)."""
    ids = [int(m["id"]) for m in application.input.get("members", []) if str(m.get("id", "")).isdigit()]
    return {str(p.pk): p.full_name for p in Participant.objects.filter(pk__in=ids)}


# --- Audit -------------------------------------------------------------------------------------------


def record_read(
    *,
    actor: Any,
    action: str,
    participant: Participant,
    target: Any,
    decision: policy.AccessDecision,
    detail: dict[str, Any] | None = None,
) -> None:
    """One logged read of a person's economic data (a page, a letter), with its legal ground."""
    audit.record_now(
        actor=actor,
        action=action,
        participant=participant,
        target=target,
        category=ECONOMY,
        purpose=PURPOSE,
        legal_ground=decision.legal_ground,
        detail={**(detail or {}), **decision.audit_detail},
    )


@transaction.atomic
def listed(
    *, actor: Any, rows: Sequence[Row], person: Callable[[Row], Participant], action: str
) -> list[Row]:
    """Rows of a list about people's economic data: those the policy lets the actor see, each person
    logged once as a read with their own legal ground."""
    people = {person(row).pk: person(row) for row in rows}
    decisions = policy.decide_many(actor, policy.Action.VIEW, list(people.values()), ECONOMY)
    audit.record_many(
        actor=actor,
        entries=[
            audit.Entry(
                action=action,
                participant=p,
                target=p,
                category=ECONOMY,
                purpose=PURPOSE,
                legal_ground=decisions[pk].legal_ground,
                detail=decisions[pk].audit_detail,
            )
            for pk, p in people.items()
            if decisions[pk]
        ],
    )
    return [row for row in rows if decisions[person(row).pk]]


# --- Organisations -----------------------------------------------------------------------------------


def _roles_by_organisation(actor: Any) -> dict[int, set[str]]:
    """The actor's roles per municipality, from the policy's memberships (fetched once per request)."""
    roles: dict[int, set[str]] = {}
    for membership in policy.memberships(actor):
        if membership.unit.organisation.kind == OrganisationKind.KOMMUN:
            roles.setdefault(membership.unit.organisation_id, set()).add(membership.role)
    return roles


def roles_in(actor: Any, organisation: Organisation) -> set[str]:
    """The actor's roles in one municipality (active memberships in its active units)."""
    return _roles_by_organisation(actor).get(organisation.pk, set())


def casework_organisations(actor: Any) -> list[Organisation]:
    """Municipalities where the actor has a casework role: their payment runs and local rules."""
    ids = [pk for pk, roles in _roles_by_organisation(actor).items() if roles & CASEWORK_ROLES]
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def managed_organisations(actor: Any) -> set[int]:
    """Municipalities where the actor is enhetschef: they may change the local rules there."""
    return {pk for pk, roles in _roles_by_organisation(actor).items() if Role.ENHETSCHEF in roles}


def simulation_organisations(actor: Any) -> list[Organisation]:
    """Municipalities where the actor may simulate a norm change (managers and analysts)."""
    wanted = {Role.ENHETSCHEF, Role.ANALYTIKER}
    ids = [pk for pk, roles in _roles_by_organisation(actor).items() if roles & wanted]
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def may_use_benefit_pages(actor: Any) -> bool:
    """Whether the "Ekonomi" pages are for this user at all (the navigation link)."""
    wanted = {*CASEWORK_ROLES, Role.ANALYTIKER}
    return any(roles & wanted for roles in _roles_by_organisation(actor).values())


# --- Payment runs ------------------------------------------------------------------------------------


def paid_so_far(run: PaymentRun) -> int:
    """Households paid in the run so far. Each batch commits on its own, so this follows a running run."""
    return Payment.objects.filter(run=run).values("household_id").distinct().count()


def runs_for(organisation: Organisation, *, limit: int = 24) -> list[PaymentRun]:
    return list(
        PaymentRun.objects.filter(organisation=organisation)
        .select_related("prepared_by", "approved_by")
        .order_by("-month", "-prepared_at")[:limit]
    )


# --- Time to decision --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionTimes:
    """Days from an application's arrival to its decision, for decisions made in a period."""

    decided: int  # applications decided in the period
    median: int | None  # days; None when nothing was decided
    p90: int | None
    within_target: int  # decided in at most the target's days
    target: int

    @property
    def meets_target(self) -> bool | None:
        return None if self.p90 is None else self.p90 <= self.target


def percentile_of_counts(counts: dict[int, int], share: float) -> int | None:
    """The nearest-rank percentile of whole days given as {days: applications}: the smallest value that at
    least `share` of the applications do not exceed. Days are whole numbers, so no interpolation."""
    total = sum(counts.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for days in sorted(counts):
        seen += counts[days]
        if seen >= rank:
            return days
    raise AssertionError("unreachable: the ranks add up to the total")


def decision_times(*, unit_ids: Collection[int], since: date, until: date, target: int) -> DecisionTimes:
    """Time from application to decision for applications of the units' cases decided `since`..`until`.

    Counted per number of days in the database (a few dozen rows whatever the caseload), so a manager's
    start page stays fast at any size."""
    tz = timezone.get_current_timezone()
    first = datetime.combine(since, time.min, tzinfo=tz)
    after = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)
    rows = (
        Decision.objects.filter(
            kind=DecisionKind.BISTAND,
            application_received_on__isnull=False,
            case__unit_id__in=list(unit_ids),
            decided_at__gte=first,
            decided_at__lt=after,
        )
        .annotate(decided_on=TruncDate("decided_at", tzinfo=tz))
        .values("decided_on", "application_received_on")
        # COUNT(*), not of the id: the id is not in decision_time_to_decision, which is read alone.
        .annotate(n=Count("*"))
        .order_by()
    )
    counts: dict[int, int] = {}
    for row in rows:
        days = max(0, (row["decided_on"] - row["application_received_on"]).days)
        counts[days] = counts.get(days, 0) + row["n"]
    return DecisionTimes(
        decided=sum(counts.values()),
        median=percentile_of_counts(counts, 0.5),
        p90=percentile_of_counts(counts, 0.9),
        within_target=sum(n for days, n in counts.items() if days <= target),
        target=target,
    )
