"""Benchmark: `seed_demo --participants N` on a fresh SQLite file (and PostgreSQL when it answers).

Target (issue 2): 100 000 participants in under 2 minutes on SQLite. Reports the median of the runs,
and the PostgreSQL/SQLite ratio when both ran in the same invocation. Machines here are noisy: compare
medians from one run of this script, not single timings.

    DEBUG=true .venv/bin/python bench/seed_demo.py --participants 100000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def _manage(database_url: str, *args: str) -> None:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603


def _time_seed(database_url: str, participants: int, seed: int) -> float:
    _manage(database_url, "migrate", "--noinput")
    started = time.perf_counter()
    _manage(database_url, "seed_demo", "--participants", str(participants), "--seed", str(seed))
    return time.perf_counter() - started


def _postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 2).close()
    except OSError:
        return False
    return True


def _psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True, capture_output=True)  # noqa: S603, S607


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    results: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    with_postgres = _postgres_answers()
    for run in range(options.runs):
        with tempfile.TemporaryDirectory() as folder:
            results["sqlite"].append(
                _time_seed(f"sqlite:///{folder}/bench.sqlite3", options.participants, options.seed)
            )
        if with_postgres:
            _psql("DROP DATABASE IF EXISTS egenmakt_bench")
            _psql("CREATE DATABASE egenmakt_bench")
            url = "postgres://postgres@127.0.0.1:5432/egenmakt_bench"
            results["postgresql"].append(_time_seed(url, options.participants, options.seed))
            _psql("DROP DATABASE egenmakt_bench")
        print(
            f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in results.items() if v), flush=True
        )
    medians = {name: statistics.median(times) for name, times in results.items() if times}
    for name, median in medians.items():
        print(
            f"{name}: median {median:.1f} s over {len(results[name])} runs, {options.participants} participants"
        )
    if len(medians) == 2:
        print(f"postgresql / sqlite: {medians['postgresql'] / medians['sqlite']:.2f}")
    if options.participants == 100_000:
        print(f"target < 120 s on SQLite: {'met' if medians['sqlite'] < 120 else 'NOT met'}")


if __name__ == "__main__":
    main()
