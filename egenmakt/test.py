"""Shared test set-up: two municipalities' units and a persona per role, as in healthchecks' alice/bob.

Anna (handläggare) and Cecilia (enhetschef) work at Exempelkommun's ekonomiskt bistånd; Bertil
(arbetsmarknadskonsulent) at its AME; Gustav (handläggare) in Grannkommun; Pia is partner staff at
Arbetsförmedlingen; Alva an analyst; Sam a system administrator; Fredrik the förbundschef of
Samordningsförbundet Exempelbygden; Maja a member of Exempelkommun's nämnd (förtroendevald). View tests use them to check
isolation between units and organisations.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.test import TestCase

from egenmakt.accounts.models import Membership, Role, User
from egenmakt.cases.models import Case, CaseType
from egenmakt.lib.identity import luhn_check_digit
from egenmakt.organisations.models import Organisation, OrganisationKind, Unit, UnitKind
from egenmakt.people.models import Participant
from egenmakt.people.services import ParticipantDetails, create_household, create_participant

PASSWORD = "korrekt-hast-batteri-42"  # noqa: S105 - test personas only


def make_user(username: str, first: str, last: str, unit: Unit | None, role: str | None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=first, last_name=last)
    if unit is not None and role is not None:
        Membership.objects.create(user=user, unit=unit, role=role, valid_from=date(2020, 1, 1))
    return user


def valid_pnr(yyyymmdd: str, birth_number: str) -> str:
    """A personnummer with the right check digit, for test data: valid_pnr("19700505", "002")."""
    return f"{yyyymmdd}-{birth_number}{luhn_check_digit(yyyymmdd[2:] + birth_number)}"


def details(identity: str, first: str, last: str, **extra: Any) -> ParticipantDetails:
    kind = extra.pop("identity_type", "pnr")
    return ParticipantDetails(
        identity_type=kind, identity_value=identity, first_name=first, last_name=last, **extra
    )


class Personas:
    """Creates the organisations, units, staff and two participants. Used by BaseTestCase and fixtures."""

    def __init__(self) -> None:
        self.kommun = Organisation.objects.create(
            name="Exempelkommun", kind=OrganisationKind.KOMMUN, organisationsnummer="2120000142"
        )
        self.grannkommun = Organisation.objects.create(
            name="Grannkommun", kind=OrganisationKind.KOMMUN, organisationsnummer="2120000159"
        )
        self.af = Organisation.objects.create(
            name="Arbetsförmedlingen",
            kind=OrganisationKind.ARBETSFORMEDLINGEN,
            organisationsnummer="2021002114",
        )
        self.eb = Unit.objects.create(
            organisation=self.kommun, name="Ekonomiskt bistånd", kind=UnitKind.EKONOMISKT_BISTAND
        )
        self.ame = Unit.objects.create(
            organisation=self.kommun, name="AME", kind=UnitKind.ARBETSMARKNADSENHET
        )
        self.grann_eb = Unit.objects.create(
            organisation=self.grannkommun, name="Försörjningsstöd", kind=UnitKind.EKONOMISKT_BISTAND
        )
        self.af_unit = Unit.objects.create(organisation=self.af, name="AF Exempelstad", kind=UnitKind.PARTNER)
        self.forbund = Organisation.objects.create(
            name="Samordningsförbundet Exempelbygden",
            kind=OrganisationKind.SAMORDNINGSFORBUND,
            organisationsnummer="2220000141",
        )
        self.kansli = Unit.objects.create(
            organisation=self.forbund, name="Förbundskansliet", kind=UnitKind.SAMORDNING
        )
        self.namnd = Unit.objects.create(organisation=self.kommun, name="Socialnämnden", kind=UnitKind.NAMND)
        self.anna = make_user("anna", "Anna", "Andersson", self.eb, Role.HANDLAGGARE)
        self.cecilia = make_user("cecilia", "Cecilia", "Carlsson", self.eb, Role.ENHETSCHEF)
        self.bertil = make_user("bertil", "Bertil", "Berg", self.ame, Role.ARBETSMARKNADSKONSULENT)
        self.gustav = make_user("gustav", "Gustav", "Gran", self.grann_eb, Role.HANDLAGGARE)
        self.pia = make_user("pia", "Pia", "Persson", self.af_unit, Role.PARTNER)
        self.alva = make_user("alva", "Alva", "Ek", self.eb, Role.ANALYTIKER)
        self.sam = make_user("sam", "Sam", "Sysadmin", self.eb, Role.SYSTEMADMINISTRATOR)
        self.fredrik = make_user("fredrik", "Fredrik", "Lindgren", self.kansli, Role.FORBUNDSCHEF)
        self.maja = make_user("maja", "Maja", "Mark", self.namnd, Role.FORTROENDEVALD)
        self.nomad = make_user("nomad", "Nils", "Utan-enhet", None, None)

        # Lina has a case at Exempelkommun's ekonomiskt bistånd, Omar at Grannkommun's.
        self.lina = create_participant(actor=self.anna, details=details("19900101-0017", "Lina", "Lund"))
        self.lina_case = Case.objects.create(
            participant=self.lina,
            unit=self.eb,
            case_type=CaseType.EKONOMISKT_BISTAND,
            responsible=self.anna,
            household=create_household(actor=self.anna, applicant=self.lina),
        )
        self.omar = create_participant(actor=self.gustav, details=details("19851224-1236", "Omar", "Osman"))
        self.omar_case = Case.objects.create(
            participant=self.omar,
            unit=self.grann_eb,
            case_type=CaseType.EKONOMISKT_BISTAND,
            responsible=self.gustav,
        )


class BaseTestCase(TestCase):
    """Django TestCase with the personas as class attributes (self.anna, self.lina, ...)."""

    personas: Personas
    kommun: Organisation
    grannkommun: Organisation
    af: Organisation
    eb: Unit
    ame: Unit
    grann_eb: Unit
    af_unit: Unit
    forbund: Organisation
    kansli: Unit
    namnd: Unit
    anna: User
    cecilia: User
    bertil: User
    gustav: User
    pia: User
    alva: User
    sam: User
    fredrik: User
    maja: User
    nomad: User
    lina: Participant
    lina_case: Case
    omar: Participant
    omar_case: Case

    @classmethod
    def setUpTestData(cls) -> None:
        cls.personas = Personas()
        for name in BaseTestCase.__annotations__:
            if name != "personas":
                setattr(cls, name, getattr(cls.personas, name))


class ReferenceAssertions(TestCase):
    """For tests of what the database refuses about references, whether a foreign key or a statement
    trigger (`lib.statement_references`) enforces them."""

    def assert_refused(self, change: Callable[..., object], names: str) -> None:
        """`change` fails, at once or when the constraints are checked (at commit); `names` is in the error."""
        with self.assertRaises(IntegrityError) as refused, transaction.atomic():
            change()
            connection.check_constraints()
        self.assertIn(names, str(refused.exception))

    def delete_row(self, table: str, pk: int) -> None:
        # Raw SQL: the ORM refuses first (on_delete=PROTECT); this is about what the database refuses.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 - a name from the test
