"""Small helpers for statistics shown to analysts and politicians."""

from __future__ import annotations

from typing import Any

# Cells describing fewer people than this are suppressed, so no one can be singled out.
MIN_CELL = 5


def suppress_small(
    rows: list[dict[str, Any]], *, count_key: str, min_cell: int = MIN_CELL
) -> list[dict[str, Any]]:
    """Replace counts under `min_cell` with None (shown as "färre än 5")."""
    return [{**row, count_key: row[count_key] if row[count_key] >= min_cell else None} for row in rows]
