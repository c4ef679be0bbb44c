"""Test data for economic assistance: Lina's household with children, members since long ago, and a
month whose riksnorm is official (2023)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from egenmakt.activities import services as activities
from egenmakt.activities.tests.factories import make_activity, open_case
from egenmakt.attendance import services as attendance
from egenmakt.attendance.models import AbsenceTask
from egenmakt.benefits.models import LocalRules, PayoutAccount
from egenmakt.people.models import HouseholdMember, HouseholdRelation, Participant
from egenmakt.people.services import add_household_member, create_participant
from egenmakt.test import Personas, details

MONTH = date(2023, 3, 1)
# An IBAN with a valid check (ISO 13616), in the format of a Swedish account.
IBAN = "SE4550000000058398257466"
PAYER_IBAN = "SE3550000000054910000003"


def add_child(
    personas: Personas, identity: str, first: str, relation: str = HouseholdRelation.BARN, **extra: Any
) -> Participant:
    household = personas.lina_case.household
    assert household is not None
    child = create_participant(actor=personas.anna, details=details(identity, first, "Lund"))
    add_household_member(
        actor=personas.anna, household=household, participant=child, relation=relation, **extra
    )
    return child


def since_long_ago(personas: Personas) -> None:
    HouseholdMember.objects.filter(household=personas.lina_case.household).update(valid_from=date(2000, 1, 1))


def payer(personas: Personas) -> LocalRules:
    return LocalRules.objects.create(
        organisation=personas.kommun, payer_name="Exempelkommun", payer_iban=PAYER_IBAN, payer_bic="ESSESESS"
    )


def account(personas: Personas) -> PayoutAccount:
    assert personas.lina_case.household is not None
    return PayoutAccount.objects.create(
        household=personas.lina_case.household, holder=personas.lina, iban=IBAN, registered_by=personas.anna
    )


def unexcused_absences(personas: Personas, days: int = 2) -> list[AbsenceTask]:
    """Lina is placed at the AME and is absent without reason on `days` days; tasks go to Anna."""
    activity = make_activity(unit=personas.ame)
    case = open_case(personas.lina, personas.ame, personas.bertil)
    today = timezone.localdate()
    enrolment = activities.enrol(
        actor=personas.bertil,
        participant=personas.lina,
        activity=activity,
        case=case,
        start=today - timedelta(days=30),
    )
    for back in range(1, days + 1):
        attendance.register_day(
            actor=personas.bertil,
            activity=activity,
            day=today - timedelta(days=back),
            marks=[attendance.Mark(enrolment_id=enrolment.pk, status="ogiltig")],
        )
    return list(AbsenceTask.objects.filter(participant=personas.lina).order_by("pk"))
