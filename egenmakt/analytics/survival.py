"""Survival curves, competing risks and case-mix adjusted comparisons for outcome follow-up.

The engine (DuckDB) does the heavy lifting: a GROUP BY on duration returns, per group, how many spells
ended with the event and how many were censored at each distinct duration in months. The curves here are
computed from those counts, which is why they are fast: a Kaplan–Meier curve over a million spells is
a few hundred rows of arithmetic instead of a million-row sort in lifelines.

The numbers are meant to be the ones lifelines gives, so an analyst can check any figure with a textbook
tool: Kaplan–Meier equals lifelines' KaplanMeierFitter (survival, 95 % confidence interval, median) to
rounding, and is computed the way lifelines computes it (a cumulative sum of logs), so that a median
that falls exactly on S(t) = 0.5 is decided the same way. Cox regressions are lifelines' own fits.

Pure numerical code: no Django models, so the pipeline, the bench scripts and notebooks can all use it.
lifelines is imported only by the regression functions, because importing it takes about two seconds
and the curves do not need it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

if TYPE_CHECKING:
    from lifelines import CoxPHFitter

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# kaplan_meier counts whole-number durations up to this by direct indexing instead of sorting them
# (a table of this many rows is still small; 100 years in months is 1200).
_DENSE_DURATIONS = 100_000

# Above this many distinct durations the concordance is left to lifelines (see _concordance).
_CONCORDANCE_TIMES = 2_000

# Used only when the unpenalised Cox fit does not converge (collinear covariates, near separation).
# lifelines' penalty is n * penalizer * ||beta||^2 / 2 on standardised covariates, i.e. a ridge prior
# whose weight grows with the data; at 1e-3 it moves well-identified hazard ratios by well under 1 %
# but keeps the Newton–Raphson iteration finite.
FALLBACK_PENALIZER = 1e-3


@dataclass(frozen=True, eq=False)  # eq=False: the generated __eq__ cannot compare numpy arrays.
class Curve:
    """A Kaplan–Meier curve, one row per time in `times`.

    `times` is 0 followed by each distinct observed duration in ascending order: the index lifelines'
    KaplanMeierFitter uses as its timeline when fitted on the same data, so the arrays line up with
    `survival_function_`, `confidence_interval_` and `event_table` row for row.
    """

    group: str
    times: FloatArray
    at_risk: IntArray
    events: IntArray
    censored: IntArray
    survival: FloatArray
    lower: FloatArray
    upper: FloatArray

    def median(self) -> float | None:
        """The first time at which S(t) <= 0.5, as lifelines' `median_survival_time_`; None if not reached.

        lifelines (and this) take the first time with S(t) <= 0.5, not the midpoint convention R's
        survfit uses when the curve is flat at exactly 0.5. lifelines returns inf when the curve never
        gets down to 0.5; None says the same thing without an inf leaking into JSON or templates.
        """
        reached = np.flatnonzero(self.survival <= 0.5)
        return float(self.times[reached[0]]) if reached.size else None

    def at(self, t: float) -> float:
        """S(t) read off the step function: right-continuous, so an event at t already counts at t.

        Before time 0 everyone is still in the risk set (1.0); after the last time the curve stays at
        its last value, since nothing is known beyond it.
        """
        if np.isnan(t):
            raise ValueError("t is NaN")
        i = int(np.searchsorted(self.times, t, side="right")) - 1
        return 1.0 if i < 0 else float(self.survival[i])


def _tabulate(times: npt.ArrayLike, counts: Sequence[npt.ArrayLike]) -> tuple[FloatArray, list[IntArray]]:
    """Bring counts per duration into lifelines' event-table shape.

    Sorted ascending, repeated times merged (a GROUP BY on a coarser key can repeat them), rows where
    nothing happened dropped (lifelines never has such rows: its rows are the observed durations) and a
    row for t=0 added if missing (lifelines always starts its table at 0, where everyone is at risk).
    """
    t = np.asarray(times, dtype=np.float64)
    if t.ndim != 1:
        raise ValueError("times must be one-dimensional")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        # lifelines would start the table at a negative time; durations of spells cannot be negative.
        raise ValueError("times must be finite and non-negative")
    columns = []
    for c in counts:
        column = np.asarray(c, dtype=np.float64)
        if column.shape != t.shape:
            raise ValueError("each count array must have the same shape as times")
        if not np.all((column >= 0) & (column == np.floor(column)) & (column < np.inf)):  # NaN fails too
            raise ValueError("counts must be non-negative whole numbers")
        columns.append(column)

    if np.all(t[1:] > t[:-1]):  # already sorted and distinct, as ORDER BY duration gives them
        unique, summed = t, columns
    else:
        unique, inverse = np.unique(t, return_inverse=True)
        summed = [np.bincount(inverse, weights=c, minlength=unique.size).astype(np.float64) for c in columns]
    keep = (np.sum(summed, axis=0) > 0) | (unique == 0)
    unique = unique[keep]
    merged = [np.rint(s[keep]).astype(np.int64) for s in summed]
    if unique.size == 0 or unique[0] != 0:
        unique = np.concatenate(([0.0], unique))
        merged = [np.concatenate((np.zeros(1, dtype=np.int64), m)) for m in merged]
    return unique, merged


def _at_risk(removed: IntArray) -> IntArray:
    """Number at risk at each time: everyone, less those who left at earlier times."""
    return np.asarray(removed.sum() - np.concatenate(([0], np.cumsum(removed)[:-1])), dtype=np.int64)


def _kaplan_meier(at_risk: IntArray, events: IntArray) -> tuple[FloatArray, FloatArray]:
    """S(t) and Greenwood's sum, computed the way lifelines computes them.

    S is exp(cumsum(log(n - d) - log(n))) rather than cumprod(1 - d/n): the two differ only in the last
    bits, but a median is decided by S <= 0.5, and S is often exactly 0.5 in exact arithmetic with
    monthly data; computing it as lifelines does makes the median agree with lifelines, not just S.
    Greenwood's terms d / (n (n - d)) are 0, not inf, where everyone left dies (n == d), as in lifelines.
    """
    n = at_risk.astype(np.float64)
    d = events.astype(np.float64)
    with np.errstate(divide="ignore"):  # log(0) = -inf where everyone at risk dies: S becomes 0 there.
        survival = np.exp(np.cumsum(np.log(n - d) - np.log(n)))
    denominator = n * (n - d)
    terms = np.divide(d, denominator, out=np.zeros_like(d), where=denominator != 0)
    return survival, np.cumsum(terms)


@functools.lru_cache(maxsize=16)
def _normal_quantile(p: float) -> float:
    """scipy's normal quantile (the one lifelines uses), cached: a call costs more than a whole curve."""
    return float(stats.norm.ppf(p))


def _exponential_greenwood(
    survival: FloatArray, greenwood: FloatArray, alpha: float
) -> tuple[FloatArray, FloatArray]:
    """Confidence interval on the log(-log S) scale ("exponential Greenwood"), lifelines' default.

    Where S = 1 (t=0 and any time before the first event) the formula is 0/0; lifelines fills those
    NaNs with 1.0, giving a zero-width interval [1, 1] there, and so do we. Where S = 0 the formula gives
    [0, 0]. Elsewhere the interval always lies inside (0, 1), unlike the plain Greenwood interval.
    """
    z = _normal_quantile(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(survival)
        spread = z * np.sqrt(greenwood) / log_s
        lower = np.exp(-np.exp(np.log(-log_s) - spread))
        upper = np.exp(-np.exp(np.log(-log_s) + spread))
    return np.where(np.isnan(lower), 1.0, lower), np.where(np.isnan(upper), 1.0, upper)


def kaplan_meier_from_counts(
    times: npt.ArrayLike,
    events: npt.ArrayLike,
    censored: npt.ArrayLike,
    *,
    group: str = "",
    alpha: float = 0.05,
) -> Curve:
    """Kaplan–Meier curve from the number of events and censored spells at each distinct duration.

    `times` may come in any order and may repeat; rows with no events and no censored spells are
    ignored. Spells ending at duration 0 are at risk at 0 and their events lower S(0) below 1, as
    lifelines does. `alpha` sets the confidence level of `lower`/`upper` (0.05 gives 95 %).
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie between 0 and 1")
    t, (d, c) = _tabulate(times, [events, censored])
    if d.sum() + c.sum() == 0:
        raise ValueError("no spells to estimate from")
    n = _at_risk(d + c)
    survival, greenwood = _kaplan_meier(n, d)
    lower, upper = _exponential_greenwood(survival, greenwood, alpha)
    for array in (t, n, d, c, survival, lower, upper):
        array.flags.writeable = False  # fresh arrays only: a Curve is meant to be immutable.
    return Curve(
        group=group, times=t, at_risk=n, events=d, censored=c, survival=survival, lower=lower, upper=upper
    )


def kaplan_meier(
    durations: npt.ArrayLike, observed: npt.ArrayLike, *, group: str = "", alpha: float = 0.05
) -> Curve:
    """Kaplan–Meier curve from one row per spell; `observed` is true (non-zero) where the event happened.

    Counts the spells per distinct duration and calls `kaplan_meier_from_counts`, so it gives the same
    curve as the engine's GROUP BY would. Whole-number durations are counted without sorting.
    """
    duration_array = np.asarray(durations, dtype=np.float64)
    observed_array = np.asarray(observed).astype(bool)
    if duration_array.ndim != 1 or duration_array.shape != observed_array.shape:
        raise ValueError("durations and observed must be one-dimensional and of the same length")
    # NaN makes both comparisons false, so such input takes the general path, which refuses it.
    if duration_array.size and duration_array.min() >= 0 and duration_array.max() <= _DENSE_DURATIONS:
        whole = duration_array.astype(np.int64)
        if np.array_equal(whole, duration_array):
            # Whole months (the usual case): one counting pass over (duration, observed) pairs, no
            # sort. Months in which nothing ended get zero rows, which kaplan_meier_from_counts drops.
            pairs = np.bincount(whole * 2 + observed_array, minlength=2 * (int(whole.max()) + 1))
            pairs = pairs.reshape(-1, 2)
            times = np.arange(pairs.shape[0], dtype=np.float64)
            return kaplan_meier_from_counts(times, pairs[:, 1], pairs[:, 0], group=group, alpha=alpha)
    unique, inverse = np.unique(duration_array, return_inverse=True)
    spells = np.bincount(inverse, minlength=unique.size)
    events = np.bincount(inverse[observed_array], minlength=unique.size)
    return kaplan_meier_from_counts(unique, events, spells - events, group=group, alpha=alpha)


def cumulative_incidence_from_counts(
    times: npt.ArrayLike, events_by_cause: Mapping[str, npt.ArrayLike], censored: npt.ArrayLike
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Aalen–Johansen cumulative incidence of each competing cause (work, studies, moved, ...).

    CIF_k(t) = sum over s <= t of S(s-) d_k(s) / n(s), where S is the Kaplan–Meier curve of leaving
    for any cause. Ties between causes need no special treatment in this formula; lifelines'
    AalenJohansenFitter instead breaks them by jittering the event times at random, which with monthly
    durations (ties everywhere) would change the numbers from run to run. On untied data the two agree.

    Returns the times (0 first, as in `kaplan_meier_from_counts`) and the CIF of each cause. At every
    time S(t) plus the CIFs of all causes is 1. Events at duration 0 count at t=0 (CIF_k(0) = d_k(0)/n),
    consistently with S(0); lifelines forces its CIF at t=0 to 0 regardless.
    """
    if not events_by_cause:
        raise ValueError("events_by_cause must name at least one cause")
    causes = list(events_by_cause)
    t, counts = _tabulate(times, [*(events_by_cause[k] for k in causes), censored])
    by_cause, c = counts[:-1], counts[-1]
    d = np.sum(by_cause, axis=0)
    if d.sum() + c.sum() == 0:
        raise ValueError("no spells to estimate from")
    n = _at_risk(d + c)
    survival, _ = _kaplan_meier(n, d)
    before = np.concatenate(([1.0], survival[:-1]))  # S(s-): survival just before s.
    weight = before / n
    return t, {k: np.cumsum(weight * dk) for k, dk in zip(causes, by_cause, strict=True)}


@dataclass(frozen=True)
class HazardRatio:
    covariate: str
    hazard_ratio: float
    lower: float  # 95 % confidence interval (Wald, as lifelines' summary)
    upper: float
    p: float


@dataclass(frozen=True)
class CoxResult:
    ratios: list[HazardRatio]
    concordance: float
    n: int
    events: int
    # Covariates left out of the fit because they would have broken it (see _design); the caller
    # should show these so nobody reads a missing level as "no effect".
    dropped: tuple[str, ...] = field(default=())
    # 0 unless the plain fit failed and FALLBACK_PENALIZER was needed (then say so next to the ratios).
    penalizer: float = 0.0
    # The fitted lifelines model, so observed_expected can reuse a case-mix fit instead of fitting again.
    model: Any = field(default=None, repr=False, compare=False)
    # Each row's partial hazard exp((x - mean x) beta), centred as lifelines' baseline is, in the frame's
    # row order (for observed_expected, without building the design again).
    partial: FloatArray | None = field(default=None, repr=False, compare=False)


def _as_text(column: pd.Series) -> pd.Series | pd.Categorical:
    """Levels are compared as text, so a reference "3" works for a column of integer codes too. A
    categorical column of text is used as it is: turning a million rows of it into text again took
    seconds."""
    if isinstance(column.dtype, pd.CategoricalDtype) and all(
        isinstance(c, str) for c in column.cat.categories
    ):
        return column.array
    return column.astype(str)


def _design(
    frame: pd.DataFrame,
    *,
    duration: str,
    event: str,
    numeric: Sequence[str],
    categorical: Mapping[str, str],
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The frame lifelines is fitted on: duration, event (0/1) and one float column per covariate.

    Each categorical column becomes one indicator "column=level" per level other than its reference
    level. Two kinds of column are dropped, because lifelines cannot fit them and they carry no
    information about the hazard ratios of the others:
    - constant columns (a numeric covariate with one value, a level every row has): their coefficient
      is not identified and lifelines' standardisation divides by a zero standard deviation;
    - indicators of levels with no events: their maximum-likelihood hazard ratio is 0 (log HR -> -inf)
      and Newton–Raphson does not converge. Their rows stay in the fit, counted with the reference level.
    """
    used = [duration, event, *numeric, *categorical]
    missing = [c for c in used if c not in frame.columns]
    if missing:
        raise ValueError(f"columns not in the frame: {missing}")
    if frame[used].isna().to_numpy().any():
        # A missing level would otherwise silently become the reference level.
        raise ValueError("missing values in duration, event or covariates; drop or impute them first")

    events = frame[event].to_numpy().astype(bool)
    columns: dict[str, npt.NDArray[np.float64]] = {
        duration: frame[duration].to_numpy(dtype=np.float64),
        event: events.astype(np.float64),
    }
    for name in numeric:
        columns[name] = frame[name].to_numpy(dtype=np.float64)
    indicators: set[str] = set()
    for name, reference in categorical.items():
        codes, levels = pd.factorize(_as_text(frame[name]), sort=True)
        if reference not in levels:
            raise ValueError(f"reference level {reference!r} does not occur in column {name!r}")
        for k, level in enumerate(levels):
            if level != reference:
                columns[f"{name}={level}"] = (codes == k).astype(np.float64)
                indicators.add(f"{name}={level}")

    dropped = []
    for name in [c for c in columns if c not in (duration, event)]:
        x = columns[name]
        if np.ptp(x) == 0 or (name in indicators and not events[x == 1].any()):
            dropped.append(name)
            del columns[name]
    return pd.DataFrame(columns, index=frame.index), tuple(dropped)


def _fit_cox(design: pd.DataFrame, *, duration: str, event: str) -> CoxPHFitter:
    """lifelines' Cox fit (Efron ties, Breslow baseline); penalised only if the plain fit fails.

    batch_mode=True: with monthly durations there are few distinct times and many ties, which is the
    case lifelines' batch algorithm is made for (0.65 s instead of 6.8 s on 200 000 monthly spells).
    lifelines' "very low variance" warning is dropped: it fires for any rare level (a unit with 1 % of
    the rows) and is not a sign of trouble; convergence problems are seen in the fit itself.
    """
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError, ConvergenceWarning

    fitter = None
    problems: list[warnings.WarningMessage] = []
    failure: ConvergenceError | None = None
    for penalizer in (0.0, FALLBACK_PENALIZER):
        candidate = CoxPHFitter(penalizer=penalizer)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                candidate.fit(design, duration_col=duration, event_col=event, batch_mode=True)
            except ConvergenceError as error:
                failure = error
                continue
        fitter = candidate
        problems = [
            w
            for w in caught
            if not (issubclass(w.category, ConvergenceWarning) and "very low variance" in str(w.message))
        ]
        if not any(issubclass(w.category, ConvergenceWarning) for w in problems):
            break
    if fitter is None:
        raise ConvergenceError("the Cox model did not converge, not even with a small penalizer: ", failure)
    for w in problems:  # Pass on whatever the fit we keep still had to say.
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return fitter


def _concordance(durations: FloatArray, events: npt.NDArray[np.bool_], partial: FloatArray) -> float:
    """Harrell's C exactly as lifelines' `concordance_index_` counts it, one pass per distinct duration.

    lifelines walks the spells one at a time in Python (14 s of a 16 s Cox fit on a million spells);
    with monthly durations there are only a hundred or so distinct times, so the same counts come from
    one vectorised step per time. The pairs are lifelines': a spell that ended at t (event or censored)
    is compared with every spell that had its event before t; a censored spell also with those that had
    their event at t. Scores tied between the two count one half.
    """
    times, bucket = np.unique(durations, return_inverse=True)
    if times.size > _CONCORDANCE_TIMES:
        from lifelines.utils import concordance_index

        return float(concordance_index(durations, -partial, events))
    score = -partial  # lifelines' convention: a predicted time, so a higher hazard is an earlier exit
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange(times.size + 1))
    pool = np.empty(0)  # scores of the events so far, sorted
    correct = tied = pairs = 0
    for k in range(times.size):
        members = order[bounds[k] : bounds[k + 1]]
        died = np.sort(score[members[events[members]]])
        for batch, add in ((died, True), (score[members[~events[members]]], False)):
            below = np.searchsorted(pool, batch, side="left")
            correct += int(below.sum())
            tied += int((np.searchsorted(pool, batch, side="right") - below).sum())
            pairs += pool.size * batch.size
            if add:  # those who died at t join the pool before the censored at t are compared
                pool = np.insert(pool, np.searchsorted(pool, batch), batch)
    return (correct + tied / 2) / pairs if pairs else float("nan")


def cox(
    frame: pd.DataFrame,
    *,
    duration: str,
    event: str,
    numeric: Sequence[str] = (),
    categorical: Mapping[str, str] | None = None,
) -> CoxResult:
    """Cox proportional-hazards regression of the event on the covariates, one row per spell.

    `categorical` maps a column to its reference level; every other level gets its own hazard ratio
    against it, named "column=level". Covariates that would break the fit are left out and listed in
    `dropped` (see _design).
    """
    design, dropped = _design(
        frame, duration=duration, event=event, numeric=numeric, categorical=categorical or {}
    )
    if design.shape[1] == 2:
        raise ValueError(f"no covariates left to fit (dropped: {list(dropped)})")
    fitter = _fit_cox(design, duration=duration, event=event)
    summary = fitter.summary
    ratios = [
        HazardRatio(
            covariate=str(name),
            hazard_ratio=float(row["exp(coef)"]),
            lower=float(row["exp(coef) lower 95%"]),
            upper=float(row["exp(coef) upper 95%"]),
            p=float(row["p"]),
        )
        for name, row in summary.iterrows()
    ]
    partial = _partial_hazard(fitter, design)
    events = design[event].to_numpy().astype(bool)
    return CoxResult(
        ratios=ratios,
        concordance=_concordance(design[duration].to_numpy(dtype=np.float64), events, partial),
        n=len(design),
        events=int(design[event].sum()),
        dropped=dropped,
        penalizer=float(fitter.penalizer),
        model=fitter,
        partial=partial,
    )


def _partial_hazard(fitter: CoxPHFitter, design: pd.DataFrame) -> FloatArray:
    """lifelines' predict_partial_hazard, exp((x - mean x) beta), on numpy arrays: the same numbers
    without its copies of a million-row frame."""
    params = fitter.params_
    x = design[list(params.index)].to_numpy(dtype=np.float64)
    centre = fitter._norm_mean[params.index].to_numpy(dtype=np.float64)
    return np.exp((x - centre) @ params.to_numpy(dtype=np.float64))


@dataclass(frozen=True)
class UnitComparison:
    """Observed against case-mix expected events for one unit, with funnel-plot control limits.

    The limits are where the ratio O/E of a unit with this expected count falls with 95 % and 99.8 %
    probability if the unit were exactly average (ratio 1): inside them, the difference is what chance
    alone gives for a unit of that size.
    """

    unit: str
    observed: int
    expected: float
    ratio: float  # O/E; inf if events were observed where none were expected, NaN if neither
    lower95: float
    upper95: float
    lower998: float
    upper998: float


def _breslow_cumulative_hazard(
    durations: FloatArray, events: npt.NDArray[np.bool_], partial: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Breslow's cumulative baseline hazard at each distinct duration, as lifelines computes it.

    H0(t) = sum over s <= t of d(s) / sum of partial hazards of those with duration >= s. With all
    partial hazards 1 this is the Nelson–Aalen estimator, used when there are no covariates.
    """
    unique, inverse = np.unique(durations, return_inverse=True)
    d = np.bincount(inverse, weights=events.astype(np.float64), minlength=unique.size)
    risk = np.cumsum(np.bincount(inverse, weights=partial, minlength=unique.size)[::-1])[::-1]
    return unique, np.cumsum(d / risk)


def funnel_limits(expected: FloatArray, coverage: float) -> tuple[FloatArray, FloatArray]:
    """Exact Poisson control limits for O/E at ratio 1, interpolated between whole counts.

    The p-quantile r of Poisson(E) jumps by whole counts, so limits drawn against E would be a
    staircase; Spiegelhalter (Stat Med 2005;24:1185, appendix) interpolates to r - a with
    a = (P(X <= r) - p) / P(X = r), which makes the funnel smooth. Divided by E to give ratios.
    """
    limits = []
    for p in ((1 - coverage) / 2, (1 + coverage) / 2):
        r = stats.poisson.ppf(p, expected)
        at_or_below = stats.poisson.cdf(r, expected)
        below = stats.poisson.cdf(r - 1, expected)
        with np.errstate(divide="ignore", invalid="ignore"):  # E = 0: no limits (NaN).
            a = (at_or_below - p) / (at_or_below - below)
            limits.append(np.maximum(r - a, 0.0) / expected)
    return limits[0], limits[1]


def observed_expected(
    frame: pd.DataFrame,
    *,
    duration: str,
    event: str,
    unit: str,
    numeric: Sequence[str] = (),
    categorical: Mapping[str, str] | None = None,
    fitted: CoxResult | None = None,
) -> list[UnitComparison]:
    """Observed and case-mix expected events per unit (indirect standardisation with a Cox model).

    The Cox model is fitted on the case-mix covariates only, never on the unit, so "expected" is what
    an average unit would achieve with this unit's people. A spell's expected number of events is its
    cumulative hazard at its own duration, H0(t_i) exp(x_i beta) with Breslow's baseline H0. With that
    baseline the expected events summed over all spells equal the observed events exactly: units are
    compared with each other, not with an outside standard. Without covariates it is the crude
    comparison (Nelson–Aalen). Units are returned sorted by name.
    """
    if unit not in frame.columns:
        raise ValueError(f"column not in the frame: {unit!r}")
    if frame[unit].isna().any():
        raise ValueError("missing values in the unit column")
    durations = frame[duration].to_numpy(dtype=np.float64)
    events = frame[event].to_numpy().astype(bool)
    if fitted is not None and fitted.partial is not None:
        # The same case-mix model already fitted by `cox` on this frame (a fit on a million spells
        # takes a while; there is no need to do it twice, nor to build its design again).
        baseline = fitted.model.baseline_cumulative_hazard_
        times = baseline.index.to_numpy(dtype=np.float64)
        cumulative = baseline.iloc[:, 0].to_numpy(dtype=np.float64)
        partial = fitted.partial
    elif (
        design := _design(
            frame, duration=duration, event=event, numeric=numeric, categorical=categorical or {}
        )[0]
    ).shape[1] > 2:
        fitter = _fit_cox(design, duration=duration, event=event)
        baseline = fitter.baseline_cumulative_hazard_
        times = baseline.index.to_numpy(dtype=np.float64)
        cumulative = baseline.iloc[:, 0].to_numpy(dtype=np.float64)
        # Centred the way lifelines' baseline is: exp((x - mean x) beta).
        partial = _partial_hazard(fitter, design)
    else:
        partial = np.ones(len(design))
        times, cumulative = _breslow_cumulative_hazard(durations, events, partial)
    # Every duration is one of the baseline's times, so this finds exactly H0 at the spell's duration.
    expected_per_spell = cumulative[np.searchsorted(times, durations, side="right") - 1] * partial

    codes, units = pd.factorize(_as_text(frame[unit]), sort=True)
    observed = np.bincount(codes, weights=events.astype(np.float64), minlength=len(units))
    # bincount with weights is float64 already (numpy's stubs say intp); astype(copy=False) tells mypy.
    expected = np.bincount(codes, weights=expected_per_spell, minlength=len(units)).astype(
        np.float64, copy=False
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = observed / expected
    lower95, upper95 = funnel_limits(expected, 0.95)
    lower998, upper998 = funnel_limits(expected, 0.998)
    return [
        UnitComparison(
            unit=str(units[i]),
            observed=int(observed[i]),
            expected=float(expected[i]),
            ratio=float(ratio[i]),
            lower95=float(lower95[i]),
            upper95=float(upper95[i]),
            lower998=float(lower998[i]),
            upper998=float(upper998[i]),
        )
        for i in range(len(units))
    ]
