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

A second section, `--full-run`, pays 100 000 households through the real payment run on PostgreSQL
(target: at most 10 s). A database `egenmakt_bench_payments_seed` is created, migrated and seeded
once (bulk inserts, not timed): one municipality, 100 000 households with one decided bistånd payment
each for the month, and a payout account for about 95 % of them. Each run clones it into a fresh
`egenmakt_bench_payments`, prepares (anna) and approves (cecilia) the run, timed apart, then times
`payments.execute_run` end to end, including the pain.001 file with its XSD validation and the CSV.
Reports the medians of the total, the paying (and the audit trail's part of it), what the run then
spends on its files (waiting for those built in another process while it paid, or building them, and
writing them), and what building the files and checking the XSD took wherever it ran; then drops both
databases. `--database NAME` names them NAME
and NAME_seed instead, for when others run the bench on the same server; `--keep-seed` keeps NAME_seed
for the next invocation (and uses one kept before). `--baseline DIR` pays the same seed with another
checkout too (say `git archive HEAD | tar -x -C DIR`), alternating with this one run by run, and reports
both medians: before and after measured side by side. With `--baseline` a new seed is made by the
baseline's checkout, and each run's copy of it is first migrated by the checkout that pays it (not
timed). Migrations only go forward there: a seed kept from a newer checkout than the baseline would give
the baseline the newer schema, so keep seeds per baseline. It does not need OpenFisca:

    DEBUG=1 .venv/bin/python bench/payment_run.py --full-run --skip-openfisca --runs 5
"""

from __future__ import annotations

import argparse
import calendar
import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
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


# --- The full payment run on PostgreSQL (--full-run) -------------------------------------------------

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
FULL_RUN_DATABASE = "egenmakt_bench_payments"
FULL_RUN_TARGET_SECONDS = 10
ACCOUNT_SHARE = 0.95
PAYER_IBAN = "SE3550000000054910000003"


def _database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def _iban(account: int) -> str:
    """A Swedish IBAN with a valid ISO 13616 check for a synthetic account number."""
    bban = f"500{account:017d}"
    check = 98 - int(f"{bban}281400") % 97  # "SE" is 28 14
    return f"SE{check:02d}{bban}"


def _synthetic_pnr(number: int) -> str:
    """Twelve digits, a distinct valid personnummer per number (born 1960-1999)."""
    from egenmakt.lib.identity import luhn_check_digit

    born = date(1960, 1, 1) + timedelta(days=number % 14_000)
    serial = 2 + number // 14_000 * 2
    head = f"{born:%y%m%d}{serial:03d}"
    return f"{born:%Y%m%d}{serial:03d}{luhn_check_digit(head)}"


def full_run_seed(*, households: int, month: date, seed: int) -> dict[str, Any]:
    """In a child process with DATABASE_URL set: the municipality, its staff and the decided payments."""
    from egenmakt.accounts.models import Membership, Role, User
    from egenmakt.benefits.models import Decision, DecisionKind, LocalRules, PayoutAccount
    from egenmakt.cases.models import Case, CaseType
    from egenmakt.lib.names import search_key
    from egenmakt.organisations.models import Organisation, OrganisationKind, Unit, UnitKind
    from egenmakt.people.models import Household, Participant

    rng = np.random.default_rng(seed)
    kommun = Organisation.objects.create(
        name="Benchkommun", kind=OrganisationKind.KOMMUN, organisationsnummer="2120000142"
    )
    eb = Unit.objects.create(organisation=kommun, name="Ekonomiskt bistånd", kind=UnitKind.EKONOMISKT_BISTAND)
    anna = User.objects.create_user(username="anna", first_name="Anna", last_name="Andersson")
    cecilia = User.objects.create_user(username="cecilia", first_name="Cecilia", last_name="Carlsson")
    Membership.objects.create(user=anna, unit=eb, role=Role.HANDLAGGARE, valid_from=date(2020, 1, 1))
    Membership.objects.create(user=cecilia, unit=eb, role=Role.ENHETSCHEF, valid_from=date(2020, 1, 1))
    LocalRules.objects.create(
        organisation=kommun, payer_name="Benchkommun", payer_iban=PAYER_IBAN, payer_bic="ESSESESS"
    )
    batch = 5000
    people = Participant.objects.bulk_create(
        (
            Participant(
                identity_type="pnr",
                identity_value=_synthetic_pnr(n),
                first_name="Test",
                last_name=f"Person{n}",
                name_key=search_key(f"Test Person{n}"),
                synthetic=True,
            )
            for n in range(households)
        ),
        batch_size=batch,
    )
    homes = Household.objects.bulk_create(
        (Household(synthetic=True) for _ in range(households)), batch_size=batch
    )
    cases = Case.objects.bulk_create(
        (
            Case(
                participant=p,
                household=h,
                unit=eb,
                case_type=CaseType.EKONOMISKT_BISTAND,
                responsible=anna,
                synthetic=True,
            )
            for p, h in zip(people, homes, strict=True)
        ),
        batch_size=batch,
    )
    last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    amounts = [int(a) for a in rng.integers(1500, 25_001, households)]
    Decision.objects.bulk_create(
        (
            Decision(
                kind=DecisionKind.BISTAND,
                case=c,
                household=h,
                participant=p,
                month=month,
                period_start=month,
                period_end=last_day,
                law_version="2025",
                amount=amount,
                decided_by=anna,
            )
            for p, h, c, amount in zip(people, homes, cases, amounts, strict=True)
        ),
        batch_size=batch,
    )
    with_account = [int(n) for n in np.flatnonzero(rng.random(households) < ACCOUNT_SHARE)]
    PayoutAccount.objects.bulk_create(
        (
            PayoutAccount(household=homes[n], holder=people[n], iban=_iban(n + 1), registered_by=anna)
            for n in with_account
        ),
        batch_size=batch,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"households": households, "with_account": len(with_account), "total": sum(amounts)}


def full_run_child(*, month: date, chunk: int | None = None) -> dict[str, Any]:
    """In a child process on a fresh copy of the seeded database: prepare, approve, then time the payment."""
    from django.utils import timezone

    from egenmakt.accounts.models import User
    from egenmakt.audit import services as audit_services
    from egenmakt.audit.models import AuditEvent
    from egenmakt.benefits import payment_files, payments
    from egenmakt.benefits.models import Payment, RunStatus
    from egenmakt.organisations.models import Organisation

    anna, cecilia = User.objects.get(username="anna"), User.objects.get(username="cecilia")
    kommun = Organisation.objects.get(organisationsnummer="2120000142")
    spent: dict[str, float] = {"files": 0.0, "audit": 0.0}
    built: list[Any] = []  # the Files put in place
    rebuilt: list[Any] = []  # runs whose files were built from the database after paying

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    def put_in_place(run: Any, files: Any) -> Any:
        built.append(files)
        return put_in_place_as_it_is(run, files)

    def write_files(run: Any) -> Any:
        rebuilt.append(run)
        return write_files_as_it_is(run)

    # execute_run looks these up in their modules and classes when called: timing wrappers only. "files"
    # is what the run spends on its files once it has paid: waiting for those built apart, or building
    # them then, and writing them; the files' own build and check times come with them (Files).
    put_in_place_as_it_is = payments._put_in_place
    payments._put_in_place = put_in_place
    write_files_as_it_is = payments.write_files
    payments.write_files = timed("files", write_files)
    payment_files.BuiltApart.result = timed("files", payment_files.BuiltApart.result)  # type: ignore[method-assign]
    audit_services.record_many = timed("audit", audit_services.record_many)

    with tempfile.TemporaryDirectory() as folder:
        from django.test import override_settings

        with override_settings(EGENMAKT_PAYMENT_DIR=folder):
            started = time.perf_counter()
            run = payments.prepare_run(
                actor=anna, organisation=kommun, month=month, execution_date=timezone.localdate()
            )
            prepared = time.perf_counter()
            run = payments.approve_run(actor=cecilia, run=run)
            approved = time.perf_counter()
            run = payments.execute_run(actor=cecilia, run=run, chunk=chunk or payments.CHUNK)
            paid = time.perf_counter()
            xml_path, csv_path = payments.file_paths(run)
            xml_bytes, csv_lines = xml_path.stat().st_size, len(csv_path.read_text().splitlines())
    total = paid - approved
    return {
        "prepare_seconds": prepared - started,
        "approve_seconds": approved - prepared,
        "total_seconds": total,
        "paying_seconds": total - spent["files"],
        "files_seconds": spent["files"],
        "build_seconds": built[-1].build_seconds,
        "xsd_seconds": built[-1].validate_seconds,
        "audit_seconds": spent["audit"],
        "built_apart": not rebuilt,
        "status": run.status,
        "done": run.status == RunStatus.KLAR,
        "paid_households": run.paid_households,
        "paid_total": run.paid_total,
        "payments": Payment.objects.count(),
        "account_payments": Payment.objects.exclude(iban="").count(),
        "audit_events": AuditEvent.objects.filter(action="payment.made").count(),
        "xml_bytes": xml_bytes,
        "csv_rows": csv_lines - 1,
    }


def _files_built(result: dict[str, Any]) -> str:
    """How the run's files were built. A baseline checkout from before payment_files.py reports its
    build by parts, after paying."""
    if "build_seconds" not in result:
        return (
            f"pain.001 {result['pain001_build_seconds']:.2f} + XSD {result['xsd_seconds']:.2f},"
            f" CSV {result['csv_seconds']:.2f} after paying"
        )
    where = "while paying" if result["built_apart"] else "after paying"
    return f"built {where} in {result['build_seconds']:.2f} + XSD {result['xsd_seconds']:.2f}"


def _postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 2).close()
    except OSError:
        return False
    return True


def _psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True, capture_output=True)  # noqa: S603, S607


def _django_child(database: str, *args: str, root: Path = ROOT) -> dict[str, Any]:
    """The bench script of the checkout `root` in a child process with Django set up on `database`;
    its last line of JSON."""
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": _database_url(database)}
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(root / "bench" / "payment_run.py"), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def _migrate(database: str, *, root: Path = ROOT) -> None:
    """Migrate `database` to the schema of the checkout `root`: a kept seed may be older, and a copy of
    the baseline's seed is (not timed)."""
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": _database_url(database)}
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"migrating {database} with {root} failed:\n{done.stderr}")


def _seed(
    args: argparse.Namespace, seed_database: str, common: list[str], *, root: Path = ROOT
) -> dict[str, Any]:
    """A new seed database, migrated and filled by the checkout `root`; what was seeded."""
    _psql(f"DROP DATABASE IF EXISTS {seed_database}")
    _psql(f"CREATE DATABASE {seed_database}")
    _migrate(seed_database, root=root)
    started = time.perf_counter()
    seeded = _django_child(seed_database, "--child-full-seed", "--seed", str(args.seed), *common, root=root)
    seeded["seconds"] = time.perf_counter() - started
    return seeded


def _kept_seed(seed_database: str) -> dict[str, Any] | None:
    """What a seed database kept by an earlier --keep-seed holds (its comment), or None."""
    # psql interpolates :'name' as a quoted literal when the query comes on standard input.
    query = "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :'name'"
    done = subprocess.run(  # noqa: S603
        ["psql", PG_ADMIN, "-tA", "-v", f"name={seed_database}"],  # noqa: S607
        input=query,
        check=True,
        capture_output=True,
        text=True,
    )
    comment = done.stdout.strip()
    return json.loads(comment) if comment else None


def measure_full_run(args: argparse.Namespace) -> dict[str, Any]:
    """100 000 households through prepare, approve and execute_run on PostgreSQL; the medians."""
    run_database, seed_database = args.database, f"{args.database}_seed"
    if not _postgres_answers():
        raise SystemExit("--full-run needs PostgreSQL at 127.0.0.1:5432")
    common = ["--month", args.month, "--full-run-households", str(args.full_run_households)]
    if args.chunk:
        common += ["--chunk", str(args.chunk)]
    runs: list[dict[str, Any]] = []
    baseline_runs: list[dict[str, Any]] = []
    _psql(f"DROP DATABASE IF EXISTS {run_database}")
    seeded = _kept_seed(seed_database) if args.keep_seed else None
    try:
        if seeded is None:
            # With a baseline, its checkout seeds: the older schema, which this checkout migrates forward.
            seeded = _seed(
                args, seed_database, common, root=args.baseline.resolve() if args.baseline else ROOT
            )
        if args.keep_seed:
            _psql(f"COMMENT ON DATABASE {seed_database} IS '{json.dumps(seeded)}'")
        print(
            f"full run: seeded {_count(seeded['households'])} households "
            f"({_count(seeded['with_account'])} with an account, {_count(seeded['total'])} kr) "
            f"in {seeded['seconds']:.0f} s",
            flush=True,
        )
        # With --baseline, the other checkout pays a fresh copy of the same seed before this one in every
        # round, so both see the same load on a shared machine.
        trees = [("baseline", args.baseline.resolve()), ("this", ROOT)] if args.baseline else [("this", ROOT)]
        for number in range(args.runs):
            for name, tree in trees:
                _psql(f"CREATE DATABASE {run_database} TEMPLATE {seed_database}")
                try:
                    _migrate(run_database, root=tree)
                    result = _django_child(run_database, "--child-full-run", *common, root=tree)
                finally:
                    _psql(f"DROP DATABASE {run_database}")
                (runs if name == "this" else baseline_runs).append(result)
                print(
                    f"full run {number + 1}{' (' + name + ')' if args.baseline else ''}: "
                    f"{result['total_seconds']:.2f} s (paying {result['paying_seconds']:.2f},"
                    f" then files {result['files_seconds']:.2f}; {_files_built(result)});"
                    f" audit {result['audit_seconds']:.2f},"
                    f" prepare {result['prepare_seconds']:.2f}, approve {result['approve_seconds']:.2f}",
                    flush=True,
                )
                correct = (
                    result["done"]
                    and result["paid_households"] == seeded["households"] == result["payments"]
                    and result["paid_total"] == seeded["total"]
                    and result["account_payments"] == seeded["with_account"]
                    and result["audit_events"] == seeded["households"]
                    and result["csv_rows"] == seeded["households"]
                )
                if not correct:
                    raise SystemExit(f"the {name} run did not pay what was seeded: {result} vs {seeded}")
    finally:
        _psql(f"DROP DATABASE IF EXISTS {run_database}")
        if not args.keep_seed:
            _psql(f"DROP DATABASE IF EXISTS {seed_database}")
    medians = _medians(runs)
    report = {
        "households": seeded["households"],
        "with_account": seeded["with_account"],
        "seed_seconds": seeded["seconds"],
        "runs": runs,
        **medians,
        "target_seconds": FULL_RUN_TARGET_SECONDS,
        "target_met": medians["median_total_seconds"] <= FULL_RUN_TARGET_SECONDS,
    }
    if baseline_runs:
        report["baseline"] = {
            "tree": str(args.baseline),
            "runs": baseline_runs,
            **_medians(baseline_runs),
        }
    return report


def _medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    """The median of every time the runs report (a baseline checkout may report other parts)."""
    keys = [k for k in runs[0] if k.endswith("_seconds")]
    return {f"median_{k}": statistics.median(r[k] for r in runs) for k in keys}


def _child_main(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egenmakt.settings")
    import django

    django.setup()
    month = date.fromisoformat(f"{args.month}-01")
    if args.child_full_seed:
        result = full_run_seed(households=args.full_run_households, month=month, seed=args.seed)
    else:
        result = full_run_child(month=month, chunk=args.chunk)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--month", default="2023-03", help="YYYY-MM; the riksnorm table of its year is used")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-openfisca", action="store_true", help="time Egenmakt's core only")
    parser.add_argument(
        "--full-run", action="store_true", help="also time the whole payment run on PostgreSQL"
    )
    parser.add_argument("--full-run-households", type=int, default=100_000)
    parser.add_argument(
        "--database",
        default=FULL_RUN_DATABASE,
        help="PostgreSQL database for --full-run, cloned from DATABASE_seed (both made and dropped here)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another checkout (e.g. `git archive HEAD | tar -x -C DIR`) paid in turn with this one, "
        "on the same seed; both medians reported",
    )
    parser.add_argument(
        "--keep-seed",
        action="store_true",
        help="keep DATABASE_seed after the runs, and use one kept before (same households and seed)",
    )
    parser.add_argument(
        "--chunk", type=int, default=None, help="households per committed batch (default payments.CHUNK)"
    )
    parser.add_argument("--child-full-seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-full-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_full_seed or args.child_full_run:
        _child_main(args)
        return
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
    if args.full_run:
        full = report["full_run"] = measure_full_run(args)
        print(
            f"full run, {_count(full['households'])} households on PostgreSQL, median of {args.runs}: "
            f"{full['median_total_seconds']:.2f} s (paying {full['median_paying_seconds']:.2f} s, "
            f"of which audit {full['median_audit_seconds']:.2f} s, "
            f"then files {full['median_files_seconds']:.2f} s; files built in "
            f"{full['median_build_seconds']:.2f} s + XSD {full['median_xsd_seconds']:.2f} s, "
            f"{sum(r['built_apart'] for r in full['runs'])} of {args.runs} while paying); "
            f"prepare {full['median_prepare_seconds']:.2f} s, approve {full['median_approve_seconds']:.2f} s"
        )
        base = full.get("baseline")
        if base:
            print(
                f"baseline ({base['tree']}), median of {args.runs}: {base['median_total_seconds']:.2f} s "
                f"(paying {base['median_paying_seconds']:.2f} s, of which audit {base['median_audit_seconds']:.2f} s,"
                f" files {base['median_files_seconds']:.2f} s); this / baseline: "
                f"{full['median_total_seconds'] / base['median_total_seconds']:.2f}"
            )
        print(
            f"target ≤ {FULL_RUN_TARGET_SECONDS} s for the full run: {'met' if full['target_met'] else 'NOT met'}"
        )
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
