"""The survival module against lifelines, against hand-worked examples, and on simulated data.

No database: these are plain functions on numpy arrays and data frames.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter, CoxPHFitter, KaplanMeierFitter
from lifelines.utils import concordance_index

from egenmakt.analytics.survival import (
    FALLBACK_PENALIZER,
    Curve,
    _concordance,
    cox,
    cumulative_incidence_from_counts,
    funnel_limits,
    kaplan_meier,
    kaplan_meier_from_counts,
    observed_expected,
)

# Uses no database: run once, in the SQLite half (conftest.py); the PostgreSQL half would repeat it.
pytestmark = pytest.mark.database_free

TOLERANCE = 1e-9


def monthly(seed: int, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Whole-month durations 0–60 (many ties, some at 0), about 30 % censored."""
    rng = np.random.default_rng(seed)
    durations = np.minimum(np.floor(rng.exponential(18, n)), 60)
    observed = rng.random(n) > 0.3
    return durations, observed


def assert_same_as_lifelines(
    curve: Curve, durations: np.ndarray, observed: np.ndarray, alpha: float = 0.05
) -> None:
    fitted = KaplanMeierFitter(alpha=alpha).fit(durations, observed)
    np.testing.assert_array_equal(curve.times, fitted.timeline)
    np.testing.assert_array_equal(curve.at_risk, fitted.event_table["at_risk"].to_numpy())
    np.testing.assert_array_equal(curve.events, fitted.event_table["observed"].to_numpy())
    np.testing.assert_array_equal(curve.censored, fitted.event_table["censored"].to_numpy())
    np.testing.assert_allclose(curve.survival, fitted.survival_function_.iloc[:, 0], rtol=0, atol=TOLERANCE)
    interval = fitted.confidence_interval_.to_numpy()
    np.testing.assert_allclose(curve.lower, interval[:, 0], rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(curve.upper, interval[:, 1], rtol=0, atol=TOLERANCE)
    median = curve.median()
    if np.isinf(fitted.median_survival_time_):
        assert median is None
    else:
        assert median == pytest.approx(fitted.median_survival_time_, abs=TOLERANCE)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_kaplan_meier_equals_lifelines_on_tied_monthly_data(seed):
    durations, observed = monthly(seed)
    assert (durations == 0).any()  # spells ending at 0 are part of what is compared
    assert_same_as_lifelines(kaplan_meier(durations, observed), durations, observed)


@pytest.mark.parametrize(
    ("durations", "observed"),
    [
        pytest.param([3, 5, 5, 8, 12], [0, 0, 0, 0, 0], id="all censored"),
        pytest.param([3, 5, 5, 8, 12], [1, 1, 1, 1, 1], id="no censoring"),
        pytest.param([7], [1], id="one subject, event"),
        pytest.param([7], [0], id="one subject, censored"),
        pytest.param([0, 0, 0, 2, 4, 4], [1, 1, 0, 1, 0, 1], id="events at 0"),
        pytest.param([0, 0, 1, 3], [1, 1, 1, 0], id="median at 0"),
        pytest.param([0, 0, 0], [0, 0, 0], id="only zeros, censored"),
        pytest.param([1, 2, 3, 4], [1, 1, 0, 0], id="S exactly 0.5"),
        pytest.param([0.5, 1.25, 1.25, 30.0], [1, 0, 1, 1], id="non-integer durations"),
    ],
)
def test_kaplan_meier_equals_lifelines_on_edge_cases(durations, observed):
    durations, observed = np.array(durations, dtype=float), np.array(observed, dtype=bool)
    assert_same_as_lifelines(kaplan_meier(durations, observed), durations, observed)


def test_kaplan_meier_alpha_is_passed_on():
    durations, observed = monthly(5, n=300)
    assert_same_as_lifelines(kaplan_meier(durations, observed, alpha=0.1), durations, observed, alpha=0.1)


def test_kaplan_meier_by_hand():
    # Six people, durations in months (+ = censored): 1, 2, 2+, 3, 4+, 5.
    #   t  at risk  events  S(t)
    #   0     6       0     1
    #   1     6       1     1 * 5/6          = 5/6
    #   2     5       1     5/6 * 4/5        = 4/6  (the one censored at 2 is still at risk at 2)
    #   3     3       1     4/6 * 2/3        = 4/9  <- first S <= 0.5: median 3
    #   4     2       0     4/9                     (a censoring does not move S)
    #   5     1       1     4/9 * 0/1        = 0
    curve = kaplan_meier(np.array([1, 2, 2, 3, 4, 5]), np.array([1, 1, 0, 1, 0, 1]), group="hand")
    assert curve.group == "hand"
    np.testing.assert_array_equal(curve.times, [0, 1, 2, 3, 4, 5])
    np.testing.assert_array_equal(curve.at_risk, [6, 6, 5, 3, 2, 1])
    np.testing.assert_array_equal(curve.events, [0, 1, 1, 1, 0, 1])
    np.testing.assert_array_equal(curve.censored, [0, 0, 1, 0, 1, 0])
    np.testing.assert_allclose(curve.survival, [1, 5 / 6, 4 / 6, 4 / 9, 4 / 9, 0], rtol=0, atol=1e-15)
    assert curve.median() == 3
    # Greenwood at t=1: 1 / (6 * 5); the exponential Greenwood interval on log(-log S):
    # exp(-exp(log(-log S) -/+ 1.96 sqrt(1/30) / log S)).
    log_s = np.log(5 / 6)
    z = 1.959963984540054
    assert curve.lower[1] == pytest.approx(np.exp(-np.exp(np.log(-log_s) - z * np.sqrt(1 / 30) / log_s)))
    assert curve.upper[1] == pytest.approx(np.exp(-np.exp(np.log(-log_s) + z * np.sqrt(1 / 30) / log_s)))
    assert curve.lower[1] < 5 / 6 < curve.upper[1]
    # lifelines' conventions: a zero-width interval [1, 1] where S = 1, and [0, 0] where S = 0.
    assert (curve.lower[0], curve.upper[0]) == (1.0, 1.0)
    assert (curve.lower[-1], curve.upper[-1]) == (0.0, 0.0)
    # Step function, right-continuous: S at an event time already includes that event.
    assert curve.at(-1) == 1.0
    assert curve.at(0) == 1.0
    assert curve.at(0.99) == 1.0
    assert curve.at(1) == pytest.approx(5 / 6)
    assert curve.at(2.5) == pytest.approx(4 / 6)
    assert curve.at(4.999) == pytest.approx(4 / 9)
    assert curve.at(100) == 0.0


def test_curve_arrays_are_read_only():
    curve = kaplan_meier(np.array([1.0, 2.0]), np.array([1, 0]))
    with pytest.raises(ValueError, match="read-only"):
        curve.survival[0] = 0.5


def test_from_counts_with_shuffled_repeated_and_empty_rows_equals_raw_data():
    durations, observed = monthly(7)
    raw = kaplan_meier(durations, observed)

    times = np.arange(61, dtype=float)  # a full grid, as a GROUP BY over a calendar table gives
    events = np.bincount(durations[observed].astype(int), minlength=61)
    censored = np.bincount(durations[~observed].astype(int), minlength=61)
    times = np.concatenate([times, [5.0, 200.0]])  # month 5 a second time; a month where nothing happened
    events = np.concatenate([events, [3, 0]])
    censored = np.concatenate([censored, [2, 0]])
    events[5] -= 3
    censored[5] -= 2
    order = np.random.default_rng(0).permutation(times.size)
    curve = kaplan_meier_from_counts(times[order], events[order], censored[order], group="x")

    for name in ("times", "at_risk", "events", "censored", "survival", "lower", "upper"):
        np.testing.assert_array_equal(getattr(curve, name), getattr(raw, name), err_msg=name)
    assert curve.median() == raw.median()


def test_from_counts_rejects_bad_input():
    with pytest.raises(ValueError, match="non-negative"):
        kaplan_meier_from_counts(np.array([-1.0, 2.0]), np.array([1, 1]), np.array([0, 0]))
    with pytest.raises(ValueError, match="whole numbers"):
        kaplan_meier_from_counts(np.array([1.0, 2.0]), np.array([1.5, 1]), np.array([0, 0]))
    with pytest.raises(ValueError, match="same shape"):
        kaplan_meier_from_counts(np.array([1.0, 2.0]), np.array([1]), np.array([0, 0]))
    with pytest.raises(ValueError, match="no spells"):
        kaplan_meier_from_counts(np.array([1.0]), np.array([0]), np.array([0]))
    with pytest.raises(ValueError, match="non-negative whole"):
        kaplan_meier_from_counts(np.array([1.0]), np.array([np.nan]), np.array([0]))
    with pytest.raises(ValueError, match="finite and non-negative"):
        kaplan_meier(np.array([1.0, np.nan]), np.array([1, 0]))
    with pytest.raises(ValueError, match="finite and non-negative"):
        kaplan_meier(np.array([1.0, -1.0]), np.array([1, 0]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cumulative_incidence_equals_lifelines_on_untied_data(seed):
    rng = np.random.default_rng(seed)
    n = 400
    durations = rng.exponential(20, n)  # continuous: no tied times, so lifelines does not jitter
    causes = rng.choice([0, 1, 2, 3], size=n, p=[0.3, 0.4, 0.2, 0.1])  # 0 = censored
    names = {1: "arbete", 2: "studier", 3: "flytt"}

    times, cif = cumulative_incidence_from_counts(
        durations,
        {name: (causes == code).astype(int) for code, name in names.items()},
        (causes == 0).astype(int),
    )
    for code, name in names.items():
        fitter = AalenJohansenFitter(calculate_variance=False)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a jitter warning would mean the comparison is not exact
            fitter.fit(durations, causes, event_of_interest=code)
        np.testing.assert_array_equal(times, fitter.cumulative_density_.index.to_numpy())
        np.testing.assert_allclose(cif[name], fitter.cumulative_density_.iloc[:, 0], rtol=0, atol=TOLERANCE)

    survival = kaplan_meier(durations, causes != 0).survival
    np.testing.assert_allclose(survival + sum(cif.values()), 1.0, rtol=0, atol=1e-12)


def test_cumulative_incidence_by_hand_with_ties():
    # Five people, monthly. t=1: one to work and one moved (tied, different causes); t=2: one to work
    # and one censored; t=3: the last one moved.
    #   t  at risk  work  moved  censored  S(t)               S(t-)
    #   1     5       1     1       0      3/5                1
    #   2     3       1     0       1      3/5 * 2/3 = 2/5    3/5
    #   3     1       0     1       0      0                  2/5
    #   CIF_work:  0.2 at 1 (1 * 1/5), 0.4 at 2 (+ 3/5 * 1/3), 0.4 at 3
    #   CIF_moved: 0.2 at 1 (1 * 1/5), 0.2 at 2,               0.6 at 3 (+ 2/5 * 1/1)
    times, cif = cumulative_incidence_from_counts(
        np.array([3, 1, 2]),  # any order
        {"work": np.array([0, 1, 1]), "moved": np.array([1, 1, 0])},
        np.array([0, 0, 1]),
    )
    np.testing.assert_array_equal(times, [0, 1, 2, 3])
    np.testing.assert_allclose(cif["work"], [0, 0.2, 0.4, 0.4], atol=1e-15)
    np.testing.assert_allclose(cif["moved"], [0, 0.2, 0.2, 0.6], atol=1e-15)
    survival = np.array([1, 3 / 5, 2 / 5, 0])
    np.testing.assert_allclose(cif["work"] + cif["moved"] + survival, 1.0, atol=1e-15)


def test_cumulative_incidence_on_tied_monthly_data_sums_to_one():
    durations, observed = monthly(11)
    cause = np.where(observed, np.random.default_rng(11).integers(1, 4, durations.size), 0)
    events = {str(k): np.bincount(durations[cause == k].astype(int), minlength=61) for k in (1, 2, 3)}
    censored = np.bincount(durations[cause == 0].astype(int), minlength=61)
    times, cif = cumulative_incidence_from_counts(np.arange(61), events, censored)
    curve = kaplan_meier(durations, observed)
    np.testing.assert_array_equal(times, curve.times)
    assert cif["1"][0] > 0  # events at duration 0 count at t=0, as the survival curve counts them
    np.testing.assert_allclose(curve.survival + sum(cif.values()), 1.0, rtol=0, atol=1e-12)


def simulated_spells(seed: int, n: int) -> pd.DataFrame:
    """Monthly spells with a known effect: hazard x2 for `treated`, x1.5 in region "norr"."""
    rng = np.random.default_rng(seed)
    treated = rng.integers(0, 2, n)
    region = rng.choice(["norr", "mitt", "syd"], size=n)
    hazard = (1 / 24) * np.where(treated == 1, 2.0, 1.0) * np.where(region == "norr", 1.5, 1.0)
    time = rng.exponential(1 / hazard)
    follow_up = rng.uniform(6, 48, n)  # administrative censoring
    return pd.DataFrame(
        {
            "months": np.ceil(np.minimum(time, follow_up)),  # whole months, so many ties
            "exited": time <= follow_up,
            "treated": treated,
            "region": region,
        }
    )


def test_cox_recovers_known_hazard_ratio():
    frame = simulated_spells(0, 5000)
    result = cox(frame, duration="months", event="exited", numeric=["treated"])
    (ratio,) = result.ratios
    assert ratio.covariate == "treated"
    assert ratio.hazard_ratio == pytest.approx(2.0, rel=0.10)
    assert ratio.lower < ratio.hazard_ratio < ratio.upper
    assert ratio.p < 1e-10
    assert result.n == 5000
    assert result.events == int(frame["exited"].sum())
    assert 0.5 < result.concordance < 1
    assert result.dropped == ()


def test_cox_categorical_encoding_equals_lifelines_on_the_encoded_frame():
    frame = simulated_spells(1, 3000)
    frame.loc[:9, "region"] = "fjall"  # a level with no events: dropped, its rows go with the reference
    frame.loc[:9, "exited"] = False
    frame["county"] = "Stockholm"  # constant: dropped

    result = cox(
        frame,
        duration="months",
        event="exited",
        numeric=["treated"],
        categorical={"region": "mitt", "county": "Stockholm"},
    )
    assert [r.covariate for r in result.ratios] == ["treated", "region=norr", "region=syd"]
    assert set(result.dropped) == {"region=fjall"}
    by_name = {r.covariate: r for r in result.ratios}
    # True ratios 1.5 and 1; with about 1000 events per region the standard error of log HR is ~0.06.
    assert by_name["region=norr"].hazard_ratio == pytest.approx(1.5, rel=0.2)
    assert by_name["region=syd"].hazard_ratio == pytest.approx(1.0, abs=0.2)

    encoded = pd.DataFrame(
        {
            "months": frame["months"],
            "exited": frame["exited"].astype(int),
            "treated": frame["treated"],
            "region=norr": (frame["region"] == "norr").astype(float),
            "region=syd": (frame["region"] == "syd").astype(float),
        }
    )
    direct = CoxPHFitter().fit(encoded, duration_col="months", event_col="exited", batch_mode=True)
    summary = direct.summary
    for name, row in summary.iterrows():
        assert by_name[name].hazard_ratio == pytest.approx(row["exp(coef)"], rel=TOLERANCE)
        assert by_name[name].lower == pytest.approx(row["exp(coef) lower 95%"], rel=TOLERANCE)
        assert by_name[name].upper == pytest.approx(row["exp(coef) upper 95%"], rel=TOLERANCE)
        assert by_name[name].p == pytest.approx(row["p"], rel=1e-6)
    assert result.concordance == pytest.approx(direct.concordance_index_, rel=TOLERANCE)


def test_cox_constant_numeric_is_dropped_and_bad_reference_refused():
    frame = simulated_spells(2, 500).assign(constant=1.0)
    result = cox(frame, duration="months", event="exited", numeric=["treated", "constant"])
    assert [r.covariate for r in result.ratios] == ["treated"]
    assert result.dropped == ("constant",)
    with pytest.raises(ValueError, match="reference level"):
        cox(frame, duration="months", event="exited", categorical={"region": "öst"})
    with pytest.raises(ValueError, match="no covariates"):
        cox(frame, duration="months", event="exited", numeric=["constant"])


def test_cox_falls_back_to_a_small_penalizer_when_the_plain_fit_fails():
    frame = simulated_spells(0, 5000)
    frame["copy"] = frame["treated"]  # perfectly collinear: lifelines cannot invert the Hessian
    assert cox(frame, duration="months", event="exited", numeric=["treated"]).penalizer == 0
    result = cox(frame, duration="months", event="exited", numeric=["treated", "copy"])
    assert result.penalizer == FALLBACK_PENALIZER
    # The ridge penalty splits the effect evenly between the two copies.
    first, second = result.ratios
    assert first.hazard_ratio == pytest.approx(second.hazard_ratio)
    assert first.hazard_ratio * second.hazard_ratio == pytest.approx(2.0, rel=0.10)


@pytest.mark.parametrize("seed", range(6))
def test_concordance_counts_pairs_as_lifelines_does(seed):
    rng = np.random.default_rng(seed)
    n = 500
    durations = rng.integers(0, 12, n).astype(float)  # few distinct times: the vectorised path
    events = rng.random(n) < 0.6
    # Even seeds: a binary covariate, so most scores are tied; odd seeds: continuous scores.
    partial = np.exp(0.7 * rng.integers(0, 2, n)) if seed % 2 == 0 else np.exp(rng.normal(0, 0.5, n))
    assert _concordance(durations, events, partial) == concordance_index(durations, -partial, events)
    # Continuous durations: more distinct times than the vectorised path takes, lifelines counts.
    durations = rng.exponential(10, 3000)
    events = rng.random(3000) < 0.6
    partial = np.exp(rng.normal(0, 0.5, 3000))
    assert _concordance(durations, events, partial) == concordance_index(durations, -partial, events)


def spells_in_units(seed: int, n: int) -> pd.DataFrame:
    """Spells in eight units; unit "U7" has twice the hazard of the others, whatever the case mix."""
    frame = simulated_spells(seed, n)
    rng = np.random.default_rng(seed + 100)
    frame["unit"] = rng.choice([f"U{i}" for i in range(8)], size=n)
    rng2 = np.random.default_rng(seed + 200)
    hazard = (
        (1 / 24) * np.where(frame["treated"] == 1, 2.0, 1.0) * np.where(frame["region"] == "norr", 1.5, 1.0)
    )
    hazard = hazard * np.where(frame["unit"] == "U7", 2.0, 1.0)
    time = rng2.exponential(1 / hazard)
    follow_up = rng2.uniform(6, 48, n)
    frame["months"] = np.ceil(np.minimum(time, follow_up))
    frame["exited"] = time <= follow_up
    return frame


def test_observed_expected_sums_and_finds_the_unit_with_doubled_hazard():
    frame = spells_in_units(3, 20000)
    comparisons = observed_expected(
        frame,
        duration="months",
        event="exited",
        unit="unit",
        numeric=["treated"],
        categorical={"region": "mitt"},
    )
    assert [c.unit for c in comparisons] == [f"U{i}" for i in range(8)]
    # Breslow's baseline makes expected sum to observed over all spells.
    assert sum(c.expected for c in comparisons) == pytest.approx(
        sum(c.observed for c in comparisons), rel=1e-6
    )
    assert sum(c.observed for c in comparisons) == int(frame["exited"].sum())

    by_unit = {c.unit: c for c in comparisons}
    doubled = by_unit["U7"]
    assert doubled.ratio > 1.4
    assert doubled.ratio > doubled.upper998 > doubled.upper95 > 1 > doubled.lower95 > doubled.lower998
    for c in comparisons:
        assert c.ratio == pytest.approx(c.observed / c.expected)
        if c.unit != "U7":
            assert c.ratio < 1  # the others carry U7's excess in the average, so they sit below 1


def test_observed_expected_per_spell_equals_lifelines_cumulative_hazard():
    frame = spells_in_units(4, 300)
    comparisons = observed_expected(
        frame, duration="months", event="exited", unit="unit", numeric=["treated"]
    )
    fitter = CoxPHFitter().fit(
        frame[["months", "exited", "treated"]].astype(float),
        duration_col="months",
        event_col="exited",
        batch_mode=True,
    )
    hazards = fitter.predict_cumulative_hazard(frame[["treated"]].astype(float))  # times x spells
    rows = np.searchsorted(hazards.index.to_numpy(), frame["months"].to_numpy())
    per_spell = hazards.to_numpy()[rows, np.arange(len(frame))]
    expected = pd.Series(per_spell).groupby(frame["unit"].to_numpy()).sum()
    for c in comparisons:
        assert c.expected == pytest.approx(expected[c.unit], rel=1e-9)


def test_observed_expected_without_covariates_is_the_crude_comparison():
    frame = spells_in_units(5, 2000)
    comparisons = observed_expected(frame, duration="months", event="exited", unit="unit")
    assert sum(c.expected for c in comparisons) == pytest.approx(int(frame["exited"].sum()), rel=1e-9)
    assert max(comparisons, key=lambda c: c.ratio).unit == "U7"


def testfunnel_limits():
    expected = np.array([1.0, 10.0, 100.0, 400.0, 10000.0])
    lower95, upper95 = funnel_limits(expected, 0.95)
    lower998, upper998 = funnel_limits(expected, 0.998)
    assert np.all(lower998 <= lower95) and np.all(lower95 < 1) and np.all(upper95 > 1)
    assert np.all(upper95 < upper998)
    assert np.all(np.diff(upper95) < 0) and np.all(np.diff(lower95[1:]) > 0)  # the funnel narrows
    # For large E the Poisson limits approach the normal ones, 1 +/- z / sqrt(E).
    assert lower95[-1] == pytest.approx(1 - 1.96 / 100, abs=1e-3)
    assert upper95[-1] == pytest.approx(1 + 1.96 / 100, abs=1e-3)
    assert upper998[3] == pytest.approx(1 + 3.09 / 20, abs=0.01)
    # Exact at the counts: with E = 10, P(X <= 4) = 0.029 > 0.025 > P(X <= 3) = 0.010, so the
    # lower 95 % limit lies between 3 and 4 events.
    assert 3 / 10 < lower95[1] < 4 / 10
    with np.errstate(all="raise"):  # an empty unit (E = 0) gives NaN limits, without warnings
        assert np.isnan(funnel_limits(np.array([0.0]), 0.95)[0][0])
