"""Every page of the UI, in every state a user meets, passes axe-core's WCAG 2.1 A and AA rules.

Each test says which pages (URL names) it checks with `@checks`; after the test, a fixture makes sure axe
really ran on each of them. The last test computes the pages from the URL resolver, so a new page
without an axe check here fails the suite.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import URLPattern, reverse
from playwright.sync_api import Page, expect

from egenmakt.access import reads
from egenmakt.test import Personas, valid_pnr
from egenmakt.web import urls as web_urls
from egenmakt.web.tests import browser
from egenmakt.web.tests.browser import (
    assert_no_axe_violations,
    login,
    register_with_case,
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


def _serves_a_page(response: Any) -> bool:
    """An HTML page (any status a user may meet, 403 and 404 included), not a redirect, JSON or a 405."""
    return (
        response.status_code != 405
        and not 300 <= response.status_code < 400
        and response["Content-Type"].startswith("text/html")
    )


def test_every_page_in_the_web_urls_is_checked_by_axe(personas: Personas) -> None:
    """A route that answers GET with an HTML page, anonymously or for a caseworker, needs a test above."""
    anonymous, caseworker = Client(), Client()
    caseworker.force_login(personas.anna)
    pages = set()
    for pattern in web_urls.urlpatterns:
        assert isinstance(pattern, URLPattern) and pattern.name, f"unnamed or nested route: {pattern}"
        kwargs = {name: personas.lina.pk for name in pattern.pattern.converters}
        url = reverse(pattern.name, kwargs=kwargs)
        if any(_serves_a_page(client.get(url)) for client in (anonymous, caseworker)):
            pages.add(pattern.name)
    checked = set().union(*(getattr(test, CHECKS_ATTRIBUTE, frozenset()) for test in globals().values()))
    assert pages, "found no pages in egenmakt/web/urls.py"
    assert not pages - checked, f"pages without an axe check in this module: {sorted(pages - checked)}"
