"""Legal bases and procedure as dated data (rules/legal.toml): which paragraph a decision cites, by law
version, and the appeal rules its letter states."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

_FILE = Path(__file__).with_name("rules") / "legal.toml"


@dataclass(frozen=True)
class Law:
    code: str
    name: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class Reference:
    basis: str
    label: str
    law: Law
    ref: str
    verified: bool
    source: str

    @property
    def citation(self) -> str:
        return f"{self.ref} {self.law.name}"


@dataclass(frozen=True)
class Procedure:
    kommunicering: str
    reasons: str
    appeal: str
    appeal_weeks: int
    appeal_court: str
    source: str


@cache
def _data() -> dict[str, Any]:
    with _FILE.open("rb") as handle:
        return tomllib.load(handle)


def laws() -> list[Law]:
    return [
        Law(code=x["code"], name=x["name"], valid_from=x["valid_from"], valid_to=x.get("valid_to"))
        for x in _data()["law"]
    ]


def law_on(day: date) -> Law:
    for law in laws():
        if law.valid_from <= day and (law.valid_to is None or day <= law.valid_to):
            return law
    raise LookupError(f"No law version in rules/legal.toml covers {day}")


def reference(basis: str, *, on: date) -> Reference:
    law = law_on(on)
    for item in _data()["basis"]:
        if item["key"] == basis:
            entry = item[law.code]
            return Reference(
                basis=basis,
                label=item["label"],
                law=law,
                ref=entry["ref"],
                verified=bool(entry["verified"]),
                source=entry.get("source", ""),
            )
    raise LookupError(f"rules/legal.toml has no basis '{basis}'")


def procedure() -> Procedure:
    return Procedure(**_data()["procedure"])
