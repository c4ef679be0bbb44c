"""Benchmark: a provider's attendance file of 1 000 000 rows, imported with full validation.

Target (issue 4): at most 20 s on SQLite and on PostgreSQL (2 cores). Each run gets a fresh database
(SQLite: a file in a temporary folder; PostgreSQL: `egenmakt_bench_import`, created and dropped),
migrated and seeded with 20 000 placed participants in 50 activities; only the import is timed. The
file has about 1 % bad rows (wrong check digit, unknown activity, a date outside the placement, an
unknown status, a duplicate). Reports the medians and the PostgreSQL/SQLite ratio from one invocation.

    DEBUG=true .venv/bin/python bench/import_attendance.py --rows 1000000 --runs 3
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "egenmakt_bench_import"
USERNAME = "bench-importer"
TARGET_SECONDS = 20
DAYS_BACK = 400  # every placement starts this many days before today


def _personnummer(number: int) -> str:
    """A distinct valid personnummer per number: born 1960-1999, birth number from the index."""
    from egenmakt.lib.identity import luhn_check_digit

    born = date(1960, 1, 1) + timedelta(days=number % 14_000)
    serial = 2 + number // 14_000 * 2  # 002, 004, ...: distinct with the day for up to 7 million
    head = f"{born:%y%m%d}{serial:03d}"
    return f"{born:%Y%m%d}-{serial:03d}{luhn_check_digit(head)}"


def _activity_code(number: int) -> str:
    return f"BENCH-{number:02d}"


def _activity_of(person: int, activities: int) -> int:
    return person % activities


def write_file(path: Path, *, rows: int, participants: int, activities: int, today: date) -> int:
    """The provider's file: per day (newest first), one row per person. Returns the bad rows written."""
    days = -(-rows // participants)
    statuses = ["närvarande"] * 8 + ["giltig", "ogiltig"]
    people = [_personnummer(n) for n in range(participants)]
    bad = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=";", lineterminator="\n")
        writer.writerow(["personnummer", "aktivitet", "datum", "status", "timmar", "skäl"])
        written = 0
        for offset in range(1, days + 1):
            day = (today - timedelta(days=offset)).isoformat()
            for person in range(participants):
                if written == rows:
                    return bad
                status = statuses[(person + offset) % len(statuses)]
                row = [
                    people[person],
                    _activity_code(_activity_of(person, activities)),
                    day,
                    status,
                    "5,5" if status == "närvarande" and person % 7 == 0 else "",
                    "sjuk" if status == "giltig" else "",
                ]
                kind = written % 100  # about 1 % bad rows, five kinds
                if kind == 17 and written % 500 < 100:
                    row[0] = row[0][:-1] + str((int(row[0][-1]) + 1) % 10)
                elif kind == 17 and written % 500 < 200:
                    row[1] = "OKAND-99"
                elif kind == 17 and written % 500 < 300:
                    row[2] = (today - timedelta(days=DAYS_BACK + 5)).isoformat()
                elif kind == 17 and written % 500 < 400:
                    row[3] = "kanske"
                elif kind == 17:
                    writer.writerow(row)  # the same row twice: the second is a duplicate
                    written += 1
                bad += kind == 17
                writer.writerow(row)
                written += 1
    return bad


def seed(*, participants: int, activities: int) -> None:
    """Run in a child process with DATABASE_URL set: the people, cases, activities and placements."""
    from decimal import Decimal

    from django.utils import timezone

    from egenmakt.accounts.models import Membership, Role, User
    from egenmakt.activities.models import Activity, Enrolment, EnrolmentStatus, Method
    from egenmakt.cases.models import Case, CaseType
    from egenmakt.lib.names import search_key
    from egenmakt.organisations.models import Organisation, OrganisationKind, Unit, UnitKind
    from egenmakt.people.models import Participant

    today = timezone.localdate()
    kommun = Organisation.objects.create(
        name="Benchkommun", kind=OrganisationKind.KOMMUN, organisationsnummer="2120000142"
    )
    ame = Unit.objects.create(organisation=kommun, name="AME", kind=UnitKind.ARBETSMARKNADSENHET)
    eb = Unit.objects.create(organisation=kommun, name="Ekonomiskt bistånd", kind=UnitKind.EKONOMISKT_BISTAND)
    user = User.objects.create_user(username=USERNAME, first_name="Bench", last_name="Importer")
    handlaggare = User.objects.create_user(username="bench-handlaggare")
    Membership.objects.create(
        user=user, unit=ame, role=Role.ARBETSMARKNADSKONSULENT, valid_from=date(2020, 1, 1)
    )
    Membership.objects.create(user=handlaggare, unit=eb, role=Role.HANDLAGGARE, valid_from=date(2020, 1, 1))
    catalogue = Activity.objects.bulk_create(
        Activity(
            code=_activity_code(n),
            name=f"Insats {n}",
            provider=kommun,
            unit=ame,
            method=Method.PRAKTIK,
            capacity=participants,
            hours_per_day=Decimal("6"),
        )
        for n in range(activities)
    )
    people = Participant.objects.bulk_create(
        (
            Participant(
                identity_type="pnr",
                identity_value=_personnummer(n).replace("-", ""),
                first_name="Test",
                last_name=f"Person{n}",
                name_key=search_key(f"Test Person{n}"),
                synthetic=True,
            )
            for n in range(participants)
        ),
        batch_size=2000,
    )
    cases = Case.objects.bulk_create(
        (
            Case(participant=p, unit=ame, case_type=CaseType.ARBETSMARKNADSINSATS, responsible=user)
            for p in people
        ),
        batch_size=2000,
    )
    # One in ten also has economic assistance: their absence tasks go to that case's handläggare.
    Case.objects.bulk_create(
        (
            Case(participant=p, unit=eb, case_type=CaseType.EKONOMISKT_BISTAND, responsible=handlaggare)
            for p in people[::10]
        ),
        batch_size=2000,
    )
    start = today - timedelta(days=DAYS_BACK)
    Enrolment.objects.bulk_create(
        (
            Enrolment(
                participant=p,
                activity=catalogue[_activity_of(n, activities)],
                case=case,
                status=EnrolmentStatus.AKTIV,
                start=start,
                created_by=user,
            )
            for n, (p, case) in enumerate(zip(people, cases, strict=True))
        ),
        batch_size=2000,
    )


def time_import(path: Path) -> dict[str, Any]:
    """Run in a child process: import the file as the bench user; the seconds and the counts."""
    from egenmakt.accounts.models import User
    from egenmakt.attendance.importing import import_attendance

    user = User.objects.get(username=USERNAME)
    started = time.perf_counter()
    batch = import_attendance(actor=user, path_or_file=path, file_name=path.name)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "status": batch.status,
        "error": batch.error,
        "stored": batch.stored_rows,
        "unchanged": batch.unchanged_rows,
        "rejected": batch.rejected_rows,
    }


def _child(database_url: str, *args: str) -> str:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url}
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def _manage(database_url: str, *args: str) -> None:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603


def _one_run(database_url: str, path: Path, options: argparse.Namespace) -> dict[str, Any]:
    _manage(database_url, "migrate", "--noinput")
    _child(
        database_url,
        "--child-seed",
        "--participants",
        str(options.participants),
        "--activities",
        str(options.activities),
    )
    result: dict[str, Any] = json.loads(
        _child(database_url, "--child-import", str(path)).strip().splitlines()[-1]
    )
    if result["status"] != "klar":
        raise SystemExit(f"import failed: {result['error']}")
    return result


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
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--activities", type=int, default=50)
    parser.add_argument("--child-seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child_seed or options.child_import:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egenmakt.settings")
        import django

        django.setup()
        if options.child_seed:
            seed(participants=options.participants, activities=options.activities)
        else:
            print(json.dumps(time_import(options.child_import)))
        return

    results: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    with_postgres = _postgres_answers()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "narvaro.csv"
        sys.path.insert(0, str(ROOT))
        bad = write_file(
            path,
            rows=options.rows,
            participants=options.participants,
            activities=options.activities,
            today=date.today(),
        )
        size = path.stat().st_size / 1e6
        print(f"file: {options.rows} rows ({bad} bad), {size:.0f} MB", flush=True)
        for run in range(options.runs):
            with tempfile.TemporaryDirectory() as db_folder:
                outcome = _one_run(f"sqlite:///{db_folder}/bench.sqlite3", path, options)
            results["sqlite"].append(outcome["seconds"])
            if with_postgres:
                _psql(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
                _psql(f"CREATE DATABASE {PG_DATABASE}")
                try:
                    outcome = _one_run(f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}", path, options)
                finally:
                    _psql(f"DROP DATABASE {PG_DATABASE}")
                results["postgresql"].append(outcome["seconds"])
            print(
                f"run {run + 1}: "
                + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in results.items() if v)
                + f" (stored {outcome['stored']}, rejected {outcome['rejected']})",
                flush=True,
            )
    medians = {name: statistics.median(times) for name, times in results.items() if times}
    for name, median in medians.items():
        print(f"{name}: median {median:.1f} s over {len(results[name])} runs, {options.rows} rows")
    if len(medians) == 2:
        print(f"postgresql / sqlite: {medians['postgresql'] / medians['sqlite']:.2f}")
    if options.rows == 1_000_000:
        for name, median in medians.items():
            print(
                f"target ≤ {TARGET_SECONDS} s on {name}: {'met' if median <= TARGET_SECONDS else 'NOT met'}"
            )


if __name__ == "__main__":
    main()
