"""The team around a participant: organisations and people with roles, and one lead (huvudansvarig)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.access import policy
from egenmakt.audit import services as audit
from egenmakt.collaboration.models import TeamMember
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation
from egenmakt.people.errors import PeopleError
from egenmakt.people.models import Participant


class TeamError(PeopleError):
    pass


def current_team(participant: Participant) -> list[TeamMember]:
    return list(
        TeamMember.objects.filter(participant=participant, ended_at__isnull=True)
        .select_related("organisation", "user")
        .order_by("-is_lead", "organisation__name")
    )


@transaction.atomic
def add_team_member(
    *,
    actor: Any,
    participant: Participant,
    organisation: Organisation,
    role: str,
    user: Any = None,
    contact_name: str = "",
    is_lead: bool = False,
) -> TeamMember:
    if not policy.can(actor, policy.Action.EDIT, participant):
        raise TeamError(_("Bara personens egen enhet kan ändra teamet."))
    if not role.strip():
        raise TeamError(_("Skriv vilken roll organisationen eller personen har i teamet."))
    if user is not None and organisation.pk not in {m.unit.organisation_id for m in user.memberships.all()}:
        raise TeamError(_("Personen arbetar inte på den valda organisationen."))
    if is_lead:
        # One lead at a time: the new lead replaces the old (the constraint backs this up).
        TeamMember.objects.filter(participant=participant, is_lead=True, ended_at__isnull=True).update(
            is_lead=False
        )
    member = TeamMember.objects.create(
        participant=participant,
        organisation=organisation,
        user=user,
        contact_name=contact_name.strip(),
        role=role.strip(),
        is_lead=is_lead,
    )
    audit.record(
        actor=actor,
        action="team.member_added",
        participant=participant,
        target=member,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose="team",
        detail={"organisation_id": organisation.pk, "user_id": getattr(user, "pk", None), "is_lead": is_lead},
    )
    return member


@transaction.atomic
def end_team_member(*, actor: Any, member: TeamMember) -> None:
    if not policy.can(actor, policy.Action.EDIT, member.participant):
        raise TeamError(_("Bara personens egen enhet kan ändra teamet."))
    member.ended_at = timezone.now()
    member.is_lead = False
    member.save(update_fields=["ended_at", "is_lead"])
    audit.record(
        actor=actor,
        action="team.member_ended",
        participant=member.participant,
        target=member,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose="team",
    )
