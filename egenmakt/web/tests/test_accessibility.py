"""Every page of the UI, in every state a user meets, passes axe-core's WCAG 2.1 A and AA rules.

Each test says which pages (URL names) it checks with `@checks`; after the test, a fixture makes sure axe
really ran on each of them. The last test computes the pages from the URL resolver, so a new page
without an axe check here fails the suite.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
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
from egenmakt.activities import services as activities
from egenmakt.activities.tests.factories import make_activity, open_case, people_with_cases
from egenmakt.analytics import services as analytics
from egenmakt.analytics.report import ShareRow
from egenmakt.attendance import services as attendance
from egenmakt.attendance.importing import import_attendance
from egenmakt.attendance.models import AbsenceTask
from egenmakt.attendance.tests.import_fixtures import csv_file, past_days, place_people, provider_rows
from egenmakt.benefits import services as benefits
from egenmakt.benefits.models import Decision, DecisionKind
from egenmakt.cases.models import CaseType
from egenmakt.collaboration import sip, team
from egenmakt.collaboration.models import Referral
from egenmakt.consent import services as consents
from egenmakt.consent.models import Consent, ConsentForm
from egenmakt.goals import services as goals
from egenmakt.goals.tests.factories import LONG_TERM, make_commitment, make_goal, store_report
from egenmakt.lib.categories import DataCategory
from egenmakt.outcomes import services as outcome_services
from egenmakt.plans import services as plans
from egenmakt.plans.models import FollowUp
from egenmakt.review.models import RuleKind
from egenmakt.review.tests.factories import months_on_assistance, switch_on
from egenmakt.test import Personas, valid_pnr
from egenmakt.web import urls as web_urls
from egenmakt.web.tests import benefit_data, browser
from egenmakt.web.tests.browser import (
    assert_no_axe_violations,
    give_consent,
    grannkommun_manager,
    hold_sip,
    login,
    register_with_case,
    send_referral,
)

# The HTML axe checks is the same whichever database holds the data: checked once, in the SQLite half
# (the flow tests in the other test_*_flows.py modules drive the browser on both databases).
pytestmark = [pytest.mark.browser, pytest.mark.one_database]

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
    for username in ["anna", "bertil", "cecilia", "fredrik", "maja", "alva", "pia", "sam"]:
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


def test_every_page_in_the_web_urls_is_checked_by_axe(
    personas: Personas, media_root: Path, settings: Any, tmp_path: Path
) -> None:
    """A route that answers GET with an HTML page, anonymously or for a caseworker, needs a test above.

    The URLs name things that exist (Lina, her written consent, a referral with its answer link, a team
    member, a SIP and its parties), so each route answers as it does in use: the scanned consent form and
    the printed SIP are PDFs, not pages; a page for something missing is the 404 page.
    """
    anonymous, caseworker, coach, analyst = Client(), Client(), Client(), Client()
    caseworker.force_login(personas.anna)
    coach.force_login(personas.bertil)
    analyst.force_login(personas.alva)
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
    # An activity run by Bertil's unit, Lina placed in it by Anna, a day's unexcused absence, an
    # anonymous place and an import: so the activity, attendance and import pages exist too.
    activity = make_activity(unit=personas.ame, capacity=1)
    enrolment = activities.enrol(
        actor=personas.anna,
        participant=personas.lina,
        activity=activity,
        case=personas.lina_case,
        start=timezone.localdate() - timedelta(days=3),
    )
    attendance.register_day(
        actor=personas.anna,
        activity=activity,
        day=timezone.localdate() - timedelta(days=1),
        marks=[attendance.Mark(enrolment.pk, "ogiltig")],
    )
    anonymous_place = activities.register_anonymous_place(
        actor=personas.bertil, activity=activity, start=timezone.localdate(), override_reason="Test"
    )
    batch = import_attendance(actor=personas.bertil, path_or_file=csv_file([]), file_name="tom.csv")
    # Economic assistance: a decided application with an appeal, a reduction from the absence above, and a
    # paid payment run with its files.
    settings.EGENMAKT_PAYMENT_DIR = str(tmp_path / "payments")
    benefit_data.household(personas)
    decision = benefit_data.decided(personas)
    assert decision.application is not None
    appeal = benefits.register_appeal(
        actor=personas.anna, decision=decision, received_on=timezone.localdate(), text="Hyran är rimlig."
    )
    reduction = benefit_data.proposed(personas, list(AbsenceTask.objects.all()))
    run = benefit_data.paid_run(personas)
    # Outcomes: Omar's case closed with an exit (its follow-ups planned), and a computed report.
    exit = outcome_services.register_exit(
        actor=personas.gustav, case=personas.omar_case, on=personas.omar_case.opened_on, reason="arbete"
    )
    outcome_services.refresh(actor=None)
    analytics.compute(actor=None, models=False)
    # Goals and commitments: a goal of Exempelkommun, measured, and a commitment linked to it.
    goal = make_goal(personas)
    goals.snapshot_goals(actor=None, month=timezone.localdate())
    commitment = make_commitment(personas, goals=[goal])
    ids: dict[str, int | str] = {
        "follow_up_id": exit.follow_ups.first().pk,  # type: ignore[union-attr]
        "case_id": personas.lina_case.pk,
        "application_id": decision.application.pk,
        "decision_id": decision.pk,
        "appeal_id": appeal.pk,
        "reduction_id": reduction.pk,
        "run_id": run.pk,
        "activity_id": activity.pk,
        "enrolment_id": enrolment.pk,
        "place_id": anonymous_place.pk,
        "task_id": AbsenceTask.objects.get().pk,
        "batch_id": batch.pk,
        "consent_id": consent.pk,
        "access_id": access.pk,
        "referral_id": sent.referral.pk,
        "token": resolve(sent.answer_path).kwargs["token"],
        "member_id": member.pk,
        "plan_id": plan.pk,
        "party_id": plan.parties.get(organisation=personas.af).pk,
        "goal_id": goal.pk,
        "commitment_id": commitment.pk,
    }
    pages, files = set(), {}
    for pattern in web_urls.urlpatterns:
        assert isinstance(pattern, URLPattern) and pattern.name, f"unnamed or nested route: {pattern}"
        kwargs = {name: ids.get(name, personas.lina.pk) for name in pattern.pattern.converters}
        url = reverse(pattern.name, kwargs=kwargs)
        for client in (anonymous, caseworker, coach, analyst):
            response = client.get(url)
            response.close()  # a file response holds the file open until closed
            if _serves_a_page(response):
                pages.add(pattern.name)
            elif response.status_code == 200:
                files[pattern.name] = response["Content-Type"]
    # A route that serves a file to those allowed shows others only the shared 404 page (checked above).
    pages -= files.keys()
    assert files.get("consent_document") == "application/pdf", files
    assert files.get("sip_pdf") == "application/pdf", files
    assert files.get("attendance_import_rejections", "").startswith("text/csv"), files
    assert files.get("benefit_decision_letter") == "application/pdf", files
    assert files.get("benefit_reduction_letter") == "application/pdf", files
    assert files.get("payment_run_xml") == "application/xml", files
    assert files.get("payment_run_csv", "").startswith("text/csv"), files
    assert files.get("outcomes_xlsx", "").startswith("application/vnd.openxmlformats"), files
    assert files.get("outcomes_csv", "").startswith("text/csv"), files
    assert files.get("commitments_pdf") == "application/pdf", files
    checked = set().union(*(getattr(test, CHECKS_ATTRIBUTE, frozenset()) for test in globals().values()))
    assert pages, "found no pages in egenmakt/web/urls.py"
    assert not pages - checked, f"pages without an axe check in this module: {sorted(pages - checked)}"


@checks(
    "activity_catalogue",
    "activity",
    "enrolment_new",
    "enrolment_end",
    "enrolment_place",
    "anonymous_place_new",
    "anonymous_place_end",
    "fidelity_review_new",
)
def test_the_catalogue_an_activity_and_the_placement_forms_have_no_violations(
    page: Page, personas: Personas
) -> None:

    activity = make_activity(
        unit=personas.ame, capacity=1, method="ips", finsam_funded=True, target_groups=["unga"]
    )
    (placed, placed_case), (waiting, waiting_case) = people_with_cases(
        actor=personas.bertil, unit=personas.ame, count=2
    )
    today = timezone.localdate()
    enrolment = activities.enrol(
        actor=personas.bertil, participant=placed, activity=activity, case=placed_case, start=today
    )
    queued = activities.enrol(
        actor=personas.bertil, participant=waiting, activity=activity, case=waiting_case, start=today
    )
    anonymous = activities.register_anonymous_place(
        actor=personas.bertil, activity=activity, start=today, override_reason="Plats ordnad med utföraren"
    )
    activities.record_fidelity_review(
        actor=personas.bertil, activity=activity, reviewed_on=today, reviewers="Granskare", scores=[4] * 25
    )
    login(page, "bertil", then="/insatser/")
    assert_no_axe_violations(page, "activity catalogue")
    page.goto(f"/insatser/{activity.pk}/")
    expect(page.locator("#queue-title")).to_be_visible()
    assert_no_axe_violations(page, "activity page with places, queue, anonymous places and a review")
    page.goto(f"/deltagare/{waiting.pk}/placering/ny/")
    assert_no_axe_violations(page, "placement form")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "placement form with errors")
    page.goto(f"/placering/{enrolment.pk}/avsluta/")
    assert_no_axe_violations(page, "end placement form")
    page.goto(f"/placering/{queued.pk}/ge-plats/")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "give a place from the queue, with the full-activity error")
    page.goto(f"/insatser/{activity.pk}/anonym/ny/")
    assert_no_axe_violations(page, "anonymous place form")
    page.goto(f"/anonym-plats/{anonymous.pk}/avsluta/")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "end anonymous place with errors")
    page.goto(f"/insatser/{activity.pk}/trohet/ny/")
    assert_no_axe_violations(page, "IPS-25 review form")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "IPS-25 review form with errors")


@checks("attendance_day", "absence_task", "start")
def test_the_attendance_screen_and_an_absence_task_have_no_violations(page: Page, personas: Personas) -> None:

    activity = make_activity(unit=personas.ame)
    day = timezone.localdate() - timedelta(days=1)
    people = people_with_cases(actor=personas.bertil, unit=personas.ame, count=2)
    open_case(people[0][0], personas.eb, personas.anna, CaseType.EKONOMISKT_BISTAND)
    rows = [
        activities.enrol(
            actor=personas.bertil, participant=p, activity=activity, case=c, start=day - timedelta(days=3)
        )
        for p, c in people
    ]
    attendance.register_day(
        actor=personas.bertil, activity=activity, day=day, marks=[attendance.Mark(rows[0].pk, "ogiltig")]
    )
    attendance.register_day(
        actor=personas.bertil,
        activity=activity,
        day=day,
        marks=[attendance.Mark(rows[0].pk, "giltig", reason="sjuk")],
    )
    attendance.register_day(
        actor=personas.bertil, activity=activity, day=day, marks=[attendance.Mark(rows[0].pk, "ogiltig")]
    )
    login(page, "bertil", then=f"/insatser/{activity.pk}/narvaro/?day={day.isoformat()}")
    assert_no_axe_violations(page, "attendance screen with a corrected row")
    page.locator(f"#status-{rows[1].pk}-1").check()
    page.locator(f"#hours-{rows[1].pk}").fill("abc")
    submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    assert_no_axe_violations(page, "attendance screen with row errors")
    login(page, "anna")
    expect(page.locator("#tasks-title")).to_be_visible()
    assert_no_axe_violations(page, "start page with an absence task")
    page.goto(f"/franvaro/{AbsenceTask.objects.get().pk}/")
    assert_no_axe_violations(page, "absence task")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "absence task with errors")


def _plan_with_content(personas: Personas) -> Any:
    """Lina's action plan with needs, goals (one reached), steps (a catalogue activity, free text, one
    without a goal), a held follow-up, an acknowledgement since changed, and the next follow-up overdue."""

    anna, today = personas.anna, timezone.localdate()
    plan = plans.create_plan(
        actor=anna,
        case=personas.lina_case,
        own_goal="Jag vill jobba som undersköterska.",
        strengths="Van vid att ta hand om människor. Talar arabiska.",
        requirements="Du är med på praktiken tre dagar i veckan.",
        consequences="Biståndet kan sättas ned, men först får du berätta hur du ser på det.",
    )
    plans.add_need(actor=anna, plan=plan, life_area="kommunikation", description="Stöd med svenska i tal")
    plans.add_need(actor=anna, plan=plan, life_area="hemliv", description="Barnomsorg på morgonen")
    work = plans.add_goal(
        actor=anna, plan=plan, kind="arbete", description="Anställning inom vården", target_date=today
    )
    sfi = plans.add_goal(actor=anna, plan=plan, kind="studier", description="Klara SFI D")
    plans.add_step(
        actor=anna,
        plan=plan,
        goal=work,
        activity=make_activity(unit=personas.ame),
        responsible_organisation=personas.kommun,
        responsible_person="Bertil Berg",
        start=today,
        end=today + timedelta(days=60),
        status="pagar",
        agreed_with_participant=True,
    )
    plans.add_step(
        actor=anna,
        plan=plan,
        goal=sfi,
        description="SFI på kvällstid",
        responsible_organisation=personas.kommun,
    )
    plans.add_step(
        actor=anna, plan=plan, description="Söka tio jobb i månaden", responsible_organisation=personas.af
    )
    plans.acknowledge(actor=anna, plan=plan, on=today, how="papper")
    follow_up = plans.next_follow_up(plan)
    assert follow_up is not None
    plans.hold_follow_up(
        actor=anna,
        follow_up=follow_up,
        held_on=today,
        summary="Bra månad.",
        progress={work.pk: ("framsteg", "Praktiken går bra"), sfi.pk: ("uppnatt", "Klarade provet")},
    )
    FollowUp.objects.filter(plan=plan, held_on__isnull=True).update(planned_on=today - timedelta(days=3))
    return plan


@checks(
    "plan_new",
    "plan_edit",
    "plan_goal_new",
    "plan_step_new",
    "plan_need_new",
    "plan_acknowledge",
    "participant",
)
def test_the_action_plan_forms_have_no_violations_blank_and_with_errors(
    page: Page, personas: Personas
) -> None:
    def blank_and_with_errors(url: str, label: str) -> None:
        page.goto(url)
        assert_no_axe_violations(page, f"{label}, blank")
        page.get_by_role("button", name=re.compile("^(Spara|Skapa planen)$")).click()
        expect_error_summary(page)
        assert_no_axe_violations(page, f"{label} with errors")

    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/")
    expect(page.get_by_role("link", name="Ny handlingsplan")).to_be_visible()
    assert_no_axe_violations(page, "overview without an action plan")
    blank_and_with_errors(f"/deltagare/{personas.lina.pk}/plan/ny/", "new action plan")
    page.locator("#id_own_goal").fill("Ett jobb")
    page.locator("#id_follow_up_weeks").fill("40")
    page.get_by_role("button", name="Skapa planen").click()
    expect(page.locator("#id_follow_up_weeks_error")).to_contain_text("26")
    assert_no_axe_violations(page, "new action plan with the service's error next to a field")

    plan = _plan_with_content(personas)
    page.goto(f"/plan/{plan.pk}/andra/")
    assert_no_axe_violations(page, "edit action plan, filled in")
    page.locator("#id_own_goal").fill(" ")
    page.get_by_role("button", name="Spara", exact=True).click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "edit action plan with errors")
    for path, label in [
        ("mal/ny/", "new goal"),
        ("steg/ny/", "new step"),
        ("behov/ny/", "new need"),
        ("tagit-del/", "acknowledgement"),
    ]:
        if path == "tagit-del/":
            page.goto(f"/plan/{plan.pk}/{path}")
            page.locator("#id_on").fill("")
        blank_and_with_errors(f"/plan/{plan.pk}/{path}", label)
    # Radio buttons with the service's error: the group carries it.
    page.locator("#id_on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.locator("#id_how_error")).to_be_visible()
    assert_no_axe_violations(page, "acknowledgement without how, the service's error on the group")


@checks("plan", "plan_goal_edit", "plan_step_edit", "plan_follow_up", "plan_versions", "participant")
def test_a_plan_with_content_its_follow_up_and_versions_have_no_violations_also_in_english(
    page: Page, other_page: Page, personas: Personas
) -> None:
    plan = _plan_with_content(personas)
    login(page, "anna", then=f"/plan/{plan.pk}/")
    expect(page.locator("article.goal")).to_have_count(2)
    expect(page.locator("section[aria-labelledby=follow-up-title] .flag")).to_be_visible()
    expect(page.locator("#acknowledgement .flag")).to_be_visible()
    assert_no_axe_violations(page, "action plan with needs, goals, steps, a held and an overdue follow-up")
    goal, step = plan.goals.first(), plan.steps.get(activity__isnull=False)
    assert goal is not None
    page.goto(f"/plan/{plan.pk}/mal/{goal.pk}/andra/")
    assert_no_axe_violations(page, "edit goal (with its remove button)")
    page.goto(f"/plan/{plan.pk}/steg/{step.pk}/andra/")
    assert_no_axe_violations(page, "edit step with a catalogue activity")
    page.get_by_label("Till (frivilligt)").fill("2000-01-01")
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.locator("#id_end_error")).to_be_visible()
    assert_no_axe_violations(page, "edit step with the service's error next to the end date")

    page.goto(f"/plan/{plan.pk}/uppfoljning/")
    expect(page.locator(".lead .flag")).to_be_visible()
    assert_no_axe_violations(page, "follow-up form, one goal not yet reached")
    page.get_by_role("button", name="Spara uppföljningen").click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "follow-up form with errors")

    page.goto(f"/plan/{plan.pk}/versioner/")
    expect(page.locator("main tbody tr").first).to_be_visible()
    assert_no_axe_violations(page, "versions of the plan")
    page.goto(f"/deltagare/{personas.lina.pk}/")
    expect(page.locator("section[aria-labelledby=plans-title] a").first).to_be_visible()
    assert_no_axe_violations(page, "overview with an action plan")

    page.goto(f"/plan/{plan.pk}/")
    _switch_to_english(page)
    assert_no_axe_violations(page, "action plan in English")
    page.goto(f"/plan/{plan.pk}/uppfoljning/")
    page.get_by_role("button").filter(has_text=re.compile("uppföljningen|follow-up", re.I)).last.click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "follow-up form in English, with errors")

    # Pia, at Arbetsförmedlingen, reads the plan on consent: no links to change it.
    give_consent(personas.anna, personas.lina, [personas.af], categories=PLAN)
    login(other_page, "pia", then=f"/plan/{plan.pk}/")
    expect(other_page.locator("main")).to_contain_text("Bara personens egen enhet kan ändra den.")
    expect(other_page.get_by_role("link", name="Ändra planens text")).to_have_count(0)
    assert_no_axe_violations(other_page, "action plan read by a partner on consent")


@checks("plan_pdf")
def test_the_printed_plan_for_someone_who_may_not_see_it_is_the_404_page_without_violations(
    page: Page, personas: Personas
) -> None:
    # The printout itself is a PDF, not a page (test_plan_pages reads its text); refused, it is the 404.
    plan = _plan_with_content(personas)
    login(page, "gustav")
    response = page.goto(f"/plan/{plan.pk}/pdf/")
    assert response is not None and response.status == 404
    expect(page.locator("main")).not_to_contain_text("Lina")
    assert_no_axe_violations(page, "404 page for another municipality's printout of a plan")


@checks("attendance_import", "attendance_import_batch")
def test_the_attendance_import_pages_have_no_violations(
    page: Page, personas: Personas, tmp_path: Path
) -> None:

    activity, placed = place_people(
        actor=personas.bertil, unit=personas.ame, count=3, start=timezone.localdate() - timedelta(days=30)
    )
    rows = provider_rows([person for person, _ in placed], activity.code, past_days(2))
    rows.append(["19900101-0000", activity.code, past_days(1)[0].isoformat(), "närvarande", "", ""])
    rows.append([placed[0][0].identity.formatted, "OKÄND", past_days(1)[0].isoformat(), "kanske", "", ""])
    upload = tmp_path / "narvaro.csv"
    upload.write_bytes(csv_file(rows).getvalue())
    login(page, "bertil", then="/narvaro/import/")
    assert_no_axe_violations(page, "attendance import upload page")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "attendance import without a file")
    page.locator("input[type=file]").set_input_files(str(upload))
    submit(page)
    expect(page.locator("main")).to_contain_text("Importen är klar.")
    expect(page.locator("main table").last).to_contain_text("OKÄND")
    assert_no_axe_violations(page, "attendance import batch with rejected lines")


@checks("participant", "benefit_application_new", "benefit_application")
def test_registering_calculating_and_deciding_an_application_have_no_violations(
    page: Page, personas: Personas
) -> None:
    benefit_data.household(personas)
    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/")
    section = page.locator("section[aria-labelledby=benefits-title]")
    expect(section).to_contain_text("Inga ansökningar, beslut eller nedsättningar.")
    assert_no_axe_violations(page, "overview with an empty economic assistance section")
    section.get_by_role("link", name="Registrera ansökan").click()
    expect(page.get_by_role("group", name="Kostnad 1")).to_be_visible()
    assert_no_axe_violations(page, "register application, blank")
    page.get_by_role("group", name="Kostnad 2").get_by_label("Belopp (kr/månad)").fill("500")
    page.get_by_role("button", name="Registrera ansökan").click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "register application with errors (month missing, a row without a kind)")

    application = benefit_data.application(personas)
    page.goto(f"/ekonomi/ansokningar/{application.pk}/")
    expect(page.get_by_role("button", name="Räkna", exact=True)).to_be_visible()
    assert_no_axe_violations(page, "application, not calculated")
    page.get_by_role("button", name="Räkna", exact=True).click()
    expect(page.locator("section[aria-labelledby=calculation-title] tbody tr").first).to_be_visible()
    assert_no_axe_violations(page, "application with its calculation and the decision form")
    page.get_by_role("button", name="Fatta beslut").click()
    expect_error_summary(page)
    expect(page.locator("#id_reasons_1_error")).to_be_visible()
    assert_no_axe_violations(page, "decision form with an item's reasons missing")

    projected = benefit_data.application(personas, month=date(2026, 2, 1))
    benefits.calculate_application(actor=personas.anna, application=projected)
    page.goto(f"/ekonomi/ansokningar/{projected.pk}/")
    expect(page.locator(".warning")).to_contain_text("Ett verkligt beslut kan inte fattas på den.")
    assert_no_axe_violations(page, "application calculated on a projected norm")
    page.goto(f"/deltagare/{personas.lina.pk}/")
    expect(section.locator("tbody tr")).to_have_count(2)
    assert_no_axe_violations(page, "overview with applications")


@checks("benefit_decision", "participant")
def test_a_decision_its_notification_and_appeals_have_no_violations(page: Page, personas: Personas) -> None:
    benefit_data.household(personas)
    decision = benefit_data.decided(personas)
    login(page, "anna", then=f"/ekonomi/beslut/{decision.pk}/")
    expect(page.locator("main")).to_contain_text("lagrum ej kontrollerat")
    assert_no_axe_violations(page, "decision, not notified")
    page.get_by_label("Delgivningsdatum").fill("2020-01-01")
    page.get_by_role("button", name="Registrera delgivning").click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "decision with the notification date refused")
    page.get_by_label("Delgivningsdatum").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Registrera delgivning").click()
    expect(page.locator("section[aria-labelledby=notified-title]")).to_contain_text("Sista dag att överklaga")
    late = timezone.localdate() + timedelta(weeks=4)
    decision.refresh_from_db()  # notified through the page
    benefits.register_appeal(actor=personas.anna, decision=decision, received_on=timezone.localdate())
    benefits.register_appeal(
        actor=personas.anna, decision=decision, received_on=late, text="Jag vill ha hela hyran."
    )
    page.reload()
    expect(page.locator("article.appeal")).to_have_count(2)
    expect(page.locator("article.appeal .flag")).to_have_text("Nej, för sent")
    assert_no_axe_violations(page, "decision with an appeal in time and a late one, each with its form")
    page.locator("article.appeal").first.get_by_role("button").click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "decision with an appeal's form with errors")
    page.goto(f"/deltagare/{personas.lina.pk}/")
    expect(page.locator("section[aria-labelledby=benefits-title]")).to_contain_text("Delvis bifall")
    assert_no_axe_violations(page, "overview with a decision")


@checks("start", "benefit_reduction_new", "benefit_reduction")
def test_proposing_communicating_and_deciding_a_reduction_have_no_violations(
    page: Page, personas: Personas
) -> None:
    benefit_data.household(personas)
    tasks = benefit_data.absences(personas)
    login(page, "anna")
    link = page.get_by_role("link", name=re.compile("^Föreslå nedsättning")).first
    expect(link).to_be_visible()
    assert_no_axe_violations(page, "start page with absences a reduction can be proposed for")
    link.click()
    expect(page.locator("section[aria-labelledby=norm-title]")).to_contain_text("De vuxnas del av normen")
    assert_no_axe_violations(page, "propose a reduction, blank")
    page.get_by_role("button", name="Spara förslaget").click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "propose a reduction with errors")
    page.goto(f"/ekonomi/nedsattningar/ny/?task={tasks[0].pk}&month=2027-01")
    expect(page.locator("section[aria-labelledby=norm-title]")).to_contain_text("Det finns ingen riksnorm")
    assert_no_axe_violations(page, "propose a reduction for a month without a norm")
    response = page.goto("/ekonomi/nedsattningar/ny/")
    assert response is not None and response.status == 404
    assert_no_axe_violations(page, "propose a reduction without an absence (404)")

    reduction = benefit_data.proposed(personas, tasks)
    page.goto(f"/ekonomi/nedsattningar/{reduction.pk}/")
    assert_no_axe_violations(page, "reduction proposed, with the kommunicering form")
    page.get_by_label("Svara senast").fill("2000-01-01")
    page.get_by_role("button", name="Registrera kommuniceringen").click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "kommunicering refused (deadline before the letter)")
    benefit_data.communicated(personas, reduction, days_ago=20)
    page.reload()
    expect(page.get_by_role("button", name="Inget svar kom")).to_be_visible()
    assert_no_axe_violations(page, "reduction communicated, waiting for a reply past the deadline")
    page.get_by_role("button", name="Inget svar kom").click()
    expect(page.get_by_label("Nedsättning (kr)")).to_be_visible()
    page.get_by_label("Nedsättning (kr)").fill("100000")
    page.get_by_role("button", name="Fatta beslut om nedsättning").click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "reduction decision with errors")
    page.get_by_label("Nedsättning (kr)").fill("100")
    page.get_by_label("Motivering").fill("Inget svar kom inom tiden.")
    page.get_by_role("button", name="Fatta beslut om nedsättning").click()
    expect(page.locator("h1")).to_contain_text("Nedsättning av försörjningsstöd")
    page.goto(f"/ekonomi/nedsattningar/{reduction.pk}/")
    expect(page.locator(".lead")).to_contain_text("Beslutad")
    assert_no_axe_violations(page, "reduction decided")
    dropped = benefits.drop_reduction(
        actor=personas.anna,
        reduction=benefits.propose_reduction(
            actor=personas.anna,
            tasks=tasks,
            month=date(2023, 5, 1),
            basis="belopp",
            amount=100,
            reasons="Frånvaro.",
        ),
        reason="Läkarintyg kom in.",
    )
    page.goto(f"/ekonomi/nedsattningar/{dropped.pk}/")
    expect(page.locator("section[aria-labelledby=dropped-title]")).to_contain_text("Läkarintyg")
    assert_no_axe_violations(page, "reduction dropped")


@checks("benefits", "payment_runs", "payment_run", "benefit_rules", "benefit_whatif", "start")
def test_payment_runs_local_rules_and_the_what_if_have_no_violations(
    page: Page, other_page: Page, personas: Personas, settings: Any, tmp_path: Path
) -> None:
    settings.EGENMAKT_PAYMENT_DIR = str(tmp_path)
    benefit_data.household(personas)
    benefit_data.decided(personas)
    benefit_data.application(personas, month=date(2023, 4, 1))
    login(page, "anna")
    expect(page.locator("section[aria-labelledby=waiting-title] tbody tr")).to_have_count(1)
    assert_no_axe_violations(page, "start page with a waiting application")
    page.get_by_role("navigation").get_by_role("link", name="Ekonomi").click()
    expect(page.locator("h1")).to_have_text("Ekonomiskt bistånd")
    assert_no_axe_violations(page, "the Ekonomi page")
    page.get_by_role("link", name="Utbetalningar").click()
    assert_no_axe_violations(page, "payment runs, none yet")
    page.get_by_label("Månad").fill("2023-03")
    page.get_by_label("Utbetalningsdag").fill("2020-01-01")
    page.get_by_role("button", name=re.compile("^Förbered körningen")).click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "payment runs with the prepare form's error")
    run = benefit_data.prepared_run(personas)
    page.goto(f"/ekonomi/utbetalningar/{run.pk}/")
    expect(page.locator("main")).to_contain_text("Du förberedde körningen.")
    assert_no_axe_violations(page, "a prepared run, seen by the one who prepared it")
    login(other_page, "cecilia", then=f"/ekonomi/utbetalningar/{run.pk}/")
    other_page.get_by_role("button", name="Godkänn körningen").click()
    expect(other_page.get_by_role("button", name="Betala ut")).to_be_visible()
    assert_no_axe_violations(other_page, "an approved run")
    other_page.get_by_role("button", name="Betala ut").click()
    expect(other_page.get_by_role("link", name=re.compile("CSV"))).to_be_visible()
    assert_no_axe_violations(other_page, "a paid run with its files")
    other_page.goto("/ekonomi/utbetalningar/")
    assert_no_axe_violations(other_page, "payment runs with a paid run")

    page.goto("/ekonomi/regler/")
    expect(page.locator("main")).to_contain_text("Projektion")
    assert_no_axe_violations(page, "local rules and riksnorm tables, read only")
    other_page.goto("/ekonomi/regler/")
    assert_no_axe_violations(other_page, "local rules as the unit manager, with the forms")
    other_page.get_by_role("button", name="Spara kostnadstaket").click()
    expect_error_summary(other_page)
    assert_no_axe_violations(other_page, "local rules, the cap form with errors")
    other_page.get_by_label("Betalarens IBAN").fill("SE00 1234")
    other_page.get_by_role("button", name="Spara reglerna").click()
    expect(other_page.locator("#id_rules-payer_iban_error")).to_be_visible()
    assert_no_axe_violations(other_page, "local rules, the rules form with an invalid IBAN")

    benefit_data.more_households(personas, 5)
    other_page.goto("/ekonomi/vad-om/")
    assert_no_axe_violations(other_page, "what-if, blank")
    other_page.get_by_label("Ändring av normen i procent").fill("2")
    other_page.get_by_label("Eller: ett annat års riksnorm").fill("2021")
    other_page.get_by_role("button", name="Räkna").click()
    expect_error_summary(other_page)
    assert_no_axe_violations(other_page, "what-if with errors")
    other_page.get_by_label("Månad").fill("2023-03")
    other_page.get_by_label("Eller: ett annat års riksnorm").fill("")
    other_page.get_by_role("button", name="Räkna").click()
    expect(other_page.locator("section[aria-labelledby=result-title]")).to_contain_text("Hushåll som får mer")
    assert_no_axe_violations(other_page, "what-if with a result")


@checks("outcomes", "exit_new", "exit_follow_up", "outcomes_people")
def test_an_exit_its_follow_up_and_the_outcomes_page_have_no_violations(
    page: Page, personas: Personas
) -> None:
    case = personas.lina_case
    case.opened_on = timezone.localdate() - timedelta(days=400)
    case.save()
    # Lina had assistance for the three months before the exit below.
    benefit_data.household(personas)
    case.refresh_from_db()
    household = case.household
    assert household is not None
    for back in (3, 2, 1):
        month = (timezone.localdate() - timedelta(days=200 + 30 * back)).replace(day=1)
        Decision.objects.create(
            kind=DecisionKind.BISTAND,
            case=case,
            household=household,
            participant=personas.lina,
            month=month,
            period_start=month,
            period_end=month.replace(day=28),
            law_version="SoL2025",
            amount=5000,
            decided_by=personas.anna,
        )
    login(page, "anna", then=f"/deltagare/{personas.lina.pk}/")
    page.get_by_role("link", name=re.compile("^Registrera avslut")).click()
    assert_no_axe_violations(page, "the exit form")
    page.get_by_role("button", name="Avsluta ärendet").click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "the exit form with errors")
    page.get_by_label("Avslutsdatum").fill((timezone.localdate() - timedelta(days=200)).isoformat())
    page.get_by_label("Vart går personen?").select_option("arbete")
    page.get_by_role("button", name="Avsluta ärendet").click()
    expect(page.locator(".messages")).to_contain_text("Avslutet är registrerat")
    expect(page.locator("main")).to_contain_text("Uppföljning efter avslut")
    assert_no_axe_violations(page, "the participant page with an exit and its follow-ups")
    page.get_by_role("link", name=re.compile("uppföljning efter 3 månader")).click()
    assert_no_axe_violations(page, "the follow-up form")
    page.get_by_label("Var är personen nu?").select_option("studier")
    page.get_by_label("Hur vet du det?").select_option("samtal")
    page.get_by_role("button", name="Spara uppföljningen").click()
    expect(page.locator(".messages")).to_contain_text("Uppföljningen är registrerad")

    login(page, "alva", then="/utfall/")
    assert_no_axe_violations(page, "the outcomes page before any report")
    page.get_by_role("button", name="Uppdatera och beräkna").click()
    expect(page.locator(".messages")).to_contain_text("Utfallen är beräknade")
    # One person: every cell is under 5 and shows as a dash, in the table and the chart alike.
    overview = page.locator("section[aria-labelledby=overview-title] tbody")
    expect(overview).to_contain_text("Arbete eller studier 90 dagar efter avslut")
    expect(overview.locator("td").first).to_have_text("–")
    expect(page.locator("svg[aria-labelledby^=breakdown-chart]")).to_be_visible()
    assert_no_axe_violations(page, "the outcomes page with a report")
    page.locator("#id_indicator").select_option("langvarigt_bistand")
    page.locator("#id_dimension").select_option("sex")
    page.get_by_role("button", name="Visa").click()
    expect(page.locator("section[aria-labelledby=breakdown-title] caption")).to_contain_text("Kön")
    assert_no_axe_violations(page, "the outcomes page broken down by sex")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ned som Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    # The analyst has no way to the people behind a figure; the unit manager, who works with them, has.
    expect(page.get_by_role("link", name=re.compile("^Visa personer"))).to_have_count(0)
    login(page, "cecilia", then="/utfall/?dimension=cohort")
    page.get_by_role("link", name=re.compile("^Visa personer")).first.click()
    expect(page.locator("h1")).to_have_text("Personerna bakom siffran")
    expect(page.locator("tbody")).to_contain_text("Lina Lund")
    assert_no_axe_violations(page, "the people behind a cell, for the unit manager")


@checks("goals", "goal_new", "goal", "goal_edit", "commitments", "commitment_new", "commitment")
def test_goals_and_commitments_have_no_violations_blank_with_errors_and_measured(
    page: Page, personas: Personas
) -> None:
    login(page, "cecilia", then="/mal/")
    assert_no_axe_violations(page, "goals, none yet")
    page.get_by_role("link", name="Nytt mål").click()
    page.wait_for_url("**/mal/ny/")
    assert_no_axe_violations(page, "new goal, blank")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "new goal with errors")
    page.locator("#id_title").fill("Färre med långvarigt bistånd")
    page.locator("#id_indicator").select_option(LONG_TERM)
    page.get_by_label("Lägre är bättre").check()
    page.locator("#id_baseline").fill("40")
    page.locator("#id_target").fill("30")
    page.locator("#id_deadline").fill("2030-12-31")
    submit(page)
    expect(page.locator(".messages")).to_contain_text("Målet är sparat")
    expect(page.locator("#measurements tbody")).to_contain_text("inte mätt ännu")
    assert_no_axe_violations(page, "a goal not measured yet")

    # Measured this month: 35 of 100 on long-term assistance, halfway from 40 % to 30 %.
    store_report([ShareRow(LONG_TERM, "alla", "alla", 35, 100)])
    goals.snapshot_goals(actor=None, month=timezone.localdate())
    page.reload()
    expect(page.locator("#progress")).to_contain_text("50 % av vägen")
    expect(page.locator("svg[aria-labelledby^=goal-chart] circle.point")).to_have_count(1)
    assert_no_axe_violations(page, "a measured goal with its chart and table")
    page.get_by_role("link", name="Ändra målet").click()
    page.wait_for_url("**/andra/")
    assert_no_axe_violations(page, "edit goal")
    page.locator("#id_target").fill("50")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "edit goal with errors")
    page.goto("/mal/")
    expect(page.locator("main tbody tr")).to_have_count(1)
    assert_no_axe_violations(page, "goals with one goal")

    page.get_by_role("link", name="Vallöften och uppdrag").click()
    page.wait_for_url("**/uppdrag/")
    assert_no_axe_violations(page, "commitments, none yet")
    page.get_by_role("link", name="Nytt vallöfte eller uppdrag").click()
    page.wait_for_url("**/uppdrag/ny/")
    assert_no_axe_violations(page, "new commitment, blank")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "new commitment with errors")
    page.get_by_label("Vallöfte", exact=True).check()
    page.locator("#id_text").fill("Alla unga ska erbjudas en insats inom 30 dagar.")
    page.locator("#id_responsible").fill("Socialnämnden")
    page.locator("#id_source_title").fill("Mål och budget 2026")
    page.get_by_label("Färre med långvarigt bistånd").check()
    submit(page)
    expect(page.locator("#current-status")).to_contain_text("Ej påbörjad")
    assert_no_axe_violations(page, "a commitment with its history and status form")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "a commitment with the status form's errors")
    page.locator("#id_status").select_option("pagar")
    page.locator("#id_comment").fill("Ungdomsteamet har startat.")
    submit(page)
    expect(page.locator("#history tbody tr")).to_have_count(2)
    page.goto("/uppdrag/")
    expect(page.locator("main")).to_contain_text("Ungdomsteamet har startat.")
    assert_no_axe_violations(page, "commitments with one commitment and its figures")
    # A caseworker of the municipality sees both pages, without the forms.
    login(page, "anna", then="/uppdrag/")
    page.locator("main h2 a").first.click()
    expect(page.locator("#id_comment")).to_have_count(0)
    assert_no_axe_violations(page, "a commitment seen by a caseworker")


@checks("review_queue", "review_new", "signals")
def test_the_review_queue_the_review_form_and_the_signals_have_no_violations(
    page: Page, personas: Personas
) -> None:
    months_on_assistance(personas.lina, personas.eb, timezone.localdate().year - 1, 11)
    login(page, "cecilia", then="/arendedragning/")
    expect(page.locator("#queue tbody")).to_contain_text("Ingen i kön")
    assert_no_axe_violations(page, "review queue, every rule off")
    kind = RuleKind.UNGA_UTAN_INSATS
    page.locator(f"#id_{kind}-active").check()
    page.locator(f"#id_{kind}-min_age").fill("30")
    page.locator(f"#id_{kind}-max_age").fill("20")
    page.locator(f"form:has(#id_{kind}-active) button[type=submit]").click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "review queue with a rule's errors")
    page.locator("#id_langvarigt-active").check()
    page.locator("form:has(#id_langvarigt-active) button[type=submit]").click()
    expect(page.locator("#queue tbody")).to_contain_text("11 månader med försörjningsstöd")
    assert_no_axe_violations(page, "review queue with a person and the reasons")

    page.locator("#queue tbody a", has_text="Lina Lund").click()
    expect(page.locator("#reasons")).to_contain_text("Långvarigt ekonomiskt bistånd")
    assert_no_axe_violations(page, "review form, blank")
    page.locator("#id_conclusions").fill("")
    submit(page)
    expect_error_summary(page)
    assert_no_axe_violations(page, "review form with errors")
    page.get_by_label("Anna Andersson").check()
    page.locator("#id_conclusions").fill("Lina vill börja studera.")
    page.locator("#id_next_step").fill("Anna bokar studievägledning.")
    submit(page)
    expect(page.locator(".messages")).to_contain_text("journal")
    expect(page.locator("#queue tbody")).not_to_contain_text("Lina Lund")

    switch_on(personas.cecilia, personas.eb, RuleKind.SIGNAL_EJ_DIGITAL)
    page.goto("/signaler/")
    expect(page.locator("main")).to_contain_text("Ingen e-postadress registrerad.")
    assert_no_axe_violations(page, "signals with one signal")
    page.get_by_label("Avfärdad").check()
    page.locator("main form button[type=submit]").first.click()
    expect_error_summary(page)
    assert_no_axe_violations(page, "signals with a dismissal without a reason")
    page.get_by_label("Anteckning eller skäl").fill("Lina hämtar sin post hos sin syster.")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#no-signals")).to_be_visible()
    assert_no_axe_violations(page, "signals, none")
