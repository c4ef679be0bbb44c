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
from egenmakt.benefits.models import Decision, DecisionKind, LocalRules, PayoutAccount
from egenmakt.cases.models import Case, CaseType
from egenmakt.lib.identity import luhn_check_digit
from egenmakt.lib.names import search_key
from egenmakt.people.models import Household, HouseholdMember, HouseholdRelation, Participant
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


def _identity(number: int) -> str:
    """A valid personnummer per number (born 1960 onwards, even birth numbers: no persona has one)."""
    born = date(1960, 1, 1) + timedelta(days=number % 10_000)
    serial = 2 + number // 10_000 * 2
    head = f"{born:%y%m%d}{serial:03d}"
    return f"{born:%Y%m%d}{serial:03d}{luhn_check_digit(head)}"


def decided_households(personas: Personas, count: int) -> None:
    """`count` households with one decided bistånd payment each for MONTH; every tenth has no account.
    Bulk inserts: the decision services would take minutes for a few hundred, and they are tested
    elsewhere."""
    people = Participant.objects.bulk_create(
        Participant(
            identity_type="pnr",
            identity_value=_identity(n),
            first_name="Test",
            last_name=f"Person{n}",
            name_key=search_key(f"Test Person{n}"),
            synthetic=True,
        )
        for n in range(count)
    )
    homes = Household.objects.bulk_create(Household(synthetic=True) for _ in range(count))
    cases = Case.objects.bulk_create(
        Case(
            participant=p,
            household=h,
            unit=personas.eb,
            case_type=CaseType.EKONOMISKT_BISTAND,
            responsible=personas.anna,
        )
        for p, h in zip(people, homes, strict=True)
    )
    Decision.objects.bulk_create(
        Decision(
            kind=DecisionKind.BISTAND,
            case=c,
            household=h,
            participant=p,
            month=MONTH,
            period_start=MONTH,
            period_end=MONTH.replace(day=31),
            law_version="2023",
            amount=1000 + 37 * n,
            decided_by=personas.anna,
        )
        for n, (p, h, c) in enumerate(zip(people, homes, cases, strict=True))
    )
    PayoutAccount.objects.bulk_create(
        PayoutAccount(household=h, holder=p, iban=IBAN, registered_by=personas.anna)
        for n, (p, h) in enumerate(zip(people, homes, strict=True))
        if n % 10
    )


def comparable(xml: bytes) -> bytes:
    """A pain.001 file without what sepaxml makes up anew for every file (the message's and the
    batch's ids, and when it was made): two files of the same payments are then the same bytes."""
    from lxml import etree

    document = etree.fromstring(xml)
    for element in document.iter():
        if etree.QName(element).localname in {"MsgId", "CreDtTm", "PmtInfId"}:
            element.text = ""
    return bytes(etree.tostring(document))
