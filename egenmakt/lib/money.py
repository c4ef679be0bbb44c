"""Money is whole kronor as int (never float). Shown the Swedish way: 12 345 kr, with a no-break space."""

from __future__ import annotations

NBSP = "\u00a0"


def kr(amount: int) -> str:
    sign = "−" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", NBSP) + f"{NBSP}kr"


def pro_rata(amount: int, part: int, whole: int) -> int:
    """amount × part / whole in whole kronor, halves rounded up, with integers only."""
    return (2 * amount * part + whole) // (2 * whole)
