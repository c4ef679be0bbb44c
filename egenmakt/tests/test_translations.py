"""English is a complete translation: every Swedish text in the code and templates has an English one.

Swedish is the source language, so every msgid is Swedish. The English catalogue,
egenmakt/locale/en/LC_MESSAGES/django.po, is committed; its compiled .mo is not (`make messages` builds it).
After adding or changing a text, update the catalogue with MAKEMESSAGES (below), translate the new
entries and remove any "fuzzy" flag msgmerge added.

The .po files are read with the small parser below rather than a new dependency: it only needs the
msgids, msgstrs and flags of files that gettext's own tools wrote. msgfmt, which the project already
needs to compile the catalogue, checks the rest (placeholders, plural forms, the header).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from egenmakt.organisations.models import Organisation, Unit
from egenmakt.people import target_groups
from egenmakt.test import BaseTestCase

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE_PATH = Path("egenmakt", "locale", "en", "LC_MESSAGES", "django.po")
CATALOGUE = ROOT / CATALOGUE_PATH
# File references without line numbers: translators see where a text is used, diffs do not churn.
MAKEMESSAGES_OPTIONS = [
    "--add-location=file",
    "--no-obsolete",
    "--ignore=.venv",
    "--ignore=node_modules",
    "--ignore=tests",  # test modules mark no texts for translation; this also skips the vendored axe-core
]
MAKEMESSAGES = "DEBUG=1 .venv/bin/python manage.py makemessages -l en " + " ".join(MAKEMESSAGES_OPTIONS)

Key = tuple[str, str, str]  # msgctxt, msgid, msgid_plural ("" when absent)


@dataclass
class Entry:
    fields: dict[str, str] = field(default_factory=dict)  # msgctxt, msgid, msgid_plural, msgstr, msgstr[n]
    flags: set[str] = field(default_factory=set)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def key(self) -> Key:
        return (self.fields.get("msgctxt", ""), self.msgid, self.fields.get("msgid_plural", ""))

    @property
    def translations(self) -> list[str]:
        return [value for name, value in self.fields.items() if name.startswith("msgstr")]


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header first; obsolete (#~) entries and comments are left out."""
    entries: list[Entry] = []
    flags: set[str] = set()
    keyword = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#~"):
            flags = set()  # the flags belonged to an obsolete entry
        elif not line or line.startswith("#"):
            continue
        elif line.startswith('"'):
            entries[-1].fields[keyword] += ast.literal_eval(line)  # a continuation line
        else:
            keyword, _, value = line.partition(" ")
            if keyword == "msgctxt" or (keyword == "msgid" and not _awaits_msgid(entries)):
                entries.append(Entry(flags=flags))
                flags = set()
            entries[-1].fields[keyword] = ast.literal_eval(value)
    return entries


def _awaits_msgid(entries: list[Entry]) -> bool:
    """Whether the last entry has its msgctxt but not yet its msgid (which then belongs to it)."""
    return bool(entries) and "msgctxt" in entries[-1].fields and "msgid" not in entries[-1].fields


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - gettext and our own manage.py with fixed arguments
        command, cwd=cwd, capture_output=True, text=True, timeout=120, env=_environment(cwd)
    )


def _environment(project: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONSAFEPATH"}
    # The copy's egenmakt package, never the working tree's: makemessages writes where it is imported from.
    environment["PYTHONPATH"] = str(project)
    environment["DEBUG"] = "true"
    return environment


def _not_needed(directory: str, names: list[str]) -> set[str]:
    # The committed catalogue is left out, so that makemessages writes a fresh one (no merge, no fuzzy
    # guesses); so are caches and the vendored axe-core.
    skipped = {"__pycache__", "locale"}
    if Path(directory) == ROOT / "egenmakt" / "web" / "tests":
        skipped.add("vendor")
    return skipped & set(names)


def test_every_swedish_text_has_an_english_translation(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "egenmakt", project / "egenmakt", ignore=_not_needed)
    shutil.copy2(ROOT / "manage.py", project / "manage.py")
    result = _run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", *MAKEMESSAGES_OPTIONS, "--verbosity=0"],
        cwd=project,
    )
    assert result.returncode == 0, f"makemessages failed (is gettext installed?):\n{result.stderr}"

    extracted = {entry.key for entry in read_po(project / CATALOGUE_PATH) if entry.msgid}
    committed = {entry.key for entry in read_po(CATALOGUE) if entry.msgid}
    missing, stale = sorted(extracted - committed), sorted(committed - extracted)

    def listing(keys: list[Key]) -> str:
        return "".join(
            f"\n  {msgid!r}" + (f" / {plural!r}" if plural else "") for _ctx, msgid, plural in keys
        )

    assert not missing, (
        f"{len(missing)} Swedish texts have no English translation in {CATALOGUE_PATH}. Run\n"
        f"  {MAKEMESSAGES}\nand translate them:{listing(missing)}"
    )
    assert not stale, (
        f"{CATALOGUE_PATH} has {len(stale)} texts the code no longer uses. Run\n"
        f"  {MAKEMESSAGES}\nto drop them:{listing(stale)}"
    )


def test_the_catalogue_has_no_untranslated_or_fuzzy_entries() -> None:
    entries = read_po(CATALOGUE)
    untranslated = [entry.msgid for entry in entries if entry.msgid and not all(entry.translations)]
    fuzzy = [entry.msgid or "(the header)" for entry in entries if "fuzzy" in entry.flags]
    assert not untranslated, f"Untranslated in {CATALOGUE_PATH}: {untranslated}"
    assert not fuzzy, f"Fuzzy (a guess to check, then unflag) in {CATALOGUE_PATH}: {fuzzy}"

    # msgfmt --check: every placeholder of a msgid is in its msgstr, plural forms and the header are valid.
    result = _run(["msgfmt", "--check", "--statistics", "-o", os.devnull, str(CATALOGUE)], cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


class VisibleText(HTMLParser):
    """What a user reads or hears: text, and the attributes screen readers and tooltips use."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in {"script", "style"}
        self.parts += [value for name, value in attrs if name in {"aria-label", "title", "alt"} and value]

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in {"script", "style"}

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


class EnglishPagesTestCase(BaseTestCase):
    """The pages in English, from the committed .po compiled into a temporary folder.

    Compiling here rather than using the .mo that `make messages` writes keeps the test independent of
    what ran before it, checks the catalogue as committed (not a stale .mo), and writes nothing into the
    source tree.
    """

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        locale = Path(cls.enterClassContext(tempfile.TemporaryDirectory()))
        compiled = locale / "en" / "LC_MESSAGES" / "django.mo"
        compiled.parent.mkdir(parents=True)
        result = _run(["msgfmt", "--check", "-o", str(compiled), str(CATALOGUE)], cwd=ROOT)
        assert result.returncode == 0, result.stderr
        # Django drops its cached catalogues when LOCALE_PATHS changes, on entry and on exit.
        cls.enterClassContext(override_settings(LOCALE_PATHS=[str(locale)]))

    def read(self, url: str) -> str:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertContains(response, '<html lang="en">')
        parser = VisibleText()
        parser.feed(response.content.decode())
        text = " ".join(" ".join(parser.parts).split())
        # Data stays as it is: names ("Ekonomiskt bistånd" is also a unit's name), and the sources that
        # target_groups.toml cites for each target group, in Swedish only (the tooltip of its tag).
        for data in [
            *Unit.objects.values_list("name", flat=True),
            *Organisation.objects.values_list("name", flat=True),
            *(group.source for group in target_groups.definitions()),
        ]:
            text = text.replace(data, "")
        return text

    def test_the_pages_speak_english_when_asked(self) -> None:
        self.client.force_login(self.anna)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        # English label and its Swedish source, page by page.
        pages: dict[str, list[tuple[str, str]]] = {
            reverse("start"): [("Hello Anna", "Hej Anna"), ("My open cases", "Mina pågående ärenden")],
            reverse("participant_register"): [
                ("Register participant", "Registrera deltagare"),
                ("First name", "Förnamn"),
                ("Personal identity number", "Personnummer"),
                ("Pre-upper secondary education shorter than 9 years", "Förgymnasial utbildning"),
                ("Labour market programme", "Arbetsmarknadsinsats"),
                ("(optional)", "(frivilligt)"),
            ],
            reverse("participant_search") + "?q=Lina": [
                ("1 result", "1 träff"),
                ("Date of birth", "Födelsedatum"),
            ],
            reverse("participant", args=[self.lina.pk]): [
                ("Case type", "Ärendetyp"),
                ("Share of residence", "Boendeandel"),
                ("Applicant", "Sökande"),
            ],
        }
        # Any longer Swedish text of the catalogue left on a page (single words could be English too).
        swedish = [
            entry.msgid
            for entry in read_po(CATALOGUE)
            if " " in entry.msgid and "%(" not in entry.msgid and entry.translations != [entry.msgid]
        ]
        for url, labels in pages.items():
            text = self.read(url)
            for english, source in labels:
                self.assertIn(english, text, url)
                self.assertNotIn(source, text, url)
            self.assertEqual([msgid for msgid in swedish if msgid in text], [], url)
