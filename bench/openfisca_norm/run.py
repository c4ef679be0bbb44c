"""The OpenFisca half of bench/payment_run.py: entitlements for the households in an .npz file.

Runs in var/bench-openfisca-venv (openfisca-core 46 and numpy, no egenmakt). Each run builds a fresh
simulation from the arrays (SimulationBuilder: persons, households, roles, then set_input per
variable) and calculates `entitlement`; building and calculating are timed apart. Prints one JSON
object; with --out, also saves the entitlements so the caller can compare them value by value.

    var/bench-openfisca-venv/bin/python bench/openfisca_norm/run.py households.npz \
        --norm-toml egenmakt/benefits/rules/norm/2023.toml --runs 5 --out openfisca.npy
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from openfisca_core.simulation_builder import SimulationBuilder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import CAPPED_KINDS, INT32_MAX, NormSystem

ADULT, CHILD = 0, 1  # indexes into Household's roles


def checksum(values: np.ndarray) -> dict[str, Any]:
    values = values.astype("<i8")
    return {
        "count": len(values),
        "sum": int(values.sum()),
        "first": [int(v) for v in values[:1000]],
        "sha256": hashlib.sha256(values.tobytes()).hexdigest(),
    }


def inputs(data: Any) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Person and household inputs by variable name, from the arrays the main benchmark wrote."""
    persons = {
        "age": data["member_age"],
        "lunch_at_preschool": data["member_lunch_at_preschool"],
        "days_in_household": data["member_days"],
    }
    costs, caps = data["costs"], np.minimum(data["caps"], INT32_MAX)
    households = {
        "others_in_dwelling": data["others_in_dwelling"],
        "other_costs": data["other_costs"],
        "wage": data["wage"],
        "other_income": data["other_income"],
        "wage_percent_left_out": data["wage_percent"],
        "wage_left_out_max": np.minimum(data["wage_max"], INT32_MAX),
        "reductions": data["reductions"],
    }
    for k, kind in enumerate(CAPPED_KINDS):
        households[f"cost_{kind}"] = np.ascontiguousarray(costs[:, k])
        households[f"cap_{kind}"] = np.ascontiguousarray(caps[:, k])
    return persons, households


def one_run(system: NormSystem, data: Any, period: str) -> tuple[np.ndarray, float, float]:
    started = time.perf_counter()
    member_household = data["member_household"]
    households = len(data["others_in_dwelling"])
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", np.arange(len(member_household)))
    household = builder.declare_entity("household", np.arange(households))
    roles = np.where(data["member_is_child"], CHILD, ADULT)
    builder.join_with_persons(household, member_household, roles)
    simulation = builder.build(system)
    person_inputs, household_inputs = inputs(data)
    for name, values in {**person_inputs, **household_inputs}.items():
        simulation.set_input(name, period, values)
    built = time.perf_counter()
    result = simulation.calculate("entitlement", period)
    done = time.perf_counter()
    return np.asarray(result, dtype=np.int64), built - started, done - built


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("households", type=Path, help=".npz written by bench/payment_run.py")
    parser.add_argument("--norm-toml", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, help="save the entitlements here (.npy)")
    options = parser.parse_args()

    started = time.perf_counter()
    system = NormSystem(options.norm_toml)
    system_seconds = time.perf_counter() - started
    with np.load(options.households) as stored:
        data = {name: stored[name] for name in stored.files}
    period = str(data["month"])

    build, calculate, result = [], [], None
    for _ in range(options.runs):
        result, build_seconds, calculate_seconds = one_run(system, data, period)
        build.append(build_seconds)
        calculate.append(calculate_seconds)
    assert result is not None
    if options.out:
        np.save(options.out, result)
    total = [b + c for b, c in zip(build, calculate, strict=True)]
    households = len(result)
    print(
        json.dumps(
            {
                "households": households,
                "persons": len(data["member_household"]),
                "period": period,
                "runs": options.runs,
                "system_seconds": system_seconds,
                "build_seconds": build,
                "calculate_seconds": calculate,
                "median_build_seconds": statistics.median(build),
                "median_calculate_seconds": statistics.median(calculate),
                "median_total_seconds": statistics.median(total),
                "households_per_second": households / statistics.median(total),
                "households_per_second_calculate_only": households / statistics.median(calculate),
                "checksum": checksum(result),
            }
        )
    )


if __name__ == "__main__":
    main()
