"""Properties of the norm rule over generated households (hypothesis), and the vectorised core held
equal to the explained calculation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egenmakt.benefits import norm, vector
from egenmakt.benefits.calculation import CAPPED_KINDS, CostKind, HouseholdMonth, IncomeKind, calculate, parse

# Uses no database: run once, in the SQLite half (conftest.py); the PostgreSQL half would repeat it.
pytestmark = pytest.mark.database_free

YEARS = [2014, 2017, 2019, 2021]  # tables with "utan lunch" amounts, so every generated child can be priced
money = st.integers(min_value=0, max_value=40_000)


@st.composite
def households(draw: st.DrawFn) -> HouseholdMonth:
    year = draw(st.sampled_from(YEARS))
    month = date(year, draw(st.integers(1, 12)), 1)
    members: list[dict[str, Any]] = [{"id": "a", "role": "sokande", "birth_date": "1980-01-01"}]
    if draw(st.booleans()):
        members.append({"id": "b", "role": "medsokande", "birth_date": "1982-02-02"})
    for i in range(draw(st.integers(0, 8))):
        age_days = draw(st.integers(0, 20 * 365))
        born = date.fromordinal(month.toordinal() - age_days)
        child: dict[str, Any] = {"id": f"c{i}", "role": "barn", "birth_date": born.isoformat()}
        child["lunch_at_preschool"] = draw(st.booleans())
        if draw(st.booleans()):
            child["days"] = draw(st.integers(0, 28))
        members.append(child)
    costs = [{"kind": k.value, "amount": draw(money)} for k in CAPPED_KINDS if draw(st.booleans())]
    costs += [
        {"kind": "livsforing", "label": "x", "amount": draw(money)} for _ in range(draw(st.integers(0, 2)))
    ]
    incomes = [{"kind": k.value, "amount": draw(money)} for k in IncomeKind if draw(st.booleans())]
    caps = {k.value: draw(money) for k in CAPPED_KINDS if draw(st.booleans())}
    data: dict[str, Any] = {
        "month": month.isoformat(),
        "members": members,
        "others_in_dwelling": draw(st.integers(0, 4)),
        "costs": costs,
        "incomes": incomes,
        "caps": caps,
        "months_on_assistance": draw(st.integers(0, 24)),
        "reductions": [{"label": "r", "amount": draw(money)}] if draw(st.booleans()) else [],
    }
    if draw(st.booleans()):
        data["wage_disregard"] = {
            "percent": draw(st.integers(0, 100)),
            "after_months": draw(st.integers(0, 12)),
            "max_per_month": draw(st.one_of(st.none(), money)),
        }
    return parse(data)


def _with(h: HouseholdMonth, **changes: Any) -> HouseholdMonth:
    return parse({**h.model_dump(mode="json"), **changes})


@settings(max_examples=300, deadline=None)
@given(households())
def test_never_negative_and_lines_add_up(h: HouseholdMonth) -> None:
    result = calculate(h)
    assert result.entitlement >= 0
    assert sum(line.amount for line in result.lines) == result.entitlement


@settings(max_examples=300, deadline=None)
@given(households(), st.sampled_from(list(CostKind)), st.integers(1, 20_000))
def test_a_higher_cost_never_lowers_the_entitlement(h: HouseholdMonth, kind: CostKind, more: int) -> None:
    before = calculate(h).entitlement
    costs = [*h.model_dump(mode="json")["costs"], {"kind": kind.value, "amount": more, "label": "mer"}]
    assert calculate(_with(h, costs=costs)).entitlement >= before


@settings(max_examples=300, deadline=None)
@given(households(), st.sampled_from(list(IncomeKind)), st.integers(1, 20_000))
def test_a_higher_income_never_raises_the_entitlement(h: HouseholdMonth, kind: IncomeKind, more: int) -> None:
    before = calculate(h).entitlement
    incomes = [*h.model_dump(mode="json")["incomes"], {"kind": kind.value, "amount": more}]
    assert calculate(_with(h, incomes=incomes)).entitlement <= before


@settings(max_examples=50, deadline=None)
@given(st.lists(households(), min_size=1, max_size=20), st.sampled_from(YEARS))
def test_the_vectorised_core_equals_the_explained_calculation(items: list[HouseholdMonth], year: int) -> None:
    month = date(year, 3, 1)
    same_month = [_with(h, month=month.isoformat()) for h in items if _born_before(h, month)]
    if not same_month:
        return
    table = norm.table_for(month)
    batch = vector.batch_of(same_month, table)
    assert vector.entitlements(batch, table).tolist() == [calculate(h).entitlement for h in same_month]


def _born_before(h: HouseholdMonth, month: date) -> bool:
    from egenmakt.benefits.calculation import age_in

    return all(
        (m.birth_date < month and age_in(month, m.birth_date) <= 20) or m.role != "barn" for m in h.members
    )
