"""The outcome report: indicators with breakdowns, survival curves, competing risks and the adjusted
comparison of units and activities, computed by the pipeline on an engine.

The report holds raw counts (it is stored server-side, like the data it comes from); everything that
leaves for a screen, a file or the API goes through `privacy` first (see `published_*` below).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from threadpoolctl import threadpool_limits

from egenmakt.analytics import pipeline, survival
from egenmakt.analytics.engines import Engine
from egenmakt.analytics.pipeline import DIMENSIONS

# Case mix for the adjusted comparisons: the covariates of the 2013 study that the data holds.
NUMERIC = ("age",)
CATEGORICAL = ("sex", "education", "in_sweden", "household", "hinder")
COX_COLUMNS = ("duration", "event", *NUMERIC, *CATEGORICAL, "unit", "activity")
NO_ACTIVITY = "ingen insats"
# The steps of `build`, in order, each timed in `Report.seconds`.
STEPS = ("periods", "indicators", "kaplan_meier", "cox_case_mix", "cox_units_activities")


@dataclass
class ShareRow:
    indicator: str
    dimension: str
    group: str
    numerator: int
    denominator: int


@dataclass
class CurveData:
    dimension: str
    group: str
    times: list[float]
    at_risk: list[int]
    events: list[int]
    survival: list[float]
    lower: list[float]
    upper: list[float]
    median: float | None


@dataclass
class Report:
    engine: str
    data_end: int  # month number
    periods: int = 0
    people: int = 0
    shares: list[ShareRow] = field(default_factory=list)
    curves: list[CurveData] = field(default_factory=list)
    incidence: dict[str, list[float]] = field(default_factory=dict)  # times, arbete, studier, annat
    unit_ratios: list[dict[str, Any]] = field(default_factory=list)
    activity_ratios: list[dict[str, Any]] = field(default_factory=list)
    case_mix_ratios: list[dict[str, Any]] = field(default_factory=list)
    funnel: list[dict[str, Any]] = field(default_factory=list)
    # The funnel's control limits over a range of expected counts: (expected, lower95, upper95, lower998,
    # upper998), so the chart draws smooth curves rather than lines between the units.
    funnel_limits: list[list[float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return _finite(asdict(self))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Report:
        values = dict(data)
        values["shares"] = [ShareRow(**row) for row in values.get("shares", [])]
        values["curves"] = [CurveData(**row) for row in values.get("curves", [])]
        return cls(**values)


def _finite(value: Any) -> Any:
    """JSON has no inf or NaN: they become None (a ratio with nothing expected, a limit that is undefined)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def build(
    *,
    tables: Mapping[str, pa.Table],
    data_end: int,
    engine: Engine,
    data_start: int | None = None,
    models: bool = True,
    dimensions: tuple[str, ...] = tuple(DIMENSIONS),
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Run the pipeline on the engine and gather the report. `models=False` leaves out the Cox models
    (the Spark comparison needs only what the engine computes)."""
    report = Report(engine=engine.name, data_end=data_end)

    def step(name: str, started: float) -> None:
        report.seconds[name] = round(time.perf_counter() - started, 3)
        if progress is not None:
            progress(name)

    started = time.perf_counter()
    f = pipeline.frames(tables, data_end=data_end, data_start=data_start, keep=engine.keep)
    periods = engine.keep(pipeline.spells(f), "periods")
    totals = engine.execute(
        periods.aggregate(periods=periods.count(), people=periods.participant_id.nunique())
    )
    report.periods, report.people = int(totals["periods"].iloc[0]), int(totals["people"].iloc[0])
    step("periods", started)

    started = time.perf_counter()
    shares = engine.execute(pipeline.breakdown_counts(f, periods, keep=engine.keep))
    report.shares = [
        ShareRow(
            indicator=str(r.indicator),
            dimension=str(r.dimension),
            group=str(r.grp),
            numerator=int(r.numerator),
            denominator=int(r.denominator),
        )
        for r in shares.sort_values(["indicator", "dimension", "grp"]).itertuples()
    ]
    step("indicators", started)

    started = time.perf_counter()
    counts = engine.execute(pipeline.duration_counts(periods, dimensions=dimensions))
    report.curves, report.incidence = curves_from_counts(counts)
    step("kaplan_meier", started)

    if models:
        started = time.perf_counter()
        frame = _model_frame(engine.execute(periods.filter(~periods.truncated).select(*COX_COLUMNS)))
        # lifelines' tie handling spends its time in many small BLAS calls, where OpenBLAS's threads cost
        # more than they give (measured 1.8 s instead of 14 s per call with one thread).
        with threadpool_limits(limits=1, user_api="blas"):
            base = _case_mix_model(report, frame)
            step("cox_case_mix", started)
            if base is not None:
                started = time.perf_counter()
                _units_and_activities_model(report, frame)
                step("cox_units_activities", started)
    engine.close()
    return report


def curves_from_counts(counts: pd.DataFrame) -> tuple[list[CurveData], dict[str, list[float]]]:
    """Kaplan–Meier per cell (event: ended in work or studies; other exits and ongoing periods censored),
    and the Aalen–Johansen cumulative incidence of work, studies and other exits for everyone."""
    curves: list[CurveData] = []
    incidence: dict[str, list[float]] = {}
    for (dimension, group), rows in counts.groupby(["dimension", "grp"], sort=True):
        times = rows["duration"].to_numpy(dtype=np.float64)
        events = (rows["work"] + rows["studies"]).to_numpy()
        censored = (rows["other"] + rows["censored"]).to_numpy()
        curve = survival.kaplan_meier_from_counts(times, events, censored, group=str(group))
        curves.append(
            CurveData(
                dimension=str(dimension),
                group=str(group),
                times=curve.times.tolist(),
                at_risk=curve.at_risk.tolist(),
                events=curve.events.tolist(),
                survival=curve.survival.tolist(),
                lower=curve.lower.tolist(),
                upper=curve.upper.tolist(),
                median=curve.median(),
            )
        )
        if dimension == "alla":
            cif_times, cif = survival.cumulative_incidence_from_counts(
                times,
                {
                    "arbete": rows["work"].to_numpy(),
                    "studier": rows["studies"].to_numpy(),
                    "annat": rows["other"].to_numpy(),
                },
                rows["censored"].to_numpy(),
            )
            incidence = {"times": cif_times.tolist(), **{k: v.tolist() for k, v in cif.items()}}
    return curves, incidence


def _reference(column: pd.Series) -> str:
    """The most common level: hazard ratios of the others are against it (ties: alphabetical)."""
    counts = column.value_counts()
    top = counts[counts == counts.max()].index
    return str(sorted(str(v) for v in top)[0])


def _model_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.dropna(subset=["age"]).copy()
    for column in (*CATEGORICAL, "unit", "activity"):
        # Categories of text: the models' design reads their codes instead of a million strings.
        frame[column] = frame[column].astype("category")
    return frame


def _case_mix(frame: pd.DataFrame) -> dict[str, str]:
    return {column: _reference(frame[column]) for column in CATEGORICAL}


def _case_mix_model(report: Report, frame: pd.DataFrame) -> survival.CoxResult | None:
    """The case mix alone (the six covariates of the 2013 study): its hazard ratios, and the expected
    exits per unit for the funnel plot (indirect standardisation). None if no model can be fitted."""
    if frame.empty or frame["event"].sum() == 0:
        report.notes.append("Inga perioder har slutat i arbete eller studier: ingen modell skattas.")
        return None
    case_mix = _case_mix(frame)
    try:
        base = survival.cox(frame, duration="duration", event="event", numeric=NUMERIC, categorical=case_mix)
        report.case_mix_ratios = [asdict(r) for r in base.ratios]
        if base.dropped:
            report.notes.append(f"Utelämnade ur modellen: {', '.join(base.dropped)}")
        report.funnel = [
            asdict(u)
            for u in survival.observed_expected(
                frame,
                duration="duration",
                event="event",
                unit="unit",
                numeric=NUMERIC,
                categorical=case_mix,
                fitted=base,
            )
        ]
    except (ValueError, np.linalg.LinAlgError) as error:
        # Too little data for a model (a small municipality early on): the report says so.
        report.notes.append(f"Modellen kunde inte skattas: {error}")
        return None
    expected = [u["expected"] for u in report.funnel if u["expected"] > 0]
    if expected:
        grid = np.linspace(max(1.0, 0.8 * min(expected)), 1.1 * max(expected), 60)
        low95, high95 = survival.funnel_limits(grid, 0.95)
        low998, high998 = survival.funnel_limits(grid, 0.998)
        report.funnel_limits = np.column_stack([grid, low95, high95, low998, high998]).tolist()
    return base


def _units_and_activities_model(report: Report, frame: pd.DataFrame) -> None:
    """Units and activities together on top of the case mix: each adjusted for the other and for it."""
    no_activity = NO_ACTIVITY if (frame["activity"] == NO_ACTIVITY).any() else _reference(frame["activity"])
    try:
        joint = survival.cox(
            frame,
            duration="duration",
            event="event",
            numeric=NUMERIC,
            categorical={**_case_mix(frame), "unit": _reference(frame["unit"]), "activity": no_activity},
        )
    except (ValueError, np.linalg.LinAlgError) as error:
        report.notes.append(f"Modellen kunde inte skattas: {error}")
        return
    report.unit_ratios = [asdict(r) for r in joint.ratios if r.covariate.startswith("unit=")]
    report.activity_ratios = [asdict(r) for r in joint.ratios if r.covariate.startswith("activity=")]
