"""The one way a page that changes something about a participant gets the participant."""

from __future__ import annotations

from django.http import HttpRequest

from egenmakt.access import policy, reads
from egenmakt.people.models import Participant


def participant_for_change(
    request: HttpRequest, participant_id: int, purpose: str
) -> tuple[Participant, str]:
    """The participant and the legal ground, for someone allowed to change their data (a case relation).

    Showing the form is a read, logged with its purpose; the change that a POST makes logs itself in its
    service, so the POST only asks the policy. Anyone else gets a 404.
    """
    if request.method == "GET":
        view = reads.open_participant(
            actor=request.user, participant_id=participant_id, action=policy.Action.EDIT, purpose=purpose
        )
        return view.participant, view.decision.legal_ground
    participant, decision = policy.get_participant(request.user, participant_id, action=policy.Action.EDIT)
    return participant, decision.legal_ground
