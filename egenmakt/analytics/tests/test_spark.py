"""The outcome pipeline on Spark in local mode gives the same results as on the embedded DuckDB.

The pipeline is written once in Ibis. These tests run it on both engines over a small synthetic data set
(`synthetic.py`: a few hundred people, seeded) and compare everything the engine computes: the periods
column by column, every numerator and denominator of every cell, the counts and the Kaplan–Meier curves of
every cell, and the cumulative incidence of the competing exits. The Cox models run on the driver from the
periods, so they are left out of the reports (`models=False`) and their input is compared instead.

Spark needs Java 17: without it these tests fail, they are not skipped. One local session serves the whole
module (starting one takes about ten seconds). No database is used, so the tests run in the SQLite half of
the suite only: the PostgreSQL half would run the same comparison again.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from egenmakt.analytics import engines, pipeline, report
from egenmakt.analytics.tests import synthetic
from egenmakt.people.target_groups import definitions as target_group_definitions

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="The Spark comparison uses no database: it runs once, in the SQLite half of the suite",
)

JAVA_NEEDED = (
    "The Spark tests run Spark in local mode, which needs Java 17 on PATH "
    "(Debian/Ubuntu: apt-get install openjdk-17-jre-headless)."
)
TOLERANCE = 1e-12


def _java_major(java: str) -> tuple[int | None, str]:
    # `java -version` writes to stderr: 'openjdk version "17.0.15" ...' (Java 8 said "1.8.0_...").
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    text = (out.stderr or out.stdout).strip()
    found = re.search(r'version "(\d+)', text)
    return (int(found.group(1)) if found else None), (text.splitlines()[0] if text else "no output")


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    java = shutil.which("java")
    if java is None:
        pytest.fail(f"{JAVA_NEEDED} No java was found.", pytrace=False)
    major, banner = _java_major(java)
    if major is None or major < 17:
        pytest.fail(f"{JAVA_NEEDED} Found: {banner}", pytrace=False)

    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as env:
        # Offline and self-contained: Python workers are this interpreter, the driver binds to loopback
        # (no host name lookup), no UI, nothing written into the working directory.
        env.setenv("PYSPARK_PYTHON", sys.executable)
        env.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        env.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        try:
            session = (
                SparkSession.builder.master("local[2]")
                .appName("egenmakt-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC")
                # As engines.spark() sets it for a session it starts itself.
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
                .config("spark.local.dir", str(tmp_path_factory.mktemp("spark-local")))
                .getOrCreate()
            )
        except Exception as error:  # the JVM did not start: say what is missing
            pytest.fail(f"Spark did not start in local mode ({error}). {JAVA_NEEDED}", pytrace=False)
        session.sparkContext.setLogLevel("ERROR")
        try:
            yield session
        finally:
            session.stop()


@pytest.fixture(scope="module")
def tables() -> dict[str, Any]:
    return synthetic.tables()


@pytest.fixture(scope="module")
def reports(spark: Any, tables: dict[str, Any]) -> tuple[report.Report, report.Report]:
    embedded = report.build(tables=tables, data_end=synthetic.DATA_END, engine=engines.duckdb(), models=False)
    on_spark = report.build(
        tables=tables, data_end=synthetic.DATA_END, engine=engines.spark(session=spark), models=False
    )
    return embedded, on_spark


def _periods(engine: engines.Engine, tables: dict[str, Any]) -> pd.DataFrame:
    f = pipeline.frames(tables, data_end=synthetic.DATA_END)
    frame = engine.execute(pipeline.spells(f))
    return frame.sort_values(["participant_id", "start"]).reset_index(drop=True)


def test_the_synthetic_data_covers_what_the_pipeline_distinguishes(tables):
    """Not a comparison: it keeps the comparison meaningful. Every outcome, every kind of household, each
    target group, units and activities (also unknown ones) and missing person data occur, often enough."""
    periods = _periods(engines.duckdb(), tables)
    outcomes = periods["outcome"].value_counts()
    for outcome in (
        pipeline.OUT_WORK,
        pipeline.OUT_STUDIES,
        pipeline.OUT_OTHER,
        pipeline.OUT_MOVED,
        pipeline.OUT_ONGOING,
    ):
        assert outcomes.get(outcome, 0) >= 10, outcome
    assert (periods.groupby("participant_id").size() > 1).sum() >= 30  # returns to försörjningsstöd
    assert set(periods["household"]) >= {
        "ensamstående utan barn",
        "ensamstående med barn",
        "sammanboende utan barn",
        "sammanboende med barn",
    }
    assert set(periods["unit"]) >= {*synthetic.UNITS.values(), pipeline.UNKNOWN}
    assert periods["activity"].nunique() >= 4
    assert (periods["activity"] == "ingen insats").sum() >= 50
    assert periods["hinder"].nunique() >= 5
    for group in target_group_definitions():
        assert periods[f"tg_{group.code}"].sum() >= 5, group.code
    assert periods["age"].isna().sum() >= 3  # birth date unknown
    assert (periods["age_band"] == pipeline.UNKNOWN).sum() >= 3
    assert (periods["sex"] == pipeline.UNKNOWN).sum() >= 10
    assert periods["cohort"].nunique() == 6  # 2019–2024


def test_same_periods_column_by_column(spark, tables):
    """The periods hold the Cox models' covariates (age, education, time in Sweden, household, reason,
    unit, activity): the models fitted on the driver get the same input from either engine."""
    embedded = _periods(engines.duckdb(), tables)
    on_spark = _periods(engines.spark(session=spark), tables)
    assert list(on_spark.columns) == list(embedded.columns)
    assert len(on_spark) == len(embedded)
    pd.testing.assert_frame_equal(on_spark, embedded, check_dtype=False)


def test_same_number_of_periods_and_people(reports):
    embedded, on_spark = reports
    assert embedded.engine == "duckdb"
    assert on_spark.engine == "spark"
    assert embedded.periods > 300
    assert (on_spark.periods, on_spark.people) == (embedded.periods, embedded.people)


def test_same_numerator_and_denominator_in_every_cell(reports):
    embedded, on_spark = reports

    def cells(r: report.Report) -> dict[tuple[str, str, str], tuple[int, int]]:
        found = {(s.indicator, s.dimension, s.group): (s.numerator, s.denominator) for s in r.shares}
        assert len(found) == len(r.shares), "a cell appears twice"
        return found

    expected, actual = cells(embedded), cells(on_spark)
    assert sorted(actual) == sorted(expected)  # the same cells
    differing = {key: (expected[key], actual[key]) for key in expected if expected[key] != actual[key]}
    assert not differing, f"(DuckDB, Spark) differ: {differing}"
    assert on_spark.shares == embedded.shares  # same order too

    # Every share indicator has cells in every one of its dimensions, and the totals are not trivial.
    shares = [i for i in pipeline.INDICATORS if i.kind == "share"]
    assert {(indicator, dimension) for indicator, dimension, _ in expected} == {
        (i.code, d) for i in shares for d in i.dimensions
    }
    for indicator in shares:
        numerator, denominator = expected[(indicator.code, "alla", "alla")]
        assert 0 < numerator < denominator, indicator.code


def test_same_kaplan_meier_curves(reports):
    embedded, on_spark = reports
    assert [(c.dimension, c.group) for c in on_spark.curves] == [
        (c.dimension, c.group) for c in embedded.curves
    ]
    assert len(embedded.curves) > 30
    for expected, actual in zip(embedded.curves, on_spark.curves, strict=True):
        cell = f"{expected.dimension}={expected.group}"
        assert actual.times == expected.times, cell
        assert actual.at_risk == expected.at_risk, cell
        assert actual.events == expected.events, cell
        for name in ("survival", "lower", "upper"):
            np.testing.assert_allclose(
                getattr(actual, name),
                getattr(expected, name),
                rtol=0,
                atol=TOLERANCE,
                err_msg=f"{cell} {name}",
            )
        if expected.median is None:
            assert actual.median is None, cell
        else:
            assert actual.median == pytest.approx(expected.median, abs=TOLERANCE), cell


def test_same_cumulative_incidence(reports):
    embedded, on_spark = reports
    assert set(embedded.incidence) == {"times", "arbete", "studier", "annat"}
    assert set(on_spark.incidence) == set(embedded.incidence)
    assert on_spark.incidence["times"] == embedded.incidence["times"]
    for exit_kind in ("arbete", "studier", "annat"):
        assert embedded.incidence[exit_kind][-1] > 0, exit_kind
        np.testing.assert_allclose(
            on_spark.incidence[exit_kind],
            embedded.incidence[exit_kind],
            rtol=0,
            atol=TOLERANCE,
            err_msg=exit_kind,
        )
