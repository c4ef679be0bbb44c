"""Suppression where the figures leave: the page's tables, the CSV and Excel files and the API all show a
cell under 5 people as "–", and also the neighbour it could be recomputed from with the total."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from egenmakt.analytics import presentation
from egenmakt.analytics.models import OutcomeReport
from egenmakt.analytics.report import Report, ShareRow
from egenmakt.test import Personas

CODE = "arbete_studier_3m_efter_avslut"


def report() -> Report:
    # Unit C has 4 exits: under 5, hidden. With the total (30 of 60) shown, C = total - A - B, so the
    # smallest other unit (B, 16) is hidden too; A's 20 of 40 stays.
    shares = [
        ShareRow(CODE, "alla", "alla", 30, 60),
        ShareRow(CODE, "unit", "A", 20, 40),
        ShareRow(CODE, "unit", "B", 8, 16),
        ShareRow(CODE, "unit", "C", 2, 4),
        # Target groups overlap: no total to recompute from, so only the small group goes.
        ShareRow(CODE, "malgrupp", "uvas", 3, 12),
        ShareRow(CODE, "malgrupp", "nyanland", 9, 20),
    ]
    return Report(engine="duckdb", data_end=2025 * 12 + 11, periods=60, people=58, shares=shares)


def test_a_small_cell_and_the_neighbour_it_could_be_recomputed_from_are_hidden() -> None:
    rows, total = presentation.breakdown(report(), CODE, "unit")
    shown = {r.label: (r.text, r.cell.numerator, r.cell.denominator) for r in rows}
    assert shown == {"A": ("50 %", 20, 40), "B": ("–", None, None), "C": ("–", None, None)}
    assert total is not None and (total.cell.numerator, total.cell.denominator) == (30, 60)
    groups = presentation.breakdown(report(), CODE, "malgrupp")[0]
    assert {r.label: r.text for r in groups} == {
        "Unga som varken arbetar eller studerar": "–",  # 3 counted: under 5
        "Nyanländ (högst 36 månader i Sverige)": "45 %",
    }


def test_the_files_hide_the_same_cells() -> None:
    text = presentation.as_csv(report())
    lines = {tuple(line.split(";")[1:]) for line in text.splitlines()}
    assert ("Enhet", "B", "–", "–", "–") in lines
    assert ("Enhet", "C", "–", "–", "–") in lines
    assert ("Enhet", "A", "50 %", "20", "40") in lines
    assert "8" not in {field for line in lines for field in line}
    book = load_workbook(io.BytesIO(presentation.as_workbook(report(), data_end="2025-12")))
    rows = [[c.value for c in row] for row in book["Nyckeltal"].iter_rows()]
    by_unit = {
        row[2]: row[3:]
        for row in rows
        if row[0] == "Arbete eller studier 90 dagar efter avslut" and row[1] == "Enhet"
    }
    assert by_unit == {
        "A": ["50 %", "20", "40"],
        "B": ["–", "–", "–"],
        "C": ["–", "–", "–"],
        "Alla": ["50 %", "30", "60"],
    }


@pytest.mark.django_db
def test_the_api_hides_them_and_only_analysts_and_managers_may_ask(personas: Personas) -> None:
    OutcomeReport.objects.create(engine="duckdb", data_end=date(2025, 12, 1), payload=report().as_json())
    analyst = Client()
    analyst.force_login(personas.alva)
    body = analyst.get(f"/api/v1/outcomes/indicators/{CODE}?dimension=unit").json()
    by_group = {c["group"]: c for c in body["cells"]}
    assert by_group["A"] == {
        "group": "A",
        "numerator": 20,
        "denominator": 40,
        "share": 0.5,
        "suppressed": False,
    }
    assert by_group["B"] == {
        "group": "B",
        "numerator": None,
        "denominator": None,
        "share": None,
        "suppressed": True,
    }
    assert by_group["C"]["suppressed"] and body["total"]["denominator"] == 60
    assert analyst.get("/api/v1/outcomes/indicators/nothing").status_code == 404
    caseworker = Client()
    caseworker.force_login(personas.anna)
    assert caseworker.get(f"/api/v1/outcomes/indicators/{CODE}").status_code == 403
