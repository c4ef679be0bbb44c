"""Referrals and SIP, the whole way through the real forms in the browser.

A caseworker records the person's consent, sends a referral to a partner whose staff answer through a
one-time link without an account, holds a SIP meeting that both organisations sign, and prints the plan.
What the consent allows is what each side sees: the link shows only what the answer needs, and when the
consent is withdrawn the link and the referral close to the partner at once.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from egenmakt.collaboration.models import Referral, ReferralStatus, SipPlan
from egenmakt.test import Personas
from egenmakt.web.tests.browser import give_consent, login, send_referral

pytestmark = pytest.mark.browser

QUESTION = "Lina vill ha stöd att söka arbete inom vården."
RECIPIENT = "mottagare@arbetsformedlingen.example"
ACTION = "Matchar Lina mot lediga platser som undersköterska."
# The time in a status, as the history says it: "3 minuter", "1 timme 5 minuter", "2 dagar".
DURATION = re.compile(r"^\d+ (minuter?|timm(e|ar)|dag(ar)?)( \d+ \w+)*$")


def a_date_ahead(days: int) -> str:
    """An ISO date, as a date input takes it."""
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def record_consent_to_arbetsformedlingen(page: Page) -> None:
    """On the participant's page: an oral consent naming Arbetsförmedlingen, for grunduppgifter and the plan."""
    page.get_by_role("link", name="Registrera samtycke").click()
    page.get_by_role("group", name="Vilka organisationer får ta del av uppgifterna?").get_by_label(
        "Arbetsförmedlingen"
    ).check()
    categories = page.get_by_role("group", name="Vilka slags uppgifter?")
    expect(categories.get_by_label("Grunduppgifter")).to_be_checked()
    categories.get_by_label("Plan och insatser").check()
    page.get_by_label("Syfte", exact=True).fill("Stöd att hitta arbete, med en samordnad plan")
    page.get_by_role("group", name="Hur lämnades samtycket?").get_by_label("Muntligt").check()
    page.get_by_label("Vem hörde samtycket?").fill("Anna Andersson, vid besök")
    page.get_by_label("Gäller till och med").fill(a_date_ahead(180))
    page.get_by_role("button", name="Spara samtycket").click()
    expect(page.locator(".messages")).to_contain_text("Samtycket är registrerat.")


def test_a_referral_answered_through_the_link_leads_to_a_signed_sip_printed_as_a_pdf(
    page: Page, other_page: Page, anonymous_page: Page, personas: Personas
) -> None:
    lina_url = f"/deltagare/{personas.lina.pk}/"
    login(page, "anna", then=lina_url)
    record_consent_to_arbetsformedlingen(page)

    # The referral, to Arbetsförmedlingen's staff by e-mail: the answer link is shown once, and mailed.
    page.locator("section[aria-labelledby=referrals-title]").get_by_role("link", name="Skicka remiss").click()
    expect(page.get_by_label("Från enhet")).to_have_value(str(personas.eb.pk))
    page.get_by_label("Till organisation").select_option(label="Arbetsförmedlingen")
    page.get_by_label("Vad gäller remissen?").fill(QUESTION)
    page.get_by_label("Kontaktperson hos er").fill("Anna Andersson, 010-123 45 67")
    page.get_by_label("Mottagarens e-post").fill(RECIPIENT)
    page.get_by_role("button", name="Skicka remissen").click()
    expect(page.locator(".messages")).to_contain_text("Remissen är skickad.")
    referral = Referral.objects.get(participant=personas.lina)
    expect(page).to_have_url(re.compile(rf"/remiss/{referral.pk}/$"))
    shown = page.locator(".notice code").inner_text()
    link = urlsplit(shown).path
    assert re.fullmatch(r"/remiss/svar/[^/]+/", link), shown
    # The live server's thread sends the mail (on commit) into this process's locmem outbox.
    assert [message.to for message in mail.outbox] == [[RECIPIENT]]
    subject, body = str(mail.outbox[0].subject), str(mail.outbox[0].body)
    assert urlsplit(re.findall(r"https?://\S+", body)[0]).path == link
    assert "Lina" not in subject + body, "the e-mail names no one"
    page.reload()
    expect(page.locator(".notice")).to_have_count(0)  # shown once only

    # The recipient, without an account, opens the link twice (two tabs) and answers in the first.
    first = anonymous_page
    second = anonymous_page.context.new_page()
    for tab in (first, second):
        tab.goto(link)
        expect(tab.locator("h1")).to_have_text("Svara på remiss")
    main = first.locator("main")
    expect(main.locator("dl.facts dd")).to_contain_text(["Exempelkommun", "Lina, född 1990", QUESTION])
    for hidden in ["Lund", "19900101", "900101", "0017"]:
        expect(main).not_to_contain_text(hidden)
    first.get_by_label("Ditt namn").fill("Maja Mottagare")
    first.get_by_role("button", name="Acceptera remissen").click()
    expect(first.locator("h1")).to_have_text("Tack för ditt svar")
    expect(first.locator("main")).to_contain_text("Du har accepterat remissen.")

    # The link answers once: the second tab's answer, posted afterwards, gets the invalid-link page.
    second.get_by_label("Ditt namn").fill("Maja Mottagare")
    second.get_by_label("Skäl").fill("Vi har ingen plats just nu.")
    with second.expect_response(lambda response: urlsplit(response.url).path == link) as answer:
        second.get_by_role("button", name="Avböj remissen").click()
    assert answer.value.request.method == "POST" and answer.value.status == 410
    expect(second.locator("h1")).to_have_text("Länken fungerar inte")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTERAD and referral.decline_reason == ""

    # Anna sees the answer at once, with how long the referral waited in each status.
    page.reload()
    expect(page.locator(".lead strong")).to_have_text("Accepterad")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    for row, (status, who) in zip(
        [rows.nth(0), rows.nth(1), rows.nth(2)],
        [
            ("Skickad", "Anna Andersson"),
            ("Mottagen", "Mottagaren via svarslänk"),
            ("Accepterad", "Maja Mottagare"),
        ],
        strict=True,
    ):
        cells = row.locator("td")
        expect(cells.nth(0)).to_have_text(status)
        expect(cells.nth(2)).to_have_text(who)
        expect(cells.nth(3)).to_have_text(DURATION)

    # The SIP meeting: Exempelkommun and Arbetsförmedlingen, the kommun with the overall responsibility.
    page.get_by_role("link", name="Till personens sida").click()
    page.locator("section[aria-labelledby=sip-title]").get_by_role("link", name="Ny SIP").click()
    expect(page.get_by_label("Mötesdatum")).to_have_value(timezone.localdate().isoformat())
    page.get_by_label("Plats").fill("Medborgarkontoret")
    page.get_by_label("Vilka deltog?").fill("Lina Lund\nAnna Andersson, Exempelkommun\nPia Persson, AF")
    page.get_by_label("Personens egna mål och önskemål").fill("Jag vill jobba inom vården.")
    parties = page.get_by_role("group", name="Parter (huvudmän) i planen")
    parties.get_by_label("Exempelkommun").check()
    parties.get_by_label("Arbetsförmedlingen").check()
    page.get_by_label("Vem har det övergripande ansvaret?").select_option(label="Exempelkommun")
    page.get_by_label("Nästa uppföljning").fill(a_date_ahead(60))
    page.get_by_role("button", name="Spara planen").click()
    expect(page.locator(".messages")).to_contain_text("Planen är sparad.")
    plan = SipPlan.objects.get(participant=personas.lina)
    expect(page).to_have_url(re.compile(rf"/sip/{plan.pk}/$"))

    # What each party does.
    actions = page.locator("section[aria-labelledby=actions-title] tbody tr")
    for added, (organisation, what, who) in enumerate(
        [
            ("Arbetsförmedlingen", ACTION, "Pia Persson"),
            ("Exempelkommun", "Betalar ut ekonomiskt bistånd under praktiken.", "Anna Andersson"),
        ],
        start=1,
    ):
        page.get_by_label("Vem gör det?").select_option(label=organisation)
        page.get_by_label("Vad ska göras?").fill(what)
        page.get_by_label("Ansvarig person").fill(who)
        page.get_by_label("Klart senast").fill(a_date_ahead(30))
        page.get_by_role("button", name="Lägg till", exact=True).click()
        expect(actions).to_have_count(added)
        expect(page.locator(".messages")).to_contain_text("Insatsen är tillagd i planen.")
    expect(actions.filter(has_text="Arbetsförmedlingen")).to_contain_text(ACTION)

    # Pia, logged in at Arbetsförmedlingen, finds the plan on Lina's page (shared on consent) and signs.
    login(other_page, "pia", then=lina_url)
    other_page.locator("section[aria-labelledby=sip-title]").get_by_role(
        "link", name=re.compile("SIP-möte")
    ).click()
    expect(other_page).to_have_url(re.compile(rf"/sip/{plan.pk}/$"))
    expect(other_page.locator("section[aria-labelledby=actions-title]")).to_contain_text(ACTION)
    other_page.get_by_role("button", name="Signera för Arbetsförmedlingen").click()
    expect(other_page.locator(".messages")).to_contain_text(
        "Signaturen är registrerad för Arbetsförmedlingen."
    )

    # Anna records the kommun's own signature: then every party has signed.
    page.reload()
    signatures = page.locator("section[aria-labelledby=parties-title] tbody tr")
    expect(signatures.filter(has_text="Arbetsförmedlingen")).to_contain_text("Pia Persson")
    page.get_by_role("button", name="Signera för Exempelkommun").click()
    expect(page.locator(".messages")).to_contain_text("Signaturen är registrerad för Exempelkommun.")
    expect(signatures.filter(has_text="Exempelkommun")).to_contain_text("Anna Andersson")
    expect(page.locator(".lead")).to_contain_text("Alla parter har signerat.")

    # The printout: the link opens a PDF (inline), in plain Swedish, with what each party does. Chromium's
    # PDF viewer would stand in for the body, so the link is fetched with Anna's session instead.
    printout = page.get_by_role("link", name="Skriv ut (PDF)")
    expect(printout).to_have_attribute("href", f"/sip/{plan.pk}/pdf/")
    response = page.request.get(str(printout.get_attribute("href")))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(response.body())).pages)
    for expected in ["Samordnad individuell plan", ACTION, "Lina Lund", "Exempelkommun har det övergripande"]:
        assert expected in text, f"{expected!r} is not in the printed plan: {text}"


def test_withdrawing_the_consent_closes_the_answer_link_and_the_referral_to_the_partner(
    page: Page, other_page: Page, anonymous_page: Page, personas: Personas
) -> None:
    consent = give_consent(personas.anna, personas.lina, [personas.af])
    sent = send_referral(personas)
    assert sent.answer_path is not None
    referral_url = f"/remiss/{sent.referral.pk}/"

    # Before: the recipient's link works, and Pia sees the referral, on her start page too.
    anonymous_page.goto(sent.answer_path)
    expect(anonymous_page.locator("h1")).to_have_text("Svara på remiss")
    login(other_page, "pia")
    incoming = other_page.locator("section[aria-labelledby=incoming-title]")
    expect(incoming.get_by_role("link")).to_have_count(1)
    incoming.get_by_role("link").click()
    expect(other_page).to_have_url(re.compile(rf"{referral_url}$"))
    expect(other_page.locator("main")).to_contain_text(QUESTION)

    # Lina takes her consent back; Anna records it.
    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/samtycke/{consent.pk}/aterkalla/")
    page.get_by_label("Anteckning").fill("Lina ringde och återkallade samtycket.")
    page.get_by_role("button", name="Återkalla samtycket").click()
    expect(page.locator(".messages")).to_contain_text("Samtycket är återkallat.")

    # The link, unused, no longer opens; Pia's next look at the referral is the 404 page.
    response = anonymous_page.reload()
    assert response is not None and response.status == 410
    expect(anonymous_page.locator("h1")).to_have_text("Länken fungerar inte")
    expect(anonymous_page.locator("main")).not_to_contain_text("Lina")
    response = other_page.reload()
    assert response is not None and response.status == 404
    expect(other_page.locator("h1")).to_have_text("Sidan finns inte")
    expect(other_page.locator("main")).not_to_contain_text("Lina")
    other_page.goto("/")
    expect(other_page.locator("section[aria-labelledby=incoming-title]")).to_have_count(0)
    # Anna, the sender, still has the referral and its history.
    response = page.goto(referral_url)
    assert response is not None and response.status == 200
