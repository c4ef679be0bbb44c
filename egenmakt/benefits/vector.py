"""The same norm rule as calculation.py, over many households at once with numpy.

Used to simulate a norm change across the whole caseload (what-if) and measured in
bench/payment_run.py. It gives only the entitlement, not the explanation; a test holds it equal to the
explained calculation for generated households. Integers only: int64 throughout.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from egenmakt.benefits.calculation import CAPPED_KINDS, CostKind, HouseholdMonth, IncomeKind, Role, age_in
from egenmakt.benefits.norm import NormMissing, NormTable

Ints = npt.NDArray[np.int64]
NO_CAP = np.iinfo(np.int64).max // 4


@dataclass
class Batch:
    """Households of one month, as columns. Members are listed household by household."""

    days_in_month: int
    member_household: Ints  # index of each member's household
    member_is_child: npt.NDArray[np.bool_]
    member_bracket: Ints  # child age bracket index (0 for adults)
    member_without_lunch: npt.NDArray[np.bool_]
    member_days: Ints  # days in the household this month
    adults: Ints  # 1 or 2 per household
    members: Ints
    others_in_dwelling: Ints
    costs: Ints  # shape (households, 5): the capped kinds, in CAPPED_KINDS order
    caps: Ints  # same shape; NO_CAP where the municipality sets none
    other_costs: Ints  # livsföring i övrigt
    wage: Ints
    other_income: Ints
    wage_percent: Ints  # the share of wage left out, 0 when the rule does not apply
    wage_max: Ints  # NO_CAP when unlimited
    reductions: Ints

    def __len__(self) -> int:
        return len(self.adults)


def entitlements(batch: Batch, table: NormTable) -> Ints:
    """Entitlement per household in whole kronor, never negative."""
    households = len(batch)
    with_lunch = np.array([b.amount for b in table.children], dtype=np.int64)
    without = np.array(
        [b.without_lunch if b.without_lunch is not None else -1 for b in table.children], dtype=np.int64
    )
    child = batch.member_is_child
    amount = np.where(
        batch.member_without_lunch, without[batch.member_bracket], with_lunch[batch.member_bracket]
    )
    if np.any(child & (amount < 0)):
        raise NormMissing(f"Riksnormen {table.year} saknar beloppet utan lunch för en åldersgrupp som behövs")
    dim = batch.days_in_month
    child_amount = np.where(child, (2 * amount * batch.member_days + dim) // (2 * dim), 0)
    children = np.bincount(batch.member_household, weights=child_amount, minlength=households).astype(
        np.int64
    )

    adults = np.where(batch.adults == 2, table.cohabiting, table.single)

    common_table = np.array(table.common_by_size, dtype=np.int64)
    size = batch.members + batch.others_in_dwelling
    largest = len(common_table)
    common = (
        common_table[np.minimum(size, largest) - 1] + np.maximum(size - largest, 0) * table.per_member_above_7
    )
    common = np.where(batch.others_in_dwelling > 0, (2 * common * batch.members + size) // (2 * size), common)

    costs = np.minimum(batch.costs, batch.caps).sum(axis=1) + batch.other_costs
    left_out = np.minimum(batch.wage * batch.wage_percent // 100, batch.wage_max)
    income = batch.wage - left_out + batch.other_income
    total = children + adults + common + costs - income - batch.reductions
    return np.maximum(total, 0)


def batch_of(households: Sequence[HouseholdMonth], table: NormTable) -> Batch:
    """Columns from parsed households, all of the same month."""
    if not households:
        raise ValueError("no households")
    month: date = households[0].month
    if any(h.month != month for h in households):
        raise ValueError("a batch holds one month")
    dim = calendar.monthrange(month.year, month.month)[1]
    m_household, m_child, m_bracket, m_without, m_days = [], [], [], [], []
    n = len(households)
    adults = np.zeros(n, dtype=np.int64)
    members = np.zeros(n, dtype=np.int64)
    others = np.zeros(n, dtype=np.int64)
    costs = np.zeros((n, len(CAPPED_KINDS)), dtype=np.int64)
    caps = np.full((n, len(CAPPED_KINDS)), NO_CAP, dtype=np.int64)
    other_costs = np.zeros(n, dtype=np.int64)
    wage = np.zeros(n, dtype=np.int64)
    other_income = np.zeros(n, dtype=np.int64)
    percent = np.zeros(n, dtype=np.int64)
    wage_max = np.full(n, NO_CAP, dtype=np.int64)
    reductions = np.zeros(n, dtype=np.int64)
    brackets = {age: i for i, b in enumerate(table.children) for age in range(b.low, b.high + 1)}
    for i, h in enumerate(households):
        for m in h.members:
            is_child = m.role == Role.BARN
            age = age_in(month, m.birth_date)
            m_household.append(i)
            m_child.append(is_child)
            m_bracket.append(brackets[age] if is_child else 0)
            m_without.append(is_child and m.lunch_at_preschool and age <= 6)
            m_days.append(dim if m.days is None else m.days)
        adults[i] = sum(1 for m in h.members if m.role != Role.BARN)
        members[i] = len(h.members)
        others[i] = h.others_in_dwelling
        for k, kind in enumerate(CAPPED_KINDS):
            costs[i, k] = sum(c.amount for c in h.costs if c.kind == kind)
            if kind in h.caps:
                caps[i, k] = h.caps[kind]
        other_costs[i] = sum(c.amount for c in h.costs if c.kind == CostKind.LIVSFORING)
        wage[i] = sum(x.amount for x in h.incomes if x.kind == IncomeKind.LON_NETTO)
        other_income[i] = sum(x.amount for x in h.incomes if x.kind != IncomeKind.LON_NETTO)
        rule = h.wage_disregard
        if rule is not None and rule.percent and h.months_on_assistance >= rule.after_months:
            percent[i] = rule.percent
            if rule.max_per_month is not None:
                wage_max[i] = rule.max_per_month
        reductions[i] = sum(r.amount for r in h.reductions)
    return Batch(
        days_in_month=dim,
        member_household=np.array(m_household, dtype=np.int64),
        member_is_child=np.array(m_child, dtype=np.bool_),
        member_bracket=np.array(m_bracket, dtype=np.int64),
        member_without_lunch=np.array(m_without, dtype=np.bool_),
        member_days=np.array(m_days, dtype=np.int64),
        adults=adults,
        members=members,
        others_in_dwelling=others,
        costs=costs,
        caps=caps,
        other_costs=other_costs,
        wage=wage,
        other_income=other_income,
        wage_percent=percent,
        wage_max=wage_max,
        reductions=reductions,
    )
