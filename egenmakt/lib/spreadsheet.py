"""Values written to CSV files that people open in Excel."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is run as a formula by Excel and LibreOffice (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The value as text, with a leading apostrophe if a spreadsheet would otherwise run it as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text
