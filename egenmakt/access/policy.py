"""The one access policy: may this staff member do this to this participant's data of this category?

Every list, detail page, export, API read and CLI command asks here. Nothing reads participant data
around it. Today access comes from a case in one of the staff member's own units (in a casework
role), narrowed to named staff for people with protected identity. Consent-based access for partner
organisations and emergency access plug in here, as further legal grounds.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from egenmakt.accounts.models import CASEWORK_ROLES, Membership, Role
from egenmakt.cases.models import Case, CaseQuerySet
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Unit
from egenmakt.people.models import HouseholdMember, Participant, ProtectedIdentityGrant


class Action(models.TextChoices):
    VIEW = "view", _("läsa")
    EDIT = "edit", _("ändra")
    EXPORT = "export", _("exportera")


class LegalGround(models.TextChoices):
    """Why an access was allowed; recorded on the audit event."""

    EGEN_ENHET = "egen_enhet", _("Ärende i egen enhet")
    NAMNGIVEN_BEHORIGHET = "namngiven_behorighet", _("Namngiven behörighet (skyddade personuppgifter)")


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    reason: str
    legal_ground: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def _memberships(user: Any) -> list[Membership]:
    """Active memberships, fetched once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached: list[Membership] | None = getattr(user, "_egenmakt_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.active()
            .filter(unit__active=True)
            .select_related("unit__organisation")
            .filter(user=user)
        )
        user._egenmakt_memberships = cached
    return cached


def roles(user: Any) -> set[str]:
    return {membership.role for membership in _memberships(user)}


def has_role(user: Any, *wanted: str) -> bool:
    return bool(roles(user) & set(wanted))


def casework_unit_ids(user: Any) -> set[int]:
    return {m.unit_id for m in _memberships(user) if m.role in CASEWORK_ROLES}


def managed_unit_ids(user: Any) -> set[int]:
    return {m.unit_id for m in _memberships(user) if m.role == Role.ENHETSCHEF}


def registration_unit_ids(user: Any) -> set[int]:
    """Units where the user may register a participant and open a case."""
    return {
        m.unit_id for m in _memberships(user) if m.role in (Role.HANDLAGGARE, Role.ARBETSMARKNADSKONSULENT)
    }


def units_for_registration(user: Any) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=registration_unit_ids(user)).select_related("organisation")


def is_staff_member(user: Any) -> bool:
    return bool(_memberships(user)) or bool(getattr(user, "is_superuser", False) and user.is_active)


def is_administrator(user: Any) -> bool:
    """May manage reference data in the admin. Administration gives no access to participants."""
    return bool(getattr(user, "is_active", False)) and (
        bool(getattr(user, "is_superuser", False)) or has_role(user, Role.SYSTEMADMINISTRATOR)
    )


def can_review_access_log(user: Any) -> bool:
    return bool(managed_unit_ids(user))


def can_see_aggregates(user: Any) -> bool:
    return has_role(user, Role.ANALYTIKER, Role.ENHETSCHEF)


def _has_protected_grant(user: Any, participant: Participant) -> bool:
    return ProtectedIdentityGrant.objects.filter(
        participant=participant, user=user, revoked_at__isnull=True
    ).exists()


def can(
    user: Any, action: str, participant: Participant, category: str = DataCategory.GRUNDUPPGIFTER
) -> AccessDecision:
    """Decide one access. The reason is for logs and tests; a refused user sees only a 404."""
    if category not in DataCategory.values:
        return AccessDecision(False, f"unknown category {category!r}")
    if action not in Action.values:
        return AccessDecision(False, f"unknown action {action!r}")
    unit_ids = casework_unit_ids(user)
    if not unit_ids:
        return AccessDecision(False, "no casework role in any active unit")
    if participant.pk not in _related_among(unit_ids, [participant.pk]):
        return AccessDecision(False, "no case in the user's units")
    if participant.protected_identity:
        if not _has_protected_grant(user, participant):
            return AccessDecision(False, "protected identity and the user is not named")
        return AccessDecision(True, "named staff, case in own unit", LegalGround.NAMNGIVEN_BEHORIGHET)
    return AccessDecision(True, "case in own unit", LegalGround.EGEN_ENHET)


# A participant is related to a unit when they have a case there, or belong now to a household whose
# case is there (an economic-assistance case concerns the whole household, children included).
# Two forms of the same rule: a set query for whole lists, and a lookup for a few known people.


def _in_units(unit_ids: set[int]) -> Q:
    """As a filter, with uncorrelated IN-subqueries: both databases compute each set once (a correlated
    EXISTS made SQLite scan a unit's cases once per participant)."""
    cases = Case.objects.filter(unit_id__in=unit_ids)
    households = HouseholdMember.objects.filter(
        valid_to__isnull=True,
        household_id__in=Case.objects.filter(unit_id__in=unit_ids, household__isnull=False).values(
            "household_id"
        ),
    )
    return Q(pk__in=cases.values("participant_id")) | Q(pk__in=households.values("participant_id"))


def _related_among(unit_ids: set[int], among: Collection[int]) -> set[int]:
    """The same rule for a few known participant ids, driven by their ids (indexed lookups only)."""
    among = list(among)
    related = set(
        Case.objects.filter(unit_id__in=unit_ids, participant_id__in=among).values_list(
            "participant_id", flat=True
        )
    )
    rest = [pk for pk in among if pk not in related]
    if rest:
        members = list(
            HouseholdMember.objects.filter(participant_id__in=rest, valid_to__isnull=True).values_list(
                "household_id", "participant_id"
            )
        )
        here = set(
            Case.objects.filter(unit_id__in=unit_ids, household_id__in={h for h, _ in members}).values_list(
                "household_id", flat=True
            )
        )
        related |= {participant_id for household_id, participant_id in members if household_id in here}
    return related


def visible_participants(
    user: Any, category: str = DataCategory.GRUNDUPPGIFTER, *, among: Collection[int] | None = None
) -> QuerySet[Participant]:
    """All participants the user may see in this category; the scope of every list and search.

    `among` limits the answer to these participant ids, which is much cheaper than the whole visible
    set when a search has already found a few candidates.
    """
    unit_ids = casework_unit_ids(user)
    if not unit_ids or category not in DataCategory.values:
        return Participant.objects.none()
    named = Exists(
        ProtectedIdentityGrant.objects.filter(participant=OuterRef("pk"), user=user, revoked_at__isnull=True)
    )
    if among is None:
        people = Participant.objects.filter(_in_units(unit_ids))
    else:
        people = Participant.objects.filter(pk__in=_related_among(unit_ids, among))
    return people.filter(Q(protected_identity=False) | named)


def visible_cases(user: Any) -> CaseQuerySet:
    """Cases of the user's own units whose participant the user may see (protected identity narrows it)."""
    unit_ids = casework_unit_ids(user)
    if not unit_ids:
        return Case.objects.none()
    named = Exists(
        ProtectedIdentityGrant.objects.filter(
            participant=OuterRef("participant"), user=user, revoked_at__isnull=True
        )
    )
    return Case.objects.filter(unit_id__in=unit_ids).filter(Q(participant__protected_identity=False) | named)


def get_participant(
    user: Any, participant_id: Any, *, action: str = Action.VIEW, category: str = DataCategory.GRUNDUPPGIFTER
) -> tuple[Participant, AccessDecision]:
    """The participant and the decision that allowed it, or Http404 whether it exists or not."""
    try:
        participant = Participant.objects.get(pk=int(participant_id))
    except (Participant.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    decision = can(user, action, participant, category)
    if not decision:
        raise Http404
    return participant, decision
