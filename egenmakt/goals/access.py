"""Who sees and who changes goals and commitments: the access policy's rule for them, next to it.

Goals and commitments hold aggregates only (suppressed below 5 people), never a person, so the rule is
about organisations, not about cases: everybody with an active membership in an owning organisation sees
the goal, whatever their role. Creating and changing is for unit managers (enhetschef) and a
samordningsförbund's förbundschef in an owning organisation, and for system administrators, who keep
reference data for every organisation. Politicians (förtroendevalda) follow goals and commitments; the
nämnd decides them, but staff record them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from egenmakt.access import policy
from egenmakt.accounts.models import Role
from egenmakt.goals.models import Commitment, Goal
from egenmakt.organisations.models import Organisation


def member_organisation_ids(user: Any) -> set[int]:
    """Organisations where the user has an active membership in an active unit, in any role."""
    return {m.unit.organisation_id for m in policy.memberships(user)}


def managed_organisation_ids(user: Any) -> set[int]:
    return {
        m.unit.organisation_id
        for m in policy.memberships(user)
        if m.role in (Role.ENHETSCHEF, Role.FORBUNDSCHEF)
    }


def may_manage(user: Any) -> bool:
    """May create goals and commitments (for some organisation)."""
    return policy.is_administrator(user) or bool(managed_organisation_ids(user))


def organisations_to_manage(user: Any) -> QuerySet[Organisation]:
    """The organisations a new goal or commitment may belong to, as the user's own."""
    if policy.is_administrator(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=managed_organisation_ids(user))


def visible_goals(user: Any) -> QuerySet[Goal]:
    if policy.is_administrator(user):
        return Goal.objects.all()
    return Goal.objects.filter(organisations__in=member_organisation_ids(user)).distinct()


def may_see_goal(user: Any, goal: Goal) -> bool:
    if policy.is_administrator(user):
        return True
    return bool({o.pk for o in goal.organisations.all()} & member_organisation_ids(user))


def may_change_goal(user: Any, goal: Goal) -> bool:
    if policy.is_administrator(user):
        return True
    return bool({o.pk for o in goal.organisations.all()} & managed_organisation_ids(user))


def visible_commitments(user: Any) -> QuerySet[Commitment]:
    if policy.is_administrator(user):
        return Commitment.objects.all()
    return Commitment.objects.filter(organisation__in=member_organisation_ids(user))


def may_see_commitment(user: Any, commitment: Commitment) -> bool:
    return policy.is_administrator(user) or commitment.organisation_id in member_organisation_ids(user)


def may_change_commitment(user: Any, commitment: Commitment) -> bool:
    return policy.is_administrator(user) or commitment.organisation_id in managed_organisation_ids(user)
