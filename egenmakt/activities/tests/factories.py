"""Test data for activities: a catalogue entry run by the AME, and a person with a case there."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from egenmakt.activities.models import Activity, Enrolment, EnrolmentStatus, Method
from egenmakt.cases.models import Case, CaseType
from egenmakt.organisations.models import Unit
from egenmakt.people.models import Participant
from egenmakt.people.services import create_participant
from egenmakt.test import details, valid_pnr

_NAMES = [
    "Ada Alm",
    "Bo Björk",
    "Cem Cedergren",
    "Dana Dahl",
    "Elif Ek",
    "Fredrik Fors",
    "Gül Gran",
    "Hamid Hed",
]


def make_activity(*, unit: Unit, code: str = "PRAKTIK-1", capacity: int = 10, **extra: Any) -> Activity:
    fields: dict[str, Any] = {
        "name": "Praktik i kommunens verksamheter",
        "provider": unit.organisation,
        "method": Method.PRAKTIK,
        "capacity": capacity,
        "weekdays": [0, 1, 2, 3, 4],
        "hours_per_day": Decimal("6"),
        "languages": ["sv"],
        "cost_per_place": 4000,
    } | extra
    return Activity.objects.create(unit=unit, code=code, **fields)


def open_case(
    participant: Any, unit: Unit, responsible: Any, case_type: str = CaseType.ARBETSMARKNADSINSATS
) -> Case:
    return Case.objects.create(
        participant=participant, unit=unit, case_type=case_type, responsible=responsible
    )


def people_with_cases(
    *, actor: Any, unit: Unit, count: int, year: int = 1995
) -> list[tuple[Participant, Case]]:
    """`count` people, each with an open case in the unit (distinct names and birth dates)."""
    found = []
    for number in range(count):
        first, last = _NAMES[number % len(_NAMES)].split()
        born = f"{year}01{number + 1:02d}"
        person = create_participant(
            actor=actor,
            details=details(
                valid_pnr(born, f"{number % 90 + 10:03d}"), first, f"{last}{number // len(_NAMES) or ''}"
            ),
        )
        found.append((person, open_case(person, unit, actor)))
    return found


def make_placement(
    *,
    participant: Participant,
    case: Case,
    activity: Activity,
    start: date,
    by: Any,
    planned_end: date | None = None,
    actual_end: date | None = None,
    end_reason: str = "",
) -> Enrolment:
    """A placement saved as it stands (placed, or ended when `actual_end` is given), without the services'
    capacity and queue checks: for tests about what is read from placements."""
    return Enrolment.objects.create(
        participant=participant,
        activity=activity,
        case=case,
        status=EnrolmentStatus.AVSLUTAD if actual_end else EnrolmentStatus.AKTIV,
        start=start,
        planned_end=planned_end,
        actual_end=actual_end,
        end_reason=end_reason,
        created_by=by,
    )
