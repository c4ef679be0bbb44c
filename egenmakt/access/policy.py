"""The one access policy: may this staff member do this to this participant's data of this category?

Every list, detail page, export, API read and CLI command asks here. Nothing reads participant data
around it. Access has one of three legal grounds, tried in this order:

1. a case relation: a case in one of the user's own units (casework roles), or the person belongs to a
   household whose case is there;
2. emergency access (nödåtkomst): a reasoned, logged, time-limited look by casework staff;
3. consent (samtycke): an active consent names the user's organisation and the data category.

A person with protected identity (skyddade personuppgifter) is seen only by named staff, whatever the
ground: never through consent or emergency access alone. Case relations give every action; emergency
access and consent only reading (and, for consent, exporting what it covers).
"""

from __future__ import annotations

import operator
from collections.abc import Collection
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from egenmakt.access.models import EmergencyAccess
from egenmakt.accounts.models import CASEWORK_ROLES, Membership, Role
from egenmakt.cases.models import Case, CaseQuerySet
from egenmakt.consent.models import Consent, ConsentScope
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
    NODATKOMST = "nodatkomst", _("Nödåtkomst")
    SAMTYCKE = "samtycke", _("Samtycke (OSL 12 kap. 2 §)")


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    reason: str
    legal_ground: str = ""
    # For a read on consent: which consent, and the organisation it discloses to (utlämnande).
    consent_id: int | None = None
    disclosed_to: int | None = None

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def audit_detail(self) -> dict[str, int]:
        detail = {}
        if self.consent_id is not None:
            detail["consent_id"] = self.consent_id
        if self.disclosed_to is not None:
            detail["disclosed_to"] = self.disclosed_to
        return detail


# Roles whose holders may receive data shared with their organisation by consent. Analysts see
# aggregates only and administrators no participant at all.
RECEIVING_ROLES = frozenset({*CASEWORK_ROLES, Role.PARTNER})
# Actions each ground allows. A case relation allows everything.
_CONSENT_ACTIONS = frozenset({"view", "export"})
_EMERGENCY_ACTIONS = frozenset({"view"})
_CHUNK = 5000


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


def memberships(user: Any) -> list[Membership]:
    """The user's active memberships in active units, with unit and organisation (cached per request)."""
    return _memberships(user)


def roles(user: Any) -> set[str]:
    return {membership.role for membership in _memberships(user)}


def has_role(user: Any, *wanted: str) -> bool:
    return bool(roles(user) & set(wanted))


def casework_unit_ids(user: Any) -> set[int]:
    return {m.unit_id for m in _memberships(user) if m.role in CASEWORK_ROLES}


def organisation_ids(user: Any) -> set[int]:
    """Organisations whose shared data the user may receive (by consent)."""
    return {m.unit.organisation_id for m in _memberships(user) if m.role in RECEIVING_ROLES}


def may_use_emergency_access(user: Any) -> bool:
    return bool(casework_unit_ids(user))


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
    """The outcome report and other suppressed aggregates: never a person."""
    return has_role(user, Role.ANALYTIKER, Role.ENHETSCHEF, Role.FORBUNDSCHEF, Role.FORTROENDEVALD)


def can(
    user: Any, action: str, participant: Participant, category: str = DataCategory.GRUNDUPPGIFTER
) -> AccessDecision:
    """Decide one access. The reason is for logs and tests; a refused user sees only a 404."""
    return decide_many(user, action, [participant], category)[participant.pk]


def decide_many(
    user: Any, action: str, participants: Collection[Participant], category: str = DataCategory.GRUNDUPPGIFTER
) -> dict[int, AccessDecision]:
    """Decide the same access for several people in a few queries (lists, searches, exports)."""
    if not participants:  # an empty list on a start page: nothing to ask the database
        return {}
    if category not in DataCategory.values:
        return {p.pk: AccessDecision(False, f"unknown category {category!r}") for p in participants}
    if action not in Action.values:
        return {p.pk: AccessDecision(False, f"unknown action {action!r}") for p in participants}
    if len(participants) > _CHUNK:
        # SQLite allows some 32 000 parameters per query; a large export is decided in parts.
        people = list(participants)
        decisions: dict[int, AccessDecision] = {}
        for start in range(0, len(people), _CHUNK):
            decisions |= decide_many(user, action, people[start : start + _CHUNK], category)
        return decisions
    ids = [p.pk for p in participants]
    unit_ids = casework_unit_ids(user)
    related = _related_among(unit_ids, ids) if unit_ids else set()
    # A case in the user's own unit is the first ground (`_ground`): only the others are looked up for
    # another, which on a caseworker's own lists is often nobody, and then no query is made.
    others = [pk for pk in ids if pk not in related]
    emergency = (
        _emergency_among(user, others) if others and action in _EMERGENCY_ACTIONS and unit_ids else set()
    )
    consents = _consents_among(user, others, category) if others and action in _CONSENT_ACTIONS else {}
    protected = [p.pk for p in participants if p.protected_identity]
    named = _named_among(user, protected) if protected else set()
    decisions = {}
    for p in participants:
        decision = _ground(p.pk, related, emergency, consents)
        if decision and p.protected_identity and p.pk not in named:
            decision = AccessDecision(False, "protected identity and the user is not named")
        elif decision and p.protected_identity and decision.legal_ground == LegalGround.EGEN_ENHET:
            decision = AccessDecision(True, "named staff, case in own unit", LegalGround.NAMNGIVEN_BEHORIGHET)
        decisions[p.pk] = decision
    return decisions


def _ground(
    participant_id: int, related: set[int], emergency: set[int], consents: dict[int, tuple[int, int]]
) -> AccessDecision:
    if participant_id in related:
        return AccessDecision(True, "case in own unit", LegalGround.EGEN_ENHET)
    if participant_id in emergency:
        return AccessDecision(True, "emergency access", LegalGround.NODATKOMST)
    if participant_id in consents:
        consent_id, organisation_id = consents[participant_id]
        return AccessDecision(
            True, "active consent", LegalGround.SAMTYCKE, consent_id=consent_id, disclosed_to=organisation_id
        )
    return AccessDecision(False, "no case relation, emergency access or consent")


def _named_among(user: Any, participant_ids: Collection[int]) -> set[int]:
    return set(
        ProtectedIdentityGrant.objects.filter(
            participant_id__in=participant_ids, user=user, revoked_at__isnull=True
        ).values_list("participant_id", flat=True)
    )


def _emergency_among(user: Any, participant_ids: Collection[int]) -> set[int]:
    return set(
        EmergencyAccess.objects.active()
        .filter(user=user, participant_id__in=participant_ids)
        .values_list("participant_id", flat=True)
    )


def _consents_among(user: Any, participant_ids: Collection[int], category: str) -> dict[int, tuple[int, int]]:
    """participant id -> (consent id, receiving organisation id), for active consents that cover one of
    the user's organisations and the category."""
    organisations = organisation_ids(user)
    if not organisations:
        return {}
    rows = (
        ConsentScope.objects.filter(
            organisation_id__in=organisations,
            category=category,
            consent__in=Consent.objects.active().filter(participant_id__in=participant_ids),
        )
        .order_by("consent_id", "organisation_id")
        .values_list("consent__participant_id", "consent_id", "organisation_id")
    )
    found: dict[int, tuple[int, int]] = {}
    for participant_id, consent_id, organisation_id in rows:
        found.setdefault(participant_id, (consent_id, organisation_id))
    return found


# A participant is related to a unit when they have a case there, or belong now to a household whose
# case is there (an economic-assistance case concerns the whole household, children included).
# Two forms of the same rule: a set query for whole lists, and a lookup for a few known people.


def _in_units(unit_ids: set[int]) -> Q:
    """As a filter, with uncorrelated IN-subqueries: both databases compute each set once (a correlated
    EXISTS made SQLite scan a unit's cases once per participant)."""
    cases = Case.objects.filter(unit_id__in=unit_ids)
    households = HouseholdMember.objects.current().filter(
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
            HouseholdMember.objects.current()
            .filter(participant_id__in=rest)
            .values_list("household_id", "participant_id")
        )
        here = set(
            Case.objects.filter(unit_id__in=unit_ids, household_id__in={h for h, _ in members}).values_list(
                "household_id", flat=True
            )
        )
        related |= {participant_id for household_id, participant_id in members if household_id in here}
    return related


def _consented(organisations: Collection[int], category: str) -> QuerySet[Consent]:
    """Consents in force that let the user's organisations see this category: one ground of reading."""
    return Consent.objects.active().filter(
        scopes__organisation_id__in=organisations, scopes__category=category
    )


def _named_by_grant(user: Any, person: OuterRef) -> Exists:
    """A personal grant that lifts protected identity for this user."""
    return Exists(
        ProtectedIdentityGrant.objects.filter(participant_id=person, user=user, revoked_at__isnull=True)
    )


def visible_participants(
    user: Any, category: str = DataCategory.GRUNDUPPGIFTER, *, among: Collection[int] | None = None
) -> QuerySet[Participant]:
    """All participants the user may see in this category; the scope of every list and search.

    The same grounds as `decide_many` for reading, as one query. `among` limits the answer to these
    participant ids, which is much cheaper than the whole visible set when a search has already found a
    few candidates.
    """
    if category not in DataCategory.values:
        return Participant.objects.none()
    unit_ids = casework_unit_ids(user)
    organisations = organisation_ids(user)
    if not unit_ids and not organisations:
        return Participant.objects.none()
    consented = _consented(organisations, category)
    emergency = (
        EmergencyAccess.objects.active().filter(user=user) if unit_ids else EmergencyAccess.objects.none()
    )
    if among is None:
        grounds = _in_units(unit_ids) if unit_ids else Q(pk__in=[])
        grounds |= Q(pk__in=consented.values("participant_id")) | Q(pk__in=emergency.values("participant_id"))
        people = Participant.objects.filter(grounds)
    else:
        ids = _related_among(unit_ids, among) if unit_ids else set()
        ids |= set(consented.filter(participant_id__in=among).values_list("participant_id", flat=True))
        ids |= set(emergency.filter(participant_id__in=among).values_list("participant_id", flat=True))
        people = Participant.objects.filter(pk__in=ids)
    return people.filter(Q(protected_identity=False) | _named_by_grant(user, OuterRef("pk")))


def visible_filter(user: Any, category: str = DataCategory.GRUNDUPPGIFTER, *, participant: str = "") -> Q:
    """The rule of `visible_participants` as a filter on rows that name a participant, for lists of a few
    rows such as one caseworker's own tasks and follow-ups. `participant` is the path from the rows to the
    participant ("plan__participant"); empty when the rows are participants.

    The case and household grounds are correlated EXISTS, so PostgreSQL looks each listed row's person
    up by index (emergency access and consent stay IN-subqueries, as there). The
    uncorrelated IN-subqueries of `visible_participants` made it hash everyone with a case in the unit
    first (some 50 000 people in the demo's large unit: some 25 ms per list on a start page); for whole
    lists, on the other hand, the IN form is the faster one (three times faster for a unit's everyone).
    """
    if category not in DataCategory.values:
        return Q(pk__in=[])
    unit_ids = casework_unit_ids(user)
    organisations = organisation_ids(user)
    if not unit_ids and not organisations:
        return Q(pk__in=[])
    person = OuterRef(participant or "pk")
    path = participant or "pk"
    prefix = f"{participant}__" if participant else ""
    grounds: list[Q] = []
    if unit_ids:
        unit_households = Case.objects.filter(unit_id__in=unit_ids, household__isnull=False)
        members = HouseholdMember.objects.current().filter(
            participant_id=person, household_id__in=unit_households.values("household_id")
        )
        emergency = EmergencyAccess.objects.active().filter(user=user)
        grounds += [
            Q(Exists(Case.objects.filter(unit_id__in=unit_ids, participant_id=person))),
            Q(Exists(members)),
            Q(**{f"{path}__in": emergency.values("participant_id")}),
        ]
    if organisations:
        grounds.append(Q(**{f"{path}__in": _consented(organisations, category).values("participant_id")}))
    named = _named_by_grant(user, person)
    return reduce(operator.or_, grounds) & (Q(**{f"{prefix}protected_identity": False}) | Q(named))


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
