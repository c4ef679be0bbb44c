"""Egenmakt's norm rule (benefits/calculation.py) as an OpenFisca model, in the country-template style.

Runs in its own venv (var/bench-openfisca-venv, made by bench/payment_run.py) and never imports
egenmakt: the parameters come from the same riksnorm TOML file, read here with tomllib. Amounts are
OpenFisca `int` variables (int32), which hold every amount of this rule exactly; "no cap" is the
int32 maximum.

The rule, per household and month: children's personal costs by age bracket (the lower "without lunch"
amount for ages 0-6 with lunch at preschool; pro rata by days in växelvis boende, halves up), the
adults' amount (single or cohabiting), the common costs by household size (sizes above 7 add an amount
per person; with others in the dwelling the household pays its share, halves up), reasonable costs
each capped, other costs, less counted wage (a part may be left out), other income and reductions;
never below 0.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import MONTH
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

INT32_MAX = int(np.iinfo(np.int32).max)
CAPPED_KINDS = ("boende", "hushallsel", "arbetsresor", "hemforsakring", "fack_akassa")
NOT_GIVEN = -1  # a "without lunch" amount the rules file does not have

Person = build_entity(key="person", plural="persons", label="A member of the household", is_person=True)
Household = build_entity(
    key="household",
    plural="households",
    label="The household applying for försörjningsstöd for one month",
    roles=[
        {"key": "adult", "plural": "adults", "label": "Sökande or medsökande", "max": 2},
        {"key": "child", "plural": "children", "label": "Child under 21 living at home"},
    ],
)


# Inputs: persons


class age(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "Age in whole years on the month's first day"


class lunch_at_preschool(Variable):
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Lunch at preschool 5 days a week (ages 0-6: the lower amount)"


class days_in_household(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "Days with this household in the month (växelvis boende); the whole month otherwise"


# Inputs: households


class others_in_dwelling(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Persons sharing the home who are not part of the household"


def _capped_cost_inputs() -> list[type[Variable]]:
    made: list[type[Variable]] = []
    for kind in CAPPED_KINDS:
        made.append(
            type(
                f"cost_{kind}",
                (Variable,),
                {
                    "value_type": int,
                    "entity": Household,
                    "definition_period": MONTH,
                    "label": f"Cost: {kind}",
                },
            )
        )
        made.append(
            type(
                f"cap_{kind}",
                (Variable,),
                {
                    "value_type": int,
                    "entity": Household,
                    "definition_period": MONTH,
                    "default_value": INT32_MAX,
                    "label": f"The municipality's highest accepted amount: {kind}",
                },
            )
        )
    return made


class other_costs(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Livsföring i övrigt"


class wage(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Net wage"


class other_income(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "All other income"


class wage_percent_left_out(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Share of the wage left out (jobbstimulans), 0 when the rule does not apply"


class wage_left_out_max(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    default_value = INT32_MAX
    label = "Highest amount of wage left out per month"


class reductions(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Decided reductions (nedsättning)"


# Formulas: persons


class child_personal_cost(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "A child's personal costs for the whole month, by age bracket"

    def formula(person, period, parameters):
        children = parameters(period).norm.child  # not "children": ParameterNode uses that name
        years = person("age", period)
        full = children.amount.calc(years)
        without = children.without_lunch.calc(years)
        lower = person("lunch_at_preschool", period) & (years <= 6)
        is_child = person.has_role(Household.CHILD)
        if np.any(is_child & lower & (without == NOT_GIVEN)):
            raise ValueError("the rules file has no 'without lunch' amount for an age group that is needed")
        return np.where(is_child, np.where(lower, without, full), 0)


class child_personal_cost_for_days(Variable):
    value_type = int
    entity = Person
    definition_period = MONTH
    label = "A child's personal costs pro rata for the days in the household, halves up"

    def formula(person, period, parameters):
        amount = person("child_personal_cost", period).astype(np.int64)
        days = person("days_in_household", period)
        dim = period.size_in_days
        return (2 * amount * days + dim) // (2 * dim)


# Formulas: households


class children_personal_costs(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Personal costs of all the children"

    def formula(household, period, parameters):
        return household.sum(household.members("child_personal_cost_for_days", period))


class adults_personal_costs(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Personal costs of the adults: single or cohabiting"

    def formula(household, period, parameters):
        adults = parameters(period).norm.adults
        two = household.nb_persons(Household.ADULT) == 2
        return np.where(two, adults.cohabiting, adults.single)


class household_size(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Persons in the dwelling: members and others"

    def formula(household, period, parameters):
        return household.nb_persons() + household("others_in_dwelling", period)


class common_costs(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Common household costs, the household's share when others share the home"

    def formula(household, period, parameters):
        common = parameters(period).norm.common
        size = household("household_size", period).astype(np.int64)
        full = common.by_size.calc(size) + np.maximum(size - 7, 0) * common.per_member_above_7
        members = household.nb_persons()
        share = (2 * full * members + size) // (2 * size)
        return np.where(household("others_in_dwelling", period) > 0, share, full)


class reasonable_costs(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Reasonable costs, each kind at most the municipality's cap"

    def formula(household, period, parameters):
        total = sum(
            np.minimum(household(f"cost_{kind}", period), household(f"cap_{kind}", period))
            for kind in CAPPED_KINDS
        )
        return total + household("other_costs", period)


class counted_income(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Income that counts: wage less the part left out, and other income"

    def formula(household, period, parameters):
        pay = household("wage", period).astype(np.int64)
        left_out = np.minimum(
            pay * household("wage_percent_left_out", period) // 100, household("wage_left_out_max", period)
        )
        return pay - left_out + household("other_income", period)


class entitlement(Variable):
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Försörjningsstöd for the month in whole kronor, never negative"

    def formula(household, period, parameters):
        total = (
            household("children_personal_costs", period)
            + household("adults_personal_costs", period)
            + household("common_costs", period)
            + household("reasonable_costs", period)
            - household("counted_income", period)
            - household("reductions", period)
        )
        return np.maximum(total, 0)


def parameters_from_toml(path: Path) -> dict[str, Any]:
    """The OpenFisca parameter tree for one yearly riksnorm file, dated from its valid_from."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    start = str(data["valid_from"])

    def value(amount: int) -> dict[str, Any]:
        return {"values": {start: amount}}

    def scale(rows: list[tuple[int, int]]) -> dict[str, Any]:
        return {
            "metadata": {"type": "single_amount", "threshold_unit": "year"},
            "brackets": [{"threshold": value(low), "amount": value(amount)} for low, amount in rows],
        }

    children = data["children"]
    without_lunch = [(c["ages"][0], c.get("without_lunch", NOT_GIVEN)) for c in children if c["ages"][0] <= 6]
    by_size = data["common"]["by_size"]
    return {
        "norm": {
            "child": {
                "amount": scale([(c["ages"][0], c["amount"]) for c in children]),
                "without_lunch": scale([*without_lunch, (7, 0)]),
            },
            "adults": {
                "single": value(data["adults"]["single"]),
                "cohabiting": value(data["adults"]["cohabiting"]),
            },
            "common": {
                "by_size": scale([(size, amount) for size, amount in enumerate(by_size, start=1)]),
                "per_member_above_7": value(data["common"]["per_member_above_7"]),
            },
        }
    }


class NormSystem(TaxBenefitSystem):
    def __init__(self, norm_toml: Path) -> None:
        super().__init__([Person, Household])
        self.parameters = ParameterNode("", data=parameters_from_toml(norm_toml))
        self.add_variables(
            age,
            lunch_at_preschool,
            days_in_household,
            others_in_dwelling,
            *_capped_cost_inputs(),
            other_costs,
            wage,
            other_income,
            wage_percent_left_out,
            wage_left_out_max,
            reductions,
            child_personal_cost,
            child_personal_cost_for_days,
            children_personal_costs,
            adults_personal_costs,
            household_size,
            common_costs,
            reasonable_costs,
            counted_income,
            entitlement,
        )
