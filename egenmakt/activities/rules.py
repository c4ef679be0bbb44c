"""Dated, sourced data the catalogue relies on: the Finsam split and the IPS-25 fidelity scale."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

_DIR = Path(__file__).with_name("rules")


def _english() -> bool:
    return (get_language() or "sv").startswith("en")


def _load(name: str) -> dict[str, Any]:
    with (_DIR / name).open("rb") as handle:
        return tomllib.load(handle)


@dataclass(frozen=True)
class Share:
    code: str
    name_sv: str
    name_en: str
    percent: int

    @property
    def name(self) -> str:
        return self.name_en if _english() else self.name_sv


@dataclass(frozen=True)
class FinsamSplit:
    valid_from: date
    source: str
    verified: bool
    shares: tuple[Share, ...]

    def amounts(self, kronor: int) -> list[tuple[Share, int]]:
        """Each member's part of an amount in whole kronor. Rounding is given to the last share, so the
        parts always add up to the amount."""
        parts = [(share, kronor * share.percent // 100) for share in self.shares]
        if parts:
            last_share, last = parts[-1]
            parts[-1] = (last_share, last + kronor - sum(amount for _, amount in parts))
        return parts


@cache
def _splits() -> tuple[FinsamSplit, ...]:
    data = _load("finsam.toml")
    splits = [
        FinsamSplit(
            valid_from=item["valid_from"],
            source=item["source"],
            verified=item["verified"],
            shares=tuple(Share(**share) for share in item["share"]),
        )
        for item in data["split"]
    ]
    for split in splits:
        if sum(share.percent for share in split.shares) != 100:
            raise ValueError(f"finsam.toml: the shares from {split.valid_from} do not add up to 100 %")
    return tuple(sorted(splits, key=lambda split: split.valid_from))


def finsam_split(on: date) -> FinsamSplit:
    valid = [split for split in _splits() if split.valid_from <= on]
    if not valid:
        raise LookupError(f"No Finsam split is valid on {on}")
    return valid[-1]


@dataclass(frozen=True)
class Band:
    from_total: int
    name_sv: str
    name_en: str

    @property
    def name(self) -> str:
        return self.name_en if _english() else self.name_sv


@dataclass(frozen=True)
class FidelityScale:
    code: str
    valid_from: date
    source_items: str
    items_verified: bool
    min_score: int
    max_score: int
    items: tuple[str, ...]
    bands: tuple[Band, ...]

    @property
    def min_total(self) -> int:
        return self.min_score * len(self.items)

    @property
    def max_total(self) -> int:
        return self.max_score * len(self.items)

    def band(self, total: int) -> Band:
        return next(band for band in self.bands if total >= band.from_total)


@cache
def ips25() -> FidelityScale:
    data = _load("ips25.toml")
    return FidelityScale(
        code=data["scale"],
        valid_from=data["valid_from"],
        source_items=data["source_items"],
        items_verified=data["items_verified"],
        min_score=data["min_score"],
        max_score=data["max_score"],
        items=tuple(data["items"]),
        bands=tuple(sorted((Band(**band) for band in data["band"]), key=lambda b: -b.from_total)),
    )
