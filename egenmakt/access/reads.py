"""Reads of personal data: scoped by the policy and written to the audit trail, one event per person.

Views, the API and the CLI call these rather than querying participants themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egenmakt.access import policy
from egenmakt.audit import services as audit
from egenmakt.cases.models import Case
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


@transaction.atomic
def open_participant(
    *, actor: Any, participant_id: Any, action: str = policy.Action.VIEW, purpose: str = "handläggning"
) -> ParticipantView:
    """A page about one participant: one audit event for the read, naming what was shown."""
    participant, decision = policy.get_participant(actor, participant_id, action=action)
    may_see_health = bool(policy.can(actor, policy.Action.VIEW, participant, DataCategory.HALSA))
    shown = [DataCategory.GRUNDUPPGIFTER.value] + ([DataCategory.HALSA.value] if may_see_health else [])
    audit.record(
        actor=actor,
        action="participant.viewed",
        participant=participant,
        target=participant,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose=purpose,
        legal_ground=decision.legal_ground,
        detail={"categories": shown},
    )
    return ParticipantView(
        participant=participant,
        decision=decision,
        may_edit=bool(policy.can(actor, policy.Action.EDIT, participant)),
        may_see_health=may_see_health,
    )


def _record_list_read(
    actor: Any, participants: Iterable[Participant], action: str, detail: dict[str, Any]
) -> None:
    ground = {True: policy.LegalGround.NAMNGIVEN_BEHORIGHET, False: policy.LegalGround.EGEN_ENHET}
    audit.record_many(
        actor=actor,
        entries=[
            audit.Entry(
                action=action,
                participant=p,
                target=p,
                category=DataCategory.GRUNDUPPGIFTER,
                purpose="handläggning",
                legal_ground=ground[p.protected_identity],
                detail=detail,
            )
            for p in participants
        ],
    )


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
    _record_list_read(actor, found, "participant.listed_in_search", {"query": query.strip()[:100]})
    return found


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
    _record_list_read(actor, [case.participant for case in cases], "participant.listed_in_caseload", {})
    return cases


@transaction.atomic
def export_participants(*, actor: Any, purpose: str) -> list[Participant]:
    """Everyone the actor may export, for a CSV. One audit event per exported person."""
    if not purpose.strip():
        raise ValueError("an export needs a stated purpose")
    # Exporting is allowed wherever viewing is, today; the scope is the same visible set.
    exported = list(policy.visible_participants(actor).order_by("last_name", "first_name", "pk"))
    _record_list_read(actor, exported, "participant.exported", {"purpose": purpose.strip()[:200]})
    return exported
