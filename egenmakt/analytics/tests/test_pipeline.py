"""Every indicator on a small hand-built history, with the expected numbers worked out by hand below.

Data end: December 2025. Units A (1) and B (2). Periods (consecutive months on försörjningsstöd):
  P1  FS Jan–Mar 2024 (3), then work (not municipal) to the end             -> ends in work
  P2  FS Jan–Jun 2024 (6), then studies Jul–Dec 2024, then no record          -> ends in studies
  P3  FS Jan–Dec 2024 (12, unit B), then a municipal labour-market job 2025  -> other exit (KKiK)
  P4  FS Mar–Apr 2024 (2), then moved                                         -> censored
  P5  FS Jan–Dec 2025 (12, unit B), still going at the data end               -> censored
  P6a FS Jan–Feb 2024 (2), then other benefits Mar–May 2024                   -> other exit
  P6b FS Jun–Jul 2024 (2), then work Aug 2024 to the end                      -> ends in work
Placements: P1 in Praktik from Feb 2024; P5 in SFI from Mar 2025.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pyarrow as pa
import pytest

from egenmakt.analytics import engines, report
from egenmakt.analytics.survival import kaplan_meier
from egenmakt.outcomes import rules as outcome_rules

# Uses no database: run once, in the SQLite half (conftest.py); the PostgreSQL half would repeat it.
pytestmark = pytest.mark.database_free

END = 2025 * 12 + 11


def mi(year: int, month: int) -> int:
    return year * 12 + month - 1


def span(first: tuple[int, int], last: tuple[int, int]) -> range:
    return range(mi(*first), mi(*last) + 1)


def history() -> dict[str, pa.Table]:
    rows: list[tuple[int, int, str, bool, int]] = []

    def add(person: int, months: range, status: str, unit: int = 1, municipal: bool = False) -> None:
        rows.extend((person, m, status, municipal, unit) for m in months)

    fs = "forsorjningsstod"
    add(1, span((2024, 1), (2024, 3)), fs)
    add(1, span((2024, 4), (2025, 12)), "arbete")
    add(2, span((2024, 1), (2024, 6)), fs)
    add(2, span((2024, 7), (2024, 12)), "studier")
    add(3, span((2024, 1), (2024, 12)), fs, unit=2)
    add(3, span((2025, 1), (2025, 12)), "arbete", unit=2, municipal=True)
    add(4, span((2024, 3), (2024, 4)), fs)
    add(4, span((2024, 5), (2025, 12)), "flyttat")
    add(5, span((2025, 1), (2025, 12)), fs, unit=2)
    add(6, span((2024, 1), (2024, 2)), fs)
    add(6, span((2024, 3), (2024, 5)), "annan_ersattning")
    add(6, span((2024, 6), (2024, 7)), fs)
    add(6, span((2024, 8), (2025, 12)), "arbete")
    people = [1, 2, 3, 4, 5, 6]
    return {
        "months": pa.table(
            {
                "participant_id": pa.array([r[0] for r in rows], pa.int64()),
                "month": pa.array([r[1] for r in rows], pa.int32()),
                "status": [r[2] for r in rows],
                "municipal_employment": [r[3] for r in rows],
                "unit_id": pa.array([r[4] for r in rows], pa.int64()),
            }
        ),
        "persons": pa.table(
            {
                "participant_id": pa.array(people, pa.int64()),
                "legal_sex": ["K", "M", "K", "M", "K", "M"],
                "birth_date": pa.array(
                    [mi(1990, 1), mi(2001, 5), mi(1970, 3), None, mi(1985, 6), mi(1999, 9)], pa.int32()
                ),
                "education_level": ["3", "", "6", "2", None, "4"],
                "arrival_date": pa.array([mi(2022, 1), None, None, None, mi(2023, 2), None], pa.int32()),
                "country_of_birth": ["SY", "SE", "SE", "", "AF", "SE"],
                "occupation": ["", "arbetssokande", "", "", "", "arbetssokande"],
                "has_disability": [False, False, True, False, False, False],
                "has_bankid": [True, True, True, False, True, True],
                "email": ["", "", "", "", "", ""],
                "letters_only": [False, False, False, False, True, False],
            }
        ),
        "cases": pa.table(
            {
                "participant_id": pa.array(people, pa.int64()),
                "opened_on": pa.array([mi(2024, 1)] * 4 + [mi(2025, 1), mi(2024, 1)], pa.int32()),
                "forsorjningshinder": [
                    "arbetslos_utan",
                    "",
                    "sjukskriven",
                    "",
                    "etablering",
                    "arbetslos_utan",
                ],
                "unit_id": pa.array([1, 1, 2, 1, 2, 1], pa.int64()),
                "case_type": ["ekonomiskt_bistand"] * 6,
            }
        ),
        "enrolments": pa.table(
            {
                "participant_id": pa.array([1, 5], pa.int64()),
                "activity_id": pa.array([7, 8], pa.int64()),
                "start": pa.array([mi(2024, 2), mi(2025, 3)], pa.int32()),
                "actual_end": pa.array([mi(2024, 3), None], pa.int32()),
            }
        ),
        "households": pa.table(
            {
                "household_id": pa.array([10, 10, 10, 11], pa.int64()),
                "participant_id": pa.array([1, 2, 99, 3], pa.int64()),
                "relation": ["sokande", "medsokande", "barn", "sokande"],
            }
        ),
        "units": pa.table({"unit_id": pa.array([1, 2], pa.int64()), "name": ["A", "B"]}),
        "activities": pa.table(
            {
                "activity_id": pa.array([7, 8], pa.int64()),
                "name": ["Praktik", "SFI"],
                "method": ["praktik", "sfi"],
            }
        ),
    }


@pytest.fixture(scope="module")
def built() -> report.Report:
    # The history is taken to begin in 2023, so no period here began before it.
    return report.build(
        tables=history(), data_end=END, data_start=mi(2023, 1), engine=engines.duckdb(), models=False
    )


def share(
    r: report.Report, indicator: str, dimension: str = "alla", group: str = "alla"
) -> tuple[int, int] | None:
    found = [
        (s.numerator, s.denominator)
        for s in r.shares
        if (s.indicator, s.dimension, s.group) == (indicator, dimension, group)
    ]
    return found[0] if found else None


def test_work_or_studies_after_exit(built: report.Report) -> None:
    # 3 months after: P1 work (Jun 2024), P2 studies (Sep 2024), P3 municipal job (not counted), P6a other
    # benefits (May 2024), P6b work (Oct 2024). P4 moved and P5 is still going: not in the denominator.
    assert share(built, "arbete_studier_3m_efter_avslut") == (3, 5)
    # 12 months after: P1 work, P2 no record (counted as not in work), P3 municipal job, P6a work
    # (Feb 2025: back in work after its second period), P6b work.
    assert share(built, "arbete_studier_12m_efter_avslut") == (3, 5)
    # 24 months after the exit lies beyond December 2025 for every period: no cell.
    assert share(built, "arbete_studier_24m_efter_avslut") is None
    # By unit: A has P1, P2, P6a, P6b (3 of 4); B has P3 (0 of 1).
    assert share(built, "arbete_studier_3m_efter_avslut", "unit", "A") == (3, 4)
    assert share(built, "arbete_studier_3m_efter_avslut", "unit", "B") == (0, 1)


def test_work_or_studies_after_the_start_of_an_activity(built: report.Report) -> None:
    # P1 began Praktik in Feb 2024: work in May 2024 and in Feb 2025. P5 began SFI in Mar 2025: still on
    # assistance in June 2025; its 12-month point (Mar 2026) is after the data end.
    assert share(built, "arbete_studier_3m_efter_start") == (1, 2)
    assert share(built, "arbete_studier_12m_efter_start") == (1, 1)
    assert share(built, "arbete_studier_3m_efter_start", "activity", "Praktik") == (1, 1)
    assert share(built, "arbete_studier_3m_efter_start", "activity", "SFI") == (0, 1)


def test_long_term_recipients(built: report.Report) -> None:
    # 2024: P1 (3 months), P2 (6), P3 (12), P4 (2), P6 (4): one of five with 10 or more months.
    # 2025: P5 (12): one of one. The breakdown by year is the cohort dimension.
    assert share(built, "langvarigt_bistand", "cohort", "2024") == (1, 5)
    assert share(built, "langvarigt_bistand", "cohort", "2025") == (1, 1)
    assert share(built, "langvarigt_bistand") == (2, 6)


def test_long_term_threshold_is_the_rule_in_force_for_each_year(monkeypatch: pytest.MonkeyPatch) -> None:
    # A made-up rule from 2025 asking for 13 months, after the real one: 2024 is still counted with 10
    # months (P3, one of five), 2025 with 13 (P5 has 12: none of one). A rule from 2025-02-01 first
    # applies to 2026, so 2025 keeps 10.
    real = outcome_rules.long_term_rules()[0]
    for valid_from, expected_2025 in ((date(2025, 1, 1), (0, 1)), (date(2025, 2, 1), (1, 1))):
        stricter = replace(real, valid_from=valid_from, months=13)
        monkeypatch.setattr(outcome_rules, "long_term_rules", lambda stricter=stricter: (real, stricter))
        counted = report.build(
            tables=history(), data_end=END, data_start=mi(2023, 1), engine=engines.duckdb(), models=False
        )
        assert share(counted, "langvarigt_bistand", "cohort", "2024") == (1, 5)
        assert share(counted, "langvarigt_bistand", "cohort", "2025") == expected_2025
    # 13 months for every year: nobody's year is long-term.
    monkeypatch.setattr(outcome_rules, "long_term_rules", lambda: (replace(real, months=13),))
    counted = report.build(
        tables=history(), data_end=END, data_start=mi(2023, 1), engine=engines.duckdb(), models=False
    )
    assert share(counted, "langvarigt_bistand") == (0, 6)


def test_return_to_assistance(built: report.Report) -> None:
    # Ended periods, not moved, with 6 (12) months observed after: P1, P2, P3, P6a, P6b. Only P6a is back
    # on assistance (June 2024, 4 months after February).
    assert share(built, "ater_6m") == (1, 5)
    assert share(built, "ater_12m") == (1, 5)
    assert share(built, "ater_24m") is None


def test_kaplan_meier_and_competing_risks(built: report.Report) -> None:
    # Durations (event = work or studies): 3 E, 6 E, 12 c, 2 c, 12 c, 2 c, 2 E.
    # t=2: 7 at risk, 1 event -> 6/7; t=3: 4 at risk -> 6/7 * 3/4 = 9/14; t=6: 3 at risk -> 9/14 * 2/3 = 3/7.
    alla = next(c for c in built.curves if c.dimension == "alla")
    assert alla.times == [0.0, 2.0, 3.0, 6.0, 12.0]
    assert alla.at_risk == [7, 7, 4, 3, 2]
    assert alla.survival == pytest.approx([1, 6 / 7, 9 / 14, 3 / 7, 3 / 7], abs=1e-12)
    assert alla.median == 6.0
    reference = kaplan_meier([3, 6, 12, 2, 12, 2, 2], [1, 1, 0, 0, 0, 0, 1])
    assert alla.lower == pytest.approx(reference.lower.tolist(), abs=1e-12)
    # Aalen–Johansen, all causes: t=2 n=7 (work P6b, other P6a, moved P4 censored); t=3 n=4 work P1;
    # t=6 n=3 studies P2; t=12 n=2 other P3, P5 censored.
    # work: 1/7 + (5/7)(1/4) = 9/28; studies: (15/28)(1/3) = 5/28; other: 1/7 + (5/14)(1/2) = 9/28.
    assert built.incidence["times"] == [0.0, 2.0, 3.0, 6.0, 12.0]
    assert built.incidence["arbete"][-1] == pytest.approx(9 / 28, abs=1e-12)
    assert built.incidence["studier"][-1] == pytest.approx(5 / 28, abs=1e-12)
    assert built.incidence["annat"][-1] == pytest.approx(9 / 28, abs=1e-12)


def test_breakdowns_by_person_columns(built: report.Report) -> None:
    # Sex: women P1, P3, P5; 3 months after exit: P1 counted, P3 not -> 1 of 2; men P2, P6a, P6b -> 2 of 3.
    assert share(built, "arbete_studier_3m_efter_avslut", "sex", "kvinna") == (1, 2)
    assert share(built, "arbete_studier_3m_efter_avslut", "sex", "man") == (2, 3)
    # P4 has no birth date: its age band is unknown (it is censored, so it shows in the curves only).
    bands = {c.group for c in built.curves if c.dimension == "age_band"}
    assert "okänd" in bands
    # Target groups at the period's start: P2 (22, arbetssökande) and P6 (24) are young people not in work
    # or studies; P1 and P5 are foreign-born women; P5 only arrived 23 months before her period.
    assert share(built, "arbete_studier_3m_efter_avslut", "malgrupp", "uvas") == (2, 3)
    assert share(built, "arbete_studier_3m_efter_avslut", "malgrupp", "utrikes_fodd_kvinna") == (1, 1)
    assert share(built, "arbete_studier_3m_efter_avslut", "cohort", "2024") == (3, 5)


def test_the_report_survives_a_round_trip_through_json(built: report.Report) -> None:
    data: dict[str, Any] = built.as_json()
    again = report.Report.from_json(data)
    assert again.shares == built.shares and again.curves == built.curves
    assert (built.periods, built.people) == (7, 6)


def test_periods_running_when_the_history_begins_are_left_out_of_the_curves_only() -> None:
    # By default the history begins with its first month, January 2024: P1, P2, P3 and P6a were already
    # running then and may have begun earlier. The curves keep P4 (2 months, moved), P6b (2, work) and
    # P5 (12, ongoing): t=2, 3 at risk, 1 event -> 2/3. The indicators after exit are unchanged.
    built = report.build(tables=history(), data_end=END, engine=engines.duckdb(), models=False)
    alla = next(c for c in built.curves if c.dimension == "alla")
    assert alla.times == [0.0, 2.0, 12.0] and alla.at_risk == [3, 3, 1]
    assert alla.survival == pytest.approx([1, 2 / 3, 2 / 3], abs=1e-12)
    assert share(built, "arbete_studier_3m_efter_avslut") == (3, 5)
