"""Benchmark: the monthly payment run's calculation core, 1 000 000 household-months at once.

Target: at least 5 000 000 household-months per second for `benefits.vector.entitlements` (the numpy
form of the norm rule in benefits/calculation.py), on one core. The households are synthetic and seeded
(1-2 adults, 0-6 children of 0-20 years, some in växelvis boende, some with lunch at preschool where
the year's table has those amounts, others sharing the home, capped rents, wages and other income),
built directly as a `Batch` for one month; only `entitlements` is timed, median of the runs.

For comparison, the same rule written as an OpenFisca model (bench/openfisca_norm) computes the same
households in its own venv, var/bench-openfisca-venv, made here on first use (openfisca-core 46 and
numpy from the configured package index). It reads the households from an .npz file and the riksnorm
from the same TOML file, builds a simulation per run (timed apart from the calculation) and hands back
its entitlements, which must equal Egenmakt's value for value. Reports both medians and the ratio from
one invocation; `--skip-openfisca` times the core alone. Machines here are noisy: compare the numbers
from one run of this script, not single timings.

    .venv/bin/python bench/payment_run.py --households 1000000 --runs 5

A second section, `--full-run` (100 000 households through the PostgreSQL payment run), is to come:
it belongs in its own `measure_full_run(args) -> dict`, called from `main()` like the two below.
"""

from __future__ import annotations

import argparse
import calendar
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from egenmakt.benefits.norm import NORM_DIR, NormTable, table_for  # noqa: E402
from egenmakt.benefits.vector import NO_CAP, Batch, Ints, entitlements  # noqa: E402

TARGET_PER_SECOND = 5_000_000
OPENFISCA_VENV = ROOT / "var" / "bench-openfisca-venv"
OPENFISCA_REQUIREMENTS = ["openfisca-core>=46,<47", "numpy"]
OPENFISCA_RUNNER = ROOT / "bench" / "openfisca_norm" / "run.py"


@dataclass
class Households:
    """The synthetic households: the Batch Egenmakt computes on, and the raw columns for OpenFisca."""

    month: date
    table: NormTable
    batch: Batch
    member_age: Ints
    member_lunch_at_preschool: npt.NDArray[np.bool_]

    def columns(self) -> dict[str, Any]:
        """What OpenFisca gets: ages and the lunch flag as given, not Egenmakt's brackets."""
        b = self.batch
        return {
            "month": np.array(f"{self.month:%Y-%m}"),
            "member_household": b.member_household,
            "member_is_child": b.member_is_child,
            "member_age": self.member_age,
            "member_lunch_at_preschool": self.member_lunch_at_preschool,
            "member_days": b.member_days,
            "others_in_dwelling": b.others_in_dwelling,
            "costs": b.costs,
            "caps": b.caps,
            "other_costs": b.other_costs,
            "wage": b.wage,
            "other_income": b.other_income,
            "wage_percent": b.wage_percent,
            "wage_max": b.wage_max,
            "reductions": b.reductions,
        }


def synthetic_households(count: int, month: date, *, seed: int) -> Households:
    """`count` households for `month`, seeded; members listed household by household, adults first."""
    table = table_for(month)
    rng = np.random.default_rng(seed)
    dim = calendar.monthrange(month.year, month.month)[1]

    def some(share: float, low: int, high: int, size: int = count) -> Ints:
        """An amount in [low, high] for about `share` of the rows, 0 for the rest."""
        return np.where(rng.random(size) < share, rng.integers(low, high + 1, size), 0).astype(np.int64)

    adults = np.where(rng.random(count) < 0.3, 2, 1).astype(np.int64)
    children = rng.choice(7, size=count, p=[0.5, 0.18, 0.16, 0.09, 0.04, 0.02, 0.01]).astype(np.int64)
    members = adults + children
    persons = int(members.sum())
    household = np.repeat(np.arange(count, dtype=np.int64), members)
    position = np.arange(persons, dtype=np.int64) - (np.cumsum(members) - members)[household]
    is_child = position >= adults[household]
    age = np.where(is_child, rng.integers(0, 21, persons), rng.integers(21, 67, persons)).astype(np.int64)

    bracket_of = np.array([table.children.index(table.child_bracket(a)) for a in range(21)], dtype=np.int64)
    bracket = np.where(is_child, bracket_of[np.minimum(age, 20)], 0)
    # Lunch at preschool for children of 1-7 (a 7-year-old's flag does not count), but only where the
    # table has the "without lunch" amount: the rule refuses to guess it.
    has_without = all(table.child_bracket(a).without_lunch is not None for a in range(7))
    lunch = is_child & (age >= 1) & (age <= 7) & (rng.random(persons) < 0.6) & has_without
    shared = is_child & (rng.random(persons) < 0.12)
    days = np.where(shared, rng.integers(5, 27, persons), dim).astype(np.int64)

    capped = np.stack(
        [
            rng.integers(3000, 12_001, count),  # boende
            rng.integers(200, 901, count),  # hushållsel
            some(0.2, 300, 1500),  # arbetsresor
            rng.integers(100, 301, count),  # hemförsäkring
            some(0.3, 200, 600),  # fack och a-kassa
        ],
        axis=1,
    ).astype(np.int64)
    caps = np.full((count, 5), NO_CAP, dtype=np.int64)
    caps[:, 0] = np.where(rng.random(count) < 0.9, 5500 + 1500 * (members - 1), NO_CAP)
    caps[:, 2] = np.where(rng.random(count) < 0.5, 1000, NO_CAP)
    wage = some(0.25, 2000, 20_000)
    left_out = (wage > 0) & (rng.random(count) < 0.1)

    batch = Batch(
        days_in_month=dim,
        member_household=household,
        member_is_child=is_child,
        member_bracket=bracket,
        member_without_lunch=lunch & (age <= 6),
        member_days=days,
        adults=adults,
        members=members,
        others_in_dwelling=some(0.06, 1, 2),
        costs=capped,
        caps=caps,
        other_costs=some(0.1, 200, 2000),
        wage=wage,
        other_income=some(0.6, 500, 12_000),
        wage_percent=np.where(left_out, 25, 0).astype(np.int64),
        wage_max=np.where(rng.random(count) < 0.5, 2000, NO_CAP).astype(np.int64),
        reductions=some(0.02, 500, 3000),
    )
    return Households(month=month, table=table, batch=batch, member_age=age, member_lunch_at_preschool=lunch)


def measure_core(args: argparse.Namespace, households: Households | None = None) -> dict[str, Any]:
    """Egenmakt's vectorised rule: the median seconds of `entitlements` over the runs."""
    if households is None:
        households = _households(args)
    seconds = []
    result = None
    for _ in range(args.runs):
        started = time.perf_counter()
        result = entitlements(households.batch, households.table)
        seconds.append(time.perf_counter() - started)
    assert result is not None
    median = statistics.median(seconds)
    return {
        "households": len(households.batch),
        "persons": len(households.batch.member_household),
        "seconds": seconds,
        "median_seconds": median,
        "households_per_second": len(households.batch) / median,
        "target_per_second": TARGET_PER_SECOND,
        "target_met": len(households.batch) / median >= TARGET_PER_SECOND,
        "paid_households": int((result > 0).sum()),
        "checksum": checksum(result),
        "entitlements": result,
    }


def checksum(values: Ints) -> dict[str, Any]:
    """The same as bench/openfisca_norm/run.py computes."""
    values = values.astype("<i8")
    return {
        "count": len(values),
        "sum": int(values.sum()),
        "first": [int(v) for v in values[:1000]],
        "sha256": hashlib.sha256(values.tobytes()).hexdigest(),
    }


def openfisca_python() -> Path:
    """The OpenFisca venv's python, made and installed on first use."""
    python = OPENFISCA_VENV / "bin" / "python"
    probe = [str(python), "-c", "import numpy, openfisca_core"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:  # noqa: S603
        return python
    print(f"making {OPENFISCA_VENV.relative_to(ROOT)} ({', '.join(OPENFISCA_REQUIREMENTS)})", flush=True)
    steps = [
        [sys.executable, "-m", "venv", str(OPENFISCA_VENV)],
        [str(python), "-m", "pip", "install", "--quiet", *OPENFISCA_REQUIREMENTS],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)  # noqa: S603
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(step)} failed:\n{done.stdout}{done.stderr}")
    return python


def measure_openfisca(args: argparse.Namespace, households: Households, expected: Ints) -> dict[str, Any]:
    """The same households through the OpenFisca model, in its venv; compared value by value."""
    python = openfisca_python()
    version = subprocess.run(  # noqa: S603
        [str(python), "-c", "import importlib.metadata as m; print(m.version('openfisca-core'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    norm_toml = NORM_DIR / f"{households.table.year}.toml"
    with tempfile.TemporaryDirectory() as folder:
        data, out = Path(folder) / "households.npz", Path(folder) / "openfisca.npy"
        np.savez(data, **households.columns())
        done = subprocess.run(  # noqa: S603
            [
                str(python),
                str(OPENFISCA_RUNNER),
                str(data),
                *("--norm-toml", str(norm_toml), "--runs", str(args.runs), "--out", str(out)),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"the OpenFisca run failed:\n{done.stderr}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        theirs = np.load(out)
    differ = (
        np.flatnonzero(theirs != expected) if theirs.shape == expected.shape else np.arange(len(expected))
    )
    result["openfisca_core"] = version
    result["differing_households"] = len(differ)
    result["first_differing"] = [int(i) for i in differ[:10]]
    return result


def _households(args: argparse.Namespace) -> Households:
    month = date.fromisoformat(f"{args.month}-01")
    return synthetic_households(args.households, month, seed=args.seed)


def _count(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _rate(value: float) -> str:
    return f"{_count(value):>16}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--month", default="2023-03", help="YYYY-MM; the riksnorm table of its year is used")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-openfisca", action="store_true", help="time Egenmakt's core only")
    args = parser.parse_args()
    wall = time.perf_counter()

    households = _households(args)
    core = measure_core(args, households)
    mine = core.pop("entitlements")
    print(
        f"{_count(core['households'])} households ({_count(core['persons'])} persons), {args.month}, "
        f"riksnorm {households.table.year}, {args.runs} runs; {_count(core['paid_households'])} get paid",
        flush=True,
    )
    report: dict[str, Any] = {"core": core}
    if not args.skip_openfisca:
        report["openfisca"] = measure_openfisca(args, households, mine)

    print(f"{'':34}{'median s':>10}{'households/s':>16}")
    print(
        f"{'egenmakt core (numpy)':34}{core['median_seconds']:>10.3f}{_rate(core['households_per_second'])}"
    )
    of = report.get("openfisca")
    if of:
        print(
            f"{'openfisca ' + of['openfisca_core'] + ' build + calculate':34}"
            f"{of['median_total_seconds']:>10.3f}{_rate(of['households_per_second'])}"
        )
        print(
            f"{'openfisca calculate only':34}"
            f"{of['median_calculate_seconds']:>10.3f}{_rate(of['households_per_second_calculate_only'])}"
        )
        ratio = core["households_per_second"] / of["households_per_second"]
        ratio_calculate = core["households_per_second"] / of["households_per_second_calculate_only"]
        report["ratio_egenmakt_to_openfisca"] = ratio
        report["ratio_egenmakt_to_openfisca_calculate_only"] = ratio_calculate
        print(
            f"egenmakt / openfisca: {ratio:.1f}× (build + calculate), {ratio_calculate:.1f}× (calculate only)"
        )
        same = of["differing_households"] == 0 and of["checksum"] == core["checksum"]
        report["results_match"] = same
        print(
            f"results: {'identical' if same else 'DIFFERENT'} (sum {_count(core['checksum']['sum'])} kr, "
            f"{of['differing_households']} households differ)"
        )
    print(f"target ≥ {_count(TARGET_PER_SECOND)} households/s: {'met' if core['target_met'] else 'NOT met'}")
    report["wall_seconds"] = time.perf_counter() - wall
    print(f"wall time {report['wall_seconds']:.1f} s")
    for part in ("core", "openfisca"):
        if part in report:
            report[part]["checksum"].pop("first")
    print(json.dumps(report))
    if of and not report["results_match"]:
        raise SystemExit("Egenmakt and OpenFisca disagree")


if __name__ == "__main__":
    main()
