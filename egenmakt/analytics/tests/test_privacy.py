"""Small-cell suppression on hand-built breakdowns: primary, complementary, publishing and curves."""

from __future__ import annotations

from dataclasses import astuple

import pytest

from egenmakt.analytics.privacy import (
    MIN_PEOPLE,
    Cell,
    PublishedCell,
    published,
    suppress_breakdown,
    truncate_curve,
)


def share(group: str, numerator: int, denominator: int) -> Cell:
    return Cell(group=group, denominator=denominator, numerator=numerator, value=numerator / denominator)


def count(group: str, people: int) -> Cell:
    return Cell(group=group, denominator=people, numerator=None, value=float(people))


def hidden_groups(cells: list[Cell]) -> list[str]:
    return [cell.group for cell in cells if cell.suppressed]


def test_the_minimum_is_five_people() -> None:
    assert MIN_PEOPLE == 5


def test_it_publishes_everything_when_every_cell_has_five_or_more() -> None:
    cells, total = suppress_breakdown(
        [share("Kvinna", 5, 20), share("Man", 12, 30)], total=share("Totalt", 17, 50)
    )
    assert hidden_groups(cells) == []
    assert total is not None and not total.suppressed


def test_it_suppresses_a_group_of_three_without_a_total() -> None:
    cells, total = suppress_breakdown([count("Enhet Norr", 3), count("Enhet Syd", 40)])
    assert hidden_groups(cells) == ["Enhet Norr"]
    assert total is None


@pytest.mark.parametrize("people", [0, 1, 4])
def test_it_counts_zero_and_one_as_under_five(people: int) -> None:
    cells, _ = suppress_breakdown([count("Enhet Norr", people)])
    assert cells[0].suppressed


def test_it_suppresses_a_numerator_of_two_out_of_forty() -> None:
    cells, _ = suppress_breakdown([share("Kvinna", 2, 40), share("Man", 20, 40)])
    assert hidden_groups(cells) == ["Kvinna"]


def test_it_does_not_suppress_a_large_numerator_close_to_its_denominator() -> None:
    # Only numerator and denominator are checked, not the people left over (38 of 40 is shown).
    cells, _ = suppress_breakdown([share("Kvinna", 38, 40), share("Man", 20, 40)])
    assert hidden_groups(cells) == []


def test_it_uses_another_minimum_when_given() -> None:
    cells, _ = suppress_breakdown([count("A", 8), count("B", 12)], minimum=10)
    assert hidden_groups(cells) == ["A"]


def test_a_lone_suppressed_group_next_to_a_total_hides_the_smallest_other_group() -> None:
    cells, total = suppress_breakdown(
        [count("Enhet Norr", 3), count("Enhet Syd", 40), count("Enhet Väst", 12), count("Enhet Öst", 25)],
        total=count("Totalt", 80),
    )
    # Otherwise 80 − 40 − 12 − 25 gives Norr's 3 back.
    assert hidden_groups(cells) == ["Enhet Norr", "Enhet Väst"]
    assert total is not None and not total.suppressed


def test_it_breaks_ties_between_equally_small_groups_by_name() -> None:
    cells, _ = suppress_breakdown(
        [count("Ö", 2), count("C", 10), count("B", 10), count("D", 30)], total=count("Totalt", 52)
    )
    assert hidden_groups(cells) == ["Ö", "B"]


def test_two_suppressed_groups_summing_under_five_force_a_third() -> None:
    cells, _ = suppress_breakdown(
        [count("A", 1), count("B", 3), count("C", 9), count("D", 7), count("E", 30)],
        total=count("Totalt", 50),
    )
    # A and B together are 4: the total minus the shown groups would still reveal a group of four.
    assert hidden_groups(cells) == ["A", "B", "D"]


def test_two_suppressed_groups_summing_to_five_are_enough() -> None:
    cells, _ = suppress_breakdown(
        [count("A", 1), count("B", 4), count("C", 9), count("D", 30)], total=count("Totalt", 44)
    )
    assert hidden_groups(cells) == ["A", "B"]


def test_suppressed_numerators_summing_under_five_force_another_group() -> None:
    cells, _ = suppress_breakdown(
        [share("Kvinna", 2, 40), share("Man", 6, 30), share("Annat", 1, 8), share("Okänt", 9, 20)],
        total=share("Totalt", 18, 98),
    )
    # Annat and Kvinna hold 48 people but only 3 in work: the total's numerator would reveal that 3.
    assert hidden_groups(cells) == ["Kvinna", "Annat", "Okänt"]


def test_it_does_no_complementary_suppression_without_a_total() -> None:
    cells, _ = suppress_breakdown([count("A", 3), count("B", 10), count("C", 40)])
    assert hidden_groups(cells) == ["A"]


def test_it_suppresses_every_group_when_there_is_nothing_else_to_hide() -> None:
    cells, total = suppress_breakdown([count("A", 3), count("B", 20)], total=count("Totalt", 23))
    assert hidden_groups(cells) == ["A", "B"]
    assert total is not None and not total.suppressed


def test_it_suppresses_a_total_under_five() -> None:
    cells, total = suppress_breakdown([count("A", 1), count("B", 3)], total=count("Totalt", 4))
    assert total is not None and total.suppressed
    assert hidden_groups(cells) == ["A", "B"]


def test_it_suppresses_a_total_whose_numerator_is_under_five() -> None:
    _, total = suppress_breakdown([share("A", 1, 30), share("B", 3, 30)], total=share("Totalt", 4, 60))
    assert total is not None and total.suppressed


def test_it_keeps_cells_that_arrive_suppressed_suppressed() -> None:
    already = Cell(group="A", denominator=50, numerator=None, value=50.0, suppressed=True)
    cells, _ = suppress_breakdown([already, count("B", 40), count("C", 20)], total=count("Totalt", 110))
    assert hidden_groups(cells) == ["A", "C"]


def test_it_keeps_the_raw_numbers_and_the_order_for_drill_down() -> None:
    given = [count("B", 40), count("A", 3), count("C", 12)]
    cells, _ = suppress_breakdown(given, total=count("Totalt", 55))
    assert [(c.group, c.denominator, c.value) for c in cells] == [
        ("B", 40, 40.0),
        ("A", 3, 3.0),
        ("C", 12, 12.0),
    ]


def test_it_refuses_a_breakdown_mixing_shares_and_counts() -> None:
    with pytest.raises(ValueError):
        suppress_breakdown([share("A", 5, 10), count("B", 10)])


def test_published_leaks_nothing_of_a_suppressed_cell() -> None:
    cells, _ = suppress_breakdown(
        [share("Kvinna", 2, 41), share("Man", 7, 37), share("Annat", 6, 13)], total=share("Totalt", 15, 91)
    )
    shown = [published(cell) for cell in cells]
    assert all(isinstance(cell, PublishedCell) for cell in shown)
    for raw, cell in zip(cells, shown, strict=True):
        if raw.suppressed:
            assert cell == PublishedCell(
                group=raw.group, denominator=None, numerator=None, value=None, suppressed=True
            )
            # Not a single raw number, not even the share, is anywhere in the published copy.
            numbers = [field for field in astuple(cell) if not isinstance(field, str | bool)]
            assert numbers == [None, None, None]
    assert [cell.group for cell in shown if cell.suppressed] == ["Kvinna", "Annat"]


def test_published_copies_a_shown_cell_unchanged() -> None:
    assert published(share("Man", 7, 35)) == PublishedCell(
        group="Man", denominator=35, numerator=7, value=0.2, suppressed=False
    )


def test_published_hides_a_small_cell_even_if_nobody_flagged_it() -> None:
    cell = published(count("Enhet Norr", 3))
    assert cell.suppressed and cell.denominator is None and cell.value is None


def test_truncate_curve_keeps_the_points_with_five_or_more_at_risk() -> None:
    curve = truncate_curve(
        [0, 3, 6, 9, 12], [20, 12, 5, 4, 2], [1.0, 0.9, 0.7, 0.6, 0.3], [1.0, 0.8, 0.5, 0.4, 0.1]
    )
    assert curve.times == (0, 3, 6)
    assert curve.at_risk == (20, 12, 5)
    assert curve.series == ((1.0, 0.9, 0.7), (1.0, 0.8, 0.5))
    assert not curve.group_too_small


def test_truncate_curve_stops_at_the_first_small_point_even_if_more_enter_later() -> None:
    curve = truncate_curve([0, 1, 2, 3], [8, 3, 9, 9], [1.0, 0.5, 0.5, 0.4])
    assert curve.times == (0,)
    assert curve.series == ((1.0,),)


def test_truncate_curve_shows_nothing_for_a_group_under_five() -> None:
    curve = truncate_curve([0, 2, 4], [4, 3, 1], [1.0, 0.75, 0.5])
    assert curve.group_too_small
    assert curve.times == () and curve.at_risk == () and curve.series == ((),)


def test_truncate_curve_treats_an_empty_curve_as_too_small() -> None:
    assert truncate_curve([], []).group_too_small


def test_truncate_curve_keeps_the_whole_curve_when_enough_remain() -> None:
    curve = truncate_curve([0, 6], [30, 10], [1.0, 0.6], minimum=10)
    assert curve.times == (0, 6) and not curve.group_too_small


def test_truncate_curve_refuses_series_of_another_length() -> None:
    with pytest.raises(ValueError):
        truncate_curve([0, 1], [10, 9], [1.0])
