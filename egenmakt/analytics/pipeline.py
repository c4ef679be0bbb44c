"""The outcome pipeline, written once as Ibis expressions: DuckDB runs it embedded, Spark at national scale.

Input: the tables of `extract` (months as numbers, year * 12 + month - 1). The unit of analysis is a
**period** (spell): consecutive months on försörjningsstöd or in an insats. A period ends in the month
before the first month outside them; where the person was the month after is its outcome:
- **arbete eller studier**: work (also subsidised) that is not a municipal labour-market job, or studies
  with studiemedel (Kolada's KKiK definition; a month's status means at least one month of it);
- **annat avslut**: other benefits, municipal employment, unknown, or no record at all;
- **censored** (still going, or moved away): what happened next is not known here.
Indicators are computed on "base" tables with one row per period, placement or person-year and a column
`counted` (0 or 1); the breakdowns group those rows. Definitions and computations sit side by side in
`INDICATORS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from egenmakt.outcomes import rules as outcome_rules
from egenmakt.outcomes.models import Status
from egenmakt.people.target_groups import definitions as target_group_definitions

# Statuses travel as small integer codes, a status's place in `STATUSES` (`extract` reads them so):
# comparing, filtering and joining 30 million months of text took seconds that integers do not.
STATUSES: tuple[str, ...] = tuple(Status.values)


def status_code(status: str) -> int:
    return STATUSES.index(status)


def status_codes(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Status text as codes (a text that is no status becomes null: no record)."""
    return pc.cast(pc.index_in(column, value_set=pa.array(STATUSES)), pa.int8())


FS = status_code(Status.FORSORJNINGSSTOD)
PROGRAMME = (FS, status_code(Status.INSATS))
WORK = (status_code(Status.ARBETE), status_code(Status.SUBVENTIONERAT_ARBETE))
STUDIES = status_code(Status.STUDIER)
MOVED = status_code(Status.FLYTTAT)
NO_RECORD = -1

# Outcome codes of a period (what the month after it shows).
OUT_WORK, OUT_STUDIES, OUT_OTHER, OUT_MOVED, OUT_ONGOING = range(5)
UNKNOWN = "okänd"

AGE_BANDS = (
    (0, 19, "16–19"),
    (20, 24, "20–24"),
    (25, 29, "25–29"),
    (30, 39, "30–39"),
    (40, 49, "40–49"),
    (50, 64, "50–64"),
    (65, 200, "65–"),
)
SWEDEN_BANDS = ((0, 1, "0–1 år"), (2, 4, "2–4 år"), (5, 9, "5–9 år"), (10, 200, "10 år eller mer"))


@dataclass(frozen=True)
class Frames:
    months: ir.Table
    persons: ir.Table
    cases: ir.Table
    enrolments: ir.Table
    households: ir.Table
    units: ir.Table
    activities: ir.Table
    data_end: int
    # The first month the history covers. A period running in that month may have begun before it: its
    # length is unknown, so it is left out of the curves and models (its end still counts for the
    # indicators after exit).
    data_start: int
    # Derived by `frames` (see _derive): the periods with the months they look up, and every placement
    # with what the indicators after the start of an insats read.
    period_core: ir.Table | None = None
    placements: ir.Table | None = None


Keep = Callable[[ir.Table, str], ir.Table]


def frames(
    tables: Mapping[str, pa.Table], *, data_end: int, data_start: int | None = None, keep: Keep | None = None
) -> Frames:
    """Arrow tables as Ibis memtables: bound to no engine until executed, so the same expressions run on
    whichever backend executes them. `data_start` defaults to the earliest month in the history.

    `keep` (an engine's `keep`) computes the derived tables once for everything that reads them; without
    it the engine may compute them again for each use (Ibis writes no shared steps), which at a million
    people took twice as long."""
    if data_start is None:
        months = tables["months"].column("month")
        data_start = int(pc.min(months).as_py()) if len(months) else data_end
    # Statuses as text (hand-built tables in tests) become codes here; `extract` reads codes.
    history = tables["months"]
    if pa.types.is_string(history.schema.field("status").type):
        index = history.schema.get_field_index("status")
        tables = {
            **tables,
            "months": history.set_column(index, "status", status_codes(history.column(index))),
        }
    f = Frames(
        data_end=data_end,
        data_start=data_start,
        **{
            name: ibis.memtable(tables[name])
            for name in ("months", "persons", "cases", "enrolments", "households", "units", "activities")
        },
    )
    return _derive(f, keep)


def _band(value: ir.IntegerValue, bands: Sequence[tuple[int, int, str]]) -> ir.StringValue:
    return ibis.cases(*[(value.between(low, high), label) for low, high, label in bands], else_=UNKNOWN)


def _in_work_or_studies(status: ir.StringValue, municipal: ir.BooleanValue) -> ir.BooleanValue:
    return (status.isin(WORK) & ~municipal.fill_null(False)) | (status == STUDIES)


Lookups = Mapping[str, tuple[ir.IntegerValue, Sequence[str]]]


# A status lookup's hit packed into 5 bits: 0 for no record, else 1 + status * 2 + municipal.
_SLOT = 32
_MAX_SLOTS = 11  # 32 ** 11 * 16 still fits in a signed 64-bit integer


@dataclass(frozen=True)
class _Found:
    """What `_months_at` found: one row per (`_p` person, `_k` key) with `_packed` (every status lookup,
    a slot each) and `{name}_unit` for the unit lookups; `slots` names each status lookup's slot."""

    table: ir.Table
    slots: Mapping[str, int]


def _months_at(f: Frames, wanted: Sequence[tuple[ir.Table, str, Lookups]]) -> _Found:
    """The person's record in other months, for several tables at once: for each `(table, key, at)` and
    each `name: (month, fields)` in `at`, the person's status and municipal flag, or unit, in that month
    (see `_with_lookups`). The names must differ between the tables.

    One join with the months for all of them, the hits pivoted back: a join per lookup read the 30
    million months again each time, and built its hash table on them rather than on the rows looked up
    (about three seconds a join at 200 000 people). The pivot packs the status lookups into one integer
    summed per row: a person has one record a month, so each slot gets at most one hit and nothing
    carries; one sum instead of a filtered aggregate per lookup and field made the pivot several times
    faster."""
    parts = []
    slots: dict[str, int] = {}
    units: dict[str, int] = {}
    tag = 0
    for table, key, at in wanted:
        for name, (month, fields) in at.items():
            parts.append(
                table.select(
                    _p=table.participant_id,
                    _k=table[key].cast("int32"),
                    _m=month.cast("int32"),
                    _t=ibis.literal(tag, "int8"),
                )
            )
            if "status" in fields or "municipal" in fields:
                slots[name] = len(slots)
            if "unit" in fields:
                units[name] = tag
            tag += 1
    if len(slots) > _MAX_SLOTS:
        raise ValueError(f"at most {_MAX_SLOTS} status lookups fit in one pivot")
    tags = [name for _t, _k, at in wanted for name in at]
    want = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
    m = f.months
    hit = want.join(m, [want._p == m.participant_id, want._m == m.month])
    value = 1 + hit.status.cast("int64") * 2 + hit.municipal_employment.fill_null(False).cast("int64")
    weight = ibis.cases(
        *[(hit._t == tags.index(name), _SLOT**slot) for name, slot in slots.items()], else_=0
    ).cast("int64")
    found = hit.group_by(["_p", "_k"]).aggregate(
        _packed=(value * weight).sum(),
        **{f"{name}_unit": hit.unit_id.max(where=hit._t == tag) for name, tag in units.items()},
    )
    return _Found(table=found, slots=slots)


def _with_lookups(table: ir.Table, key: str, found: _Found, names: Mapping[str, str]) -> ir.Table:
    """`table` with the looked-up columns `names` (`{lookup}_{field}` of `_months_at`: the new name)."""
    t = found.table
    columns: dict[str, ir.Value] = {}
    for old, new in names.items():
        lookup, field = old.rsplit("_", 1)
        if field == "unit":
            columns[new] = t[old]
            continue
        v = (t._packed // _SLOT ** found.slots[lookup]) % _SLOT
        columns[new] = (
            ibis.ifelse(v == 0, ibis.null("int8"), ((v - 1) // 2).cast("int8"))
            if field == "status"
            else ibis.ifelse(v == 0, ibis.null("boolean"), (v - 1) % 2 == 1)
        )
    picked = t.select("_p", "_k", **columns)
    joined = table.left_join(picked, [table.participant_id == picked._p, table[key] == picked._k])
    return joined.drop("_p", "_k")


def _target_group_flags(age: ir.IntegerValue, at: ir.IntegerValue, p: ir.Table) -> dict[str, ir.BooleanValue]:
    """The target groups of people/target_groups.toml, evaluated at a month, one flag per group. The same
    rule keys as TargetGroup.applies_to (a test holds the two equal on real participants)."""
    flags: dict[str, ir.BooleanValue] = {}
    for group in target_group_definitions():
        rule = group.rule
        cond: ir.BooleanValue = ibis.literal(True)
        if "min_age" in rule:
            cond = cond & (age >= rule["min_age"]).fill_null(False)
        if "max_age" in rule:
            cond = cond & (age <= rule["max_age"]).fill_null(False)
        if "occupation_not_in" in rule:
            cond = cond & ~p.occupation.fill_null("").isin(rule["occupation_not_in"])
        if "legal_sex" in rule:
            cond = cond & (p.legal_sex.fill_null("") == rule["legal_sex"])
        if rule.get("born_abroad"):
            country = p.country_of_birth.fill_null("")
            cond = cond & (country != "") & (country != "SE")
        if "max_months_since_arrival" in rule:
            since = at - p.arrival_date
            cond = (
                cond
                & (since >= 0).fill_null(False)
                & (since <= rule["max_months_since_arrival"]).fill_null(False)
            )
        if rule.get("has_disability"):
            cond = cond & p.has_disability.fill_null(False)
        if rule.get("digitally_excluded"):
            cond = cond & (
                p.letters_only.fill_null(False)
                | ~(p.has_bankid.fill_null(False) | (p.email.fill_null("") != ""))
            )
        flags[f"tg_{group.code}"] = cond
    return flags


def _person_columns(f: Frames, table: ir.Table, at: ir.IntegerValue) -> ir.Table:
    """Adds the person's breakdown and case-mix columns as of a month `at`."""
    p = f.persons.rename(_pid="participant_id")
    joined = table.left_join(p, table.participant_id == p._pid)
    age = (at - joined.birth_date) // 12
    in_sweden = (at - joined.arrival_date) // 12
    country = joined.country_of_birth.fill_null("")
    born_here = (country == "SE") | ((country == "") & joined.arrival_date.isnull())
    sexes = ibis.cases((joined.legal_sex == "K", "kvinna"), (joined.legal_sex == "M", "man"), else_=UNKNOWN)
    columns: dict[str, Any] = {
        "sex": sexes,
        "age": age,
        "age_band": _band(age, AGE_BANDS),
        "education": joined.education_level.nullif("").fill_null(UNKNOWN),
        "in_sweden": ibis.cases((born_here, "född i Sverige"), else_=_band(in_sweden, SWEDEN_BANDS)),
    }
    columns |= _target_group_flags(age, at, joined)
    keep = [c for c in table.columns]
    return joined.select(*keep, **columns)


def _household_type(f: Frames) -> ir.Table:
    h = f.households
    adults = h.relation.isin(("sokande", "medsokande")).cast("int64")
    children = (h.relation == "barn").cast("int64")
    sizes = h.group_by(h.household_id).aggregate(adults=adults.sum(), children=children.sum())
    members = h.join(sizes, "household_id")
    typed = members.select(
        _hid=members.participant_id,
        household=ibis.cases(
            ((members.adults >= 2) & (members.children > 0), "sammanboende med barn"),
            (members.adults >= 2, "sammanboende utan barn"),
            (members.children > 0, "ensamstående med barn"),
            else_="ensamstående utan barn",
        ),
    )
    # A person in more than one current household (it should not happen) counts in one of them.
    return typed.group_by("_hid").aggregate(household=typed.household.min())


AFTER_START = (3, 12, 24)
AFTER_EXIT = (3, 12, 24)
STATUS_FIELDS = ("status", "municipal")


def _period_bounds(f: Frames) -> ir.Table:
    """One row per period: its first and last month, months on assistance, the first month on
    assistance, the unit in its first month, and the first month on assistance in the person's later
    periods (for the returns)."""
    m = f.months
    prog = m.filter(m.status.isin(PROGRAMME))
    order = ibis.window(group_by=prog.participant_id, order_by=prog.month)
    prog = prog.mutate(island=prog.month - ibis.row_number().over(order))
    periods = prog.group_by(["participant_id", "island"]).aggregate(
        start=prog.month.min(),
        end=prog.month.max(),
        fs_months=(prog.status == FS).cast("int64").sum(),
        first_fs=(prog.status == FS).ifelse(prog.month, ibis.null("int64")).min(),
        unit_id=prog.unit_id.argmin(prog.month),
    )
    later = ibis.window(group_by=periods.participant_id, order_by=periods.start, following=(1, None))
    return periods.mutate(next_fs=periods.first_fs.min().over(later)).drop("island")


def _derive(f: Frames, keep: Keep | None) -> Frames:
    """The periods with the months after them, and the placements with the months after their start,
    looked up in one join (see _months_at)."""

    def kept(table: ir.Table, label: str) -> ir.Table:
        return keep(table, label) if keep is not None else table

    # The months kept in the engine's own storage: the engine then knows how many there are (DuckDB
    # estimates a table read from Arrow at one row, and so built the month lookup's hash table on the
    # 30 million months instead of on the rows looked up), and the three passes over them read it
    # once converted.
    f = replace(f, months=kept(f.months, "months"))
    bounds = kept(_period_bounds(f), "period_bounds")
    e = f.enrolments
    acts = f.activities.rename(_aid="activity_id", activity="name")
    e = e.join(acts, e.activity_id == acts._aid).drop("_aid")
    found = _months_at(
        f,
        [
            (
                bounds,
                "start",
                {
                    "next": (bounds.end + 1, STATUS_FIELDS),
                    **{f"after{k}": (bounds.end + k, STATUS_FIELDS) for k in AFTER_EXIT},
                },
            ),
            (
                e,
                "start",
                {
                    **{f"placed{k}": (e.start + k, STATUS_FIELDS) for k in AFTER_START},
                    "placed": (e.start, ("unit",)),
                },
            ),
        ],
    )
    found = replace(found, table=kept(found.table, "month_lookups"))
    units = f.units.rename(_uid="unit_id", unit="name")

    lookups = [f"next_{field}" for field in STATUS_FIELDS] + [
        f"after{k}_{field}" for k in AFTER_EXIT for field in STATUS_FIELDS
    ]
    periods = _with_lookups(bounds, "start", found, {name: name for name in lookups})
    periods = periods.left_join(units, periods.unit_id == units._uid).drop("_uid")

    placed = {f"placed{k}_{field}": f"after{k}_{field}" for k in AFTER_START for field in STATUS_FIELDS}
    e = _with_lookups(e, "start", found, {**placed, "placed_unit": "start_unit"})
    e = e.left_join(units, e.start_unit == units._uid).drop("_uid", "start_unit")
    e = e.mutate(cohort=(e.start // 12).cast("string"), unit=e.unit.fill_null(UNKNOWN))
    placements = _person_columns(f, e, e.start)
    return replace(f, period_core=kept(periods, "period_core"), placements=kept(placements, "placements"))


def spells(f: Frames) -> ir.Table:
    """One row per period, with its outcome, what followed it, and the person's columns at its start
    (from the periods `frames` derived)."""
    periods = f.period_core
    if periods is None:
        raise ValueError("Frames without derived tables: make them with frames()")

    # The first activity begun during the period.
    e = f.enrolments
    bounds = periods.select("participant_id", "start", "end")
    starts = e.rename(_p="participant_id", _start="start")
    placed = bounds.join(
        starts, [bounds.participant_id == starts._p, starts._start.between(bounds.start, bounds.end)]
    )
    first = ibis.window(
        group_by=[placed.participant_id, placed.start], order_by=[placed._start, placed.activity_id]
    )
    placed = placed.mutate(_n=ibis.row_number().over(first)).filter(lambda t: t._n == 0)
    acts = f.activities.rename(_aid="activity_id", activity="name")
    placed = placed.join(acts, placed.activity_id == acts._aid).select(
        _p2="participant_id", _s2="start", activity="activity"
    )
    periods = periods.left_join(
        placed, (periods.participant_id == placed._p2) & (periods.start == placed._s2)
    ).drop("_p2", "_s2")

    # The reason for needing assistance: the latest case opened by the period's end that names one.
    c = f.cases.filter(f.cases.forsorjningshinder.fill_null("") != "")
    named = c.rename(_p="participant_id")
    hinder = bounds.join(named, [bounds.participant_id == named._p, named.opened_on <= bounds.end])
    latest = ibis.window(
        # Two cases opened the same month: the reason's text decides, so every engine picks the same.
        group_by=[hinder.participant_id, hinder.start],
        order_by=[ibis.desc(hinder.opened_on), hinder.forsorjningshinder],
    )
    hinder = hinder.mutate(_n=ibis.row_number().over(latest)).filter(lambda t: t._n == 0)
    hinder = hinder.select(_p3="participant_id", _s3="start", hinder="forsorjningshinder")
    periods = periods.left_join(
        hinder, (periods.participant_id == hinder._p3) & (periods.start == hinder._s3)
    ).drop("_p3", "_s3")

    households = _household_type(f)
    periods = periods.left_join(households, periods.participant_id == households._hid).drop("_hid")

    next_status = periods.next_status
    ongoing = next_status.isnull() & (periods.end >= f.data_end)
    outcome = ibis.cases(
        (ongoing, OUT_ONGOING),
        (next_status == MOVED, OUT_MOVED),
        (
            _in_work_or_studies(next_status, periods.next_municipal).fill_null(False)
            & (next_status != STUDIES),
            OUT_WORK,
        ),
        (next_status == STUDIES, OUT_STUDIES),
        else_=OUT_OTHER,
    )
    periods = periods.mutate(
        duration=periods.end - periods.start + 1,
        outcome=outcome,
        cohort=(periods.start // 12).cast("string"),
        unit=periods.unit.fill_null(UNKNOWN),
        activity=periods.activity.fill_null("ingen insats"),
        hinder=periods.hinder.fill_null(UNKNOWN),
        household=periods.household.fill_null(UNKNOWN),
    )
    periods = periods.mutate(
        event=periods.outcome.isin((OUT_WORK, OUT_STUDIES)).cast("int64"),
        truncated=periods.start <= f.data_start,
    )
    return _person_columns(f, periods, periods.start)


# --- Indicators ------------------------------------------------------------------------------------------


DIMENSIONS: dict[str, str | Promise] = {
    "alla": _("Alla"),
    "sex": _("Kön"),
    "age_band": _("Åldersgrupp"),
    "malgrupp": _("Målgrupp"),
    "unit": _("Enhet"),
    "activity": _("Insats"),
    "cohort": _("Startår"),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str | Promise
    definition: str | Promise
    kind: str  # "share" (numerator/denominator) or "median" (months, Kaplan–Meier)
    base: Callable[
        [Frames, ir.Table], ir.Table
    ]  # (frames, periods) -> rows with `counted` and the dimensions
    dimensions: tuple[str, ...] = tuple(DIMENSIONS)


def _after_exit(k: int) -> Callable[[Frames, ir.Table], ir.Table]:
    def base(f: Frames, s: ir.Table) -> ir.Table:
        status, municipal = s[f"after{k}_status"], s[f"after{k}_municipal"]
        ended = s.filter(
            (s.outcome != OUT_ONGOING)
            & (s.outcome != OUT_MOVED)
            & (s.end + k <= f.data_end)
            & (status.fill_null(NO_RECORD) != MOVED)
        )
        counted = _in_work_or_studies(ended[status.get_name()], ended[municipal.get_name()]).fill_null(False)
        return ended.mutate(counted=counted.cast("int64"))

    return base


def _after_start(k: int) -> Callable[[Frames, ir.Table], ir.Table]:
    def base(f: Frames, s: ir.Table) -> ir.Table:
        e = f.placements
        if e is None:
            raise ValueError("Frames without placements: make them with frames()")
        status, municipal = e[f"after{k}_status"], e[f"after{k}_municipal"]
        e = e.filter((e.start + k <= f.data_end) & (status.fill_null(NO_RECORD) != MOVED))
        counted = _in_work_or_studies(e[status.get_name()], e[municipal.get_name()]).fill_null(False)
        return e.mutate(counted=counted.cast("int64"))

    return base


def _return_within(n: int) -> Callable[[Frames, ir.Table], ir.Table]:
    def base(f: Frames, s: ir.Table) -> ir.Table:
        ended = s.filter((s.outcome != OUT_ONGOING) & (s.outcome != OUT_MOVED) & (s.end + n <= f.data_end))
        back = (ended.next_fs.notnull() & (ended.next_fs <= ended.end + n)).fill_null(False)
        return ended.mutate(counted=back.cast("int64"))

    return base


def _long_term_threshold(year: ir.IntegerValue) -> ir.IntegerValue:
    """The months that make a calendar year long-term, by the rule in force at the year's start
    (outcomes/rules/outcomes.toml)."""
    rules = outcome_rules.long_term_rules()

    def first_year(valid_from: date) -> int:
        return valid_from.year + (0 if (valid_from.month, valid_from.day) == (1, 1) else 1)

    return ibis.cases(
        *[(year >= first_year(rule.valid_from), rule.months) for rule in reversed(rules)],
        else_=rules[0].months,
    )


def _long_term(f: Frames, s: ir.Table) -> ir.Table:
    m = f.months.filter(f.months.status == FS)
    m = m.mutate(year=m.month // 12)
    # Only whole calendar years that have ended by the data's last month: ten months need a whole year.
    m = m.filter((m.year * 12 + 11) <= f.data_end)
    # One group-by (the unit of the year's last month on assistance): two windows over every month on
    # assistance took ten seconds at a million people.
    years = m.group_by(["participant_id", "year"]).aggregate(
        _months=m.month.count(), unit_id=m.unit_id.argmax(m.month)
    )
    units = f.units.rename(_uid="unit_id", unit="name")
    years = years.left_join(units, years.unit_id == units._uid).drop("_uid")
    years = years.select(
        "participant_id",
        counted=(years._months >= _long_term_threshold(years.year)).cast("int64"),
        cohort=years.year.cast("string"),
        unit=years.unit.fill_null(UNKNOWN),
        at=years.year * 12 + 11,
    )
    return _person_columns(f, years, years.at)


def _periods(f: Frames, s: ir.Table) -> ir.Table:
    return s.mutate(counted=s.event)


INDICATORS: tuple[Indicator, ...] = (
    *(
        Indicator(
            code=f"arbete_studier_{k}m_efter_avslut",
            name=_("Arbete eller studier %(when)s efter avslut") % {"when": when},
            definition=_(
                "Andel av de perioder med försörjningsstöd eller insats som avslutats, där personen %(when)s "
                "senare arbetar (minst en månad, inte kommunal arbetsmarknadsanställning) eller studerar "
                "med studiemedel. Den som flyttat räknas inte. Saknas uppgift räknas personen som inte i "
                "arbete eller studier."
            )
            % {"when": when},
            kind="share",
            base=_after_exit(k),
        )
        for k, when in ((3, _("90 dagar")), (12, _("12 månader")), (24, _("24 månader")))
    ),
    *(
        Indicator(
            code=f"arbete_studier_{k}m_efter_start",
            name=_("Arbete eller studier %(when)s efter start i insats") % {"when": when},
            definition=_(
                "Andel av placeringarna i en insats där personen %(when)s efter starten arbetar (minst en "
                "månad, inte kommunal arbetsmarknadsanställning) eller studerar med studiemedel. Den som "
                "flyttat räknas inte."
            )
            % {"when": when},
            kind="share",
            base=_after_start(k),
        )
        for k, when in zip(AFTER_START, (_("90 dagar"), _("12 månader"), _("24 månader")), strict=True)
    ),
    Indicator(
        code="langvarigt_bistand",
        name=_("Långvarigt ekonomiskt bistånd"),
        definition=_(
            "Andel av dem som fått försörjningsstöd under ett kalenderår som fått det i minst %(months)s av "
            "årets månader (Socialstyrelsens definition). Bara avslutade kalenderår."
        )
        % {"months": outcome_rules.long_term_rules()[-1].months},
        kind="share",
        base=_long_term,
        dimensions=tuple(d for d in DIMENSIONS if d != "activity"),
    ),
    *(
        Indicator(
            code=f"ater_{n}m",
            name=_("Åter till försörjningsstöd inom %(n)s månader") % {"n": n},
            definition=_(
                "Andel av de avslutade perioderna där personen får försörjningsstöd igen inom %(n)s månader "
                "efter periodens sista månad. Den som flyttat räknas inte."
            )
            % {"n": n},
            kind="share",
            base=_return_within(n),
        )
        for n in (6, 12, 24)
    ),
    Indicator(
        code="median_tid_till_egen_forsorjning",
        name=_("Mediantid till arbete eller studier"),
        definition=_(
            "Antal månader tills hälften av perioderna slutat med arbete eller studier, skattat med "
            "Kaplan–Meier: pågående perioder och den som flyttat räknas fram till sin sista kända månad. "
            "Perioder som pågick redan när historiken börjar räknas inte, eftersom deras längd är okänd."
        ),
        kind="median",
        base=_periods,
    ),
)


def _groups(base: ir.Table, dimension: str) -> list[tuple[ir.Table, ir.StringValue]]:
    """The base rows of each cell of a dimension, with the cell's label column."""
    if dimension == "alla":
        return [(base, ibis.literal("alla"))]
    if dimension == "malgrupp":
        return [(base.filter(base[f"tg_{g.code}"]), ibis.literal(g.code)) for g in target_group_definitions()]
    return [(base, base[dimension].cast("string").fill_null(UNKNOWN))]


def breakdown_counts(
    f: Frames, s: ir.Table, *, indicators: Sequence[Indicator] = INDICATORS, keep: Keep | None = None
) -> ir.Table:
    """Numerator and denominator of every share indicator, for every cell of every dimension.

    Each indicator's rows are first counted per combination of the breakdown columns, with a count per
    target group beside them (a few thousand combinations where the rows are millions); every cell is
    then a sum over that small table. Stacking the rows once per cell and grouping them (the way before
    this) pushed over a hundred million rows through one group-by at a million people. `keep` computes the
    small table once for all the sums."""
    groups = target_group_definitions()
    columns = [d for d in DIMENSIONS if d not in ("alla", "malgrupp")]
    cubes: list[ir.Table] = []
    shares = [i for i in indicators if i.kind == "share"]
    for indicator in shares:
        base = indicator.base(f, s)
        counted = base.counted.cast("int64")
        sums: dict[str, ir.Value] = {"_n": base.count().cast("int64"), "_c": counted.sum().cast("int64")}
        for group in groups:
            member = base[f"tg_{group.code}"].fill_null(False).cast("int64")
            sums[f"_n_{group.code}"] = member.sum().cast("int64")
            sums[f"_c_{group.code}"] = (member * counted).sum().cast("int64")
        keys = {
            # A dimension the indicator is not broken down by is one cell, never summed below.
            d: base[d].cast("string").fill_null(UNKNOWN)
            if d in indicator.dimensions
            else ibis.literal(UNKNOWN)
            for d in columns
        }
        cube = base.group_by(**keys).aggregate(**sums)
        cubes.append(cube.mutate(indicator=ibis.literal(indicator.code)))
    if not cubes:
        raise ValueError("no share indicator to count")
    cube = ibis.union(*cubes, distinct=False) if len(cubes) > 1 else cubes[0]
    if keep is not None:
        cube = keep(cube, "indicator_cube")

    parts: list[ir.Table] = []
    for dimension in DIMENSIONS:
        rows = cube.filter(cube.indicator.isin([i.code for i in shares if dimension in i.dimensions]))
        # (label of the cell, the columns to sum, or None for the dimension's own values)
        sums_of: list[tuple[str | None, str, str]]
        if dimension == "alla":
            sums_of = [("alla", "_n", "_c")]
        elif dimension == "malgrupp":
            sums_of = [(g.code, f"_n_{g.code}", f"_c_{g.code}") for g in groups]
        else:
            sums_of = [(None, "_n", "_c")]
        for label, n, c in sums_of:
            by = ["indicator"] if label is not None else ["indicator", dimension]
            t = rows.group_by(by).aggregate(
                numerator=rows[c].sum().cast("int64"), denominator=rows[n].sum().cast("int64")
            )
            parts.append(
                t.select(
                    "indicator",
                    dimension=ibis.literal(dimension),
                    grp=ibis.literal(label) if label is not None else t[dimension],
                    numerator="numerator",
                    denominator="denominator",
                )
            )
    result = ibis.union(*parts, distinct=False)
    # A target group with nobody in it has no cell, as a dimension's value with no rows has none.
    return result.filter(result.denominator > 0)


def duration_counts(s: ir.Table, *, dimensions: Sequence[str] = tuple(DIMENSIONS)) -> ir.Table:
    """Per cell and duration: events (ended in work or studies), competing exits by kind, and censored
    periods. The Kaplan–Meier and Aalen–Johansen curves are computed from these counts."""
    parts: list[ir.Table] = []
    s = s.filter(~s.truncated)
    for dimension in dimensions:
        for rows, label in _groups(s, dimension):
            parts.append(
                rows.select(
                    dimension=ibis.literal(dimension), grp=label, duration="duration", outcome="outcome"
                )
            )
    stacked = ibis.union(*parts)
    return stacked.group_by(["dimension", "grp", "duration"]).aggregate(
        work=(stacked.outcome == OUT_WORK).cast("int64").sum(),
        studies=(stacked.outcome == OUT_STUDIES).cast("int64").sum(),
        other=(stacked.outcome == OUT_OTHER).cast("int64").sum(),
        censored=stacked.outcome.isin((OUT_ONGOING, OUT_MOVED)).cast("int64").sum(),
    )
