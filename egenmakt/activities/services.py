"""Placing people in activities: capacity, a fair waiting list, overrides with reasons, and endings.

The activity row is locked while a place is given (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions serialise writers), so two caseworkers can never both get the last place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.access import policy, reads
from egenmakt.activities.models import (
    Activity,
    AnonymousPlace,
    EndReason,
    Enrolment,
    EnrolmentStatus,
    FidelityReview,
)
from egenmakt.activities.rules import ips25
from egenmakt.audit import services as audit
from egenmakt.cases.models import Case
from egenmakt.lib.categories import DataCategory
from egenmakt.people.errors import PeopleError
from egenmakt.people.models import Participant


class ActivityError(PeopleError):
    pass


@dataclass(frozen=True)
class Occupancy:
    capacity: int
    placed: int
    anonymous: int
    waiting: int

    @property
    def taken(self) -> int:
        return self.placed + self.anonymous

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)


def occupancies(activities: Sequence[Activity]) -> dict[int, Occupancy]:
    """Places taken, anonymous places and queue length for many activities, in three queries."""
    ids = [activity.pk for activity in activities]

    def counts(rows: QuerySet[Any]) -> dict[int, int]:
        return dict(rows.values("activity").annotate(n=Count("pk")).values_list("activity", "n"))

    placed = counts(Enrolment.objects.filter(activity_id__in=ids).occupying())
    waiting = counts(Enrolment.objects.filter(activity_id__in=ids, status=EnrolmentStatus.VANTAR))
    anonymous = counts(AnonymousPlace.objects.filter(activity_id__in=ids, actual_end__isnull=True))
    return {
        a.pk: Occupancy(
            capacity=a.capacity,
            placed=placed.get(a.pk, 0),
            anonymous=anonymous.get(a.pk, 0),
            waiting=waiting.get(a.pk, 0),
        )
        for a in activities
    }


def occupancy(activity: Activity) -> Occupancy:
    return occupancies([activity])[activity.pk]


def queue_position(enrolment: Enrolment) -> int | None:
    """The person's place in the queue (1 = next), or None if they are not waiting."""
    if enrolment.status != EnrolmentStatus.VANTAR:
        return None
    queue = list(
        Enrolment.objects.filter(activity_id=enrolment.activity_id).waiting().values_list("pk", flat=True)
    )
    return queue.index(enrolment.pk) + 1


def _locked(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _check_may_place(actor: Any, participant: Participant, case: Case) -> None:
    if not policy.can(actor, policy.Action.EDIT, participant, DataCategory.PLAN_OCH_INSATSER):
        raise ActivityError(_("Bara personens egen enhet kan placera personen i en insats."))
    if case.participant_id != participant.pk or not case.is_open:
        raise ActivityError(_("Välj ett öppet ärende för personen."), field="case")


def _check_dates(start: date | None, planned_end: date | None) -> None:
    if start is not None and planned_end is not None and planned_end < start:
        raise ActivityError(_("Planerat slut kan inte vara före startdatum."), field="planned_end")


def _why_not_now(room: Occupancy, *, ahead_of: int) -> str:
    """Why a place cannot be given without an override: full, or others waiting first. Empty if it can."""
    if room.free <= 0:
        return str(
            _("Insatsen är full (%(taken)s av %(capacity)s platser).")
            % {"taken": room.taken, "capacity": room.capacity}
        )
    if ahead_of:
        return str(_("%(count)s personer står före i kön.") % {"count": ahead_of})
    return ""


@transaction.atomic
def enrol(
    *,
    actor: Any,
    participant: Participant,
    activity: Activity,
    case: Case,
    start: date,
    planned_end: date | None = None,
    override_reason: str = "",
) -> Enrolment:
    """Give the person a place if one is free and nobody is waiting; otherwise put them in the queue.

    With an override reason the place is given anyway (beyond capacity or ahead of the queue), and the
    reason is kept on the placement and in the audit trail.
    """
    _check_may_place(actor, participant, case)
    _check_dates(start, planned_end)
    activity = _locked(activity)
    if not activity.active:
        raise ActivityError(_("Insatsen har upphört och tar inte emot fler."), field="activity")
    if Enrolment.objects.filter(
        participant=participant, activity=activity, status__in=["vantar", "aktiv"]
    ).exists():
        raise ActivityError(_("Personen är redan placerad eller står i kö till insatsen."), field="activity")
    room = occupancy(activity)
    obstacle = _why_not_now(room, ahead_of=room.waiting)
    override_reason = override_reason.strip()
    placed = not obstacle or bool(override_reason)
    enrolment = Enrolment.objects.create(
        participant=participant,
        activity=activity,
        case=case,
        status=EnrolmentStatus.AKTIV if placed else EnrolmentStatus.VANTAR,
        start=start,
        planned_end=planned_end,
        override_reason=override_reason if obstacle else "",
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="enrolment.placed" if placed else "enrolment.queued",
        participant=participant,
        target=enrolment,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose="placering",
        detail={
            "activity_id": activity.pk,
            "override": bool(enrolment.override_reason),
            "obstacle": obstacle,
        },
    )
    return enrolment


@transaction.atomic
def place_from_queue(
    *, actor: Any, enrolment: Enrolment, start: date, override_reason: str = ""
) -> Enrolment:
    """Give a waiting person the place. Someone further back, or a full activity, needs a reason."""
    enrolment = Enrolment.objects.select_related("participant", "case").get(pk=enrolment.pk)
    _check_may_place(actor, enrolment.participant, enrolment.case)
    activity = _locked(enrolment.activity)
    if enrolment.status != EnrolmentStatus.VANTAR:
        raise ActivityError(_("Personen står inte i kö till insatsen."))
    _check_dates(start, enrolment.planned_end)
    position = queue_position(enrolment) or 1
    obstacle = _why_not_now(occupancy(activity), ahead_of=position - 1)
    override_reason = override_reason.strip()
    if obstacle and not override_reason:
        raise ActivityError(
            _("%(obstacle)s Skriv ett skäl för att ge platsen ändå.") % {"obstacle": obstacle},
            field="override_reason",
        )
    enrolment.status = EnrolmentStatus.AKTIV
    enrolment.start = start
    enrolment.override_reason = override_reason if obstacle else ""
    enrolment.save(update_fields=["status", "start", "override_reason"])
    audit.record(
        actor=actor,
        action="enrolment.placed_from_queue",
        participant=enrolment.participant,
        target=enrolment,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose="placering",
        detail={
            "activity_id": activity.pk,
            "queue_position": position,
            "override": bool(enrolment.override_reason),
        },
    )
    return enrolment


@transaction.atomic
def end_enrolment(*, actor: Any, enrolment: Enrolment, actual_end: date | None, end_reason: str) -> Enrolment:
    """End a placement (or take the person out of the queue). The place goes to the queue's first person
    only when someone gives it to them: a placement is agreed with the person, never automatic."""
    enrolment = Enrolment.objects.select_related("participant", "case").get(pk=enrolment.pk)
    if not policy.can(actor, policy.Action.EDIT, enrolment.participant, DataCategory.PLAN_OCH_INSATSER):
        raise ActivityError(_("Bara personens egen enhet kan avsluta placeringen."))
    if enrolment.status == EnrolmentStatus.AVSLUTAD:
        raise ActivityError(_("Placeringen är redan avslutad."))
    if end_reason not in EndReason.values:
        raise ActivityError(_("Välj en avslutsorsak."), field="end_reason")
    if enrolment.status == EnrolmentStatus.AKTIV:
        if actual_end is None:
            raise ActivityError(_("Ange sista dagen i insatsen."), field="actual_end")
        if enrolment.start and actual_end < enrolment.start:
            raise ActivityError(_("Sista dagen kan inte vara före startdatum."), field="actual_end")
    enrolment.actual_end = actual_end if enrolment.status == EnrolmentStatus.AKTIV else None
    enrolment.status = EnrolmentStatus.AVSLUTAD
    enrolment.end_reason = end_reason
    enrolment.save(update_fields=["status", "actual_end", "end_reason"])
    audit.record(
        actor=actor,
        action="enrolment.ended",
        participant=enrolment.participant,
        target=enrolment,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose="placering",
        detail={"end_reason": end_reason},
    )
    return enrolment


def _check_runs(actor: Any, activity: Activity) -> None:
    """Staff of the unit that runs the activity (or its managers) handle its places and reviews."""
    if activity.unit_id not in policy.casework_unit_ids(actor):
        raise ActivityError(_("Bara den enhet som driver insatsen kan göra detta."))


@transaction.atomic
def register_anonymous_place(
    *,
    actor: Any,
    activity: Activity,
    start: date,
    age_band: str = "",
    legal_sex: str = "",
    livelihood_before: str = "okand",
    override_reason: str = "",
) -> AnonymousPlace:
    """Count someone who gave no consent to be registered, as SUS does: no personal data at all."""
    _check_runs(actor, activity)
    activity = _locked(activity)
    if occupancy(activity).free <= 0 and not override_reason.strip():
        raise ActivityError(
            _("Insatsen är full. Skriv ett skäl för att ta emot personen ändå."), field="override_reason"
        )
    place = AnonymousPlace.objects.create(
        activity=activity,
        start=start,
        age_band=age_band,
        legal_sex=legal_sex,
        livelihood_before=livelihood_before,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="anonymous_place.registered",
        target=place,
        purpose="uppfoljning",
        detail={"activity_id": activity.pk, "override": bool(override_reason.strip())},
    )
    return place


@transaction.atomic
def end_anonymous_place(
    *, actor: Any, place: AnonymousPlace, actual_end: date, end_reason: str, livelihood_after: str
) -> AnonymousPlace:
    _check_runs(actor, place.activity)
    if place.actual_end is not None:
        raise ActivityError(_("Platsen är redan avslutad."))
    if actual_end < place.start:
        raise ActivityError(_("Sista dagen kan inte vara före startdatum."), field="actual_end")
    if end_reason not in EndReason.values:
        raise ActivityError(_("Välj en avslutsorsak."), field="end_reason")
    place.actual_end = actual_end
    place.end_reason = end_reason
    place.livelihood_after = livelihood_after
    place.save(update_fields=["actual_end", "end_reason", "livelihood_after"])
    audit.record(actor=actor, action="anonymous_place.ended", target=place, purpose="uppfoljning")
    return place


@transaction.atomic
def record_fidelity_review(
    *, actor: Any, activity: Activity, reviewed_on: date, reviewers: str, scores: list[int], comment: str = ""
) -> FidelityReview:
    """Add an IPS-25 review. Earlier reviews stay: the history is the point."""
    _check_runs(actor, activity)
    scale = ips25()
    if len(scores) != len(scale.items):
        raise ActivityError(
            _("Alla %(count)s punkter ska ha poäng.") % {"count": len(scale.items)}, field="scores"
        )
    for number, score in enumerate(scores, start=1):
        if not scale.min_score <= score <= scale.max_score:
            raise ActivityError(
                _("Punkt %(number)s: poängen ska vara mellan %(low)s och %(high)s.")
                % {"number": number, "low": scale.min_score, "high": scale.max_score},
                field=f"item_{number}",
            )
    if reviewed_on > timezone.localdate():
        raise ActivityError(_("Granskningsdatum kan inte ligga i framtiden."), field="reviewed_on")
    if not reviewers.strip():
        raise ActivityError(_("Skriv vilka som gjorde granskningen."), field="reviewers")
    review = FidelityReview.objects.create(
        activity=activity,
        scale=scale.code,
        reviewed_on=reviewed_on,
        reviewers=reviewers.strip(),
        scores=list(scores),
        total=sum(scores),
        comment=comment.strip(),
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="fidelity.reviewed",
        target=review,
        purpose="kvalitet",
        detail={"total": review.total},
    )
    return review


# Placements whose planned end is this close show on the start page, so the next step is planned in time.
ENDING_SOON_DAYS = 14


@transaction.atomic
def placements_ending_soon(
    *, actor: Any, on: date, days: int = ENDING_SOON_DAYS, limit: int = 100
) -> list[Enrolment]:
    """Placements ending within `days` in the activities the actor's units run or on the actor's own cases,
    the soonest first. Only people the actor may see are listed, each logged as a read."""
    unit_ids = policy.casework_unit_ids(actor)
    ending = list(
        Enrolment.objects.occupying()
        .filter(actual_end__isnull=True, planned_end__gte=on, planned_end__lte=on + timedelta(days=days))
        # The actor's own cases as a subquery, not a join: joined, PostgreSQL hashed every case in the
        # municipality to find the few hundred placements' (27 ms at 100 000 participants, now 5 ms).
        .filter(
            Q(activity__unit_id__in=unit_ids)
            | Q(case_id__in=Case.objects.filter(responsible=actor).values("pk"))
        )
        .select_related("participant", "activity")
        .order_by("planned_end", "pk")[:limit]
    )
    shown = {
        p.pk
        for p in reads.shown_in_list(
            actor=actor,
            participants=[e.participant for e in ending],
            action="participant.listed_on_start_page",
            detail={"list": "placements_ending"},
        )
    }
    return [e for e in ending if e.participant_id in shown]
