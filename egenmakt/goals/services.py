"""Goals, their monthly snapshots, commitments and their status history. Every change is audited in its
own transaction; views, the command and the demo call these and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egenmakt.analytics import services as analytics
from egenmakt.analytics.pipeline import INDICATORS
from egenmakt.audit import services as audit
from egenmakt.goals import access
from egenmakt.goals.figures import report_cell
from egenmakt.goals.models import (
    EVERYONE,
    Commitment,
    CommitmentKind,
    CommitmentStatus,
    CommitmentStatusKind,
    Direction,
    Goal,
    GoalSnapshot,
)
from egenmakt.organisations.models import Organisation
from egenmakt.people.errors import PeopleError
from egenmakt.people.target_groups import definitions as target_group_definitions

PURPOSE = "måluppföljning"


class GoalError(PeopleError):
    pass


@dataclass(frozen=True)
class GoalDetails:
    title: str
    organisations: list[Organisation]
    indicator: str
    target_group: str
    baseline: Decimal
    target: Decimal
    deadline: date
    direction: str
    description: str = ""


@dataclass(frozen=True)
class CommitmentDetails:
    kind: str
    text: str
    organisation: Organisation
    responsible: str
    source_title: str
    source_reference: str = ""
    goals: list[Goal] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)


# --- Goals ----------------------------------------------------------------------------------------------


def _check_goal(actor: Any, details: GoalDetails, *, goal: Goal | None) -> None:
    if not details.title.strip():
        raise GoalError(_("Skriv vad målet är."), field="title")
    if not details.organisations:
        raise GoalError(_("Välj minst en organisation som äger målet."), field="organisations")
    own = {o.pk for o in access.organisations_to_manage(actor)}
    if not own & {o.pk for o in details.organisations}:
        raise GoalError(
            _("Minst en av organisationerna som äger målet måste vara din egen."), field="organisations"
        )
    if goal is not None and not access.may_change_goal(actor, goal):
        raise GoalError(_("Bara enhetschefer i organisationerna som äger målet kan ändra det."))
    if goal is None and details.deadline < timezone.localdate():
        raise GoalError(_("Datumet då målet ska vara nått har redan passerat."), field="deadline")
    if details.indicator not in {i.code for i in INDICATORS if i.kind == "share"}:
        raise GoalError(_("Välj ett nyckeltal som är en andel."), field="indicator")
    if details.target_group not in {EVERYONE, *(g.code for g in target_group_definitions())}:
        raise GoalError(_("Välj en målgrupp från listan."), field="target_group")
    if details.direction not in Direction.values:
        raise GoalError(_("Välj om högre eller lägre är bättre."), field="direction")
    for name, value in (("baseline", details.baseline), ("target", details.target)):
        if not Decimal(0) <= value <= Decimal(100):
            raise GoalError(_("Ange ett värde mellan 0 och 100 procent."), field=name)
    if details.direction == Direction.HIGHER and details.target <= details.baseline:
        raise GoalError(_("När högre är bättre ska målvärdet vara högre än utgångsläget."), field="target")
    if details.direction == Direction.LOWER and details.target >= details.baseline:
        raise GoalError(_("När lägre är bättre ska målvärdet vara lägre än utgångsläget."), field="target")


GOAL_FIELDS = (
    "title",
    "description",
    "indicator",
    "target_group",
    "baseline",
    "target",
    "deadline",
    "direction",
)


@transaction.atomic
def create_goal(*, actor: Any, details: GoalDetails) -> Goal:
    if not access.may_manage(actor):
        raise GoalError(_("Bara enhetschefer och systemadministratörer kan lägga upp mål."))
    _check_goal(actor, details, goal=None)
    goal = Goal(created_by=actor, **{name: getattr(details, name) for name in GOAL_FIELDS})
    goal.title = goal.title.strip()
    goal.full_clean()
    goal.save()
    goal.organisations.set(details.organisations)
    audit.record(
        actor=actor,
        action="goal.created",
        target=goal,
        purpose=PURPOSE,
        detail={"organisations": sorted(o.pk for o in details.organisations), "indicator": goal.indicator},
    )
    return goal


@transaction.atomic
def change_goal(*, actor: Any, goal: Goal, details: GoalDetails) -> Goal:
    """Change a goal. Its snapshots stay as they were taken; each names the cell it measured, so after a
    change of indicator or target group the goal's page shows only the new cell's series."""
    _check_goal(actor, details, goal=goal)
    changed = [name for name in GOAL_FIELDS if getattr(goal, name) != getattr(details, name)]
    for name in GOAL_FIELDS:
        setattr(goal, name, getattr(details, name))
    goal.title = goal.title.strip()
    goal.full_clean()
    goal.save()
    before = {o.pk for o in goal.organisations.all()}
    after = {o.pk for o in details.organisations}
    if before != after:
        goal.organisations.set(details.organisations)
        changed.append("organisations")
    audit.record(actor=actor, action="goal.changed", target=goal, purpose=PURPOSE, detail={"fields": changed})
    return goal


@dataclass
class SnapshotResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    report_id: int | None = None


def snapshot_goals(*, actor: Any, month: date) -> SnapshotResult:
    """Store each goal's cell from the latest stored outcome report as the month's snapshot.

    Idempotent per goal and month: a second run in the same month writes nothing unless a newer report
    has been computed since, and then brings the month's snapshot up to it (a month keeps the latest
    figure known in it). Earlier months are never touched.
    """
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise GoalError(_("Det går inte att mäta en månad som inte har börjat."), field="month")
    found = analytics.latest()
    if found is None:
        raise GoalError(_("Det finns ingen beräknad utfallsrapport att mäta målen mot."))
    stored, report = found
    result = SnapshotResult(report_id=stored.pk)
    with transaction.atomic():
        existing = {s.goal_id: s for s in GoalSnapshot.objects.select_for_update().filter(month=month)}
        for goal in Goal.objects.order_by("pk"):
            numerator, denominator = report_cell(
                report, indicator=goal.indicator, target_group=goal.target_group
            )
            snapshot = existing.get(goal.pk)
            if snapshot is None:
                GoalSnapshot.objects.create(
                    goal=goal,
                    month=month,
                    indicator=goal.indicator,
                    target_group=goal.target_group,
                    numerator=numerator,
                    denominator=denominator,
                    report=stored,
                    data_end=stored.data_end,
                )
                result.created += 1
            elif (snapshot.report_id, snapshot.indicator, snapshot.target_group) == (
                stored.pk,
                goal.indicator,
                goal.target_group,
            ):
                result.unchanged += 1
            else:
                snapshot.numerator, snapshot.denominator = numerator, denominator
                snapshot.indicator, snapshot.target_group = goal.indicator, goal.target_group
                snapshot.report, snapshot.data_end, snapshot.taken_at = (
                    stored,
                    stored.data_end,
                    timezone.now(),
                )
                snapshot.save()
                result.updated += 1
        if result.created or result.updated:
            audit.record(
                actor=actor,
                action="goals.snapshot_taken",
                target=stored,
                purpose=PURPOSE,
                detail={"month": f"{month:%Y-%m}", "created": result.created, "updated": result.updated},
            )
    return result


# --- Commitments ----------------------------------------------------------------------------------------


def _check_commitment(actor: Any, details: CommitmentDetails) -> None:
    if details.kind not in CommitmentKind.values:
        raise GoalError(_("Välj om det är ett vallöfte eller ett uppdrag."), field="kind")
    for name, message in (
        ("text", _("Skriv vad vallöftet eller uppdraget säger.")),
        ("responsible", _("Skriv vilken nämnd eller enhet som ansvarar.")),
        ("source_title", _("Skriv vilket dokument det kommer från.")),
    ):
        if not str(getattr(details, name)).strip():
            raise GoalError(message, field=name)
    if details.organisation.pk not in {o.pk for o in access.organisations_to_manage(actor)}:
        raise GoalError(
            _("Du kan bara registrera vallöften och uppdrag för din egen organisation."), field="organisation"
        )
    codes = {i.code for i in INDICATORS if i.kind == "share"}
    if any(code not in codes for code in details.indicators):
        raise GoalError(_("Välj nyckeltal från listan."), field="indicators")
    visible = set(access.visible_goals(actor).values_list("pk", flat=True))
    if any(goal.pk not in visible for goal in details.goals):
        raise GoalError(_("Välj mål från listan."), field="goals")


@transaction.atomic
def create_commitment(*, actor: Any, details: CommitmentDetails, on: date | None = None) -> Commitment:
    """Register a commitment. Its history starts with "ej påbörjad" on the day it is registered."""
    if not access.may_manage(actor):
        raise GoalError(
            _("Bara enhetschefer och systemadministratörer kan registrera vallöften och uppdrag.")
        )
    _check_commitment(actor, details)
    commitment = Commitment(
        kind=details.kind,
        text=details.text.strip(),
        organisation=details.organisation,
        responsible=details.responsible.strip(),
        source_title=details.source_title.strip(),
        source_reference=details.source_reference.strip(),
        indicators=list(dict.fromkeys(details.indicators)),
        created_by=actor,
    )
    commitment.full_clean()
    commitment.save()
    commitment.goals.set(details.goals)
    audit.record(
        actor=actor,
        action="commitment.created",
        target=commitment,
        purpose=PURPOSE,
        detail={"organisation": details.organisation.pk, "goals": sorted(g.pk for g in details.goals)},
    )
    _add_status(
        actor=actor,
        commitment=commitment,
        status=CommitmentStatusKind.EJ_PABORJAD,
        on=on or timezone.localdate(),
        comment=str(_("Registrerat.")),
    )
    return commitment


@transaction.atomic
def record_commitment_status(
    *, actor: Any, commitment: Commitment, status: str, on: date, comment: str
) -> CommitmentStatus:
    """Add a dated status to the history. Earlier entries are never changed: the history is what the
    nämnd was told, and when."""
    if not access.may_change_commitment(actor, commitment):
        raise GoalError(_("Bara enhetschefer i organisationen kan ändra status."))
    if status not in CommitmentStatusKind.values:
        raise GoalError(_("Välj en status."), field="status")
    if on > timezone.localdate():
        raise GoalError(_("Datumet kan inte ligga i framtiden."), field="on")
    if not comment.strip():
        raise GoalError(_("Skriv vad som har hänt."), field="comment")
    return _add_status(actor=actor, commitment=commitment, status=status, on=on, comment=comment.strip())


def _add_status(
    *, actor: Any, commitment: Commitment, status: str, on: date, comment: str
) -> CommitmentStatus:
    entry = CommitmentStatus.objects.create(
        commitment=commitment, status=status, on=on, comment=comment, recorded_by=actor
    )
    audit.record(
        actor=actor,
        action="commitment.status_recorded",
        target=commitment,
        purpose=PURPOSE,
        detail={"status": status, "on": on.isoformat(), "status_id": entry.pk},
    )
    return entry


def current_status(commitment: Commitment) -> CommitmentStatus | None:
    """The latest entry by date (then by when it was recorded); uses prefetched statuses if there are."""
    entries = list(commitment.statuses.all())
    return max(entries, key=lambda s: (s.on, s.recorded_at, s.pk)) if entries else None
