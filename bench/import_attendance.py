"""Benchmark: a provider's attendance file of 1 000 000 rows, imported with full validation.

Target (issue 4): at most 20 s on SQLite and on PostgreSQL (2 cores). Each run gets a fresh database
(SQLite: a file in a temporary folder; PostgreSQL: `--database`, default `egenmakt_bench_import`,
created and dropped), copied from one migrated and seeded with 20 000 placed participants in 50
activities; only the import is timed, with the CPU time of the Python process and, on PostgreSQL, of
its server backend (utime + stime from /proc), since wall time on a loaded machine includes waiting. The
file has about 1 % bad rows (wrong check digit, unknown activity, a date outside the placement, an
unknown status, a duplicate). Reports the medians and the PostgreSQL/SQLite ratio from one invocation.

    DEBUG=true .venv/bin/python bench/import_attendance.py --rows 1000000 --runs 3

`--only postgresql` runs one database; `--baseline DIR` imports with another checkout too (say
`git archive HEAD | tar -x -C DIR`), alternating run by run on the same file and seed, and reports both
medians: before and after measured side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432"
PG_ADMIN = f"{PG_URL}/postgres"
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


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat (fields 14 and 15, after the command name)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _BackendCpu:
    """CPU time of every PostgreSQL backend connected to this database while the import runs: a thread
    polls pg_stat_activity and /proc every 50 ms and keeps each backend's last reading. A backend that
    ends loses at most its last 50 ms."""

    def __init__(self, database_url: str) -> None:
        import psycopg

        self.db = psycopg.connect(database_url, autocommit=True)
        self.own = self.db.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()
        self._read()  # the backends already there (the importing connection) count from now on
        self.first = dict(self.last)
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        rows = self.db.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> %s",
            [self.own],
        ).fetchall()
        for (pid,) in rows:
            with contextlib.suppress(FileNotFoundError):  # ended between the query and the read
                self.last[pid] = _cpu_seconds(pid)

    def _poll(self) -> None:
        while not self.stop.wait(0.05):
            self._read()

    def total(self) -> float:
        self.stop.set()
        self.thread.join()
        self._read()
        self.db.close()
        return sum(cpu - self.first.get(pid, 0.0) for pid, cpu in self.last.items())


def time_import(path: Path) -> dict[str, Any]:
    """Run in a child process: import the file as the bench user; the seconds, CPU times and counts.

    CPU time is given for this Python process and, on PostgreSQL, for the server backends working for
    it: on a shared, loaded machine wall time also counts waiting for a core, CPU time does not."""
    from django.db import connection

    from egenmakt.accounts.models import User
    from egenmakt.attendance.importing import import_attendance

    user = User.objects.get(username=USERNAME)
    backends = _BackendCpu(os.environ["DATABASE_URL"]) if connection.vendor == "postgresql" else None
    cpu_before = time.process_time()
    started = time.perf_counter()
    batch = import_attendance(actor=user, path_or_file=path, file_name=path.name)
    seconds = time.perf_counter() - started
    python_cpu = time.process_time() - cpu_before
    return {
        "seconds": seconds,
        "python_cpu": python_cpu,
        "backend_cpu": backends.total() if backends else None,
        "status": batch.status,
        "error": batch.error,
        "stored": batch.stored_rows,
        "unchanged": batch.unchanged_rows,
        "rejected": batch.rejected_rows,
    }


def _child(database_url: str, *args: str, root: Path = ROOT) -> str:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url}
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(root / "bench" / "import_attendance.py"), *args],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _manage(database_url: str, *args: str, root: Path = ROOT) -> None:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env, check=True, capture_output=True)  # noqa: S603


def _seed(database_url: str, options: argparse.Namespace, root: Path) -> None:
    _manage(database_url, "migrate", "--noinput", root=root)
    seeding = ("--participants", str(options.participants), "--activities", str(options.activities))
    _child(database_url, "--child-seed", *seeding, root=root)


def _import(database_url: str, path: Path, root: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(
        _child(database_url, "--child-import", str(path), root=root).strip().splitlines()[-1]
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


class _Databases:
    """A fresh database per run: each tree's migrated, seeded database is made once, and every run
    imports into a copy of it (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), so
    the seeding is not repeated and every run starts from the same rows."""

    def __init__(self, *, folder: Path, pg_name: str, options: argparse.Namespace) -> None:
        self.folder, self.pg_name, self.options = folder, pg_name, options
        self.templates: list[str] = []

    def fresh(self, engine: str, tree: int, root: Path) -> str:
        if engine == "sqlite":
            template = self.folder / f"seed-{tree}.sqlite3"
            if not template.exists():
                _seed(f"sqlite:///{template}", self.options, root)
            run = self.folder / "run.sqlite3"
            for stale in self.folder.glob("run.sqlite3*"):
                stale.unlink()
            shutil.copyfile(template, run)
            return f"sqlite:///{run}"
        template_name = f"{self.pg_name}_seed_{tree}"
        if template_name not in self.templates:
            _psql(f"DROP DATABASE IF EXISTS {template_name}")
            _psql(f"CREATE DATABASE {template_name}")
            self.templates.append(template_name)
            _seed(f"{PG_URL}/{template_name}", self.options, root)
        _psql(f"DROP DATABASE IF EXISTS {self.pg_name}")
        _psql(f"CREATE DATABASE {self.pg_name} TEMPLATE {template_name}")
        return f"{PG_URL}/{self.pg_name}"

    def done(self, engine: str) -> None:
        if engine == "postgresql":
            _psql(f"DROP DATABASE IF EXISTS {self.pg_name}")

    def drop_templates(self) -> None:
        for name in self.templates:
            _psql(f"DROP DATABASE IF EXISTS {name}")


def _cpu_text(result: dict[str, Any]) -> str:
    backend = result["backend_cpu"]
    return f"CPU python {result['python_cpu']:.1f} s" + (
        f" + postgres {backend:.1f} s" if backend is not None else ""
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--activities", type=int, default=50)
    parser.add_argument(
        "--database", default=PG_DATABASE, help="PostgreSQL database to create and drop for the runs"
    )
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="run on this database only")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (e.g. `git archive HEAD | tar -x -C DIR`) imported in turn with this one, "
        "same file, same seed, each run right before this tree's; both medians reported",
    )
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

    engines = [options.only] if options.only else ["sqlite", "postgresql"]
    if "postgresql" in engines and not _postgres_answers():
        if options.only:
            raise SystemExit("PostgreSQL does not answer on 127.0.0.1:5432")
        engines.remove("postgresql")
    trees = [("this", ROOT)]
    if options.baseline:
        trees.insert(0, ("baseline", options.baseline.resolve()))
    results: dict[tuple[str, str], list[dict[str, Any]]] = {(t, e): [] for t, _r in trees for e in engines}
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
        databases = _Databases(folder=Path(folder), pg_name=options.database, options=options)
        try:
            for run in range(options.runs):
                for engine in engines:
                    for number, (tree, root) in enumerate(trees):
                        url = databases.fresh(engine, number, root)
                        try:
                            outcome = _import(url, path, root)
                        finally:
                            databases.done(engine)
                        results[(tree, engine)].append(outcome)
                        print(
                            f"run {run + 1} {engine} {tree}: {outcome['seconds']:.1f} s, {_cpu_text(outcome)}"
                            f" (stored {outcome['stored']}, unchanged {outcome['unchanged']},"
                            f" rejected {outcome['rejected']})",
                            flush=True,
                        )
        finally:
            databases.drop_templates()
    medians: dict[tuple[str, str], float] = {}
    for (tree, engine), runs in results.items():
        medians[(tree, engine)] = statistics.median(r["seconds"] for r in runs)
        python = statistics.median(r["python_cpu"] for r in runs)
        backend = [r["backend_cpu"] for r in runs if r["backend_cpu"] is not None]
        print(
            f"{engine}{' (' + tree + ')' if options.baseline else ''}: median {medians[(tree, engine)]:.1f} s"
            f" over {len(runs)} runs, {options.rows} rows; median CPU python {python:.1f} s"
            + (f", postgres backend {statistics.median(backend):.1f} s" if backend else "")
        )
    if len(engines) == 2:
        print(f"postgresql / sqlite: {medians[('this', 'postgresql')] / medians[('this', 'sqlite')]:.2f}")
    if options.baseline:
        for engine in engines:
            ratio = medians[("this", engine)] / medians[("baseline", engine)]
            print(f"{engine}: this / baseline {ratio:.2f}")
    if options.rows == 1_000_000:
        for engine in engines:
            median = medians[("this", engine)]
            print(
                f"target ≤ {TARGET_SECONDS} s on {engine}: {'met' if median <= TARGET_SECONDS else 'NOT met'}"
            )


if __name__ == "__main__":
    main()
