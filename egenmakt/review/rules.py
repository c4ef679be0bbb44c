"""The defaults of the review rules and signals (rules/review.toml), and a unit's setting of each."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone

from egenmakt.organisations.models import Unit
from egenmakt.people.target_groups import definitions as target_group_definitions
from egenmakt.review.models import ReviewRule, RuleKind

_FILE = Path(__file__).with_name("rules") / "review.toml"
# Kinds about young people: their age span is target group "uvas" unless the manager sets another.
AGE_KINDS = frozenset({RuleKind.UNGA_UTAN_INSATS, RuleKind.SIGNAL_UNGA_INAKTIVA})
YOUNG_GROUP = "uvas"


@dataclass(frozen=True)
class Default:
    kind: str
    valid_from: date
    parameter: int | None
    source: str
    verified: bool


@dataclass(frozen=True)
class Setting:
    """A rule as it applies in one unit: the unit's own choices over the defaults."""

    kind: str
    active: bool
    parameter: int | None
    min_age: int | None
    max_age: int | None
    source: str
    verified: bool
    rule: ReviewRule | None


@cache
def _defaults() -> tuple[Default, ...]:
    with _FILE.open("rb") as handle:
        data: dict[str, Any] = tomllib.load(handle)
    found = tuple(
        Default(
            kind=item["kind"],
            valid_from=item["valid_from"],
            parameter=item.get("parameter"),
            source=item["source"],
            verified=item["verified"],
        )
        for item in data["rule"]
    )
    unknown = {d.kind for d in found} - set(RuleKind.values)
    if unknown or {d.kind for d in found} != set(RuleKind.values):
        raise ValueError(f"review.toml: every rule kind once, no others (unknown: {sorted(unknown)})")
    return found


def default_for(kind: str, on: date | None = None) -> Default:
    day = on or timezone.localdate()
    entries = sorted((d for d in _defaults() if d.kind == kind), key=lambda d: d.valid_from)
    valid = [d for d in entries if d.valid_from <= day]
    return valid[-1] if valid else entries[0]


def young_ages(on: date) -> tuple[int, int]:
    """The age span of target group "uvas" in force on the day."""
    for group in target_group_definitions():
        if group.code == YOUNG_GROUP:
            return int(group.rule["min_age"]), int(group.rule["max_age"])
    raise ValueError(f"target group {YOUNG_GROUP!r} is missing from people/target_groups.toml")


def settings_for(unit: Unit, on: date | None = None) -> dict[str, Setting]:
    """Every kind's setting in the unit, the defaults filled in (a kind without a row is off)."""
    day = on or timezone.localdate()
    rows = {rule.kind: rule for rule in ReviewRule.objects.filter(unit=unit).select_related("changed_by")}
    low, high = young_ages(day)
    found = {}
    for kind in RuleKind.values:
        default = default_for(kind, day)
        rule = rows.get(kind)
        parameter = rule.parameter if rule is not None and rule.parameter is not None else default.parameter
        ages = kind in AGE_KINDS
        found[kind] = Setting(
            kind=kind,
            active=bool(rule and rule.active),
            parameter=parameter,
            min_age=(rule.min_age if rule and rule.min_age is not None else low) if ages else None,
            max_age=(rule.max_age if rule and rule.max_age is not None else high) if ages else None,
            source=default.source,
            verified=default.verified,
            rule=rule,
        )
    return found
