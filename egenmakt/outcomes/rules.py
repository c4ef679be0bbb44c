"""Dated, sourced data the outcome follow-up relies on: when exits are followed up, and what counts as
long-term assistance (rules/outcomes.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

_FILE = Path(__file__).with_name("rules") / "outcomes.toml"


@dataclass(frozen=True)
class FollowUpSchedule:
    valid_from: date
    months: tuple[int, ...]  # months after the exit, ascending
    source: str
    verified: bool

    @property
    def observed_months(self) -> int:
        """How long after the exit anything is known: until the last follow-up."""
        return self.months[-1]


@dataclass(frozen=True)
class LongTermRule:
    valid_from: date
    months: int  # months with assistance in a calendar year that make it long-term
    source: str
    verified: bool


@cache
def _load() -> dict[str, Any]:
    with _FILE.open("rb") as handle:
        data = tomllib.load(handle)
    for item in data["follow_up"]:
        months = item["months"]
        if not months or months != sorted(set(months)) or months[0] < 1:
            raise ValueError(f"outcomes.toml: follow-up months from {item['valid_from']} must rise from 1 up")
    return data


@cache
def _schedules() -> tuple[FollowUpSchedule, ...]:
    return tuple(
        sorted(
            (
                FollowUpSchedule(
                    valid_from=item["valid_from"],
                    months=tuple(item["months"]),
                    source=item["source"],
                    verified=item["verified"],
                )
                for item in _load()["follow_up"]
            ),
            key=lambda schedule: schedule.valid_from,
        )
    )


@cache
def long_term_rules() -> tuple[LongTermRule, ...]:
    """Every long-term rule, oldest first."""
    return tuple(sorted((LongTermRule(**item) for item in _load()["long_term"]), key=lambda r: r.valid_from))


def follow_up_schedule(on: date) -> FollowUpSchedule:
    """The schedule in force on a day (an exit's date); before the first one, the first one."""
    schedules = _schedules()
    valid = [s for s in schedules if s.valid_from <= on]
    return valid[-1] if valid else schedules[0]


def long_term_months(on: date) -> int:
    rules = long_term_rules()
    valid = [r for r in rules if r.valid_from <= on]
    return (valid[-1] if valid else rules[0]).months
