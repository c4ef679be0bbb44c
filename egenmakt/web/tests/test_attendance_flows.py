"""A coach registers a whole group's day with the keyboard alone, in headless Chromium."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from egenmakt.activities import services as activities
from egenmakt.activities.tests.factories import make_activity, people_with_cases
from egenmakt.attendance.models import AbsenceTask, Attendance
from egenmakt.test import Personas
from egenmakt.web.tests.browser import login

pytestmark = pytest.mark.browser


def focused(page: Page) -> str:
    return str(
        page.evaluate(
            "() => document.activeElement && (document.activeElement.name || document.activeElement.id)"
        )
    )


def tab_to(page: Page, name: str, limit: int = 60) -> None:
    """Press Tab until the element with this name (or id) has focus, as a keyboard user would."""
    for _ in range(limit):
        if focused(page) == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {name}; focus is on {focused(page)}")


def test_a_coach_registers_a_group_s_day_with_the_keyboard_alone(page: Page, personas: Personas) -> None:
    activity = make_activity(unit=personas.ame, capacity=5)
    day = timezone.localdate() - timedelta(days=1)
    people = people_with_cases(actor=personas.bertil, unit=personas.ame, count=3)
    enrolments = [
        activities.enrol(
            actor=personas.bertil, participant=p, activity=activity, case=c, start=day - timedelta(days=7)
        )
        for p, c in people
    ]
    first, second, third = (
        e.pk for e in sorted(enrolments, key=lambda e: (e.participant.last_name, e.participant.first_name))
    )
    login(page, "bertil", then=f"/insatser/{activity.pk}/narvaro/?day={day.isoformat()}")
    expect(page.locator("table.attendance tbody tr")).to_have_count(3)

    # Row 1: present, 4,5 hours. Everyone starts as present, so only the hours are typed.
    tab_to(page, f"status-{first}")
    page.keyboard.press("Tab")  # the reason list
    page.keyboard.press("Tab")  # hours
    assert focused(page) == f"hours-{first}"
    page.keyboard.type("4,5")
    # Row 2: excused (arrow right from "present"), reason chosen by typing its first letter.
    tab_to(page, f"status-{second}")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    assert focused(page) == f"reason-{second}"
    page.keyboard.press("s")  # "Sjuk"
    # Row 3: unexcused, two steps right; then Enter in the note field sends the whole form.
    tab_to(page, f"status-{third}")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    tab_to(page, f"note-{third}")
    page.keyboard.type("Kom inte, svarar inte i telefon")
    page.keyboard.press("Enter")

    expect(page.locator(".messages")).to_contain_text("sparad för 3 personer")
    saved = {a.enrolment_id: a for a in Attendance.objects.all()}
    assert (saved[first].status, saved[first].attended_hours) == ("narvarande", Decimal("4.5"))
    assert (saved[second].status, saved[second].reason) == ("giltig", "sjuk")
    assert (saved[third].status, saved[third].note) == ("ogiltig", "Kom inte, svarar inte i telefon")
    assert AbsenceTask.objects.filter(attendance=saved[third]).count() == 1
    # The screen shows what was saved: the third row's "unexcused" is checked after the reload.
    expect(page.locator(f"#status-{third}-2")).to_be_checked()
