"""Suppression of small cells in statistics shown to analysts and politicians.

Every cell about fewer than `MIN_PEOPLE` people is hidden ("–" in the UI, exports and the API), and so is
any cell from which a hidden one could be worked out again.

The design has two types on purpose:

- `Cell` carries the raw numbers and a `suppressed` flag. It stays inside the server: roles allowed to
  drill down need the raw figures, and suppression itself needs them to add cells up.
- `PublishedCell` is what leaves the server. `published()` builds it and drops every raw number of a
  suppressed cell, so templates, exports and API schemas that accept only `PublishedCell` cannot leak one
  by mistake.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from egenmakt.lib.statistics import MIN_CELL

# One rule across the platform: the smallest group the analytics may show.
MIN_PEOPLE = MIN_CELL


@dataclass(frozen=True)
class Cell:
    """One figure about one group, with the raw numbers it was computed from."""

    group: str  # "Kvinna", "Enhet Norr", "2024"
    denominator: int  # the people the cell is about, e.g. exits in the group
    numerator: int | None  # people counted among them; None for a plain count or a median
    value: float | None  # the figure shown: a share 0..1, a median in months, or the count
    suppressed: bool = False


@dataclass(frozen=True)
class PublishedCell:
    """A cell as it may be shown: a suppressed one keeps its group label and nothing else."""

    group: str
    denominator: int | None
    numerator: int | None
    value: float | None
    suppressed: bool


def is_below_minimum(cell: Cell, *, minimum: int = MIN_PEOPLE) -> bool:
    """The primary rule: fewer than `minimum` people in the denominator or the numerator (zero included)."""
    return cell.denominator < minimum or (cell.numerator is not None and cell.numerator < minimum)


def suppress_breakdown(
    cells: Sequence[Cell], *, total: Cell | None = None, minimum: int = MIN_PEOPLE
) -> tuple[list[Cell], Cell | None]:
    """Flag the cells of one breakdown (and its total) that must not be shown.

    The cells are the groups of one partition, e.g. exits by gender, and add up to `total` (denominators
    always, numerators when there are any). Pass `total` whenever it is shown anywhere next to the groups:
    it is what makes complementary suppression necessary. Cells come back in the given order; a cell that
    arrives already suppressed stays so.
    """
    _check_same_kind([*cells, *([total] if total is not None else [])])
    hidden = [cell.suppressed or is_below_minimum(cell, minimum=minimum) for cell in cells]
    total_hidden = total is not None and (total.suppressed or is_below_minimum(total, minimum=minimum))

    if total is not None and not total_hidden and any(hidden):
        # With the total shown, total minus the other groups recovers a lone hidden group, so a second
        # one must go too. Two hidden groups that together hold fewer than `minimum` people are no better:
        # their sum is known and still describes a small group. Hiding the smallest visible group first
        # loses the least information.
        while not all(hidden) and not _protects(
            [cell for cell, is_hidden in zip(cells, hidden, strict=True) if is_hidden], minimum=minimum
        ):
            visible = [i for i, is_hidden in enumerate(hidden) if not is_hidden]
            hidden[min(visible, key=lambda i: (cells[i].denominator, cells[i].group))] = True

    flagged = [replace(cell, suppressed=is_hidden) for cell, is_hidden in zip(cells, hidden, strict=True)]
    return flagged, replace(total, suppressed=total_hidden) if total is not None else None


def published(cell: Cell, *, minimum: int = MIN_PEOPLE) -> PublishedCell:
    """The cell as it may leave the server: a suppressed cell carries only its group label.

    The primary rule is applied again here, so a cell that never went through `suppress_breakdown` cannot
    show a small group either. (Complementary suppression needs the whole breakdown and cannot be checked
    from one cell.)
    """
    if cell.suppressed or is_below_minimum(cell, minimum=minimum):
        return PublishedCell(group=cell.group, denominator=None, numerator=None, value=None, suppressed=True)
    return PublishedCell(
        group=cell.group,
        denominator=cell.denominator,
        numerator=cell.numerator,
        value=cell.value,
        suppressed=False,
    )


@dataclass(frozen=True)
class TruncatedCurve:
    """The part of a survival curve that may be shown."""

    times: tuple[float, ...]
    at_risk: tuple[int, ...]
    series: tuple[tuple[float, ...], ...]  # one per series given, cut to the same length as `times`
    group_too_small: bool  # the whole group is under the minimum, so nothing is shown


def truncate_curve(
    times: Sequence[float],
    at_risk: Sequence[int],
    *series: Sequence[float],
    minimum: int = MIN_PEOPLE,
) -> TruncatedCurve:
    """Cut a curve where fewer than `minimum` people remain at risk.

    A curve is shown only while at least `minimum` people are at risk: past that point each step describes
    a handful of people. `series` are the values at each time (estimate, confidence limits, ...).
    The group is too small when fewer than `minimum` people are at risk at the first time (or there are no
    times at all); then the result is empty.
    """
    for values in (at_risk, *series):
        if len(values) != len(times):
            raise ValueError(
                f"Every series needs one value per time: {len(values)} values, {len(times)} times"
            )
    shown = 0
    # A prefix, not a filter: late entry can make the number at risk rise again, but every later value of
    # the estimate multiplies in the steps taken while few were at risk, and would give them away.
    while shown < len(times) and at_risk[shown] >= minimum:
        shown += 1
    return TruncatedCurve(
        times=tuple(times[:shown]),
        at_risk=tuple(at_risk[:shown]),
        series=tuple(tuple(values[:shown]) for values in series),
        group_too_small=shown == 0,
    )


def _protects(hidden: Sequence[Cell], *, minimum: int) -> bool:
    """Whether the hidden cells of a breakdown with a shown total keep each other safe."""
    if len(hidden) < 2 or sum(cell.denominator for cell in hidden) < minimum:
        return False
    numerators = [cell.numerator for cell in hidden if cell.numerator is not None]
    return not numerators or sum(numerators) >= minimum


def _check_same_kind(cells: Sequence[Cell]) -> None:
    # Groups add up numerator by numerator only if all of them have one; a mix is a caller's mistake.
    if len({cell.numerator is None for cell in cells}) > 1:
        raise ValueError("Cells in one breakdown must all have a numerator, or none of them")
