"""Consent, disclosures and emergency access, the whole way through the real forms in the browser.

Each flow is what a caseworker, a partner or a manager does, with the answer each of them then gets:
a partner sees a participant exactly while a consent names their organisation, an emergency access ends
when its holder ends it, and every such look reaches the manager's review.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from egenmakt.access.models import EmergencyAccess
from egenmakt.consent.models import Consent, Disclosure
from egenmakt.organisations.models import Organisation, OrganisationKind
from egenmakt.test import Personas
from egenmakt.web.tests.browser import grannkommun_manager, login, tiny_pdf

pytestmark = pytest.mark.browser

LINA_PNR = "19900101-0017"
# Enough Tab presses to pass the header (skip link, menu, language, log out) and reach any field.
MAX_TABS = 60


def tab_to(page: Page, target: Locator) -> None:
    """Move focus to `target` with the Tab key only, as a keyboard user would."""
    for _ in range(MAX_TABS):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def a_date_ahead(days: int) -> str:
    """An ISO date, as a date input takes it."""
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def search(page: Page, query: str) -> Locator:
    """Search for participants through the search page; the results region, once it has the answer."""
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Sök deltagare").click()
    page.get_by_label("Sök på namn eller personnummer").fill(query)
    page.get_by_role("button", name="Sök", exact=True).click()
    results = page.locator("#results")
    expect(results.locator("h2")).to_be_visible()  # the count of hits: only there after a search
    return results


def test_an_oral_consent_lets_the_partner_see_the_participant_until_the_moment_it_is_withdrawn(
    page: Page, other_page: Page, personas: Personas
) -> None:
    lina_url = f"/deltagare/{personas.lina.pk}/"
    login(page, "anna", then=lina_url)
    page.get_by_role("link", name="Registrera samtycke").click()
    expect(page.locator("h1")).to_have_text("Registrera samtycke")

    # The choices by keyboard alone: Tab to a checkbox and Space; Tab into the radio group, arrows, Space.
    recipients = page.get_by_role("group", name="Vilka organisationer får ta del av uppgifterna?")
    af = recipients.get_by_role("checkbox", name="Arbetsförmedlingen")
    tab_to(page, af)
    page.keyboard.press("Space")
    expect(af).to_be_checked()
    categories = page.get_by_role("group", name="Vilka slags uppgifter?")
    grunduppgifter = categories.get_by_role("checkbox", name="Grunduppgifter")
    expect(grunduppgifter).to_be_checked()  # always part of what is shared, so checked from the start
    tab_to(page, grunduppgifter)
    page.keyboard.press("Space")
    expect(grunduppgifter).not_to_be_checked()
    page.keyboard.press("Space")
    expect(grunduppgifter).to_be_checked()
    expect(categories.get_by_role("checkbox", checked=True)).to_have_count(1)
    page.get_by_label("Syfte", exact=True).fill("Stöd att hitta arbete")
    given = page.get_by_role("group", name="Hur lämnades samtycket?")
    tab_to(page, given.get_by_role("radio", name="Skriftligt"))  # Tab enters the group at its first radio
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(given.get_by_role("radio", name="Muntligt")).to_be_checked()
    expect(given.get_by_role("radio", name="Skriftligt")).not_to_be_checked()
    page.get_by_label("Vem hörde samtycket?").fill("Anna Andersson, vid besök")
    page.get_by_label("Gäller till och med").fill(a_date_ahead(180))
    page.get_by_role("button", name="Spara samtycket").click()
    expect(page).to_have_url(re.compile(rf"{lina_url}$"))
    expect(page.locator(".messages")).to_contain_text("Samtycket är registrerat.")
    consents = page.locator("section[aria-labelledby=consents-title]")
    expect(consents.locator("h3")).to_have_text(["Version 1: gäller"])
    expect(consents).to_contain_text("Arbetsförmedlingen får se grunduppgifter")
    expect(consents).to_contain_text("Muntligt, hört av Anna Andersson, vid besök")

    # Pia, at Arbetsförmedlingen, at the same time: Lina is on her start page, and she finds her by number.
    login(other_page, "pia")
    shared = other_page.locator("section[aria-labelledby=partner-title]")
    expect(shared.get_by_role("link", name="Lina Lund")).to_be_visible()
    search(other_page, LINA_PNR).get_by_role("link", name="Lina Lund").click()
    expect(other_page).to_have_url(re.compile(rf"{lina_url}$"))
    expect(other_page.locator("h1")).to_have_text("Lina Lund")
    notice = other_page.locator(".notice")
    expect(notice).to_contain_text("Du ser uppgifterna med stöd av personens samtycke (version 1).")
    expect(notice).to_contain_text("Syfte: Stöd att hitta arbete")

    # Lina takes her consent back; Anna records it.
    consents.get_by_role("link", name="Återkalla").click()
    expect(page.locator("h1")).to_have_text("Återkalla samtycke")
    page.get_by_label("Anteckning").fill("Lina ringde och återkallade samtycket.")
    page.get_by_role("button", name="Återkalla samtycket").click()
    expect(page.locator(".messages")).to_contain_text("Samtycket är återkallat.")
    expect(consents.locator("h3")).to_have_text(["Version 1: återkallat"])
    expect(consents).to_contain_text("Lina ringde och återkallade samtycket.")

    # Pia's very next look at the page she has open is the 404 page; Lina is gone from her lists.
    response = other_page.reload()
    assert response is not None and response.status == 404
    expect(other_page.locator("h1")).to_have_text("Sidan finns inte")
    expect(other_page.locator("main")).not_to_contain_text("Lina")
    other_page.goto("/")
    expect(shared).to_contain_text("Ingen deltagare har delats med din organisation just nu.")
    expect(shared.get_by_role("link", name="Lina Lund")).to_have_count(0)
    results = search(other_page, LINA_PNR)
    expect(results.locator("h2")).to_have_text("0 träffar")
    expect(results.get_by_role("link")).to_have_count(0)
    expect(results).not_to_contain_text("Lina")


def test_a_written_consent_keeps_the_uploaded_scan_which_opens_as_a_pdf(
    page: Page, personas: Personas, media_root: Path
) -> None:
    pdf = tiny_pdf("Lina Lund samtycker")
    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/samtycke/ny/")
    page.get_by_role("group", name="Vilka organisationer får ta del av uppgifterna?").get_by_label(
        "Arbetsförmedlingen"
    ).check()
    page.get_by_label("Syfte", exact=True).fill("Praktik via Arbetsförmedlingen")
    page.get_by_role("group", name="Hur lämnades samtycket?").get_by_label("Skriftligt").check()
    page.get_by_label("Inskannat samtycke").set_input_files(
        {"name": "samtycke-lina.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    page.get_by_label("Gäller till och med").fill(a_date_ahead(90))
    page.get_by_role("button", name="Spara samtycket").click()
    expect(page.locator(".messages")).to_contain_text("Samtycket är registrerat.")

    consent = Consent.objects.get(participant=personas.lina)
    stored = Path(consent.document.path)
    assert stored.is_relative_to(media_root) and stored.read_bytes() == pdf, stored
    link = page.locator("section[aria-labelledby=consents-title]").get_by_role(
        "link", name="visa inskannat samtycke"
    )
    expect(link).to_have_attribute("href", f"/deltagare/{personas.lina.pk}/samtycke/{consent.pk}/dokument/")
    # Following the link opens the scanned form itself, in the browser's PDF viewer.
    with page.expect_response(re.compile(r"/dokument/$")) as answer:
        link.click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    expect(page).to_have_url(re.compile(r"/dokument/$"))
    # Chromium's PDF viewer stands in for the body it shows; fetch the bytes with the same session.
    fetched = page.request.get(response.url)
    assert fetched.ok and fetched.body() == pdf


def test_an_emergency_access_shows_the_page_read_only_until_ended_and_the_manager_reviews_it(
    page: Page, personas: Personas
) -> None:
    lina_url = f"/deltagare/{personas.lina.pk}/"
    greta = grannkommun_manager(personas)
    login(page, "gustav", then="/deltagare/")
    page.locator("main").get_by_role("link", name="Nödåtkomst").click()
    expect(page.locator("h1")).to_have_text("Nödåtkomst")
    page.get_by_label("Personens personnummer eller samordningsnummer").fill(LINA_PNR)
    page.get_by_label("Skäl till nödåtkomst").fill("Lina söker akut hjälp hos oss i kväll, utan boende.")
    page.get_by_role("button", name="Öppna med nödåtkomst").click()

    expect(page).to_have_url(re.compile(rf"{lina_url}$"))
    expect(page.locator("h1")).to_have_text("Lina Lund")
    expect(page.locator(".messages")).to_contain_text("Den loggas och granskas.")
    notice = page.locator(".notice")
    expect(notice).to_contain_text("Nödåtkomst till och med")
    expect(page.get_by_role("link", name="Ändra uppgifter")).to_have_count(0)
    expect(page.get_by_role("link", name="Registrera samtycke")).to_have_count(0)
    notice.get_by_role("button", name="Avsluta nödåtkomsten").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".messages")).to_contain_text("Nödåtkomsten är avslutad.")
    response = page.goto(lina_url)
    assert response is not None and response.status == 404

    # Greta, Gustav's unit manager, reviews it in the access log review.
    login(page, "greta", then="/loggkontroll/")
    row = page.locator("section[aria-labelledby=emergency-title] tbody tr", has_text="Gustav Gran")
    expect(row).to_contain_text("Lina söker akut hjälp")
    row.get_by_label("Vad kom granskningen fram till?").fill("Befogat: akut behov, avslutad i tid.")
    row.get_by_role("button", name="Spara granskning").click()
    expect(page.locator(".messages")).to_contain_text("Granskningen är sparad.")
    expect(row).to_contain_text("Befogat: akut behov, avslutad i tid.")
    expect(row.locator("textarea")).to_have_count(0)
    access = EmergencyAccess.objects.get(user=personas.gustav, participant=personas.lina)
    assert access.ended_at is not None and access.reviewed_by == greta


def test_a_disclosure_to_forsakringskassan_on_a_duty_to_inform_is_listed_on_the_participant_s_page(
    page: Page, personas: Personas
) -> None:
    forsakringskassan = Organisation(
        name="Försäkringskassan", kind=OrganisationKind.FORSAKRINGSKASSAN, organisationsnummer="2021005489"
    )
    forsakringskassan.full_clean()  # a valid organisationsnummer (python-stdnum checks it)
    forsakringskassan.save()
    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/")
    disclosures = page.locator("section[aria-labelledby=disclosures-title]")
    expect(disclosures).to_contain_text("Inga registrerade utlämnanden.")
    disclosures.get_by_role("link", name="Registrera utlämnande").click()
    expect(page.locator("h1")).to_have_text("Registrera utlämnande")
    page.get_by_label("Mottagare").select_option(label="Försäkringskassan")
    categories = page.get_by_role("group", name="Vilka slags uppgifter lämnades ut?")
    categories.get_by_label("Grunduppgifter").check()
    categories.get_by_label("Ekonomi").check()
    page.get_by_label("Rättslig grund").select_option(value="uppgiftsskyldighet")
    page.get_by_label("Vad lämnades ut och varför?").fill("Utbetalt bistånd i oktober, på begäran från FK.")
    page.get_by_role("button", name="Registrera").click()

    expect(page.locator(".messages")).to_contain_text("Utlämnandet är registrerat.")
    row = disclosures.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(
        [
            timezone.localdate().isoformat(),
            "Försäkringskassan",
            re.compile(r"^Uppgiftsskyldighet enligt lag eller förordning \(.+\)$"),
            "Utbetalt bistånd i oktober, på begäran från FK.",
        ]
    )
    disclosure = Disclosure.objects.get(participant=personas.lina)
    assert (disclosure.recipient, disclosure.categories) == (forsakringskassan, ["grunduppgifter", "ekonomi"])
