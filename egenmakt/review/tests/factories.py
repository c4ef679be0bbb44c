"""Test data for case review and signals: rules switched on, months on assistance, young people."""

from __future__ import annotations

from datetime import date
from typing import Any

from egenmakt.cases.models import Case, CaseType
from egenmakt.organisations.models import Unit
from egenmakt.outcomes.models import Status, StatusMonth
from egenmakt.people.models import Participant
from egenmakt.people.services import create_participant
from egenmakt.review import services
from egenmakt.test import details, valid_pnr


def switch_on(actor: Any, unit: Unit, *kinds: str, parameter: int | None = None) -> None:
    for kind in kinds:
        services.set_rule(actor=actor, unit=unit, kind=kind, active=True, parameter=parameter)


def months_on_assistance(participant: Participant, unit: Unit, year: int, months: int) -> None:
    """StatusMonth rows as the outcome refresh derives them: försörjningsstöd from January on."""
    for month in range(1, months + 1):
        StatusMonth.objects.create(
            participant=participant, month=date(year, month, 1), status=Status.FORSORJNINGSSTOD, unit=unit
        )


def young_person(actor: Any, unit: Unit, *, born: str = "20050505", opened_on: date, **extra: Any) -> Case:
    person = create_participant(
        actor=actor, details=details(valid_pnr(born, "123"), "Ung", "Ungdomsson", **extra)
    )
    return Case.objects.create(
        participant=person,
        unit=unit,
        case_type=CaseType.EKONOMISKT_BISTAND,
        responsible=actor,
        opened_on=opened_on,
    )
