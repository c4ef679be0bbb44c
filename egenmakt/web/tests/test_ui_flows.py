"""Keyboard use and whole flows in the real browser: what axe-core cannot judge on its own."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from egenmakt.cases.models import Case
from egenmakt.people.models import Participant
from egenmakt.test import Personas, valid_pnr
from egenmakt.web.tests.browser import login, register_with_case

pytestmark = pytest.mark.browser

ACTIVE_ELEMENT = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return {
        tag: element.tagName.toLowerCase(),
        id: element.id,
        className: element.className,
        text: (element.innerText || element.value || '').trim().slice(0, 40),
        outlineStyle: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth),
    };
}"""


def active(page: Page) -> dict[str, str | float]:
    result: dict[str, str | float] = page.evaluate(ACTIVE_ELEMENT)
    return result


def test_the_first_tab_focuses_the_skip_link_which_moves_focus_to_main(
    page: Page, personas: Personas
) -> None:
    login(page, "anna")  # a freshly loaded start page: nothing has focus yet
    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    expect(page).to_have_url(re.compile(r"#main$"))


def test_focus_is_visible_on_every_link_and_button_reached_with_tab(page: Page, personas: Personas) -> None:
    login(page, "anna")
    seen: list[dict[str, str | float]] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        element = active(page)
        if element["tag"] == "body" or (seen and element == seen[0]):
            break  # past the last focusable element
        seen.append(element)
    assert {"a", "button"} <= {str(element["tag"]) for element in seen}, seen
    invisible = [e for e in seen if e["outlineStyle"] == "none" or not float(e["outlineWidth"])]
    assert not invisible, f"focus is not visible on: {invisible}"


def test_a_form_with_errors_focuses_the_error_summary_whose_links_focus_the_fields(
    page: Page, personas: Personas
) -> None:
    login(page, "anna")
    page.goto("/deltagare/ny/")
    page.locator("#id_first_name").fill("Lina")
    page.locator("main form button[type=submit]").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text("Det finns fel i formuläret")
    links = summary.locator("a")
    hrefs = [str(links.nth(i).get_attribute("href")) for i in range(links.count())]
    assert hrefs == ["#id_identity_value", "#id_last_name"], hrefs

    # From the summary, the keyboard reaches the first link; following it puts focus in the field.
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_identity_value")).to_be_focused()
    links.nth(1).click()
    last_name = page.locator("#id_last_name")
    expect(last_name).to_be_focused()
    # The field itself says it is wrong and why, for screen readers too.
    expect(last_name).to_have_attribute("aria-invalid", "true")
    expect(last_name).to_have_attribute("aria-describedby", "id_last_name_error")
    expect(page.locator("#id_last_name_error")).to_be_visible()


def test_a_caseworker_registers_a_new_participant_through_the_form_and_lands_on_their_page(
    page: Page, personas: Personas
) -> None:
    identity = valid_pnr("19900303", "123")
    login(page, "anna")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Registrera deltagare").click()
    expect(page.locator("h1")).to_have_text("Registrera deltagare")
    page.get_by_label("Personnummer, samordningsnummer eller reservnummer").fill(identity)
    page.get_by_label("Förnamn").fill("Mohammed")
    page.get_by_label("Efternamn").fill("Abdullahi")
    page.get_by_label("Födelseland").select_option(label="Somalia")
    page.get_by_label("somaliska").check()
    page.get_by_label("Behöver tolk").check()
    page.get_by_label("Tolkspråk").select_option(label="somaliska")
    page.get_by_role("button", name="Registrera").click()

    participant = Participant.objects.get(identity_value=identity.replace("-", ""))
    expect(page).to_have_url(re.compile(rf"/deltagare/{participant.pk}/$"))
    expect(page.locator("h1")).to_have_text("Mohammed Abdullahi")
    expect(page.locator(".messages")).to_contain_text("Mohammed Abdullahi är registrerad")
    expect(page.locator("main")).to_contain_text("Ja, somaliska")
    case = Case.objects.get(participant=participant)
    assert (case.unit, case.responsible) == (personas.eb, personas.anna)


def test_the_search_finds_a_participant_whose_name_is_spelled_another_way(
    page: Page, personas: Personas
) -> None:
    muhammad = register_with_case(personas, "Muhammad", "Hassan", valid_pnr("19880808", "357"))
    login(page, "anna")
    page.goto("/deltagare/")
    page.get_by_label("Sök på namn eller personnummer").fill("Mohammed Hasan")
    page.get_by_role("button", name="Sök", exact=True).click()
    result = page.locator("#results").get_by_role("link", name="Muhammad Hassan")
    expect(result).to_be_visible()
    expect(page.locator("#results h2")).to_have_text("1 träff")
    result.click()
    expect(page).to_have_url(re.compile(rf"/deltagare/{muhammad.pk}/$"))


def test_users_of_other_units_get_the_404_page_for_a_participant_s_address(
    page: Page, personas: Personas
) -> None:
    # Bertil works in another unit of Lina's municipality, Gustav in another municipality.
    for username in ["bertil", "gustav"]:
        login(page, username)
        response = page.goto(f"/deltagare/{personas.lina.pk}/")
        assert response is not None and response.status == 404, username
        expect(page.locator("h1")).to_have_text("Sidan finns inte")
        expect(page.locator("main")).not_to_contain_text("Lina")
        # The same page as for a participant who does not exist: the answer does not reveal that Lina does.
        shown = page.locator("main").inner_text()
        missing = page.goto("/deltagare/999999999/")
        assert missing is not None and missing.status == 404, username
        assert page.locator("main").inner_text() == shown, username
