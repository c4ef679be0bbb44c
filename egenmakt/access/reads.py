"""Reads of personal data: scoped by the policy and written to the audit trail, one event per person.

Views, the API and the CLI call these rather than querying participants themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egenmakt.access import policy
from egenmakt.access.models import EmergencyAccess
from egenmakt.audit import services as audit
from egenmakt.cases.models import Case
from egenmakt.consent.models import Consent
from egenmakt.lib.categories import DataCategory
from egenmakt.people import matching
from egenmakt.people.models import Participant

# How many ranked candidates a search hands to the access policy before the result is cut to the limit.
SEARCH_CANDIDATES = 2000


@dataclass(frozen=True)
class ParticipantView:
    participant: Participant
    decision: policy.AccessDecision
    may_edit: bool
    may_see_health: bool
    # The emergency access this look rests on, if any (shown with its end time and an end button).
    emergency: EmergencyAccess | None = None

    @property
    def shared_by_consent(self) -> bool:
        """Seen by another organisation on consent: only what the consent covers, no household or cases
        (those hold other people's data and the municipality's own casework)."""
        return self.decision.legal_ground == policy.LegalGround.SAMTYCKE

    @property
    def by_emergency_access(self) -> bool:
        return self.decision.legal_ground == policy.LegalGround.NODATKOMST


@transaction.atomic
def open_participant(
    *, actor: Any, participant_id: Any, action: str = policy.Action.VIEW, purpose: str = "handläggning"
) -> ParticipantView:
    """A page about one participant: one audit event for the read, naming what was shown and on what
    legal ground (for a read on consent, the consent and the receiving organisation: a disclosure)."""
    participant, decision = policy.get_participant(actor, participant_id, action=action)
    may_see_health = bool(policy.can(actor, policy.Action.VIEW, participant, DataCategory.HALSA))
    shown = [DataCategory.GRUNDUPPGIFTER.value] + ([DataCategory.HALSA.value] if may_see_health else [])
    # The person's page also shows economic assistance to those who may see it: the one read names it too.
    if policy.can(actor, policy.Action.VIEW, participant, DataCategory.EKONOMI):
        shown.append(DataCategory.EKONOMI.value)
    audit.record(
        actor=actor,
        action="participant.viewed",
        participant=participant,
        target=participant,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose=purpose,
        legal_ground=decision.legal_ground,
        detail={"categories": shown, **decision.audit_detail},
    )
    emergency = None
    if decision.legal_ground == policy.LegalGround.NODATKOMST:
        emergency = EmergencyAccess.objects.active().filter(user=actor, participant=participant).first()
    return ParticipantView(
        participant=participant,
        decision=decision,
        may_edit=bool(policy.can(actor, policy.Action.EDIT, participant)),
        may_see_health=may_see_health,
        emergency=emergency,
    )


def _record_list_read(
    actor: Any,
    participants: list[Participant],
    action: str,
    detail: dict[str, Any],
    policy_action: str = policy.Action.VIEW,
) -> list[Participant]:
    """Log one event per person in a list, each with its own legal ground; return only those the policy
    allows, so a list can never show someone it should not, whatever query built it."""
    decisions = policy.decide_many(actor, policy_action, participants)
    allowed = [p for p in participants if decisions[p.pk]]
    audit.record_many(
        actor=actor,
        entries=[
            audit.Entry(
                action=action,
                participant=p,
                target=p,
                category=DataCategory.GRUNDUPPGIFTER,
                purpose="handläggning",
                legal_ground=decisions[p.pk].legal_ground,
                detail={**detail, **decisions[p.pk].audit_detail},
            )
            for p in allowed
        ],
    )
    return allowed


@transaction.atomic
def search_participants(*, actor: Any, query: str, limit: int | None = None) -> list[Participant]:
    """Search by name (spelling-tolerant) or identity among those the actor may see.

    Each person in the result is logged: appearing in a search result is a read of their data.
    """
    limit = limit or settings.EGENMAKT_SEARCH_LIMIT
    # Rank candidates among everyone, then keep those the actor may see: asking the policy about a
    # few hundred ids is far cheaper than building a large unit's whole visible set for every search.
    # Nothing about the others leaves this function.
    hits = matching.find(
        Participant.objects.all(), query, today=timezone.localdate(), limit=SEARCH_CANDIDATES
    )
    visible = policy.visible_participants(actor, among=[hit.participant_id for hit in hits]).in_bulk()
    found = [visible[hit.participant_id] for hit in hits if hit.participant_id in visible][:limit]
    return _record_list_read(actor, found, "participant.listed_in_search", {"query": query.strip()[:100]})


@transaction.atomic
def my_caseload(*, actor: Any) -> list[Case]:
    """Open cases the actor is responsible for, with the participants, for the start page."""
    cases = list(
        policy.visible_cases(actor)
        .open()
        .filter(responsible=actor)
        .select_related("participant", "unit")
        .order_by("participant__last_name", "participant__first_name")[:200]
    )
    shown = {
        p.pk
        for p in _record_list_read(
            actor, [c.participant for c in cases], "participant.listed_in_caseload", {}
        )
    }
    return [case for case in cases if case.participant_id in shown]


@transaction.atomic
def running_emergency_accesses(*, actor: Any) -> list[EmergencyAccess]:
    """The actor's own emergency accesses still running, for the start page: only people the policy
    lets the actor see now (not, say, someone marked protected since), each logged as a read."""
    accesses = list(EmergencyAccess.objects.active().filter(user=actor).select_related("participant"))
    shown = {
        p.pk
        for p in _record_list_read(
            actor, [a.participant for a in accesses], "participant.listed_in_caseload", {}
        )
    }
    return [access for access in accesses if access.participant_id in shown]


@transaction.atomic
def shared_with_me(*, actor: Any) -> list[Participant]:
    """People whose consent lets the actor's organisation see them (a partner's start page)."""
    organisations = policy.organisation_ids(actor)
    candidates = list(
        policy.visible_participants(actor)
        .filter(consents__in=Consent.objects.active().filter(scopes__organisation_id__in=organisations))
        .distinct()
        .order_by("last_name", "first_name")[:200]
    )
    return _record_list_read(actor, candidates, "participant.listed_in_caseload", {})


@transaction.atomic
def export_participants(*, actor: Any, purpose: str) -> list[Participant]:
    """Everyone the actor may export, for a CSV. One audit event per exported person."""
    if not purpose.strip():
        raise ValueError("an export needs a stated purpose")
    # The visible set, less those seen only through emergency access (a look, never a list to take away).
    candidates = list(policy.visible_participants(actor).order_by("last_name", "first_name", "pk"))
    return _record_list_read(
        actor, candidates, "participant.exported", {"purpose": purpose.strip()[:200]}, policy.Action.EXPORT
    )


@transaction.atomic
def shown_in_list(
    *,
    actor: Any,
    participants: list[Participant],
    action: str,
    detail: dict[str, Any],
    policy_action: str = policy.Action.VIEW,
) -> list[Participant]:
    """For lists built elsewhere (an activity's group, its queue, a task list): keep those the policy
    allows for `policy_action` and log each as a read with its own legal ground."""
    return _record_list_read(actor, participants, action, detail, policy_action)
