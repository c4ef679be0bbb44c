"""The norm calculation against figures worked out by hand from the published tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from egenmakt.benefits import calculation, norm
from egenmakt.benefits.calculation import InputError, calculate, parse
from egenmakt.benefits.norm import NormMissing


def household(month: str, *members: dict[str, Any], **extra: Any) -> calculation.HouseholdMonth:
    return parse({"month": month, "members": list(members), **extra})


def adult(id: str = "a", role: str = "sokande", born: str = "1985-05-05") -> dict[str, Any]:
    return {"id": id, "role": role, "birth_date": born}


def child(id: str, born: str, **extra: Any) -> dict[str, Any]:
    return {"id": id, "role": "barn", "birth_date": born, **extra}


def test_socialstyrelsens_worked_example_2014() -> None:
    """An adult sharing a home of 5 without being a sambo: 1 710 ÷ 5 + 2 950 = 3 292 kr."""
    result = calculate(household("2014-06", adult(), others_in_dwelling=4))
    assert result.entitlement == 3292
    assert [line.amount for line in result.lines] == [2950, 342]


@pytest.mark.parametrize(
    ("year", "children", "without_lunch", "single", "cohabiting", "common"),
    [
        (
            2019,
            [2130, 2380, 2120, 2380, 2990, 3440, 3880, 3910],
            [2000, 2190, 1940, 2120],
            3090,
            5570,
            [990, 1100, 1380, 1570, 1810, 2050, 2220],
        ),
        (
            2023,
            [2420, 2700, 2410, 2700, 3380, 3890, 4390, 4430],
            [],
            3490,
            6300,
            [1130, 1250, 1580, 1790, 2060, 2330, 2510],
        ),
    ],
)
def test_published_totals_per_bracket(
    year: int, children: list[int], without_lunch: list[int], single: int, cohabiting: int, common: list[int]
) -> None:
    table = norm.table_for_year(year)
    assert [b.amount for b in table.children] == children
    assert [b.without_lunch for b in table.children if b.without_lunch is not None] == without_lunch
    assert (table.single, table.cohabiting) == (single, cohabiting)
    assert [table.common(size) for size in range(1, 8)] == common
    assert table.official


@pytest.mark.parametrize(
    ("age", "expected"),
    [(0, 2130), (1, 2380), (2, 2380), (3, 2120), (6, 2380), (7, 2990), (14, 3440), (18, 3880), (20, 3910)],
)
def test_each_child_bracket_2019(age: int, expected: int) -> None:
    born = date(2019 - age - 1, 12, 15)  # turned `age` in December the year before
    result = calculate(household("2019-01", adult(), child("c", born.isoformat())))
    assert result.lines[1].amount == expected
    assert result.entitlement == 3090 + expected + 1100


def test_single_adult_2023_with_costs_and_income() -> None:
    result = calculate(
        household(
            "2023-03",
            adult(),
            costs=[{"kind": "boende", "amount": 5200}, {"kind": "hushallsel", "amount": 300}],
            incomes=[{"kind": "bostadsbidrag", "amount": 0}, {"kind": "aktivitetsstod", "amount": 4000}],
        )
    )
    # 3 490 + 1 130 + 5 200 + 300 − 4 000
    assert result.entitlement == 6120
    assert result.norm == 4620 and result.costs == 5500 and result.incomes == 4000


def test_couple_2019() -> None:
    result = calculate(household("2019-05", adult(), adult("b", "medsokande")))
    assert result.entitlement == 5570 + 1100


def test_single_parent_with_children_of_several_ages_2019() -> None:
    # Ages on 1 March 2019: 0 (at preschool: no, under 1), 4 (lunch at preschool), 9, 16.
    result = calculate(
        household(
            "2019-03",
            adult(),
            child("baby", "2018-06-01"),
            child("four", "2014-08-01", lunch_at_preschool=True),
            child("nine", "2009-04-01"),
            child("sixteen", "2002-12-01"),
            costs=[{"kind": "boende", "amount": 8100}],
            caps={"boende": 8400},
            incomes=[{"kind": "barnbidrag", "amount": 5200}, {"kind": "underhallsstod", "amount": 4719}],
        )
    )
    norm_part = 3090 + 2130 + 2120 + 2990 + 3880 + 1810
    assert result.norm == norm_part
    assert result.entitlement == norm_part + 8100 - 5200 - 4719


def test_lunch_at_preschool_does_not_lower_a_school_child() -> None:
    result = calculate(household("2019-03", adult(), child("c", "2010-01-01", lunch_at_preschool=True)))
    assert result.lines[1].amount == 2990


def test_shared_residence_counts_a_child_pro_rata_by_days() -> None:
    # A 7–10-year-old with this parent 15 of 31 days in March 2019: 2 990 × 15 / 31 = 1 446.77 → 1 447.
    result = calculate(household("2019-03", adult(), child("c", "2011-01-01", days=15)))
    assert result.lines[1].amount == 1447
    assert "15" in result.lines[1].text and "31" in result.lines[1].text
    assert result.entitlement == 3090 + 1447 + 1100


def test_household_of_nine_adds_the_six_to_seven_difference() -> None:
    children = [child(f"c{i}", f"{2005 + i}-02-01") for i in range(7)]
    result = calculate(household("2019-03", adult(), adult("b", "medsokande"), *children))
    ages = [14, 13, 12, 11, 10, 9, 8]
    expected_children = sum(3440 if a >= 11 else 2990 for a in ages)
    common = 2220 + 2 * 170
    assert result.lines[-1].amount == common
    assert result.entitlement == 5570 + expected_children + common


def test_costs_above_the_local_cap_count_up_to_the_cap() -> None:
    result = calculate(
        household("2019-03", adult(), costs=[{"kind": "boende", "amount": 5600}], caps={"boende": 4700})
    )
    assert result.costs == 4700
    assert "4\u00a0700\u00a0kr" in result.lines[-1].text


def test_livsforing_items_are_separate_lines() -> None:
    result = calculate(
        household(
            "2019-03",
            adult(),
            costs=[
                {"kind": "livsforing", "label": "Glasögon", "amount": 900},
                {"kind": "livsforing", "label": "Tandvård", "amount": 1200},
            ],
        )
    )
    items = [line for line in result.lines if line.key.startswith("kostnad:livsforing")]
    assert [(line.amount, "Glasögon" in line.text or "Tandvård" in line.text) for line in items] == [
        (900, True),
        (1200, True),
    ]


def test_surplus_gives_nothing_and_the_lines_still_add_up() -> None:
    result = calculate(household("2019-03", adult(), incomes=[{"kind": "lon_netto", "amount": 20000}]))
    assert result.entitlement == 0
    assert sum(line.amount for line in result.lines) == 0
    assert result.lines[-1].key == "overskott"


def test_wage_disregard_is_off_unless_the_municipality_turns_it_on() -> None:
    base = {"incomes": [{"kind": "lon_netto", "amount": 4000}], "months_on_assistance": 8}
    off = calculate(household("2019-03", adult(), **base))
    on = calculate(household("2019-03", adult(), **base, wage_disregard={"percent": 25, "after_months": 6}))
    assert off.entitlement == 3090 + 990 - 4000
    assert on.entitlement == off.entitlement + 1000
    early = calculate(
        household("2019-03", adult(), **{**base, "months_on_assistance": 3}, wage_disregard={"percent": 25})
    )
    assert early.entitlement == off.entitlement


def test_reductions_are_lines_of_their_own() -> None:
    result = calculate(
        household(
            "2019-03", adult(), reductions=[{"label": "Nedsättning enligt beslut 2019-02-20", "amount": 500}]
        )
    )
    assert result.reductions == 500
    assert result.entitlement == 3090 + 990 - 500


def test_the_summary_says_why_in_plain_swedish() -> None:
    result = calculate(household("2019-03", adult()))
    assert result.summary.startswith("Därför får du 4\u00a0080\u00a0kr")


def test_2023_has_no_without_lunch_amounts_and_says_so() -> None:
    with pytest.raises(NormMissing, match="utan lunch"):
        calculate(household("2023-03", adult(), child("c", "2020-01-01", lunch_at_preschool=True)))


def test_a_year_without_a_table_is_a_clear_error() -> None:
    with pytest.raises(NormMissing, match="2012"):
        calculate(household("2012-03", adult()))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"month": "2019-03", "members": []}, "members"),
        ({"month": "2019-13", "members": [adult()]}, "month"),
        ({"month": "2019-03", "members": [adult(), adult("b")]}, "sokande"),
        ({"month": "2019-03", "members": [adult(), child("c", "1990-01-01")]}, "21"),
        (
            {"month": "2019-03", "members": [adult()], "costs": [{"kind": "boende", "amount": -5}]},
            "costs.0.amount",
        ),
        (
            {"month": "2019-03", "members": [adult()], "incomes": [{"kind": "lotto", "amount": 5}]},
            "incomes.0.kind",
        ),
        (
            {"month": "2019-03", "members": [adult()], "costs": [{"kind": "boende", "amount": 1.5}]},
            "costs.0.amount",
        ),
        ({"month": "2019-03", "members": [adult()], "surprise": 1}, "surprise"),
    ],
)
def test_bad_input_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(data)
    assert field in str(caught.value)


def test_projection_is_never_official_and_rounds_each_item_to_tens() -> None:
    base = norm.table_for_year(2023)
    projected = norm.project(base, percent=Decimal("8.7"), year=2024)
    assert not projected.official
    assert projected.single_items["livsmedel"] == 2120  # 1 950 × 1.087 = 2 119.65
    assert projected.single == sum(projected.single_items.values())
    assert projected.per_member_above_7 == projected.common(7) - projected.common(6)
    assert norm.parse(__import__("tomllib").loads(projected.to_toml())) == projected


def test_a_projected_table_warns() -> None:
    table = norm.project(norm.table_for_year(2023), percent=Decimal(2), year=2023)
    result = calculate(household("2023-03", adult()), table=table)
    assert result.warnings and "projektion" in result.warnings[0]
