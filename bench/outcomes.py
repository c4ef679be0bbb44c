"""Benchmark: the outcome report at national scale, 1 000 000 participants and about 30 000 000 status months.

Target: the report as the issue names it (`report.build` on DuckDB: the periods, every indicator with its
breakdowns, Kaplan–Meier curves for 10 groups and the Cox model with the 6 case-mix covariates) in at most
30 s on 2 cores, and Kaplan–Meier at least 20× faster than lifelines side by side, with the same curves
(survival and confidence interval within 1e-9). The report's second Cox model (units and activities on
top of the case mix) is timed as its own step and printed beside the target with the whole report's
total.

The data never touches a database: the seven input tables of `extract.queries()` are generated with numpy
(seeded, vectorised) straight into Arrow, months as numbers (year * 12 + month - 1). Each person has 1–3
periods of försörjningsstöd (some months of them in an insats), durations mostly geometric with a median
around 8 months and a long tail, separated by months after exit (work, subsidised work, a municipal
labour-market job, studies, other benefits, unknown, moved away) and followed by months of follow-up,
from 2016 (people already on försörjningsstöd then have periods begun before the history, which the
curves and models leave out) up to the data's end, where some periods are still going on. How fast a
period ends and how
often in work or studies depends on age, education, the reason for needing assistance, the unit, the
activity, the time in Sweden and the household, so the Cox models have something to find. Generation is
timed but not part of the target.

Each run builds the report on a fresh DuckDB (`--threads`, 2 by default) and records `report.seconds`
per step; the total is their sum. The Kaplan–Meier curves are those of `--km-dimension` (the 10 units by
default; `report.build(dimensions=...)`). Right after each build, on the same periods, the script times
our Kaplan–Meier again (the engine's GROUP BY on duration, then the curves from the counts, each part
timed) and then lifelines' `KaplanMeierFitter().fit(durations, observed)` for each of the same groups,
the periods already fetched into numpy (fetching them is timed apart and not charged to lifelines). The
ratio judged against the target is lifelines over our whole step, taken run by run; lifelines over the
curves from counts alone, and lifelines with its fetch over ours, are printed beside it. The curves the report
holds are compared with lifelines' on the full data: same times, at-risk and event counts, and the
largest absolute difference in survival and in the confidence interval. Machines here are noisy: compare
the numbers from one run of this script, not single timings.

    DEBUG=1 .venv/bin/python bench/outcomes.py --participants 1000000 --runs 3

`--lifelines-sample N` times lifelines per run on N periods drawn at random (for machines where the full
data takes too long); the curves are then still compared once on the full data, and the report says
which timing the ratio uses. `--skip-lifelines` leaves lifelines out; `--skip-cox` leaves the Cox models
out of the report (the total then does not count against the target). The Cox step runs lifelines,
whose numpy uses OpenBLAS with a thread per core by default; `--blas-threads 1` runs the script again
with OPENBLAS_NUM_THREADS=1 (and OMP/MKL) to compare.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 30.0
TARGET_KM_RATIO = 20.0
TOLERANCE = 1e-9
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# What the target names: the indicators, Kaplan–Meier for 10 groups and Cox with the 6 case-mix
# covariates. The report also fits a second model, units and activities on top of the case mix, for
# their hazard ratios; it is timed as its own step and reported beside the target, not inside it.
TARGET_STEPS = ("periods", "indicators", "kaplan_meier", "cox_case_mix")

FIRST_MONTH = 2016 * 12  # 2016-01, the first month of the history
EARLIEST_START = 2014 * 12  # people already on försörjningsstöd when the history begins started from here
DATA_END = 2026 * 12 + 2  # 2026-03, the last month with data

Ints = npt.NDArray[np.int64]

# Months after a period: what the person did. The codes index GAP_STATUS; "arbete" twice, the second
# one a municipal labour-market job (municipal_employment true), which does not count as work.
GAP_STATUS = ("arbete", "subventionerat_arbete", "arbete", "studier", "annan_ersattning", "okand", "flyttat")
GAP_SHARE = np.array([0.30, 0.05, 0.05, 0.10, 0.15, 0.30, 0.05])
MUNICIPAL, STUDIES, MOVED = 2, 3, 6
FS, INSATS = len(GAP_STATUS), len(GAP_STATUS) + 1
STATUS = (*GAP_STATUS, "forsorjningsstod", "insats")

UNITS = (
    "Centrum",
    "Norra",
    "Södra",
    "Östra",
    "Västra",
    "Hamnen",
    "Älvdalen",
    "Skogsbyn",
    "Kyrkbyn",
    "Ekonomiskt bistånd unga",
)
UNIT_SHARE = np.array([0.16, 0.13, 0.12, 0.11, 0.10, 0.10, 0.09, 0.08, 0.06, 0.05])
UNIT_EFFECT = np.array([0.0, 0.15, -0.10, 0.25, -0.20, 0.05, -0.30, 0.10, 0.20, -0.05])

SEXES = ("K", "M", "")
SEX_SHARE = np.array([0.48, 0.50, 0.02])
SEX_EFFECT = np.array([-0.05, 0.0, 0.0])

EDUCATION = ("1", "2", "3", "4", "5", "6", "7", "")
EDUCATION_SHARE = np.array([0.12, 0.20, 0.12, 0.24, 0.10, 0.08, 0.005, 0.135])
EDUCATION_EFFECT = np.array([-0.45, -0.25, -0.10, 0.0, 0.10, 0.25, 0.25, -0.20])

COUNTRIES = ("SE", "SY", "SO", "IQ", "AF", "ER", "IR", "PL", "TR", "ET", "TH", "UA", "")
COUNTRY_SHARE = np.array([0.45, 0.10, 0.07, 0.06, 0.06, 0.04, 0.04, 0.03, 0.03, 0.02, 0.02, 0.03, 0.05])

OCCUPATIONS = (
    "arbete",
    "subventionerat_arbete",
    "studier",
    "arbetssokande",
    "insats",
    "sjukskriven",
    "foraldraledig",
    "annat",
    "",
)
OCCUPATION_SHARE = np.array([0.05, 0.02, 0.04, 0.40, 0.12, 0.10, 0.04, 0.08, 0.15])

HINDER = (
    "arbetslos_utan",
    "arbetslos_otillracklig",
    "arbetslos_vantar",
    "etablering",
    "arbetshinder",
    "sjukskriven",
    "ohalsa",
    "ovrigt",
    "",
)
HINDER_SHARE = np.array([0.30, 0.10, 0.07, 0.08, 0.12, 0.10, 0.08, 0.07, 0.08])
HINDER_EFFECT = np.array([0.0, 0.10, 0.50, -0.20, -0.60, -0.80, -0.55, -0.30, 0.0])

ACTIVITIES = 20
METHODS = ("ips", "jobbcoach", "praktik", "utbildning", "motivation")

# Durations in months (before the hazard multiplier): most periods short, some long-term; months between
# periods, and of follow-up after the last one.
PERIOD_SCALE, LONG_SCALE, LONG_SHARE = 7.0, 36.0, 0.15
GAP_SCALE, FOLLOW_UP_SCALE = 6.5, 14.0

# Households: kind 0 alone, 1 alone with children, 2 couple, 3 couple with children.
HOUSEHOLD_SHARE = np.array([0.55, 0.20, 0.10, 0.15])
HOUSEHOLD_EFFECT = np.array([0.0, -0.15, 0.10, 0.0])


def _strings(codes: npt.NDArray[Any], values: tuple[str, ...]) -> pa.Array:
    """A plain string column from small integer codes (not a dictionary: the pipeline compares text)."""
    return pa.array(values, type=pa.string()).take(pa.array(codes.astype(np.int32, copy=False)))


def _pick(rng: np.random.Generator, shares: npt.NDArray[np.float64], size: Any) -> npt.NDArray[np.int8]:
    return rng.choice(len(shares), size=size, p=shares / shares.sum()).astype(np.int8)


def _months(rng: np.random.Generator, scale: Any, size: Any = None) -> npt.NDArray[np.int32]:
    """Whole months, at least 1: 1 + floor of an exponential, i.e. geometric with mean about scale + 0.5."""
    return (1 + np.floor(rng.exponential(scale, size))).astype(np.int32)


@dataclass
class Synthetic:
    tables: dict[str, pa.Table]
    data_end: int
    seconds: float
    facts: dict[str, Any] = field(default_factory=dict)


def synthetic_tables(participants: int, *, seed: int) -> Synthetic:
    """The pipeline's input tables for `participants` people, seeded; see the module docstring."""
    from egenmakt.analytics import pipeline

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    n = participants
    pid = np.arange(1, n + 1, dtype=np.int64)

    # --- People -----------------------------------------------------------------------------------------
    # First month of the first period; those before the history begins are cut off at its start (their
    # periods are left-truncated, as real history that begins in 2016 would have them).
    first = rng.integers(EARLIEST_START, DATA_END + 1, n).astype(np.int32)
    age = np.where(rng.random(n) < 0.02, rng.integers(16, 18, n), 18 + np.minimum(rng.exponential(13, n), 48))
    age = age.astype(np.int32)
    birth = first - age * 12 - rng.integers(0, 12, n).astype(np.int32)
    sex = _pick(rng, SEX_SHARE, n)
    education = _pick(rng, EDUCATION_SHARE, n)
    country = _pick(rng, COUNTRY_SHARE, n)
    abroad = (country != 0) & (country != len(COUNTRIES) - 1)
    unknown_country = country == len(COUNTRIES) - 1
    arrived = first - np.floor(rng.exponential(70, n)).astype(np.int32)
    arrived = np.maximum(arrived, birth)
    no_arrival = ~abroad & ~(unknown_country & (rng.random(n) < 0.5))
    years_here = (first - arrived) // 12
    unit = _pick(rng, UNIT_SHARE, n)
    household_kind = _pick(rng, HOUSEHOLD_SHARE, n)
    occupation = _pick(rng, OCCUPATION_SHARE, n)

    person_effect = (
        -0.02 * (age - 35)
        + EDUCATION_EFFECT[education]
        + SEX_EFFECT[sex]
        + UNIT_EFFECT[unit]
        + HOUSEHOLD_EFFECT[household_kind]
        + np.where(abroad & ~no_arrival & (years_here < 2), -0.30, 0.0)
        + np.where(abroad & ~no_arrival & (years_here >= 5), 0.10, 0.0)
    )

    # --- Periods and the months after them: 1-3 periods a person, as (n, 3) arrays ----------------------
    slots = 3
    count = rng.choice(3, n, p=[0.55, 0.30, 0.15]) + 1
    hinder = _pick(rng, HINDER_SHARE, (n, slots))
    enrolled = rng.random((n, slots)) < 0.4
    activity = rng.integers(0, ACTIVITIES, (n, slots)).astype(np.int8)
    activity_effect = np.linspace(-0.25, 0.35, ACTIVITIES)[activity] * enrolled
    log_hazard = person_effect[:, None] + HINDER_EFFECT[hinder] + activity_effect
    hazard = np.exp(log_hazard)
    long_term = rng.random((n, slots)) < LONG_SHARE
    duration = np.minimum(_months(rng, np.where(long_term, LONG_SCALE, PERIOD_SCALE) / hazard), 180)

    # What followed each period, more often work or studies where periods end faster.
    weights = np.broadcast_to(GAP_SHARE, (n, slots, len(GAP_SHARE))).copy()
    faster = np.sqrt(hazard)
    for work_or_studies in (0, 1, STUDIES):
        weights[..., work_or_studies] *= faster
    weights[..., STUDIES] *= np.where(age < 25, 2.5, 1.0)[:, None]
    cumulative = np.cumsum(weights, axis=2)
    cumulative /= cumulative[..., -1:]
    outcome = (rng.random((n, slots, 1)) > cumulative).sum(axis=2).astype(np.int8)
    del weights, cumulative

    present = np.arange(slots)[None, :] < count[:, None]
    # Who moved away leaves the data: one to three months recorded as moved, no periods after.
    moved_before = np.cumsum(outcome == MOVED, axis=1) - (outcome == MOVED)
    present &= moved_before == 0
    gap = np.where(outcome == MOVED, rng.integers(1, 4, (n, slots)), _months(rng, GAP_SCALE, (n, slots)))
    last = np.arange(slots)[None, :] == (present.sum(axis=1) - 1)[:, None]
    # After the last period: months of follow-up (the 3, 12 and 24 month indicators look for them).
    gap = np.where(last & (outcome != MOVED), _months(rng, FOLLOW_UP_SCALE, (n, slots)), gap).astype(np.int32)

    # Segments: period 1, its after-months, period 2, ... (n, 6); absent periods have length 0.
    length = np.zeros((n, 2 * slots), dtype=np.int32)
    length[:, 0::2] = np.where(present, duration, 0)
    length[:, 1::2] = np.where(present, gap, 0)
    start = first[:, None] + np.cumsum(length, axis=1, dtype=np.int32) - length
    # Only the months within the history: from its first month to the data's end.
    visible = np.maximum(start, FIRST_MONTH)
    kept = np.clip(np.minimum(start + length - 1, DATA_END) - visible + 1, 0, None).astype(np.int32)
    code = np.empty((n, 2 * slots), dtype=np.int8)
    code[:, 0::2] = FS
    code[:, 1::2] = outcome
    period_start = start[:, 0::2]
    period_kept = kept[:, 0::2] > 0  # periods with at least one month in the history

    # An activity begun in the first months of the period; in half of them the months are "insats".
    enrolled &= period_kept
    offset = np.floor(rng.random((n, slots)) * np.minimum(duration, 6)).astype(np.int32)
    enrol_start = period_start + offset
    enrol_end = enrol_start + _months(rng, 4.0, (n, slots)) - 1
    as_insats = enrolled & (rng.random((n, slots)) < 0.5)
    insats_from = np.where(as_insats, enrol_start, np.iinfo(np.int32).max).astype(np.int32)
    insats_to = np.where(as_insats, enrol_end, np.iinfo(np.int32).min).astype(np.int32)

    # --- months: one row per segment month -----------------------------------------------------------------
    flat = kept.ravel()
    total = int(flat.sum())
    segment = np.repeat(np.arange(flat.size, dtype=np.int32), flat)
    first_row = (np.cumsum(flat, dtype=np.int64) - flat).astype(np.int64)
    month = visible.ravel()[segment] + (np.arange(total, dtype=np.int64) - first_row[segment]).astype(
        np.int32
    )
    person = segment // (2 * slots)
    status = code.ravel()[segment]
    is_period = (segment % 2) == 0
    slot = (segment % (2 * slots)) // 2
    in_insats = is_period & (month >= insats_from[person, slot]) & (month <= insats_to[person, slot])
    status[in_insats] = INSATS
    del in_insats, is_period, slot, segment, first_row
    months = pa.table(
        {
            "participant_id": pa.array(pid[person]),
            "month": pa.array(month),
            # As `extract` reads them: each status as its code in pipeline.STATUSES.
            "status": pa.array(np.array([pipeline.status_code(s) for s in STATUS], np.int8)[status]),
            "municipal_employment": pa.array(status == MUNICIPAL),
            "unit_id": pa.array(unit.astype(np.int64)[person] + 1),
        }
    )
    status_counts = np.bincount(status, minlength=len(STATUS))
    del month, person, status

    # --- persons -------------------------------------------------------------------------------------------
    persons = pa.table(
        {
            "participant_id": pa.array(pid),
            "legal_sex": _strings(sex, SEXES),
            "birth_date": pa.array(birth),
            "education_level": _strings(education, EDUCATION),
            "arrival_date": pa.array(arrived, mask=no_arrival),
            "country_of_birth": _strings(country, COUNTRIES),
            "occupation": _strings(occupation, OCCUPATIONS),
            "has_disability": pa.array(rng.random(n) < 0.08),
            "has_bankid": pa.array(rng.random(n) < 0.70),
            "email": _strings((rng.random(n) < 0.6).astype(np.int8), ("", "namn@example.se")),
            "letters_only": pa.array(rng.random(n) < 0.03),
        }
    )

    # --- cases: one per period that began by the data's end, opened in its first month or the one before --
    rows, slots_of = np.nonzero(period_kept)
    cases = pa.table(
        {
            "participant_id": pa.array(pid[rows]),
            "opened_on": pa.array(
                period_start[rows, slots_of] - rng.integers(0, 2, rows.size).astype(np.int32)
            ),
            "forsorjningshinder": _strings(hinder[rows, slots_of], HINDER),
            "unit_id": pa.array(unit.astype(np.int64)[rows] + 1),
            "case_type": pa.array(np.full(rows.size, "ekonomiskt_bistand", dtype=object), type=pa.string()),
        }
    )

    # --- enrolments: activities begun by the data's end; still going (no end) if they end after it --------
    enrolled &= enrol_start <= DATA_END
    rows, slots_of = np.nonzero(enrolled)
    ends = enrol_end[rows, slots_of]
    enrolments = pa.table(
        {
            "participant_id": pa.array(pid[rows]),
            "activity_id": pa.array(activity[rows, slots_of].astype(np.int64) + 1),
            "start": pa.array(enrol_start[rows, slots_of]),
            "actual_end": pa.array(ends, mask=ends > DATA_END),
        }
    )

    # --- households: the participant applies; a partner and children get ids after the participants' -----
    partner = (household_kind >= 2).astype(np.int64)
    children = np.where(household_kind % 2 == 1, 1 + rng.poisson(0.8, n), 0).astype(np.int64)
    extra = partner + children
    others = int(extra.sum())
    household_of_other = np.repeat(pid, extra)
    position = np.arange(others, dtype=np.int64) - np.repeat(np.cumsum(extra) - extra, extra)
    relation = np.where(position < np.repeat(partner, extra), 1, 2).astype(np.int8)
    households = pa.table(
        {
            "household_id": pa.array(np.concatenate([pid, household_of_other])),
            "participant_id": pa.array(np.concatenate([pid, n + 1 + np.arange(others, dtype=np.int64)])),
            "relation": _strings(
                np.concatenate([np.zeros(n, np.int8), relation]), ("sokande", "medsokande", "barn")
            ),
        }
    )

    units = pa.table(
        {"unit_id": pa.array(np.arange(1, len(UNITS) + 1, dtype=np.int64)), "name": pa.array(list(UNITS))}
    )
    activities = pa.table(
        {
            "activity_id": pa.array(np.arange(1, ACTIVITIES + 1, dtype=np.int64)),
            "name": pa.array([f"Insats {k + 1:02d}" for k in range(ACTIVITIES)]),
            "method": pa.array([METHODS[k % len(METHODS)] for k in range(ACTIVITIES)]),
        }
    )
    tables = {
        "months": months,
        "persons": persons,
        "cases": cases,
        "enrolments": enrolments,
        "households": households,
        "units": units,
        "activities": activities,
    }
    periods = int(period_kept.sum())
    ongoing = int((period_kept & (start[:, 0::2] + length[:, 0::2] - 1 >= DATA_END)).sum())
    truncated = int((period_kept & (start[:, 0::2] <= FIRST_MONTH)).sum())
    facts = {
        "rows": {name: table.num_rows for name, table in tables.items()},
        "months_per_person": total / n,
        "periods": periods,
        "ongoing_periods": ongoing,
        "truncated_periods": truncated,
        "median_duration": float(np.median(duration[period_kept])),
        "share_over_60_months": float((duration[period_kept] > 60).mean()),
        "status_months": {
            ("arbete (kommunal)" if k == MUNICIPAL else name): int(c)
            for k, (name, c) in enumerate(zip(STATUS, status_counts, strict=True))
        },
        "megabytes": round(sum(t.nbytes for t in tables.values()) / 1e6),
    }
    return Synthetic(tables=tables, data_end=DATA_END, seconds=time.perf_counter() - started, facts=facts)


# --- The report and Kaplan–Meier side by side ------------------------------------------------------------


def _holding_engine(threads: int) -> Any:
    """A DuckDB engine that keeps the periods after report.build, for the side-by-side timings."""
    from egenmakt.analytics import engines

    @dataclass
    class Holding(engines.Engine):
        kept_tables: dict[str, Any] = field(default_factory=dict)

        def keep(self, expr: Any, label: str) -> Any:
            table = super().keep(expr, label)
            self.kept_tables[label] = table
            return table

        def close(self) -> None:  # report.build closes the engine; release() does it afterwards
            pass

        def release(self) -> None:
            super().close()
            self.backend.disconnect()

    plain = engines.duckdb(threads=threads)
    return Holding(name=plain.name, backend=plain.backend)


def our_kaplan_meier(engine: Any, periods: Any, dimension: str) -> tuple[float, float, list[Any]]:
    """What report.build's kaplan_meier step does: the engine's counts per duration (built, compiled and
    run by Ibis), then the curves from the counts. Returns the seconds of each part and the curves."""
    from egenmakt.analytics import pipeline, report

    started = time.perf_counter()
    counts = engine.execute(pipeline.duration_counts(periods, dimensions=(dimension,)))
    counted = time.perf_counter()
    curves, _ = report.curves_from_counts(counts)
    return counted - started, time.perf_counter() - counted, curves


def fetch_groups(engine: Any, periods: Any, dimension: str) -> tuple[float, dict[str, tuple[Any, Any]]]:
    """The periods' durations and events per group, as numpy arrays (what lifelines is fitted on)."""
    started = time.perf_counter()
    if "truncated" in periods.columns:  # as duration_counts: periods begun before the history are left out
        periods = periods.filter(~periods.truncated)
    frame = engine.execute(
        periods.select(grp=periods[dimension].cast("string"), duration="duration", event="event")
    )
    groups = {
        str(group): (rows["duration"].to_numpy(np.float64), rows["event"].to_numpy(np.int64))
        for group, rows in frame.groupby("grp", sort=True)
    }
    return time.perf_counter() - started, groups


def lifelines_kaplan_meier(groups: dict[str, tuple[Any, Any]]) -> tuple[float, dict[str, Any]]:
    from lifelines import KaplanMeierFitter

    fitted = {}
    started = time.perf_counter()
    for group, (durations, observed) in groups.items():
        fitted[group] = KaplanMeierFitter().fit(durations, observed)
    return time.perf_counter() - started, fitted


def compare_curves(curves: list[Any], fitted: dict[str, Any]) -> dict[str, Any]:
    """Ours (as the report holds them) against lifelines, group by group."""
    ours = {c.group: c for c in curves}
    result: dict[str, Any] = {
        "groups": len(fitted),
        "same_groups": sorted(ours) == sorted(fitted),
        "same_times_and_counts": True,
        "max_abs_survival": 0.0,
        "max_abs_interval": 0.0,
        "same_median": True,
    }
    for group, kmf in fitted.items():
        curve = ours.get(group)
        if curve is None:
            result["same_times_and_counts"] = False
            continue
        table = kmf.event_table
        same = (
            np.array_equal(np.asarray(curve.times), kmf.timeline)
            and np.array_equal(np.asarray(curve.at_risk), table["at_risk"].to_numpy())
            and np.array_equal(np.asarray(curve.events), table["observed"].to_numpy())
        )
        result["same_times_and_counts"] &= same
        if not same:
            continue
        theirs = kmf.survival_function_.iloc[:, 0].to_numpy()
        interval = kmf.confidence_interval_.to_numpy()
        result["max_abs_survival"] = max(
            result["max_abs_survival"], float(np.max(np.abs(np.asarray(curve.survival) - theirs)))
        )
        result["max_abs_interval"] = max(
            result["max_abs_interval"],
            float(np.max(np.abs(np.asarray(curve.lower) - interval[:, 0]))),
            float(np.max(np.abs(np.asarray(curve.upper) - interval[:, 1]))),
        )
        median = kmf.median_survival_time_
        result["same_median"] &= bool((curve.median is None) if np.isinf(median) else curve.median == median)
    result["equal"] = (
        result["same_groups"]
        and result["same_times_and_counts"]
        and result["same_median"]
        and result["max_abs_survival"] <= TOLERANCE
        and result["max_abs_interval"] <= TOLERANCE
    )
    return result


def _sample(groups: dict[str, tuple[Any, Any]], size: int, seed: int) -> dict[str, tuple[Any, Any]]:
    """`size` periods in all, drawn at random, keeping the groups."""
    total = sum(len(d) for d, _ in groups.values())
    rng = np.random.default_rng(seed)
    share = min(1.0, size / total)
    sampled = {}
    for group, (durations, observed) in groups.items():
        keep = rng.random(len(durations)) < share
        sampled[group] = (durations[keep], observed[keep])
    return sampled


def run_once(args: argparse.Namespace, data: Synthetic, number: int) -> dict[str, Any]:
    from egenmakt.analytics import report as outcome_report

    engine = _holding_engine(args.threads)
    started = time.perf_counter()
    built = outcome_report.build(
        tables=data.tables,
        data_end=data.data_end,
        engine=engine,
        models=not args.skip_cox,
        dimensions=(args.km_dimension,),
    )
    wall = time.perf_counter() - started
    result: dict[str, Any] = {
        "steps": dict(built.seconds),
        "total": sum(built.seconds.values()),
        "target_total": sum(v for k, v in built.seconds.items() if k in TARGET_STEPS),
        "build_wall": wall,
        "periods": built.periods,
        "people": built.people,
        "curves": len(built.curves),
        "shares": len(built.shares),
        "notes": built.notes,
    }
    if number == 0:
        result["cox_example"] = {
            "case_mix": [(r["covariate"], round(r["hazard_ratio"], 3)) for r in built.case_mix_ratios],
            "units": [(r["covariate"], round(r["hazard_ratio"], 3)) for r in built.unit_ratios],
        }
        km_all = [c for c in built.curves if c.dimension == args.km_dimension]
        result["km_medians"] = {c.group: c.median for c in km_all}
    periods = engine.kept_tables["periods"]
    try:
        result["km_engine"], result["km_curves"], _ = our_kaplan_meier(engine, periods, args.km_dimension)
        result["km_ours"] = result["km_engine"] + result["km_curves"]
        if not args.skip_lifelines:
            result["fetch"], groups = fetch_groups(engine, periods, args.km_dimension)
            if args.lifelines_sample:
                sampled = _sample(groups, args.lifelines_sample, args.seed + number)
                result["lifelines_sample"], _ = lifelines_kaplan_meier(sampled)
                result["sample_periods"] = sum(len(d) for d, _ in sampled.values())
            if not args.lifelines_sample or number == 0:
                result["lifelines"], fitted = lifelines_kaplan_meier(groups)
                result["lifelines_periods"] = sum(len(d) for d, _ in groups.values())
                result["equality"] = compare_curves(
                    [c for c in built.curves if c.dimension == args.km_dimension], fitted
                )
                del fitted
            del groups
    finally:
        engine.release()
    gc.collect()
    return result


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def _count(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def kaplan_meier_summary(args: argparse.Namespace, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Prints ours against lifelines (medians, the ratios taken run by run) and the curves' comparison."""
    first = runs[0]
    summary: dict[str, Any] = {
        f"median_{key}": _median(runs, key) for key in ("km_engine", "km_curves", "km_ours", "fetch")
    }

    def row(label: str, key: str, rows: list[dict[str, Any]] = runs) -> None:
        values = [r[key] for r in rows if key in r]
        print(f"{label:44}{statistics.median(values):>10.3f}   " + " ".join(f"{v:.3f}" for v in values))

    print(f"\nKaplan–Meier, {first['curves']} groups of {args.km_dimension}, side by side after each build:")
    row("  ours: the engine's counts (Ibis + DuckDB)", "km_engine")
    row("  ours: curves from the counts", "km_curves")
    row("  ours: total", "km_ours")
    if args.skip_lifelines:
        return summary
    timed = [r for r in runs if "lifelines" in r]
    row(f"  lifelines ({_count(timed[0]['lifelines_periods'])} periods)", "lifelines", timed)
    row("  fetching those rows (not charged)", "fetch")
    if args.lifelines_sample:
        row(f"  lifelines on {_count(runs[0]['sample_periods'])} sampled periods", "lifelines_sample")
    ratios = {
        "km_ratio": [r["lifelines"] / r["km_ours"] for r in timed],
        "km_ratio_curves_only": [r["lifelines"] / r["km_curves"] for r in timed],
        "km_ratio_with_fetch": [(r["lifelines"] + r["fetch"]) / r["km_ours"] for r in timed],
    }
    summary.update({k: statistics.median(v) for k, v in ratios.items()})
    summary["median_lifelines"] = statistics.median(r["lifelines"] for r in timed)
    ratio = summary["km_ratio"]
    which = "full data in run 1 only" if args.lifelines_sample else "median of the per-run ratios"
    print(
        f"  lifelines / ours: {ratio:.1f}× ({which}); target ≥ {TARGET_KM_RATIO:.0f}×: "
        f"{'met' if ratio >= TARGET_KM_RATIO else 'NOT met'}"
    )
    print(
        f"  for comparison: lifelines / our curves from counts alone {summary['km_ratio_curves_only']:.1f}×, "
        f"lifelines with fetching its rows / ours {summary['km_ratio_with_fetch']:.1f}×"
    )
    eq = summary["equality"] = first["equality"]
    print(
        f"  curves vs lifelines on the full data: {'EQUAL' if eq['equal'] else 'DIFFERENT'} within "
        f"{TOLERANCE:g} ({eq['groups']} groups; same times and counts: {eq['same_times_and_counts']}, "
        f"same medians: {eq['same_median']}; max |ΔS| {eq['max_abs_survival']:.2e}, "
        f"max |ΔCI| {eq['max_abs_interval']:.2e})"
    )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--km-dimension", default="unit", help="the dimension whose groups get curves (10 units by default)"
    )
    parser.add_argument("--skip-lifelines", action="store_true", help="no lifelines comparison")
    parser.add_argument(
        "--lifelines-sample",
        type=int,
        default=0,
        help="time lifelines on this many periods per run (0: all of them, the default)",
    )
    parser.add_argument("--skip-cox", action="store_true", help="leave the Cox models out of the report")
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=0,
        help="run with OPENBLAS_NUM_THREADS (and OMP/MKL) set to this (0: as the environment has it)",
    )
    args = parser.parse_args()
    if args.blas_threads and os.environ.get("OPENBLAS_NUM_THREADS") != str(args.blas_threads):
        # OpenBLAS reads it when numpy loads, so the script starts again with it set.
        env = {**os.environ, **dict.fromkeys(BLAS_VARIABLES, str(args.blas_threads))}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)  # noqa: S606

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egenmakt.settings")
    import django

    django.setup()
    from egenmakt.analytics import report as outcome_report

    wall = time.perf_counter()

    data = synthetic_tables(args.participants, seed=args.seed)
    facts = data.facts
    print(
        f"{_count(args.participants)} participants: {_count(facts['rows']['months'])} status months "
        f"({facts['months_per_person']:.1f} a person), {_count(facts['periods'])} periods "
        f"({_count(facts['ongoing_periods'])} still going at the end, {_count(facts['truncated_periods'])} begun "
        f"before the history), median duration "
        f"{facts['median_duration']:.0f} months, {facts['share_over_60_months']:.1%} over 60; "
        f"{facts['megabytes']} MB of Arrow, generated in {data.seconds:.1f} s (not timed)",
        flush=True,
    )
    print(
        "rows: " + ", ".join(f"{k} {_count(v)}" for k, v in facts["rows"].items() if k != "months"),
        flush=True,
    )
    print(
        "months by status: "
        + ", ".join(f"{k} {v / facts['rows']['months']:.1%}" for k, v in facts["status_months"].items()),
        flush=True,
    )

    runs: list[dict[str, Any]] = []
    for number in range(args.runs):
        result = run_once(args, data, number)
        runs.append(result)
        steps = ", ".join(f"{k} {v:.2f}" for k, v in result["steps"].items())
        line = f"run {number + 1}: total {result['total']:.2f} s ({steps}); km ours {result['km_ours']:.3f} s"
        if "lifelines" in result:
            line += (
                f", lifelines {result['lifelines']:.3f} s ({result['lifelines'] / result['km_ours']:.0f}×)"
            )
        if "lifelines_sample" in result:
            line += f", lifelines on {_count(result['sample_periods'])} periods {result['lifelines_sample']:.3f} s"
        if "fetch" in result:
            line += f", fetching the rows for lifelines {result['fetch']:.2f} s"
        print(line, flush=True)

    first = runs[0]
    print(
        f"\n{_count(first['periods'])} periods of {_count(first['people'])} people; "
        f"{first['shares']} indicator cells, {first['curves']} Kaplan–Meier curves ({args.km_dimension}); "
        f"DuckDB threads {args.threads}, OPENBLAS_NUM_THREADS {os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
    )
    if first.get("notes"):
        print("notes: " + "; ".join(first["notes"]))
    if "cox_example" in first:
        ratios = first["cox_example"]["case_mix"]
        print(
            "case-mix hazard ratios: "
            + ", ".join(f"{k} {v}" for k, v in ratios[:12])
            + (" …" if len(ratios) > 12 else "")
        )

    summary: dict[str, Any] = {"participants": args.participants, "facts": facts, "runs": runs}
    print(f"\n=== summary, median of {args.runs} runs ===")
    print(f"{'step':34}{'median s':>10}   runs")
    for step in outcome_report.STEPS:
        values = [r["steps"][step] for r in runs if step in r["steps"]]
        if values:
            summary[f"median_{step}"] = statistics.median(values)
            print(f"{step:34}{statistics.median(values):>10.2f}   " + " ".join(f"{v:.2f}" for v in values))
    target_total = _median(runs, "target_total")
    total = _median(runs, "total")
    summary["median_target_total"], summary["median_total"] = target_total, total
    print(
        f"{'target steps (' + ' + '.join(TARGET_STEPS) + ')':34}{target_total:>10.2f}   "
        + " ".join(f"{r['target_total']:.2f}" for r in runs)
    )
    print(
        f"{'whole report (sum of all steps)':34}{total:>10.2f}   "
        + " ".join(f"{r['total']:.2f}" for r in runs)
    )
    print(f"{'report.build wall time':34}{_median(runs, 'build_wall'):>10.2f}")
    if args.skip_cox:
        print(f"target ≤ {TARGET_SECONDS:.0f} s: not judged (--skip-cox)")
    else:
        met = target_total is not None and target_total <= TARGET_SECONDS
        summary["target_met"] = met
        print(
            f"target ≤ {TARGET_SECONDS:.0f} s for the target's steps: {'met' if met else 'NOT met'} "
            f"({target_total:.1f} s); the whole report with the units-and-activities model: {total:.1f} s"
        )

    summary.update(kaplan_meier_summary(args, runs))
    summary["wall_seconds"] = time.perf_counter() - wall
    print(f"wall time {summary['wall_seconds']:.0f} s")
    print(json.dumps(summary, default=str))
    if "equality" in summary and not summary["equality"]["equal"]:
        raise SystemExit("our Kaplan–Meier curves differ from lifelines'")


if __name__ == "__main__":
    main()
