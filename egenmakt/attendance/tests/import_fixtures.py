"""Test data for the attendance import: people placed in an activity, and provider files about them."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from egenmakt.activities import services as activities
from egenmakt.activities.models import Activity, Enrolment
from egenmakt.activities.tests.factories import make_activity, open_case
from egenmakt.organisations.models import Unit
from egenmakt.people.models import Participant
from egenmakt.people.services import create_participant
from egenmakt.test import details, valid_pnr

HEADER = ["personnummer", "aktivitet", "datum", "status", "timmar", "skäl"]


def pnr(number: int) -> str:
    """A distinct valid personnummer per number (born 1970-1999, one person per day of a month)."""
    return valid_pnr(f"{1970 + number // 28}{number % 12 + 1:02d}{number % 28 + 1:02d}", "123")


def place_people(
    *, actor: Any, unit: Unit, count: int, start: date, activity: Activity | None = None
) -> tuple[Activity, list[tuple[Participant, Enrolment]]]:
    """`count` people, each with an open case in the unit and a place in the activity from `start`."""
    activity = activity or make_activity(
        unit=unit, code="PRAKTIK-1", capacity=count, hours_per_day=Decimal("6")
    )
    placed = []
    for number in range(count):
        person = create_participant(actor=actor, details=details(pnr(number), "Test", f"Person{number}"))
        case = open_case(person, unit, actor)
        enrolment = activities.enrol(
            actor=actor, participant=person, activity=activity, case=case, start=start
        )
        placed.append((person, enrolment))
    return activity, placed


def csv_file(
    rows: Sequence[Sequence[str]], *, header: Sequence[str] = HEADER, delimiter: str = ";", bom: bool = False
) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO((("\ufeff" if bom else "") + text.getvalue()).encode())


def xlsx_file(rows: Sequence[Sequence[str]], *, header: Sequence[str] = HEADER) -> io.BytesIO:
    """The same rows as Excel would store them: dates as dates, hours as numbers."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(header))
    for row in rows:
        cells: list[Any] = list(row)
        with contextlib.suppress(ValueError):
            cells[2] = date.fromisoformat(cells[2])
        if cells[4]:
            with contextlib.suppress(ValueError):
                cells[4] = float(cells[4].replace(",", "."))
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def provider_rows(people: Sequence[Participant], code: str, days: Sequence[date]) -> list[list[str]]:
    """One row per person and day: mostly present, some excused (with a reason), some unexcused."""
    rows = []
    for index, day in enumerate(days):
        for number, person in enumerate(people):
            kind = (index + number) % 10
            if kind == 0:
                status, hours, reason = "ogiltig", "", ""
            elif kind == 1:
                status, hours, reason = "giltig", "", "vård av barn" if number % 2 else "sjuk"
            elif kind == 2:
                status, hours, reason = "närvarande", "4,5", ""
            else:
                status, hours, reason = "närvarande", "", ""
            rows.append([person.identity.formatted, code, day.isoformat(), status, hours, reason])
    return rows


def past_days(count: int, *, ending_days_ago: int = 1) -> list[date]:
    today = timezone.localdate()
    return [today - timedelta(days=ending_days_ago + offset) for offset in range(count)]
