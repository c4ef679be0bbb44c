"""Target groups (målgrupper) derived from a participant's data, by dated and sourced definitions."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

from egenmakt.people.models import Participant

_RULES = Path(__file__).with_name("target_groups.toml")


@dataclass(frozen=True)
class TargetGroup:
    code: str
    name_sv: str
    name_en: str
    valid_from: date
    source: str
    source_en: str
    official: bool
    rule: dict[str, Any]

    @property
    def name(self) -> str:
        return self.name_en if _english() else self.name_sv

    @property
    def source_text(self) -> str:
        return self.source_en if _english() else self.source

    def applies_to(self, participant: Participant, on: date) -> bool:
        if on < self.valid_from:
            return False
        rule = self.rule
        age = participant.age_on(on)
        if "min_age" in rule and (age is None or age < rule["min_age"]):
            return False
        if "max_age" in rule and (age is None or age > rule["max_age"]):
            return False
        if "occupation_not_in" in rule and participant.occupation in rule["occupation_not_in"]:
            return False
        if "legal_sex" in rule and participant.legal_sex != rule["legal_sex"]:
            return False
        if rule.get("born_abroad") and not (
            participant.country_of_birth and participant.country_of_birth != "SE"
        ):
            return False
        if "max_months_since_arrival" in rule:
            arrived = participant.arrival_date
            if arrived is None or arrived > on:
                return False
            months = (on.year - arrived.year) * 12 + on.month - arrived.month - (on.day < arrived.day)
            if months > rule["max_months_since_arrival"]:
                return False
        if rule.get("has_disability") and not participant.has_disability:
            return False
        return not (rule.get("digitally_excluded") and not participant.is_digitally_excluded)


def _english() -> bool:
    return (get_language() or "sv").startswith("en")


@cache
def definitions() -> tuple[TargetGroup, ...]:
    with _RULES.open("rb") as handle:
        data = tomllib.load(handle)
    meta = {"code", "name_sv", "name_en", "valid_from", "source", "source_en", "official"}
    return tuple(
        TargetGroup(
            code=item["code"],
            name_sv=item["name_sv"],
            name_en=item["name_en"],
            valid_from=item["valid_from"],
            source=item["source"],
            source_en=item["source_en"],
            official=item["official"],
            rule={key: value for key, value in item.items() if key not in meta},
        )
        for item in data["group"]
    )


def target_groups_for(participant: Participant, on: date) -> list[TargetGroup]:
    return [group for group in definitions() if group.applies_to(participant, on)]
