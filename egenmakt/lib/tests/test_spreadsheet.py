from __future__ import annotations

from datetime import date

from egenmakt.lib.spreadsheet import safe_cell


def test_it_defuses_formulas() -> None:
    assert safe_cell('=HYPERLINK("http://evil","klick")') == '\'=HYPERLINK("http://evil","klick")'
    assert safe_cell("+46701234567") == "'+46701234567"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"


def test_it_leaves_ordinary_values_alone() -> None:
    assert safe_cell("Lina") == "Lina"
    assert safe_cell("19900101-0017") == "19900101-0017"
    assert safe_cell(date(1990, 1, 1)) == "1990-01-01"
    assert safe_cell(None) == ""
