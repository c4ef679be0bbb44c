"""Browser test fixtures: Debian's headless Chromium driven by Playwright against pytest-django's live server.

Playwright never downloads a browser here: the session launches /usr/bin/chromium (Debian's package).
One browser per session, a fresh context (cookies, storage) per test. Accessibility is checked with the
vendored axe-core, restricted to the WCAG 2.0/2.1 A and AA rules.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from egenmakt.accounts.models import Role, User
from egenmakt.cases.models import CaseType
from egenmakt.cases.services import register_participant
from egenmakt.collaboration import referrals, sip
from egenmakt.collaboration.models import SipPlan
from egenmakt.consent.models import Consent, ConsentForm
from egenmakt.consent.services import ConsentTerms, record_consent
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation
from egenmakt.people.models import Participant
from egenmakt.people.services import grant_protected_access
from egenmakt.test import PASSWORD, Personas, details, make_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
]
AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"
# Milliseconds; a local live server answers in far less. Failing fast keeps a broken run short.
TIMEOUT_MS = 10_000

# The URL names (namespaced, as in `resolve(path).view_name`) of every page axe has checked in this
# process. test_accessibility compares them with what each test says it covers.
axe_checked_url_names: set[str] = set()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}: install Debian's chromium: "
            "apt-get install chromium",
            pytrace=False,
        )
    # Playwright's sync API drives an asyncio event loop on the test thread (through greenlets). From the
    # moment it starts until the session ends, asyncio sees a running loop on that thread, so Django's
    # async-safety guard would refuse every ORM call the tests make themselves (creating personas,
    # checking results), in browser tests and in any test that runs after one. The guard is there to
    # catch ORM calls from inside coroutines; ours are plain blocking calls made while Playwright waits,
    # never concurrently with the loop, so turning it off is safe. The live server runs Django in its
    # own thread, where no loop runs, and is unaffected.
    # It is set here, when the loop starts, rather than at import, and unset at the end: subprocesses
    # inherit the environment, and `manage.py check --deploy` (egenmakt/tests/test_settings.py) rightly
    # fails when it sees the variable. conftest.py runs the browser tests after all others for this.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            del os.environ[ASYNC_UNSAFE]
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed English catalogue, compiled into a temporary folder once per session.

    The .mo that `make messages` writes is not committed and may be older than the .po; pages in English
    should show the catalogue as it is now (as egenmakt/tests/test_translations.py does).
    """
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail(
            "The browser tests need msgfmt (Debian's gettext) to compile the catalogue", pytrace=False
        )
    locale = tmp_path_factory.mktemp("locale")
    compiled = locale / "en" / "LC_MESSAGES" / "django.mo"
    compiled.parent.mkdir(parents=True)
    subprocess.run([msgfmt, "--check", "-o", str(compiled), str(CATALOGUE)], check=True)  # noqa: S603
    return locale


@pytest.fixture
def committed_catalogue(settings: Any, compiled_locale: Path) -> None:
    """Django (and the live server's thread, in this process) translates from the compiled catalogue.

    Changing LOCALE_PATHS makes Django drop its cached catalogues, on entry and when the test ends.
    """
    settings.LOCALE_PATHS = [str(compiled_locale)]


def _new_context(browser: Browser, base_url: str) -> BrowserContext:
    """A context in Swedish (the source language), aimed at the live server.

    Reduced motion: axe then sees colours as they end up, never half-way through a transition.
    """
    context = browser.new_context(
        base_url=base_url, locale="sv-SE", timezone_id="Europe/Stockholm", reduced_motion="reduce"
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser: Browser, live_server: Any, committed_catalogue: None) -> Iterator[Page]:
    """A fresh browser context per test (cookies, storage), aimed at the live server."""
    context = _new_context(browser, live_server.url)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def other_page(browser: Browser, live_server: Any, committed_catalogue: None) -> Iterator[Page]:
    """A second, separate browser context: another person at another computer, logged in at once."""
    context = _new_context(browser, live_server.url)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def anonymous_page(browser: Browser, live_server: Any, committed_catalogue: None) -> Iterator[Page]:
    """A third context, never logged in: someone without an account (a referral's recipient)."""
    context = _new_context(browser, live_server.url)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files (scanned consent forms) go to a temporary directory, never into the repository.

    The live server runs in a thread of this process, so it sees the overridden setting too.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def personas(transactional_db: None) -> Personas:
    """The shared personas, created in the test database the live server reads (hence transactional)."""
    return Personas()


def login(page: Page, username: str, *, then: str = "/", password: str = PASSWORD) -> None:
    """Log a persona in through the real login form and wait for the page `then` (the start page).

    Whoever was logged in before is forgotten first (the browser context's cookies are cleared). The
    form gets `then` as its `next`, as when Django sends someone to log in on the way to a page.
    """
    page.context.clear_cookies()
    page.goto(f"/logga-in/?{urlencode({'next': then})}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    try:
        page.wait_for_url(lambda url: urlsplit(url).path == urlsplit(then).path)
    except PlaywrightTimeoutError:
        raise AssertionError(f"{username} could not log in and reach {then}: {page.url}") from None


def url_name(page: Page) -> str | None:
    """The namespaced URL name of the page the browser shows, or None for a path that resolves nowhere."""
    try:
        return resolve(urlsplit(page.url).path).view_name
    except Resolver404:
        return None


def axe_violations(page: Page, *, include: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page (or only inside the `include` selector) for WCAG 2.1 A and AA."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result: dict[str, Any] = page.evaluate(
        """async ([context, tags]) => await axe.run(context ?? document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })""",
        [include, WCAG_TAGS],
    )
    return list(result["violations"])


def format_violations(violations: list[dict[str, Any]], label: str, url: str) -> str:
    lines = [f"axe-core found {len(violations)} WCAG 2.1 A/AA violation(s) on {label} ({url}):"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact') or 'unknown'}]: {violation['help']} "
            f"({violation.get('helpUrl', '')})"
        )
        for node in violation["nodes"]:
            # A target lists one selector per frame (joined with " >>> "); a selector inside shadow DOM is
            # itself a list, host first (joined with " >> ").
            target = " >>> ".join(
                " >> ".join(part) if isinstance(part, list) else str(part) for part in node["target"]
            )
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, label: str, *, include: str | None = None) -> None:
    """Fail with each violation's id, impact, help and failing nodes; record the page as checked."""
    violations = axe_violations(page, include=include)
    name = url_name(page)
    if name is not None:
        axe_checked_url_names.add(name)
    assert not violations, format_violations(violations, label, page.url)


def register_with_case(
    personas: Personas, first: str, last: str, identity: str, *, protected: bool = False
) -> Participant:
    """A participant with an open case at Anna's unit (ekonomiskt bistånd), Anna responsible.

    A participant with protected identity gets Anna as named staff, or she could not see them.
    """
    case = register_participant(
        actor=personas.anna,
        details=details(identity, first, last, protected_identity=protected),
        unit=personas.eb,
        case_type=CaseType.EKONOMISKT_BISTAND,
    )
    if protected:
        grant_protected_access(
            actor=personas.anna,
            participant=case.participant,
            user=personas.anna,
            reason="Ansvarig handläggare",
        )
    return case.participant


def tiny_pdf(text: str = "Samtycke") -> bytes:
    """A small, well-formed one-page PDF (a stand-in for a scanned, signed consent form)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def give_consent(
    actor: User,
    participant: Participant,
    recipients: list[Organisation],
    *,
    written: bool = False,
    categories: list[str] | None = None,
    purpose: str = "Stöd att hitta arbete",
) -> Consent:
    """A consent recorded through the service, as a caseworker would: oral, or written with a PDF."""
    today = timezone.localdate()
    return record_consent(
        actor=actor,
        participant=participant,
        terms=ConsentTerms(
            recipients=recipients,
            categories=categories or [DataCategory.GRUNDUPPGIFTER],
            purpose=purpose,
            form=ConsentForm.SKRIFTLIGT if written else ConsentForm.MUNTLIGT,
            valid_from=today,
            valid_to=today + timedelta(days=180),
            heard_by="" if written else str(actor),
            document=SimpleUploadedFile("samtycke.pdf", tiny_pdf(), "application/pdf") if written else None,
        ),
    )


def send_referral(
    personas: Personas,
    *,
    recipient_email: str = "mottagare@arbetsformedlingen.example",
    question: str = "Lina vill ha stöd att söka arbete inom vården.",
) -> referrals.SentReferral:
    """Anna sends a referral about Lina to Arbetsförmedlingen (a consent naming it must exist).

    With a recipient e-mail it has a one-time answer link (`answer_path`), as a recipient without an
    account gets it.
    """
    return referrals.send_referral(
        actor=personas.anna,
        participant=personas.lina,
        from_unit=personas.eb,
        to_organisation=personas.af,
        question=question,
        contact="Anna Andersson, 010-123 45 67",
        recipient_email=recipient_email,
    )


def hold_sip(personas: Personas, parties: list[Organisation]) -> SipPlan:
    """Anna's SIP meeting for Lina today, Exempelkommun with the overall responsibility.

    Parties other than Exempelkommun need a consent to plan och insatser.
    """
    today = timezone.localdate()
    return sip.create_sip(
        actor=personas.anna,
        participant=personas.lina,
        meeting=sip.SipMeeting(
            meeting_date=today,
            attendees="Lina Lund\nAnna Andersson, Exempelkommun\nPia Persson, Arbetsförmedlingen",
            parties=parties,
            overall_responsible=personas.kommun,
            next_follow_up=today + timedelta(days=60),
            meeting_place="Medborgarkontoret",
            own_words="Jag vill jobba inom vården.",
        ),
    )


def grannkommun_manager(personas: Personas) -> User:
    """Greta, enhetschef of Gustav's unit in Grannkommun: she reviews his emergency accesses."""
    return make_user("greta", "Greta", "Grönlund", personas.grann_eb, Role.ENHETSCHEF)
