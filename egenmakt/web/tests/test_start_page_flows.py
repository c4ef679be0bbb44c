"""Each role's start page in the real browser: what the role sees first, and that its way onward works."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from egenmakt.activities.tests.factories import make_activity, make_placement, people_with_cases
from egenmakt.review import services as review
from egenmakt.review.models import RuleKind
from egenmakt.review.tests.factories import months_on_assistance
from egenmakt.test import Personas
from egenmakt.web.tests.browser import assert_no_axe_violations, login

pytestmark = pytest.mark.browser


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", name=text, exact=True)).to_be_visible()


def test_the_caseworker_s_start_page_lists_her_cases_and_what_waits(page: Page, personas: Personas) -> None:
    login(page, "anna")
    heading(page, "Mina pågående ärenden")
    heading(page, "Ansökningar som väntar på beslut")
    page.get_by_role("link", name="Lina Lund").click()
    page.wait_for_url(re.compile(rf"/deltagare/{personas.lina.pk}/"))


def test_the_coach_goes_from_today_s_group_to_its_attendance(page: Page, personas: Personas) -> None:
    today = timezone.localdate()
    activity = make_activity(unit=personas.ame, name="Praktik i parken", weekdays=[])
    for person, case in people_with_cases(actor=personas.bertil, unit=personas.ame, count=2):
        make_placement(
            participant=person,
            case=case,
            activity=activity,
            start=today - timedelta(days=7),
            planned_end=today + timedelta(days=5),
            by=personas.bertil,
        )
    login(page, "bertil")
    heading(page, "Grupper att registrera närvaro för i dag")
    heading(page, "Placeringar som slutar inom 14 dagar")
    expect(page.locator("#ending-title + p + table tbody tr")).to_have_count(2)
    page.get_by_role("link", name="registrera närvaro i Praktik i parken").click()
    page.wait_for_url(re.compile(rf"/insatser/{activity.pk}/narvaro/"))


def test_the_manager_sees_the_unit_s_load_and_goes_to_the_access_log(page: Page, personas: Personas) -> None:
    login(page, "cecilia")
    heading(page, "Ekonomiskt bistånd: ärenden per handläggare")
    expect(page.get_by_role("row", name=re.compile("Anna Andersson"))).to_be_visible()
    heading(page, "Tid från ansökan till beslut")
    page.get_by_role("link", name="Gå till loggkontroll").click()
    page.wait_for_url(re.compile(r"/loggkontroll/\?only_flagged=on"))
    expect(page.locator("#id_only_flagged")).to_be_checked()


def test_the_manager_sees_the_review_queue_s_size_and_opens_the_queue(page: Page, personas: Personas) -> None:
    today = timezone.localdate()
    review.set_rule(actor=personas.cecilia, unit=personas.eb, kind=RuleKind.LANGVARIGT, active=True)
    months_on_assistance(personas.lina, personas.eb, today.year - 1, 11)
    review.count_queues(actor=None, on=today)
    login(page, "cecilia")
    heading(page, "Ärendedragning")
    expect(page.get_by_text("1 person i kön.")).to_be_visible()
    expect(page.get_by_role("row", name="Långvarigt ekonomiskt bistånd 1")).to_be_visible()
    assert_no_axe_violations(page, "manager's start page with the review queue counted")
    page.get_by_role("link", name="Öppna kön för ärendedragning i Ekonomiskt bistånd").click()
    page.wait_for_url(re.compile(rf"/arendedragning/\?enhet={personas.eb.pk}"))
    expect(page.get_by_role("link", name=re.compile("Lina Lund"))).to_be_visible()


def test_the_forbundschef_follows_the_funded_activities_and_the_outcomes(
    page: Page, personas: Personas
) -> None:
    activity = make_activity(unit=personas.ame, name="IPS Exempelbygden", finsam_funded=True)
    activity.funders.add(personas.forbund)
    login(page, "fredrik")
    heading(page, "Insatser som Samordningsförbundet Exempelbygden finansierar")
    expect(page.get_by_role("rowheader", name=re.compile("IPS Exempelbygden"))).to_be_visible()
    heading(page, "Utfall i korthet")
    expect(page.get_by_role("link", name="Sök deltagare")).to_have_count(0)
    page.get_by_role("link", name="Öppna utfallsrapporten").click()
    page.wait_for_url(re.compile(r"/utfall/"))


def test_the_politician_sees_goals_and_commitments_and_opens_the_list(page: Page, personas: Personas) -> None:
    login(page, "maja")
    heading(page, "Mål")
    heading(page, "Vallöften och uppdrag")
    expect(page.get_by_role("link", name="Sök deltagare")).to_have_count(0)
    page.get_by_role("link", name="Se varje vallöfte och uppdrag").click()
    page.wait_for_url(re.compile(r"/uppdrag/$"))
