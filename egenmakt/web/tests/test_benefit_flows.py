"""Economic assistance, the whole way through the real pages in headless Chromium (DESIGN §6, flows 1 and 2).

Anna registers Lina's application for March 2023 with the keyboard, calculates it and decides it item by
item; Lina's unexcused absence becomes a proposed reduction, kommunicering with a letter, a reply and a
reduction decision that April's calculation deducts. Then the month's payment run: prepared by Anna,
approved by Cecilia (her enhetschef; the one who prepares cannot approve), paid in the background while
the page follows it, and the payment files are there to fetch.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from egenmakt.benefits.models import Decision, DecisionKind, Outcome, PaymentRun, Reduction, RunStatus
from egenmakt.test import Personas
from egenmakt.web.tests import benefit_data
from egenmakt.web.tests.browser import login
from egenmakt.web.views import benefits_payments

pytestmark = pytest.mark.browser

RENT_REASONS = "Hyran är högre än kommunens högsta godtagbara hyra för ett hushåll med en vuxen."
PAYMENT_TIMEOUT_MS = 30_000


def focused(page: Page) -> str:
    return str(
        page.evaluate(
            "() => document.activeElement && (document.activeElement.name || document.activeElement.id)"
        )
    )


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the element with this name (or id) has focus, as a keyboard user would."""
    for _ in range(limit):
        if focused(page) == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {name}; focus is on {focused(page)}")


def pdf_text(page: Page, href: str) -> str:
    """A PDF fetched with the page's session (Chromium's viewer would stand in for the body)."""
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf", response.status
    pages = PdfReader(BytesIO(response.body())).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages)


def test_application_decision_reduction_and_a_paid_run_by_two_people(
    page: Page, other_page: Page, personas: Personas, settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    settings.EGENMAKT_PAYMENT_DIR = str(tmp_path)
    # Every run is paid by the background thread here, as a large run would be.
    monkeypatch.setattr(benefits_payments, "INLINE_MAX_HOUSEHOLDS", 0)
    benefit_data.household(personas)
    lina = personas.lina

    # The application, from Lina's page, typed with the keyboard.
    login(page, "anna", then=f"/deltagare/{lina.pk}/")
    page.locator("section[aria-labelledby=benefits-title]").get_by_role(
        "link", name="Registrera ansökan"
    ).click()
    page.get_by_label("Månad som ansökan gäller").fill("2023-03")
    page.get_by_label("Ansökan kom in").fill("2023-02-24")
    tab_to(page, "cost_kind_1")
    page.keyboard.press("b")  # Boende
    tab_to(page, "cost_amount_1")
    page.keyboard.type("7400")
    tab_to(page, "cost_kind_2")
    page.keyboard.press("l")  # Livsföring i övrigt
    page.keyboard.press("Tab")
    assert focused(page) == "cost_label_2"
    page.keyboard.type("Glasögon")
    page.keyboard.press("Tab")
    page.keyboard.type("1200")
    tab_to(page, "income_kind_1")
    page.keyboard.type("Barn")  # Barnbidrag, by typing its beginning
    page.keyboard.press("Tab")
    page.keyboard.type("1250")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Ansökan är registrerad.")
    expect(page.locator("h1")).to_contain_text("2023-03")
    expect(page.locator("section[aria-labelledby=applied-title]")).to_contain_text("Glasögon")

    # Calculated: every line explained, the norm official, then decided item by item.
    page.get_by_role("button", name="Räkna", exact=True).focus()
    page.keyboard.press("Enter")
    calculation = page.locator("section[aria-labelledby=calculation-title]")
    expect(calculation).to_contain_text(
        "Kommunens högsta godtagbara kostnad för ert hushåll är 6\u00a0900\u00a0kr"
    )
    expect(calculation).to_contain_text("Därför får du 11\u00a0470\u00a0kr i försörjningsstöd för mars 2023.")
    expect(page.locator(".warning")).to_have_count(0)
    expect(page.get_by_label("Beviljat för Boende (kr)")).to_have_value(str(benefit_data.CAP))
    page.get_by_label("Motivering för Boende").fill(RENT_REASONS)
    page.get_by_role("button", name="Fatta beslut").click()
    expect(page.locator(".messages")).to_contain_text("Beslutet är fattat.")
    expect(page.locator(".lead")).to_contain_text("Delvis bifall")
    expect(page.locator("main")).to_contain_text("lagrum ej kontrollerat")
    decision = Decision.objects.get(kind=DecisionKind.BISTAND)
    assert decision.amount == 11470
    assert decision.items.get(key="kostnad:boende").outcome == Outcome.DELVIS_BIFALL

    # Notified today: the appeal deadline follows, and the letter says how to appeal the rent.
    page.get_by_role("button", name="Registrera delgivning").click()
    expect(page.locator("section[aria-labelledby=notified-title]")).to_contain_text("Sista dag att överklaga")
    letter = pdf_text(page, str(page.get_by_role("link", name="Beslutsbrev (PDF)").get_attribute("href")))
    for expected in [
        "Beslut om ekonomiskt bistånd för mars 2023",
        "Boende: Delvis bifall",
        RENT_REASONS,
        "förvaltningsrätten",
    ]:
        assert expected in letter, f"{expected!r} is not in the decision letter: {letter}"

    # Two days of unexcused absence from the AME's activity: tasks on Anna's start page.
    tasks = benefit_data.absences(personas, days=2)
    page.goto("/")
    page.get_by_role("link", name=re.compile("^Föreslå nedsättning")).first.click()
    expect(page.locator("section[aria-labelledby=norm-title]")).to_contain_text("De vuxnas del av normen")
    absences = page.get_by_role("group", name="Vilken frånvaro gäller förslaget?").get_by_role("checkbox")
    expect(absences).to_have_count(2)
    for box in absences.all():
        box.check()
    page.get_by_label("Månad som nedsättningen ska gälla").fill("2023-04")
    expect(page.get_by_label("Dagar (normens vuxendel per dag)")).to_be_checked()
    page.get_by_label("Antal dagar").fill("2")
    page.get_by_label("Skäl för förslaget").fill("Två dagars ogiltig frånvaro från praktiken.")
    page.get_by_role("button", name="Spara förslaget").click()
    expect(page.locator(".lead")).to_contain_text("Föreslaget: 233\u00a0kr")
    reduction = Reduction.objects.get()
    assert set(reduction.tasks.all()) == set(tasks)
    assert not Decision.objects.filter(kind=DecisionKind.NEDSATTNING).exists()

    # Kommunicering: registered with the defaults (today, two weeks), the letter, the reply, the decision.
    page.get_by_role("button", name="Registrera kommuniceringen").click()
    expect(page.locator(".messages")).to_contain_text("Kommuniceringen är registrerad.")
    letter = pdf_text(
        page, str(page.get_by_role("link", name="Kommuniceringsbrev (PDF)").get_attribute("href"))
    )
    for expected in [
        "Inget är beslutat ännu.",
        "25 § förvaltningslagen (2017:900)",
        "233 kr",
        "Svara senast",
    ]:
        assert expected in letter, f"{expected!r} is not in the kommunicering letter: {letter}"
    page.get_by_label("Vad personen svarade").fill("Jag var sjuk ena dagen men ringde inte.")
    page.get_by_role("button", name="Spara svaret").click()
    page.get_by_label("Nedsättning (kr)").fill("116")
    page.get_by_label("Motivering").fill("Svaret beaktat: en dag räknas som giltig frånvaro.")
    page.get_by_role("button", name="Fatta beslut om nedsättning").click()
    expect(page.locator("h1")).to_contain_text("Nedsättning av försörjningsstöd 2023-04")
    assert Decision.objects.get(kind=DecisionKind.NEDSATTNING).amount == 116

    # April's calculation deducts the decided reduction, and only that.
    april = benefit_data.application(personas, month=benefit_data.REDUCTION_MONTH)
    page.goto(f"/ekonomi/ansokningar/{april.pk}/")
    page.get_by_role("button", name="Räkna", exact=True).click()
    expect(page.locator("section[aria-labelledby=calculation-title] tbody")).to_contain_text(
        "Nedsättning enligt beslut"
    )
    expect(page.locator("section[aria-labelledby=calculation-title] tbody")).to_contain_text("−116\u00a0kr")

    # The payment run for March, prepared by Anna.
    page.get_by_role("navigation").get_by_role("link", name="Ekonomi").click()
    page.get_by_role("link", name="Utbetalningar").click()
    page.get_by_label("Månad").fill("2023-03")
    page.get_by_role("button", name=re.compile("^Förbered körningen")).click()
    expect(page.locator(".messages")).to_contain_text("Körningen är förberedd.")
    expect(page.locator("main")).to_contain_text("Du förberedde körningen.")
    expect(page.get_by_role("button", name="Godkänn körningen")).to_have_count(0)
    run = PaymentRun.objects.get()

    # Cecilia approves it and pays it; the page follows the background run to its end.
    login(other_page, "cecilia", then=f"/ekonomi/utbetalningar/{run.pk}/")
    expect(other_page.locator("main")).to_contain_text("Anna Andersson")
    other_page.get_by_role("button", name="Godkänn körningen").click()
    expect(other_page.locator(".messages")).to_contain_text("Körningen är godkänd")
    other_page.get_by_role("button", name="Betala ut").click()
    expect(other_page.locator("#run-status")).to_contain_text(
        "Utbetalningen är klar: 1 hushåll, 11\u00a0470\u00a0kr.", timeout=PAYMENT_TIMEOUT_MS
    )
    run.refresh_from_db()
    assert (run.status, run.prepared_by, run.approved_by) == (RunStatus.KLAR, personas.anna, personas.cecilia)
    xml = other_page.get_by_role("link", name=re.compile("pain.001"))
    csv = other_page.get_by_role("link", name=re.compile("CSV"))
    expect(xml).to_be_visible()
    response = other_page.request.get(str(csv.get_attribute("href")))
    assert response.ok
    assert f";konto;EGM-202303-{decision.pk}" in response.text()
    response = other_page.request.get(str(xml.get_attribute("href")))
    assert response.ok and "pain.001.001.03" in response.text()
