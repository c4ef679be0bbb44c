"""Every page of the UI, in every state a user meets, passes axe-core's WCAG 2.1 A and AA rules.

Each test says which pages (URL names) it checks with `@checks`; after the test, a fixture makes sure axe
really ran on each of them. The last test computes the pages from the URL resolver, so a new page
without an axe check here fails the suite.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import URLPattern, resolve, reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from egenmakt.access import reads
from egenmakt.access import services as emergency
from egenmakt.collaboration import sip, team
from egenmakt.collaboration.models import Referral
from egenmakt.consent import services as consents
from egenmakt.consent.models import Consent, ConsentForm
from egenmakt.lib.categories import DataCategory
from egenmakt.test import Personas, valid_pnr
from egenmakt.web import urls as web_urls
from egenmakt.web.tests import browser
from egenmakt.web.tests.browser import (
    assert_no_axe_violations,
    give_consent,
    grannkommun_manager,
    hold_sip,
    login,
    register_with_case,
    send_referral,
)

pytestmark = pytest.mark.browser

Test = TypeVar("Test", bound=Callable[..., Any])
CHECKS_ATTRIBUTE = "axe_checks_url_names"


def checks(*url_names: str) -> Callable[[Test], Test]:
    """Declare the pages (namespaced URL names) a test runs axe on; verified after the test."""

    def decorator(test: Test) -> Test:
        setattr(test, CHECKS_ATTRIBUTE, frozenset(url_names))
        return test

    return decorator


@pytest.fixture(autouse=True)
def _axe_ran_on_the_declared_pages(request: pytest.FixtureRequest) -> Iterator[None]:
    browser.axe_checked_url_names.clear()
    yield
    declared: frozenset[str] = getattr(request.function, CHECKS_ATTRIBUTE, frozenset())
    missing = declared - browser.axe_checked_url_names
    assert not missing, f"{request.function.__name__} declares axe checks it did not run: {sorted(missing)}"


def submit(page: Page) -> None:
    """Submit the page's main form and wait for the answer (these forms post back to their own page)."""
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state("load")


def expect_error_summary(page: Page) -> None:
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary a").first).to_be_visible()


@checks("login")
def test_the_login_page_has_no_violations_blank_and_with_errors(page: Page, personas: Personas) -> None:
    page.goto("/logga-in/")
    assert_no_axe_violations(page, "login page")
    page.locator("#id_username").fill("anna")
    page.locator("#id_password").fill("fel lösenord")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_no_axe_violations(page, "login page with a wrong password")


@checks("start")
def test_every_role_s_start_page_has_no_violations(page: Page, personas: Personas) -> None:
    for username in ["anna", "bertil", "cecilia", "alva", "pia", "sam"]:
        login(page, username)
        expect(page.locator("h1")).to_be_visible()
        assert_no_axe_violations(page, f"start page as {username}")


@checks("participant_search")
def test_the_search_page_has_no_violations_empty_with_results_and_after_an_htmx_search(
    page: Page, personas: Personas
) -> None:
    login(page, "anna", then="/deltagare/?q=Lina+Lund")
    expect(page.locator("#results table")).to_be_visible()
    assert_no_axe_violations(page, "search page with results (full page load)")

    page.goto("/deltagare/")
    assert_no_axe_violations(page, "search page, empty")
    # A marker on the window survives an htmx swap but not a page load: proof that htmx did the search.
    page.evaluate("() => { window.beforeSwap = true; }")
    page.locator("#id_q").fill("lina")
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page.locator("#results table a", has_text="Lina Lund")).to_be_visible()
    assert page.evaluate("() => window.beforeSwap === true"), (
        "the search reloaded the page instead of swapping"
    )
    # The page around the region is unchanged and was checked above; the region is what htmx replaced.
    assert_no_axe_violations(page, "search results region after the htmx swap", include="#results")
    page.locator("#id_q").fill("Ingen Sådan")
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page.locator("#results p")).to_be_visible()
    assert_no_axe_violations(page, "search results region without matches", include="#results")


@checks("participant", "protected_access")
def test_the_participant_overview_has_no_violations_also_with_protected_identity(
    page: Page, personas: Personas
) -> None:
    sara = register_with_case(personas, "Sara", "Skyddad", valid_pnr("19920505", "246"), protected=True)
    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/")
    expect(page.locator("h1")).to_have_text("Lina Lund")
    assert_no_axe_violations(page, "participant overview")

    # Skyddade personuppgifter, seen by Anna, who is named staff for Sara.
    page.goto(f"/deltagare/{sara.pk}/")
    expect(page.locator(".notice")).to_contain_text("Skyddade personuppgifter")
    assert_no_axe_violations(page, "overview of a participant with protected identity")
    page.locator(".notice a").click()
    expect(page).to_have_url(re.compile(rf"/deltagare/{sara.pk}/skyddad/$"))
    assert_no_axe_violations(page, "named staff (protected access) page")


@checks("participant_register")
def test_the_register_page_has_no_violations_blank_with_errors_and_with_possible_duplicates(
    page: Page, personas: Personas
) -> None:
    login(page, "anna", then="/deltagare/ny/")
    assert_no_axe_violations(page, "register page, blank")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "register page with errors")

    # Same birth date as Lina Lund and a name spelled alike: the form asks whether it is the same person.
    page.locator("#id_identity_value").fill(valid_pnr("19900101", "123"))
    page.locator("#id_first_name").fill("Lina")
    page.locator("#id_last_name").fill("Lundh")
    submit(page)
    expect(page.locator("#dup-title")).to_be_visible()
    assert_no_axe_violations(page, "register page asking about a possible duplicate")


@checks("participant_edit", "household_add", "participant_export")
def test_the_edit_household_and_export_pages_have_no_violations(page: Page, personas: Personas) -> None:
    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/andra/")
    assert_no_axe_violations(page, "edit page")
    page.locator("#id_first_name").fill("")
    page.locator("#id_identity_value").fill("19900101-0018")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "edit page with errors")

    page.goto(f"/deltagare/{personas.lina.pk}/hushall/")
    assert_no_axe_violations(page, "add household member page")
    page.locator("#id_residence_share").fill("0")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "add household member page with errors")

    page.goto("/deltagare/export/")
    assert_no_axe_violations(page, "export page")


@checks("access_log")
def test_the_access_log_review_has_no_violations(page: Page, personas: Personas) -> None:
    # Something to review: Anna opens Lina's page, so Cecilia, her unit manager, sees that read.
    reads.open_participant(actor=personas.anna, participant_id=personas.lina.pk)
    login(page, "cecilia", then="/loggkontroll/")
    expect(page.locator("main table tbody tr").first).to_be_visible()
    assert_no_axe_violations(page, "access log review")


@checks("participant_register", "participant")
def test_the_403_404_and_500_pages_have_no_violations(page: Page, personas: Personas) -> None:
    login(page, "pia")
    response = page.goto("/deltagare/ny/")
    assert response is not None and response.status == 403
    assert_no_axe_violations(page, "403 page (a partner on the register page)")
    login(page, "gustav")
    response = page.goto(f"/deltagare/{personas.lina.pk}/")
    assert response is not None and response.status == 404
    assert_no_axe_violations(page, "404 page (a participant in another municipality)")
    # The server-error page is standalone HTML (no context, no database): render it and load it as is.
    page.set_content(render_to_string("500.html"))
    assert_no_axe_violations(page, "500 page")


@checks("admin:index", "admin:organisations_organisation_changelist")
def test_the_admin_index_and_a_changelist_have_no_violations(page: Page, personas: Personas) -> None:
    # Django's own admin; egenmakt/templates/admin/base_site.html underlines its breadcrumb links.
    login(page, "sam", then="/admin/")
    expect(page.locator("#content h1")).to_be_visible()
    assert_no_axe_violations(page, "admin index")
    page.goto("/admin/organisations/organisation/")
    expect(page.locator("#result_list")).to_be_visible()
    assert_no_axe_violations(page, "admin changelist (organisations)")


@checks("api:openapi-view")
def test_the_api_docs_have_no_violations(page: Page, personas: Personas) -> None:
    # Swagger UI as vendored by django-ninja, through egenmakt/templates/ninja/swagger.html.
    login(page, "anna", then="/api/v1/docs")
    operation = page.locator(".opblock-summary-control").first
    expect(operation).to_be_visible()
    assert_no_axe_violations(page, "API docs")
    operation.click()
    page.locator("button.try-out__btn").click()
    page.locator(".parameters input[type=text]").first.fill("Lina")
    page.locator("button.execute").click()
    expect(page.locator(".responses-wrapper .live-responses-table")).to_be_visible()
    assert_no_axe_violations(page, "API docs with an operation tried out")
    page.locator(".auth-wrapper button.authorize").click()
    expect(page.locator(".modal-ux")).to_be_visible()
    assert_no_axe_violations(page, "API docs' authorize dialog")


@checks("start", "participant_register")
def test_the_start_and_register_pages_have_no_violations_in_english(page: Page, personas: Personas) -> None:
    login(page, "anna")
    page.locator("header button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_no_axe_violations(page, "start page in English")
    page.goto("/deltagare/ny/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_no_axe_violations(page, "register page in English")


def _revise(consent: Consent, *, purpose: str = "Stöd att hitta arbete och praktik") -> Consent:
    """A new version of the consent, as a colleague would save it (the same recipients, oral)."""
    today = timezone.localdate()
    return consents.revise_consent(
        actor=consent.recorded_by,
        consent=consent,
        terms=consents.ConsentTerms(
            recipients=consent.recipients,
            categories=consent.categories,
            purpose=purpose,
            form=ConsentForm.MUNTLIGT,
            heard_by="Anna Andersson",
            valid_from=today,
            valid_to=today + timedelta(days=90),
        ),
    )


def _switch_to_english(page: Page) -> None:
    page.locator("header button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


@checks("consent_new", "consent_revise", "consent_withdraw", "disclosure_new")
def test_the_consent_and_disclosure_pages_have_no_violations_blank_with_errors_and_in_english(
    page: Page, personas: Personas
) -> None:
    lina = personas.lina.pk
    consent = give_consent(personas.anna, personas.lina, [personas.af])
    login(page, "anna", then=f"/deltagare/{lina}/samtycke/ny/")
    assert_no_axe_violations(page, "record consent, blank")
    # No recipient, no purpose, no form: errors on checkboxes, a textarea and radio buttons.
    submit(page)
    expect_error_summary(page)
    expect(page.get_by_role("group", name="Hur lämnades samtycket?")).to_be_visible()
    assert_no_axe_violations(page, "record consent with errors")

    page.goto(f"/deltagare/{lina}/samtycke/{consent.pk}/andra/")
    expect(page.locator("#id_purpose")).to_have_value(consent.purpose)
    assert_no_axe_violations(page, "revise consent (new version)")

    page.goto(f"/deltagare/{lina}/samtycke/{consent.pk}/aterkalla/")
    assert_no_axe_violations(page, "withdraw consent, confirmation")
    # Meanwhile a colleague saves a new version: withdrawing the one on this page is refused, in words.
    _revise(consent)
    submit(page)
    expect(page.locator("#error-summary")).to_contain_text("redan ersatt")
    assert_no_axe_violations(page, "withdraw consent refused (a newer version exists)")

    page.goto(f"/deltagare/{lina}/utlamnande/ny/")
    assert_no_axe_violations(page, "record disclosure, blank")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "record disclosure with errors")

    page.goto(f"/deltagare/{lina}/samtycke/ny/")
    _switch_to_english(page)
    submit(page)
    expect_error_summary(page)
    expect(page.get_by_role("group", name="How was consent given?")).to_be_visible()
    assert_no_axe_violations(page, "record consent in English, with errors")


@checks("participant")
def test_the_overview_lists_every_kind_of_consent_and_disclosures_without_violations(
    page: Page, personas: Personas, media_root: Path
) -> None:
    # Version 1 oral, replaced by version 2; a written consent with its scanned form; a withdrawn one.
    _revise(give_consent(personas.anna, personas.lina, [personas.af]))
    give_consent(personas.anna, personas.lina, [personas.af, personas.grannkommun], written=True)
    withdrawn = give_consent(personas.anna, personas.lina, [personas.grannkommun])
    consents.withdraw_consent(actor=personas.anna, consent=withdrawn, note="Sa det i telefon.")
    consents.record_disclosure(
        actor=personas.anna,
        participant=personas.lina,
        recipient=personas.grannkommun,
        categories=[DataCategory.GRUNDUPPGIFTER, DataCategory.EKONOMI],
        legal_ground="uppgiftsskyldighet",
        note="Svar på en begäran om uppgifter om bistånd.",
    )
    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/")
    section = page.locator("section[aria-labelledby=consents-title]")
    for status in ["gäller", "ersatt av en nyare version", "återkallat"]:
        expect(section.locator("h3", has_text=status).first).to_be_visible()
    expect(section.get_by_role("link", name="visa inskannat samtycke")).to_be_visible()
    expect(page.locator("section[aria-labelledby=disclosures-title] tbody tr")).to_have_count(1)
    assert_no_axe_violations(page, "overview with consents and disclosures")
    _switch_to_english(page)
    expect(page.locator("#consents-title")).to_have_text("Consents")
    assert_no_axe_violations(page, "overview with consents and disclosures, in English")


@checks("start", "participant")
def test_a_partner_s_start_page_and_a_participant_seen_on_consent_have_no_violations(
    page: Page, personas: Personas
) -> None:
    give_consent(personas.anna, personas.lina, [personas.af])
    login(page, "pia")
    shared = page.locator("section[aria-labelledby=partner-title]")
    expect(shared.get_by_role("link", name="Lina Lund")).to_be_visible()
    assert_no_axe_violations(page, "partner start page with a participant shared on consent")
    shared.get_by_role("link", name="Lina Lund").click()
    expect(page.locator(".notice")).to_contain_text("med stöd av personens samtycke")
    assert_no_axe_violations(page, "overview seen by a partner on consent")


@checks("emergency_access", "start", "participant", "access_log")
def test_the_emergency_access_pages_and_those_during_and_after_one_have_no_violations(
    page: Page, personas: Personas
) -> None:
    login(page, "gustav", then="/nodatkomst/")
    assert_no_axe_violations(page, "emergency access, blank")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "emergency access with errors")
    page.locator("#id_identity").fill(valid_pnr("19700707", "123"))  # valid, but no one has it
    page.locator("#id_reason").fill("Personen är på plats och behöver hjälp i kväll.")
    submit(page)
    expect(page.locator("#error-summary")).to_contain_text("Det går inte att ge nödåtkomst")
    assert_no_axe_violations(page, "emergency access refused (unknown number)")

    # Gustav (Grannkommun) has looked at Karin before, and his manager Greta has reviewed it; now he
    # looks at Lina.
    karin = register_with_case(personas, "Karin", "Kvist", valid_pnr("19800202", "123"))
    reason = "Personen är på plats och behöver akut hjälp med boende."
    _, earlier = emergency.start_emergency_access(
        actor=personas.gustav, identity=karin.identity_value, reason=reason
    )
    assert earlier is not None
    emergency.end_emergency_access(actor=personas.gustav, access=earlier)
    greta = grannkommun_manager(personas)
    emergency.review_emergency_access(actor=greta, access=earlier, note="Befogat: personen sökte akut hjälp.")
    emergency.start_emergency_access(
        actor=personas.gustav, identity=personas.lina.identity_value, reason=reason
    )
    page.goto("/")
    running = page.locator("section[aria-labelledby=emergency-title]")
    expect(running.get_by_role("link", name="Lina Lund")).to_be_visible()
    assert_no_axe_violations(page, "start page with a running emergency access")
    running.get_by_role("link", name="Lina Lund").click()
    expect(page.locator(".notice")).to_contain_text("Nödåtkomst till och med")
    assert_no_axe_violations(page, "overview during emergency access")

    login(page, "greta", then="/loggkontroll/")
    table = page.locator("section[aria-labelledby=emergency-title] table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("textarea")).to_have_count(1)
    expect(table).to_contain_text("Befogat")
    assert_no_axe_violations(page, "access log review with an unreviewed and a reviewed emergency access")


# What a SIP needs a partner's consent to: who the person is, and the plan.
PLAN: list[str] = [DataCategory.GRUNDUPPGIFTER, DataCategory.PLAN_OCH_INSATSER]


@checks("referral_new", "referral", "start")
def test_sending_a_referral_and_its_page_for_sender_and_recipient_and_when_overdue_have_no_violations(
    page: Page, other_page: Page, personas: Personas
) -> None:
    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/remiss/ny/")
    expect(page.locator(".notice")).to_contain_text("En remiss kräver samtycke.")
    assert_no_axe_violations(page, "send referral, no consent (notice)")

    give_consent(personas.anna, personas.lina, [personas.af])
    page.reload()
    expect(page.get_by_label("Till organisation")).to_contain_text("Arbetsförmedlingen")
    assert_no_axe_violations(page, "send referral, blank")
    page.get_by_label("Mottagarens e-post").fill("inte en adress")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "send referral with errors")

    page.get_by_label("Till organisation").select_option(label="Arbetsförmedlingen")
    page.get_by_label("Vad gäller remissen?").fill("Lina vill ha stöd att söka arbete inom vården.")
    page.get_by_label("Kontaktperson hos er").fill("Anna Andersson, 010-123 45 67")
    page.get_by_label("Mottagarens e-post").fill("mottagare@arbetsformedlingen.example")
    submit(page)
    expect(page.locator(".notice")).to_contain_text("Svarslänk till mottagaren")
    assert_no_axe_violations(page, "referral as sender, right after sending (answer link notice)")
    referral_url = urlsplit(page.url).path

    # Pia, at Arbetsförmedlingen: the referral waits on her start page, with buttons for each answer.
    login(other_page, "pia")
    incoming = other_page.locator("section[aria-labelledby=incoming-title]")
    expect(incoming.get_by_role("link")).to_have_count(1)
    assert_no_axe_violations(other_page, "partner start page with an incoming referral")
    incoming.get_by_role("link").click()
    expect(other_page.get_by_role("button", name="Acceptera")).to_be_visible()
    assert_no_axe_violations(other_page, "referral as recipient (status buttons)")
    other_page.get_by_role("button", name="Markera som mottagen").click()
    expect(other_page.locator(".messages")).to_contain_text("Remissen är uppdaterad.")

    # No answer in time: on Anna's start page, and flagged on the referral, with its history.
    Referral.objects.update(answer_due=timezone.now() - timedelta(days=1))
    page.goto("/")
    overdue = page.locator("section[aria-labelledby=overdue-title]")
    expect(overdue.get_by_role("link")).to_have_count(1)
    assert_no_axe_violations(page, "start page with an overdue referral")
    overdue.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"{referral_url}$"))
    expect(page.locator(".lead .flag")).to_have_text("inget svar i tid")
    assert_no_axe_violations(page, "overdue referral as sender, with its status history")


@checks("referral_answer")
def test_the_public_answer_page_has_no_violations_blank_with_errors_in_english_answered_and_used(
    page: Page, personas: Personas
) -> None:
    give_consent(personas.anna, personas.lina, [personas.af])
    link = send_referral(personas).answer_path
    assert link is not None
    page.goto(link)  # anonymous: the recipient has no account
    expect(page.locator("h1")).to_have_text("Svara på remiss")
    assert_no_axe_violations(page, "answer page (anonymous, via the link)")
    page.get_by_label("Ditt namn").fill("Maja Mottagare")
    page.get_by_role("button", name="Avböj remissen").click()
    expect(page.locator("#error-summary")).to_contain_text("Skriv varför remissen avböjs.")
    assert_no_axe_violations(page, "answer page, declined without a reason")

    _switch_to_english(page)
    expect(page.locator("h1")).to_have_text("Answer a referral")
    page.get_by_role("button", name="Decline the referral").click()  # no name, no reason
    expect_error_summary(page)
    expect(page.locator("#id_name")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page, "answer page in English, with errors")
    page.locator("header button[name=language][value=sv]").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    page.get_by_label("Ditt namn").fill("Maja Mottagare")
    page.get_by_role("button", name="Acceptera remissen").click()
    expect(page.locator("h1")).to_have_text("Tack för ditt svar")
    assert_no_axe_violations(page, "answer page, thank you")
    response = page.goto(link)
    assert response is not None and response.status == 410
    expect(page.locator("h1")).to_have_text("Länken fungerar inte")
    assert_no_axe_violations(page, "answer link already used (410)")


@checks("team_member_new", "participant")
def test_the_team_form_and_the_overview_with_a_team_sip_and_referrals_have_no_violations(
    page: Page, personas: Personas
) -> None:
    give_consent(personas.anna, personas.lina, [personas.af], categories=PLAN)
    send_referral(personas, recipient_email="")
    overdue = send_referral(personas, question="Lina behöver en praktikplats.").referral
    Referral.objects.filter(pk=overdue.pk).update(answer_due=timezone.now() - timedelta(days=1))
    hold_sip(personas, [personas.kommun, personas.af])
    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/team/ny/")
    assert_no_axe_violations(page, "add to team, blank")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "add to team with errors")
    page.get_by_label("Organisation").select_option(label="Arbetsförmedlingen")
    page.get_by_label("Kontaktperson").fill("Pia Persson")
    page.get_by_label("Roll i teamet").fill("Arbetsförmedlare")
    page.get_by_label("Huvudansvarig").check()
    submit(page)
    expect(page).to_have_url(re.compile(rf"/deltagare/{personas.lina.pk}/$"))
    expect(page.locator("section[aria-labelledby=team-title] tbody tr")).to_have_count(1)
    expect(page.locator("section[aria-labelledby=sip-title] li")).to_have_count(1)
    expect(page.locator("section[aria-labelledby=referrals-title] .flag")).to_have_count(1)
    assert_no_axe_violations(page, "overview with a team, a SIP and referrals (one overdue)")


@checks("sip_new", "sip", "participant")
def test_the_sip_form_and_a_plan_with_actions_and_some_signatures_have_no_violations(
    page: Page, other_page: Page, personas: Personas
) -> None:
    give_consent(personas.anna, personas.lina, [personas.af, personas.grannkommun], categories=PLAN)
    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/sip/ny/")
    assert_no_axe_violations(page, "new SIP, blank")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "new SIP with errors")

    plan = hold_sip(personas, [personas.kommun, personas.af, personas.grannkommun])
    sip.add_action(
        actor=personas.anna,
        plan=plan,
        organisation=personas.af,
        what="Matchar Lina mot platser inom vården.",
        responsible_person="Pia Persson",
        due=timezone.localdate() + timedelta(days=30),
    )
    sip.add_action(actor=personas.anna, plan=plan, organisation=personas.kommun, what="Betalar ut bistånd.")
    # Pia, at Arbetsförmedlingen, sees Lina on consent: the plan is on Lina's page.
    login(other_page, "pia", then=f"/deltagare/{personas.lina.pk}/")
    plans = other_page.locator("section[aria-labelledby=sip-title]")
    expect(plans.get_by_role("link")).to_have_count(1)
    assert_no_axe_violations(other_page, "overview seen by a partner on consent, with a SIP")
    plans.get_by_role("link").click()
    sign = other_page.get_by_role("button", name="Signera för Arbetsförmedlingen")
    expect(sign).to_be_visible()
    assert_no_axe_violations(other_page, "SIP as a partner party, unsigned")
    sign.click()
    expect(other_page.locator(".messages")).to_contain_text("Signaturen är registrerad")

    # Anna: her own party to sign, one signed, one to record as signed on paper; an action without a what.
    page.goto(f"/sip/{plan.pk}/")
    expect(page.locator("section[aria-labelledby=actions-title] tbody tr")).to_have_count(2)
    expect(page.get_by_label("Signerat på papper av")).to_have_count(1)
    assert_no_axe_violations(page, "SIP with actions and some signatures")
    page.locator("section[aria-labelledby=actions-title] button[type=submit]").click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "SIP with an action form with errors")


def _serves_a_page(response: Any) -> bool:
    """An HTML page (any status a user may meet, 403 and 404 included), not a redirect, JSON or a 405."""
    return (
        response.status_code != 405
        and not 300 <= response.status_code < 400
        and response["Content-Type"].startswith("text/html")
    )


def test_every_page_in_the_web_urls_is_checked_by_axe(personas: Personas, media_root: Path) -> None:
    """A route that answers GET with an HTML page, anonymously or for a caseworker, needs a test above.

    The URLs name things that exist (Lina, her written consent, a referral with its answer link, a team
    member, a SIP and its parties), so each route answers as it does in use: the scanned consent form and
    the printed SIP are PDFs, not pages; a page for something missing is the 404 page.
    """
    anonymous, caseworker = Client(), Client()
    caseworker.force_login(personas.anna)
    consent = give_consent(personas.anna, personas.lina, [personas.af], written=True, categories=PLAN)
    _, access = emergency.start_emergency_access(
        actor=personas.gustav, identity=personas.lina.identity_value, reason="Akut behov av hjälp i kväll."
    )
    assert access is not None
    sent = send_referral(personas)
    assert sent.answer_path is not None
    member = team.add_team_member(
        actor=personas.anna, participant=personas.lina, organisation=personas.af, role="Arbetsförmedlare"
    )
    plan = hold_sip(personas, [personas.kommun, personas.af])
    ids: dict[str, int | str] = {
        "consent_id": consent.pk,
        "access_id": access.pk,
        "referral_id": sent.referral.pk,
        "token": resolve(sent.answer_path).kwargs["token"],
        "member_id": member.pk,
        "plan_id": plan.pk,
        "party_id": plan.parties.get(organisation=personas.af).pk,
    }
    pages, files = set(), {}
    for pattern in web_urls.urlpatterns:
        assert isinstance(pattern, URLPattern) and pattern.name, f"unnamed or nested route: {pattern}"
        kwargs = {name: ids.get(name, personas.lina.pk) for name in pattern.pattern.converters}
        url = reverse(pattern.name, kwargs=kwargs)
        for client in (anonymous, caseworker):
            response = client.get(url)
            response.close()  # a file response holds the file open until closed
            if _serves_a_page(response):
                pages.add(pattern.name)
            elif response.status_code == 200:
                files[pattern.name] = response["Content-Type"]
    assert files.get("consent_document") == "application/pdf", files
    assert files.get("sip_pdf") == "application/pdf", files
    checked = set().union(*(getattr(test, CHECKS_ATTRIBUTE, frozenset()) for test in globals().values()))
    assert pages, "found no pages in egenmakt/web/urls.py"
    assert not pages - checked, f"pages without an axe check in this module: {sorted(pages - checked)}"
