"""The norm calculation for one household and one month, with every line explained in plain Swedish.

This is the rule that decisions rest on, so it is written to be read: one function per part of the
calculation, whole kronor throughout, and the lines always add up to the total. The same input format
is the public calculation service (`manage.py calculate`, `POST /api/v1/calculate`) and what an
application stores; its JSON Schemas are
docs/calculate-input.schema.json and docs/calculate-output.schema.json.
"""

from __future__ import annotations

import calendar
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from egenmakt.benefits.norm import NormMissing, NormTable, table_for
from egenmakt.lib.money import kr, pro_rata

Kronor = Annotated[int, Field(ge=0, le=10_000_000)]


class Role(StrEnum):
    SOKANDE = "sokande"
    MEDSOKANDE = "medsokande"
    BARN = "barn"


class CostKind(StrEnum):
    """Reasonable costs outside the norm (skäliga kostnader), and livsföring i övrigt."""

    BOENDE = "boende"
    HUSHALLSEL = "hushallsel"
    ARBETSRESOR = "arbetsresor"
    HEMFORSAKRING = "hemforsakring"
    FACK_AKASSA = "fack_akassa"
    LIVSFORING = "livsforing"


class IncomeKind(StrEnum):
    LON_NETTO = "lon_netto"
    AKTIVITETSSTOD = "aktivitetsstod"
    ETABLERINGSERSATTNING = "etableringsersattning"
    SJUKPENNING = "sjukpenning"
    BOSTADSBIDRAG = "bostadsbidrag"
    BARNBIDRAG = "barnbidrag"
    UNDERHALLSSTOD = "underhallsstod"
    CSN = "csn"
    OVRIGT = "ovrigt"


CAPPED_KINDS = (
    CostKind.BOENDE,
    CostKind.HUSHALLSEL,
    CostKind.ARBETSRESOR,
    CostKind.HEMFORSAKRING,
    CostKind.FACK_AKASSA,
)


# Labels are looked up lazily and translated one at a time: a calculation asks for a handful of them.
COST_LABELS = {
    CostKind.BOENDE: gettext_lazy("Boende"),
    CostKind.HUSHALLSEL: gettext_lazy("Hushållsel"),
    CostKind.ARBETSRESOR: gettext_lazy("Arbetsresor"),
    CostKind.HEMFORSAKRING: gettext_lazy("Hemförsäkring"),
    CostKind.FACK_AKASSA: gettext_lazy("Fackavgift och a-kassa"),
    CostKind.LIVSFORING: gettext_lazy("Livsföring i övrigt"),
}
INCOME_LABELS = {
    IncomeKind.LON_NETTO: gettext_lazy("Lön (netto)"),
    IncomeKind.AKTIVITETSSTOD: gettext_lazy("Aktivitetsstöd"),
    IncomeKind.ETABLERINGSERSATTNING: gettext_lazy("Etableringsersättning"),
    IncomeKind.SJUKPENNING: gettext_lazy("Sjukpenning"),
    IncomeKind.BOSTADSBIDRAG: gettext_lazy("Bostadsbidrag"),
    IncomeKind.BARNBIDRAG: gettext_lazy("Barnbidrag"),
    IncomeKind.UNDERHALLSSTOD: gettext_lazy("Underhållsstöd"),
    IncomeKind.CSN: gettext_lazy("Studiemedel (CSN)"),
    IncomeKind.OVRIGT: gettext_lazy("Övrig inkomst"),
}


def cost_label(kind: str) -> str:
    return str(COST_LABELS[CostKind(kind)])


def income_label(kind: str) -> str:
    return str(INCOME_LABELS[IncomeKind(kind)])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Member(_Strict):
    id: str = Field(min_length=1, max_length=40, description="Any label that is unique in the household.")
    role: Role
    birth_date: date
    lunch_at_preschool: bool = Field(
        False, description="Ages 0–6: lunch at preschool 5 days a week (the lower 'utan lunch' amount)."
    )
    days: int | None = Field(
        None, ge=0, le=31, description="Children in växelvis boende: days with this household in the month."
    )


class Cost(_Strict):
    kind: CostKind
    amount: Kronor
    label: str = Field("", max_length=120, description="What a livsföring item is for, e.g. 'Glasögon'.")


class Income(_Strict):
    kind: IncomeKind
    amount: Kronor
    member: str | None = Field(None, description="The member id whose income it is, if known.")


class Reduction(_Strict):
    """A decided nedsättning for this month (never a proposal: the system never deducts without one)."""

    label: str = Field(min_length=1, max_length=200)
    amount: Kronor


class WageDisregard(_Strict):
    """A part of net wage left out for long-term recipients. A local choice whose legal basis is not
    verified in Egenmakt's sources: off unless the municipality turns it on."""

    percent: int = Field(ge=0, le=100)
    after_months: int = Field(6, ge=0, le=120)
    max_per_month: Kronor | None = None


class HouseholdMonth(_Strict):
    month: date = Field(description="The month, as YYYY-MM or its first day YYYY-MM-01.")
    members: list[Member] = Field(min_length=1, max_length=30)
    others_in_dwelling: int = Field(
        0,
        ge=0,
        le=30,
        description="Adults and children who share the home but are not part of this household "
        "(for example a friend who is not a sambo).",
    )
    costs: list[Cost] = Field(default_factory=list, max_length=100)
    incomes: list[Income] = Field(default_factory=list, max_length=100)
    reductions: list[Reduction] = Field(default_factory=list, max_length=20)
    caps: dict[CostKind, Kronor] = Field(
        default_factory=dict, description="The municipality's highest accepted amount per cost kind."
    )
    months_on_assistance: int = Field(0, ge=0, le=600)
    wage_disregard: WageDisregard | None = None

    @field_validator("month", mode="before")
    @classmethod
    def _month(cls, value: Any) -> Any:
        if isinstance(value, str) and len(value) == 7:
            value = f"{value}-01"
        return value

    @field_validator("month")
    @classmethod
    def _first_day(cls, value: date) -> date:
        return value.replace(day=1)

    @model_validator(mode="after")
    def _household(self) -> HouseholdMonth:
        ids = [m.id for m in self.members]
        if len(set(ids)) != len(ids):
            raise ValueError("members: every member needs its own id")
        roles = [m.role for m in self.members]
        if roles.count(Role.SOKANDE) != 1:
            raise ValueError("members: a household has exactly one 'sokande'")
        if roles.count(Role.MEDSOKANDE) > 1:
            raise ValueError("members: at most one 'medsokande' (the sökande's spouse or sambo)")
        dim = calendar.monthrange(self.month.year, self.month.month)[1]
        for m in self.members:
            if m.birth_date > month_end(self.month):
                raise ValueError(f"members[{m.id}].birth_date: born after the month")
            if m.role == Role.BARN and age_in(self.month, m.birth_date) > 20:
                raise ValueError(
                    f"members[{m.id}]: a child of 21 or more is not part of the household (SOSFS 2013:1)"
                )
            if m.days is not None and (m.role != Role.BARN or m.days > dim):
                raise ValueError(f"members[{m.id}].days: only children have days, at most {dim} this month")
        for income in self.incomes:
            if income.member is not None and income.member not in ids:
                raise ValueError(f"incomes.member: no member has the id '{income.member}'")
        return self


class InputError(ValueError):
    """Bad input, naming the field: shown as it is to the person or program that sent it."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


def parse(data: Any) -> HouseholdMonth:
    try:
        return HouseholdMonth.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            [
                {"field": ".".join(str(p) for p in err["loc"]) or "(input)", "message": err["msg"]}
                for err in exc.errors()
            ]
        ) from None


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def age_in(month: date, birth: date) -> int:
    """Age in whole years on the month's first day. Which day to use is not settled in Egenmakt's
    sources; the first day means a child's norm changes the month after a birthday."""
    first = month.replace(day=1)
    return first.year - birth.year - ((first.month, first.day) < (birth.month, birth.day))


class Line(BaseModel):
    """One line of the explanation. Amounts are signed: needs add, incomes and reductions subtract."""

    model_config = ConfigDict(frozen=True)

    key: str
    group: Literal["norm", "kostnad", "inkomst", "nedsattning", "justering"]
    text: str
    amount: int
    member: str | None = None


class Result(BaseModel):
    model_config = ConfigDict(frozen=True)

    month: date
    norm_year: int
    norm_official: bool
    norm_source: str
    norm: int
    costs: int
    incomes: int
    reductions: int
    entitlement: int
    lines: list[Line]
    summary: str
    warnings: list[str]


def calculate(household: HouseholdMonth, *, table: NormTable | None = None) -> Result:
    table = table or table_for(household.month)
    lines = _norm_lines(household, table) + _cost_lines(household) + _income_lines(household)
    lines += [
        Line(key=f"nedsattning:{i}", group="nedsattning", text=r.label, amount=-r.amount)
        for i, r in enumerate(household.reductions)
    ]
    before = sum(line.amount for line in lines)
    if before < 0:
        # The lines must add up to what is paid, so the surplus is its own line.
        lines.append(
            Line(
                key="overskott",
                group="justering",
                text=_("Inkomsterna är högre än behovet med %(amount)s. Överskottet förs inte vidare.")
                % {"amount": kr(-before)},
                amount=-before,
            )
        )
    total = sum(line.amount for line in lines)
    by_group = {g: sum(x.amount for x in lines if x.group == g) for g in ("norm", "kostnad", "inkomst")}
    month_name = _month_name(household.month)
    summary = (
        _("Därför får du %(amount)s i försörjningsstöd för %(month)s.")
        % {"amount": kr(total), "month": month_name}
        if total > 0
        else _("Därför får du inget försörjningsstöd för %(month)s.") % {"month": month_name}
    )
    warnings = []
    if not table.official:
        warnings.append(
            _(
                "Riksnormen för %(year)s är en projektion, inte regeringens belopp. "
                "Beräkningen är en uppskattning och kan inte ligga till grund för ett beslut."
            )
            % {"year": table.year}
        )
    return Result(
        month=household.month,
        norm_year=table.year,
        norm_official=table.official,
        norm_source=table.source,
        norm=by_group["norm"],
        costs=by_group["kostnad"],
        incomes=-by_group["inkomst"],
        reductions=-sum(x.amount for x in lines if x.group == "nedsattning"),
        entitlement=total,
        lines=lines,
        summary=summary,
        warnings=warnings,
    )


def calculate_json(data: Any) -> dict[str, Any]:
    """The public service: JSON in, JSON out. Raises InputError or NormMissing with a clear message."""
    return calculate(parse(data)).model_dump(mode="json")


def _month_name(month: date) -> str:
    from django.utils.formats import date_format

    return date_format(month, "F Y").lower() if _is_swedish() else date_format(month, "F Y")


def _is_swedish() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "sv").startswith("sv")


def _norm_lines(household: HouseholdMonth, table: NormTable) -> list[Line]:
    month = household.month
    dim = calendar.monthrange(month.year, month.month)[1]
    adults = [m for m in household.members if m.role != Role.BARN]
    children = [m for m in household.members if m.role == Role.BARN]
    lines: list[Line] = []
    if len(adults) == 2:
        lines.append(
            Line(
                key="norm:vuxna",
                group="norm",
                text=_("Personliga kostnader för er två som sambor eller makar: %(amount)s")
                % {"amount": kr(table.cohabiting)},
                amount=table.cohabiting,
            )
        )
    else:
        lines.append(
            Line(
                key="norm:vuxen",
                group="norm",
                text=_("Personliga kostnader för dig som ensamstående vuxen: %(amount)s")
                % {"amount": kr(table.single)},
                amount=table.single,
                member=adults[0].id,
            )
        )
    for child in children:
        age = age_in(month, child.birth_date)
        bracket = table.child_bracket(age)
        amount, lunch_note = bracket.amount, ""
        if child.lunch_at_preschool and age <= 6:
            if bracket.without_lunch is None:
                raise NormMissing(
                    f"Riksnormen {table.year} i Egenmakts regelfiler saknar beloppet utan lunch för {bracket.label}"
                )
            amount, lunch_note = bracket.without_lunch, _(", äter lunch på förskolan")
        text = _("Personliga kostnader för barn %(age)s år%(lunch)s: %(amount)s") % {
            "age": age,
            "lunch": lunch_note,
            "amount": kr(amount),
        }
        days = dim if child.days is None else child.days
        if days != dim:
            full = amount
            amount = pro_rata(full, days, dim)
            text += " " + _("× %(days)s av %(dim)s dagar (växelvis boende) = %(amount)s") % {
                "days": days,
                "dim": dim,
                "amount": kr(amount),
            }
        lines.append(
            Line(key=f"norm:barn:{child.id}", group="norm", text=text, amount=amount, member=child.id)
        )
    size = len(household.members) + household.others_in_dwelling
    common = table.common(size)
    if household.others_in_dwelling:
        share = pro_rata(common, len(household.members), size)
        text = _(
            "Gemensamma hushållskostnader: %(common)s för %(size)s personer i bostaden, "
            "er del för %(members)s av dem = %(amount)s"
        ) % {"common": kr(common), "size": size, "members": len(household.members), "amount": kr(share)}
        common = share
    else:
        text = _("Gemensamma hushållskostnader för %(size)s personer: %(amount)s") % {
            "size": size,
            "amount": kr(common),
        }
    lines.append(Line(key="norm:gemensamt", group="norm", text=text, amount=common))
    return lines


def _cost_lines(household: HouseholdMonth) -> list[Line]:
    lines: list[Line] = []
    for kind in CAPPED_KINDS:
        amount = sum(c.amount for c in household.costs if c.kind == kind)
        if not amount:
            continue
        cap = household.caps.get(kind)
        if cap is not None and amount > cap:
            text = _(
                "%(what)s: %(amount)s. Kommunens högsta godtagbara kostnad för ert hushåll är %(cap)s, "
                "så %(cap)s räknas."
            ) % {"what": cost_label(kind), "amount": kr(amount), "cap": kr(cap)}
            amount = cap
        else:
            text = _("%(what)s: %(amount)s") % {"what": cost_label(kind), "amount": kr(amount)}
        lines.append(Line(key=f"kostnad:{kind}", group="kostnad", text=text, amount=amount))
    for i, cost in enumerate(c for c in household.costs if c.kind == CostKind.LIVSFORING):
        what = cost.label or cost_label(cost.kind)
        lines.append(
            Line(
                key=f"kostnad:livsforing:{i}",
                group="kostnad",
                text=_("Livsföring i övrigt, %(what)s: %(amount)s")
                % {"what": what, "amount": kr(cost.amount)},
                amount=cost.amount,
            )
        )
    return lines


def wage_left_out(household: HouseholdMonth, wage: int) -> int:
    rule = household.wage_disregard
    if rule is None or rule.percent == 0 or household.months_on_assistance < rule.after_months:
        return 0
    left_out = wage * rule.percent // 100
    return min(left_out, rule.max_per_month) if rule.max_per_month is not None else left_out


def _income_lines(household: HouseholdMonth) -> list[Line]:
    lines: list[Line] = []
    for kind in IncomeKind:
        amount = sum(i.amount for i in household.incomes if i.kind == kind)
        if not amount:
            continue
        text = _("%(what)s: %(amount)s") % {"what": income_label(kind), "amount": kr(amount)}
        counted = amount
        if kind == IncomeKind.LON_NETTO:
            left_out = wage_left_out(household, amount)
            if left_out:
                counted = amount - left_out
                text = _("%(what)s: %(amount)s, varav %(left)s inte räknas (kommunens jobbstimulans)") % {
                    "what": income_label(kind),
                    "amount": kr(amount),
                    "left": kr(left_out),
                }
        lines.append(Line(key=f"inkomst:{kind}", group="inkomst", text=text, amount=-counted))
    return lines


def json_schema(which: Literal["input", "output"]) -> dict[str, Any]:
    """The published JSON Schema of the service's input or output (docs/calculate-*.schema.json)."""
    model: type[BaseModel] = HouseholdMonth if which == "input" else Result
    schema = model.model_json_schema(mode="validation" if which == "input" else "serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }
