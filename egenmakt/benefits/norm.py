"""Riksnormen as dated, sourced data: one TOML file per year in rules/norm/.

A table is `official` when its amounts come from the government's ordinance or Socialstyrelsen's
publication of it. A projection (official = false) may be loaded to plan and simulate, but every screen
and letter that uses it says so, and no real decision can rest on it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

NORM_DIR = Path(__file__).with_name("rules") / "norm"


class NormMissing(LookupError):
    """The rules files hold no table, or no amount, for what a calculation needs."""


@dataclass(frozen=True)
class ChildBracket:
    low: int
    high: int
    amount: int
    without_lunch: int | None = None
    items: dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.low} år" if self.low == self.high else f"{self.low}–{self.high} år"


@dataclass(frozen=True)
class NormTable:
    year: int
    valid_from: date
    official: bool
    source: str
    sfs: str
    note: str
    children: tuple[ChildBracket, ...]
    single: int
    cohabiting: int
    common_by_size: tuple[int, ...]
    per_member_above_7: int
    single_items: dict[str, int] = field(default_factory=dict)
    cohabiting_items: dict[str, int] = field(default_factory=dict)
    projected_from: int | None = None

    def child_bracket(self, age: int) -> ChildBracket:
        for bracket in self.children:
            if bracket.low <= age <= bracket.high:
                return bracket
        raise NormMissing(f"Riksnormen {self.year} har inget belopp för barn som är {age} år")

    def common(self, size: int) -> int:
        """Common household costs for a household of `size` persons (at least 1)."""
        if size < 1:
            raise ValueError("a household has at least one member")
        table = self.common_by_size
        if size <= len(table):
            return table[size - 1]
        return table[-1] + (size - len(table)) * self.per_member_above_7

    def to_toml(self) -> str:
        """The table written back as a rules file (used to save projections)."""
        lines = [
            f"# Riksnormen för försörjningsstöd {self.year}"
            + (": a PROJECTION, not the government's amounts." if not self.official else "."),
            f"year = {self.year}",
            f"valid_from = {self.valid_from.isoformat()}",
            f"official = {'true' if self.official else 'false'}",
            f"source = {_quote(self.source)}",
            f"sfs = {_quote(self.sfs)}",
        ]
        if self.note:
            lines.append(f"note = {_quote(self.note)}")
        if self.projected_from is not None:
            lines.append(f"projected_from = {self.projected_from}")
        lines += ["", "children = ["]
        for b in self.children:
            parts = [f"ages = [{b.low}, {b.high}]", f"amount = {b.amount}"]
            if b.without_lunch is not None:
                parts.append(f"without_lunch = {b.without_lunch}")
            if b.items:
                parts.append(f"items = {_inline(b.items)}")
            lines.append("  { " + ", ".join(parts) + " },")
        lines += ["]", "", "[adults]", f"single = {self.single}", f"cohabiting = {self.cohabiting}"]
        if self.single_items:
            lines.append(f"single_items = {_inline(self.single_items)}")
        if self.cohabiting_items:
            lines.append(f"cohabiting_items = {_inline(self.cohabiting_items)}")
        lines += [
            "",
            "[common]",
            f"by_size = [{', '.join(str(a) for a in self.common_by_size)}]",
            f"per_member_above_7 = {self.per_member_above_7}",
            "",
        ]
        return "\n".join(lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _inline(items: dict[str, int]) -> str:
    return "{ " + ", ".join(f"{k} = {v}" for k, v in items.items()) + " }"


def parse(data: dict[str, Any], *, origin: str = "") -> NormTable:
    """A table from a rules file's contents, checked: items add up, brackets are contiguous from 0."""
    children = tuple(
        ChildBracket(
            low=int(c["ages"][0]),
            high=int(c["ages"][1]),
            amount=int(c["amount"]),
            without_lunch=int(c["without_lunch"]) if "without_lunch" in c else None,
            items={k: int(v) for k, v in c.get("items", {}).items()},
        )
        for c in data["children"]
    )
    adults, common = data["adults"], data["common"]
    table = NormTable(
        year=int(data["year"]),
        valid_from=data["valid_from"],
        official=bool(data["official"]),
        source=str(data["source"]),
        sfs=str(data.get("sfs", "")),
        note=str(data.get("note", "")),
        children=children,
        single=int(adults["single"]),
        cohabiting=int(adults["cohabiting"]),
        single_items={k: int(v) for k, v in adults.get("single_items", {}).items()},
        cohabiting_items={k: int(v) for k, v in adults.get("cohabiting_items", {}).items()},
        common_by_size=tuple(int(a) for a in common["by_size"]),
        per_member_above_7=int(common["per_member_above_7"]),
        projected_from=data.get("projected_from"),
    )
    _check(table, origin or str(table.year))
    return table


def _check(table: NormTable, origin: str) -> None:
    expected_low = 0
    for b in table.children:
        if b.low != expected_low or b.high < b.low:
            raise ValueError(f"{origin}: the child age brackets must run on from 0 without gaps")
        if b.items and sum(b.items.values()) != b.amount:
            raise ValueError(f"{origin}: the items for {b.label} do not add up to {b.amount}")
        expected_low = b.high + 1
    if expected_low != 21:
        raise ValueError(f"{origin}: the child brackets must end at 20 years (children under 21)")
    for total, items in ((table.single, table.single_items), (table.cohabiting, table.cohabiting_items)):
        if items and sum(items.values()) != total:
            raise ValueError(f"{origin}: the adult items do not add up to {total}")
    if len(table.common_by_size) != 7:
        raise ValueError(f"{origin}: common costs are given for 1 to 7 persons")
    if not table.source:
        raise ValueError(f"{origin}: every table names its source")


@cache
def tables() -> tuple[NormTable, ...]:
    found = []
    for path in sorted(NORM_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            found.append(parse(tomllib.load(handle), origin=path.name))
    return tuple(sorted(found, key=lambda t: t.valid_from))


def table_for(month: date) -> NormTable:
    """The table in force in a month: the latest whose valid_from is on or before the month's first day."""
    first = month.replace(day=1)
    valid = [t for t in tables() if t.valid_from <= first]
    if not valid or valid[-1].year != first.year:
        raise NormMissing(
            f"Det finns ingen riksnorm för {first.year} i Egenmakts regelfiler. "
            "Lägg in årets belopp (benefits/rules/norm) innan du räknar."
        )
    return valid[-1]


def table_for_year(year: int) -> NormTable:
    for table in tables():
        if table.year == year:
            return table
    raise NormMissing(f"Det finns ingen riksnorm för {year} i Egenmakts regelfiler.")


def _round10(value: Decimal) -> int:
    """Socialstyrelsen rounds every item to the nearest ten kronor (halves up)."""
    return int((value / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * 10


def project(base: NormTable, *, percent: Decimal, year: int | None = None, source: str = "") -> NormTable:
    """A projection: every item raised by `percent` and rounded to the nearest ten, as the government does.

    Where the base has items, each item is raised and the total is their sum; otherwise the total is
    raised. The result is never official: the government's own table may differ by a few tens of kronor.
    """
    factor = 1 + Decimal(percent) / 100

    def raise_total(amount: int, items: dict[str, int]) -> tuple[int, dict[str, int]]:
        if items:
            raised = {k: _round10(v * factor) for k, v in items.items()}
            return sum(raised.values()), raised
        return _round10(amount * factor), {}

    children = []
    for b in base.children:
        amount, items = raise_total(b.amount, b.items)
        without = _round10(b.without_lunch * factor) if b.without_lunch is not None else None
        children.append(ChildBracket(b.low, b.high, amount, without, items))
    single, single_items = raise_total(base.single, base.single_items)
    cohabiting, cohabiting_items = raise_total(base.cohabiting, base.cohabiting_items)
    common = tuple(_round10(a * factor) for a in base.common_by_size)
    new_year = year if year is not None else base.year
    return NormTable(
        year=new_year,
        valid_from=date(new_year, 1, 1),
        official=False,
        source=source or f"Projektion: riksnormen {base.year} räknad upp med {percent:g} %",
        sfs="",
        note=f"Räknad från {base.year} års tabell med {percent:g} %, varje post avrundad till närmaste tiotal.",
        children=tuple(children),
        single=single,
        cohabiting=cohabiting,
        common_by_size=common,
        per_member_above_7=common[6] - common[5],
        single_items=single_items,
        cohabiting_items=cohabiting_items,
        projected_from=base.year,
    )
