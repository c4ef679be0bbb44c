"""Opening and closing cases. Registering a new participant opens their first case in one step,
so the person never exists without a unit that is responsible for them."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.audit import services as audit
from egenmakt.cases.models import Case, CaseType
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Unit
from egenmakt.people import services as people
from egenmakt.people.errors import PeopleError
from egenmakt.people.models import Household, Participant


class CaseError(PeopleError):
    pass


@transaction.atomic
def open_case(
    *,
    actor: Any,
    participant: Participant,
    unit: Unit,
    case_type: str,
    opened_on: date | None = None,
    responsible: Any = None,
    household: Household | None = None,
) -> Case:
    if case_type not in CaseType.values:
        raise CaseError(_("Välj en ärendetyp."))
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise CaseError(_("Ett ärende kan inte aktualiseras i framtiden."))
    case = Case.objects.create(
        participant=participant,
        unit=unit,
        case_type=case_type,
        opened_on=opened_on,
        responsible=responsible,
        household=household,
        synthetic=participant.synthetic,
    )
    audit.record(
        actor=actor,
        action="case.opened",
        participant=participant,
        target=case,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="aktualisering",
        detail={"unit_id": unit.pk, "case_type": case_type},
    )
    return case


@transaction.atomic
def close_case(*, actor: Any, case: Case, closed_on: date | None = None) -> Case:
    closed_on = closed_on or timezone.localdate()
    if case.closed_on is not None:
        raise CaseError(_("Ärendet är redan avslutat."))
    if closed_on < case.opened_on:
        raise CaseError(_("Ett ärende kan inte avslutas före det aktualiserades."))
    case.closed_on = closed_on
    case.save(update_fields=["closed_on"])
    audit.record(
        actor=actor,
        action="case.closed",
        participant=case.participant,
        target=case,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="avslut",
    )
    return case


@transaction.atomic
def register_participant(
    *,
    actor: Any,
    details: people.ParticipantDetails,
    unit: Unit,
    case_type: str,
    confirmed_not_duplicate: bool = False,
    with_household: bool = True,
) -> Case:
    """Register a new participant and open their case in `unit`, with the actor responsible."""
    participant = people.create_participant(
        actor=actor, details=details, confirmed_not_duplicate=confirmed_not_duplicate
    )
    household = people.create_household(actor=actor, applicant=participant) if with_household else None
    return open_case(
        actor=actor,
        participant=participant,
        unit=unit,
        case_type=case_type,
        responsible=actor,
        household=household,
    )
