"""An action plan, the whole way through the real forms in the browser.

A caseworker writes the plan with the person from their page, adds a goal and a step towards it,
records that the person has taken part of the plan, and prints it for the person to sign.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from egenmakt.plans.models import ActionPlan
from egenmakt.test import Personas
from egenmakt.web.tests.browser import login

pytestmark = pytest.mark.browser

OWN_GOAL = "Jag vill jobba som undersköterska."
GOAL = "Anställning inom vården"
STEP = "Vårdbiträdesutbildning på Komvux"


def a_date_ahead(days: int) -> str:
    """An ISO date, as a date input takes it."""
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_a_caseworker_writes_a_plan_with_a_goal_and_a_step_and_prints_it(
    page: Page, personas: Personas
) -> None:
    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/")
    section = page.locator("section[aria-labelledby=plans-title]")
    expect(section).to_contain_text("Ingen handlingsplan.")
    section.get_by_role("link", name="Ny handlingsplan").click()

    # The plan's text, with the person's own goal and strengths in their own words.
    expect(page.get_by_label("Ärende")).to_contain_text("Ekonomiskt bistånd")
    page.get_by_label("Personens eget mål").fill(OWN_GOAL)
    page.get_by_label("Personens styrkor").fill("Van vid att ta hand om människor. Talar arabiska.")
    page.get_by_label("Vad som krävs av personen").fill("Du är med på utbildningen varje vecka.")
    page.get_by_label("Vad som händer om det inte blir av").fill(
        "Vi pratar om varför, och om vad som kan ändras."
    )
    page.get_by_role("button", name="Skapa planen").click()
    expect(page.locator(".messages")).to_contain_text("Handlingsplanen är skapad.")
    plan = ActionPlan.objects.get(participant=personas.lina)
    expect(page).to_have_url(re.compile(rf"/plan/{plan.pk}/$"))
    expect(page.locator("section[aria-labelledby=own-title]")).to_contain_text(OWN_GOAL)
    expect(page.locator("#acknowledgement")).to_have_text("Deltagaren har inte tagit del av planen ännu.")

    # A goal with a date, and a step towards it in free text.
    page.get_by_role("link", name="Lägg till mål").click()
    page.get_by_role("group", name="Typ av mål").get_by_label("Arbete").check()
    page.get_by_label("Målet", exact=True).fill(GOAL)
    page.get_by_label("Måldatum").fill(a_date_ahead(180))
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Målet är sparat.")

    page.get_by_role("link", name="Lägg till steg").click()
    page.get_by_label("Mål (frivilligt)").select_option(label=f"Arbete: {GOAL}")
    page.get_by_label("Vad ska göras?").fill(STEP)
    page.get_by_label("Ansvarig organisation").select_option(label="Exempelkommun")
    page.get_by_label("Ansvarig person").fill("Studievägledare")
    page.get_by_label("Från (frivilligt)").fill(a_date_ahead(14))
    page.get_by_label("Till (frivilligt)").fill(a_date_ahead(120))
    page.get_by_label("Överenskommet med deltagaren").check()
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Steget är sparat.")
    goal = page.locator("article.goal", has_text=GOAL)
    expect(goal.locator("tbody tr")).to_have_count(1)
    expect(goal.locator("tbody tr")).to_contain_text(STEP)
    expect(goal.locator("tbody tr")).to_contain_text("Exempelkommun, Studievägledare")

    # Lina has read and signed the plan on paper.
    page.get_by_role("link", name="Registrera att deltagaren har tagit del av planen").click()
    page.get_by_role("group", name="Hur tog deltagaren del av planen?").get_by_label(
        "Undertecknad på papper"
    ).check()
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.locator("#acknowledgement")).to_contain_text("Deltagaren har tagit del av version 4")

    # The versions say who changed what.
    page.get_by_role("link", name="Versioner").click()
    expect(page.locator("main tbody tr")).to_have_count(4)
    expect(page.locator("main tbody")).to_contain_text(f"Nytt mål: Arbete: {GOAL}")
    page.get_by_role("link", name="Till planen").click()

    # The printout, fetched with Anna's session (Chromium's PDF viewer would stand in for the body).
    printout = page.get_by_role("link", name="Skriv ut (PDF)")
    expect(printout).to_have_attribute("href", f"/plan/{plan.pk}/pdf/")
    response = page.request.get(str(printout.get_attribute("href")))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(response.body())).pages)
    for expected in [
        "Handlingsplan",
        "Lina Lund",
        OWN_GOAL,
        f"Arbete: {GOAL}",
        STEP,
        "Exempelkommun, Studievägledare",
        "Du är med på utbildningen varje vecka.",
        "Version 4",
        "Deltagarens underskrift",
    ]:
        assert expected in text, f"{expected!r} is not in the printed plan: {text}"
