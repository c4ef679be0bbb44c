"""Benchmark: every role's start page on the seeded demo, 100 000 participants on PostgreSQL.

Target (issue 6): each start page renders in under 300 ms median. The demo's persona for each role logs
in through Django's test client (no network, no browser: the server's time for the whole request,
middleware, access policy, queries, audit rows and template), and the roles are requested in turn, round
after round, so every role sees the same machine load. Reports the median, the 90th percentile, the
median's ratio to the target and the queries per page.

The seed takes some 8 minutes at 100 000 participants; `--keep-seed` reuses a database seeded before with
the same number of participants, migrated first to the code's schema. After seeding the database is
VACUUM ANALYZEd, as autovacuum would do on a production server: without statistics PostgreSQL plans the
first queries on a fresh database badly, and without the visibility map that VACUUM sets an index-only
scan still reads the table (the benchmark's server may run with autovacuum off, so it is done here rather
than left to chance).

    DEBUG=true .venv/bin/python bench/pages.py --participants 100000 --runs 20 [--keep-seed]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
NAME_PATTERN = r"[a-z_][a-z0-9_]*"
TARGET_MS = 300.0
# The five start pages, then two more roles measured for information.
ROLES = {
    "handlaggare": "handläggare",
    "konsulent": "coach (arbetsmarknadskonsulent)",
    "enhetschef": "enhetschef",
    "forbundschef": "förbundschef",
    "politiker": "politiker (förtroendevald)",
    "analytiker": "analytiker",
    "partner": "samverkanspartner",
}
TARGET_ROLES = ("handlaggare", "konsulent", "enhetschef", "forbundschef", "politiker")


def _psql(url: str, sql: str) -> str:
    done = subprocess.run(["psql", url, "-qtAc", sql], check=True, capture_output=True, text=True)  # noqa: S603, S607
    return done.stdout.strip()


def _manage(database_url: str, *args: str) -> None:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _seeded(database: str, participants: int) -> bool:
    # The name is checked against NAME_PATTERN when the options are read.
    exists = _psql(f"{PG_SERVER}/postgres", f"SELECT 1 FROM pg_database WHERE datname = '{database}'")  # noqa: S608
    if exists != "1":
        return False
    try:
        found = _psql(f"{PG_SERVER}/{database}", "SELECT participants FROM demo_demodataset LIMIT 1")
    except subprocess.CalledProcessError:
        return False
    return found == str(participants)


def _seed(database: str, participants: int, seed: int) -> None:
    _psql(f"{PG_SERVER}/postgres", f"DROP DATABASE IF EXISTS {database}")
    _psql(f"{PG_SERVER}/postgres", f"CREATE DATABASE {database}")
    url = f"{PG_SERVER}/{database}"
    _manage(url, "migrate", "--noinput", "-v", "0")
    started = time.perf_counter()
    _manage(url, "seed_demo", "--participants", str(participants), "--seed", str(seed))
    print(f"seeded {participants} participants in {time.perf_counter() - started:.0f} s", flush=True)
    _psql(url, "VACUUM ANALYZE")


def _measure(runs: int, warmup: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import setup_test_environment

    from egenmakt.demo.generator import DEMO_PASSWORD

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    clients = {}
    for username in ROLES:
        client = Client()
        if not client.login(username=username, password=DEMO_PASSWORD):
            raise SystemExit(f"the demo has no login {username!r}: seed again without --keep-seed")
        for _ in range(warmup):
            response = client.get("/")
            if response.status_code != 200:
                raise SystemExit(f"the start page answered {response.status_code} for {username}")
        clients[username] = client
    times: dict[str, list[float]] = {username: [] for username in ROLES}
    for _ in range(runs):
        for username, client in clients.items():
            started = time.perf_counter()
            client.get("/")
            times[username].append((time.perf_counter() - started) * 1000)
    queries = {}
    debug = settings.DEBUG
    settings.DEBUG = True  # only to count the queries of one more request per role
    for username, client in clients.items():
        reset_queries()
        client.get("/")
        queries[username] = len(connection.queries)
    settings.DEBUG = debug
    return {"times": times, "queries": queries}


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.9 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20, help="requests per role (20)")
    parser.add_argument("--warmup", type=int, default=3, help="requests per role before timing (3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="egenmakt_bench_pages", help="PostgreSQL database name")
    parser.add_argument("--keep-seed", action="store_true", help="reuse the database if seeded at this size")
    options = parser.parse_args()
    if not re.fullmatch(NAME_PATTERN, options.database):
        parser.error("--database: lower-case letters, digits and _ only")

    if options.keep_seed and _seeded(options.database, options.participants):
        print(f"reusing {options.database} ({options.participants} participants)", flush=True)
        # The schema of the code measured (an index added since the seed), not the one it was seeded with.
        _manage(f"{PG_SERVER}/{options.database}", "migrate", "--noinput", "-v", "0")
    else:
        _seed(options.database, options.participants, options.seed)
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{options.database}"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egenmakt.settings")
    sys.path.insert(0, str(ROOT))
    result = _measure(options.runs, options.warmup)

    print(f"\nstart pages, {options.participants} participants, PostgreSQL, {options.runs} requests per role")
    print(f"{'role':34s} {'median':>9s} {'p90':>9s} {'÷ target':>9s} {'queries':>8s}")
    met = []
    for username, label in ROLES.items():
        values = result["times"][username]
        median = statistics.median(values)
        in_target = username in TARGET_ROLES
        if in_target:
            met.append(median <= TARGET_MS)
        ratio = f"{median / TARGET_MS:.2f}" if in_target else "-"
        print(
            f"{label:34s} {median:7.1f}ms {_p90(values):7.1f}ms {ratio:>9s} {result['queries'][username]:8d}"
        )
    verdict = "met" if all(met) else "NOT met"
    print(f"\ntarget: every start page under {TARGET_MS:.0f} ms median: {verdict}")


if __name__ == "__main__":
    main()
