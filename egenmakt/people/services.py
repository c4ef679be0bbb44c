"""Changes to participants and households. Each service writes its audit events in its transaction."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.audit import services as audit
from egenmakt.lib.categories import DataCategory
from egenmakt.lib.identity import Identity, InvalidIdentity, parse_identity
from egenmakt.lib.names import search_key
from egenmakt.people import matching
from egenmakt.people.errors import DuplicateIdentity, PeopleError, PossibleDuplicates
from egenmakt.people.models import (
    Household,
    HouseholdMember,
    HouseholdRelation,
    Participant,
    ProtectedIdentityGrant,
)

# Fields whose change is a change of sensitive data (GDPR art. 9), logged under the category "hälsa".
HEALTH_FIELDS = frozenset({"has_disability", "has_health_limitation", "adaptation_needs"})


@dataclass
class ParticipantDetails:
    """What a caseworker records about a participant. Forms, the API and the CLI all build one."""

    identity_type: str
    identity_value: str
    first_name: str
    last_name: str
    identity_domain: str = ""
    birth_date: date | None = None  # needed only when the identity does not carry one
    legal_sex: str = ""  # needed only when the identity does not carry it
    country_of_birth: str = ""
    arrival_date: date | None = None
    languages: list[str] = field(default_factory=list)
    interpreter_needed: bool = False
    interpreter_language: str = ""
    has_bankid: bool = False
    email: str = ""
    phone: str = ""
    letters_only: bool = False
    education_level: str = ""
    occupation: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""
    protected_identity: bool = False
    has_disability: bool = False
    has_health_limitation: bool = False
    adaptation_needs: str = ""

    @classmethod
    def of(cls, participant: Participant) -> ParticipantDetails:
        values = {f.name: getattr(participant, f.name) for f in dataclasses.fields(cls)}
        values["country_of_birth"] = str(participant.country_of_birth or "")
        return cls(**values)


class InvalidDetails(PeopleError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Uppgifterna behöver rättas."))
        self.errors = errors

    def __str__(self) -> str:
        return f"{self.message} " + " ".join(f"{field}: {text}" for field, text in self.errors.items())


def check_details(details: ParticipantDetails, *, today: date) -> Identity:
    """The rules every way in shares: a valid identity, and a birth date and sex where it gives none."""
    errors: dict[str, str] = {}
    identity = None
    try:
        identity = parse_identity(details.identity_value, details.identity_type, today=today)
    except InvalidIdentity as error:
        errors["identity_value"] = str(error.message)
    except ValueError:
        errors["identity_type"] = str(_("Välj en typ av identitet."))
    if not details.first_name.strip():
        errors["first_name"] = str(_("Ange förnamn."))
    if not details.last_name.strip():
        errors["last_name"] = str(_("Ange efternamn."))
    if details.birth_date and details.birth_date > today:
        errors["birth_date"] = str(_("Födelsedatum kan inte ligga i framtiden."))
    if details.arrival_date and details.arrival_date > today:
        errors["arrival_date"] = str(_("Ankomstdatum kan inte ligga i framtiden."))
    born = identity.birth_date if identity else details.birth_date
    if details.arrival_date and born and details.arrival_date < born:
        errors["arrival_date"] = str(_("Ankomstdatum kan inte ligga före födelsedatum."))
    if details.interpreter_needed and not details.interpreter_language:
        errors["interpreter_language"] = str(_("Ange vilket språk tolken ska tala."))
    if errors:
        raise InvalidDetails(errors)
    assert identity is not None
    return identity


def _apply(participant: Participant, details: ParticipantDetails, identity: Identity) -> list[str]:
    """Copy details onto the participant; return the names of the fields that changed."""
    values: dict[str, Any] = dataclasses.asdict(details)
    values["identity_type"] = identity.kind.value
    values["identity_value"] = identity.value
    values["first_name"] = details.first_name.strip()
    values["last_name"] = details.last_name.strip()
    # The identity decides birth date and legal sex when it carries them.
    values["birth_date"] = identity.birth_date or details.birth_date
    values["legal_sex"] = identity.legal_sex or details.legal_sex
    if details.protected_identity:
        # Skyddade personuppgifter: the address is not kept here at all, so it cannot leak.
        values.update(street_address="", postal_code="", city="")
    changed = []
    for name, value in values.items():
        if str(getattr(participant, name) or "") != str(value or "") or (
            isinstance(value, list) and getattr(participant, name) != value
        ):
            setattr(participant, name, value)
            changed.append(name)
    participant.name_key = search_key(participant.full_name)
    return changed


def _check_duplicates(
    identity: Identity, details: ParticipantDetails, *, exclude_id: int | None, confirmed: bool
) -> None:
    existing = Participant.objects.filter(identity_value=identity.value)
    if exclude_id is not None:
        existing = existing.exclude(pk=exclude_id)
    first = existing.values_list("pk", flat=True).first()
    if first is not None:
        raise DuplicateIdentity(_("En person med det här numret finns redan registrerad."), first)
    candidates = matching.possible_duplicates(
        Participant.objects.all(),
        first_name=details.first_name,
        last_name=details.last_name,
        birth_date=identity.birth_date or details.birth_date,
        exclude_id=exclude_id,
    )
    if candidates and not confirmed:
        raise PossibleDuplicates(
            _("Det finns redan personer med samma födelsedatum och ett liknande namn."), candidates
        )


@transaction.atomic
def create_participant(
    *, actor: Any, details: ParticipantDetails, confirmed_not_duplicate: bool = False, synthetic: bool = False
) -> Participant:
    identity = check_details(details, today=timezone.localdate())
    _check_duplicates(identity, details, exclude_id=None, confirmed=confirmed_not_duplicate)
    participant = Participant(synthetic=synthetic)
    _apply(participant, details, identity)
    participant.save()
    if participant.protected_identity:
        _name_the_actor(actor, participant)
    audit.record(
        actor=actor,
        action="participant.registered",
        participant=participant,
        target=participant,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="registrering",
        detail={"confirmed_not_duplicate": confirmed_not_duplicate},
    )
    return participant


@transaction.atomic
def update_participant(
    *,
    actor: Any,
    participant: Participant,
    details: ParticipantDetails,
    confirmed_not_duplicate: bool = False,
    legal_ground: str = "",
) -> list[str]:
    """Change a participant's details; returns the names of the changed fields (none: nothing logged)."""
    identity = check_details(details, today=timezone.localdate())
    _check_duplicates(identity, details, exclude_id=participant.pk, confirmed=confirmed_not_duplicate)
    was_protected = participant.protected_identity
    changed = _apply(participant, details, identity)
    if not changed:
        return []
    participant.updated_at = timezone.now()
    participant.save()
    basic = [name for name in changed if name not in HEALTH_FIELDS]
    health = [name for name in changed if name in HEALTH_FIELDS]
    entries = [
        audit.Entry(
            action="participant.updated",
            participant=participant,
            target=participant,
            category=category,
            purpose="ändring av uppgifter",
            legal_ground=legal_ground,
            detail={"fields": fields},
        )
        for category, fields in ((DataCategory.GRUNDUPPGIFTER, basic), (DataCategory.HALSA, health))
        if fields
    ]
    audit.record_many(actor=actor, entries=entries)
    if participant.protected_identity and not was_protected:
        _name_the_actor(actor, participant)
    return changed


# Stored as data, in Swedish, whatever language the actor's UI is in.
_NAMED_ON_MARKING = "Markerade personen med skyddade personuppgifter"


def _name_the_actor(actor: Any, participant: Participant) -> None:
    """Whoever registers a person as protected, or marks them so, is named at once: otherwise the
    person would vanish from the very caseworker who is handling them."""
    if getattr(actor, "pk", None) is not None:
        grant_protected_access(actor=actor, participant=participant, user=actor, reason=_NAMED_ON_MARKING)


@transaction.atomic
def grant_protected_access(
    *, actor: Any, participant: Participant, user: Any, reason: str
) -> ProtectedIdentityGrant:
    if not reason.strip():
        raise PeopleError(_("Ange varför personen behöver behörighet."))
    grant, _created = ProtectedIdentityGrant.objects.get_or_create(
        participant=participant,
        user=user,
        revoked_at=None,
        defaults={"reason": reason.strip(), "granted_by": actor},
    )
    audit.record(
        actor=actor,
        action="protected_identity.granted",
        participant=participant,
        target=grant,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="behörighet skyddad identitet",
        detail={"user_id": user.pk, "reason": reason.strip()},
    )
    return grant


@transaction.atomic
def revoke_protected_access(*, actor: Any, grant: ProtectedIdentityGrant) -> None:
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action="protected_identity.revoked",
        participant=grant.participant,
        target=grant,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="behörighet skyddad identitet",
        detail={"user_id": grant.user_id},
    )


@transaction.atomic
def add_household_member(
    *,
    actor: Any,
    household: Household,
    participant: Participant,
    relation: str,
    residence_share: int = 100,
) -> HouseholdMember:
    if not 1 <= residence_share <= 100:
        raise PeopleError(_("Boendeandelen ska vara mellan 1 och 100 procent."))
    if relation != HouseholdRelation.BARN and residence_share != 100:
        raise PeopleError(_("Boendeandel under 100 procent gäller bara barn (växelvis boende)."))
    if (
        relation == HouseholdRelation.SOKANDE
        and household.members.filter(relation=HouseholdRelation.SOKANDE).exists()
    ):
        raise PeopleError(_("Hushållet har redan en sökande."))
    if household.members.filter(participant=participant).exists():
        raise PeopleError(_("Personen finns redan i hushållet."))
    member = HouseholdMember.objects.create(
        household=household, participant=participant, relation=relation, residence_share=residence_share
    )
    audit.record(
        actor=actor,
        action="household.member_added",
        participant=participant,
        target=household,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="hushållets sammansättning",
        detail={"relation": relation, "residence_share": residence_share},
    )
    return member


@transaction.atomic
def remove_household_member(*, actor: Any, member: HouseholdMember) -> None:
    member.valid_to = timezone.localdate()
    member.save(update_fields=["valid_to"])
    audit.record(
        actor=actor,
        action="household.member_removed",
        participant=member.participant,
        target=member.household,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="hushållets sammansättning",
        detail={"relation": member.relation},
    )


@transaction.atomic
def create_household(*, actor: Any, applicant: Participant) -> Household:
    household = Household.objects.create(synthetic=applicant.synthetic)
    add_household_member(
        actor=actor, household=household, participant=applicant, relation=HouseholdRelation.SOKANDE
    )
    return household
