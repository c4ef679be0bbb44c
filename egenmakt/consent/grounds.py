"""The legal grounds for disclosure, read from legal_grounds.toml (dated, sourced, marked when unverified)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

_FILE = Path(__file__).with_name("legal_grounds.toml")
SAMTYCKE = "samtycke"


@dataclass(frozen=True)
class LegalGround:
    code: str
    name_sv: str
    name_en: str
    reference: str
    valid_from: date
    source: str
    verified: bool
    needs_consent: bool

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "sv").startswith("en") else self.name_sv

    @property
    def label(self) -> str:
        return f"{self.name} ({self.reference})"


@cache
def all_grounds() -> tuple[LegalGround, ...]:
    with _FILE.open("rb") as handle:
        data = tomllib.load(handle)
    return tuple(LegalGround(**item) for item in data["ground"])


def ground(code: str) -> LegalGround:
    for item in all_grounds():
        if item.code == code:
            return item
    raise KeyError(code)


def grounds_without_consent(on: date) -> list[LegalGround]:
    """The grounds a caseworker may choose when recording a disclosure made without consent."""
    return [item for item in all_grounds() if not item.needs_consent and item.valid_from <= on]
