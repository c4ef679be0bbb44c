"""Read what the outcome pipeline needs from the operational database into Arrow tables.

The same SQL runs through one of two readers:
- ADBC (adbc-driver-postgresql / adbc-driver-sqlite): columnar straight into Arrow, about a million rows a
  second, and nothing downloaded at run time (DuckDB's own postgres extension would need the internet);
- Django's connection, for data not yet committed (inside a transaction, e.g. a test) and for SQLite
  databases that live in memory, which another driver cannot open.
Dates become month numbers (year * 12 + month - 1) here, so the pipeline computes on integers only and
gives the same answers on DuckDB and on Spark.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connections

from egenmakt.activities.models import Activity, Enrolment
from egenmakt.analytics import pipeline
from egenmakt.cases.models import Case
from egenmakt.organisations.models import Unit
from egenmakt.outcomes.models import StatusMonth
from egenmakt.people.models import HouseholdMember, Participant


def _select(model: Any, columns: str, where: str = "") -> str:
    # The table name comes from the model, the rest is written here: no input reaches this SQL.
    return f"SELECT {columns} FROM {model._meta.db_table}" + (f" WHERE {where}" if where else "")  # noqa: S608


def _status_code_sql() -> str:
    """The status as its code in `pipeline.STATUSES`, computed by the database while it reads: the pipeline
    compares integers, and 30 million small integers travel faster than text."""
    cases = " ".join(f"WHEN '{status}' THEN {code}" for code, status in enumerate(pipeline.STATUSES))
    return f"CASE status {cases} END"


def queries() -> dict[str, tuple[str, dict[str, str]]]:
    """Each table: its SQL and how to normalise its columns (month = a date to a month number, bool, int)."""
    return {
        "months": (
            _select(
                StatusMonth,
                f"participant_id, month, {_status_code_sql()} AS status, municipal_employment, unit_id",
            ),
            {
                "participant_id": "int",
                "month": "month",
                "status": "code",
                "municipal_employment": "bool",
                "unit_id": "int",
            },
        ),
        "persons": (
            _select(
                Participant,
                "id AS participant_id, legal_sex, birth_date, education_level, arrival_date, country_of_birth, "
                "occupation, has_disability, has_bankid, email, letters_only",
            ),
            {
                "participant_id": "int",
                "birth_date": "month",
                "arrival_date": "month",
                "has_disability": "bool",
                "has_bankid": "bool",
                "letters_only": "bool",
            },
        ),
        "cases": (
            _select(Case, "participant_id, opened_on, forsorjningshinder, unit_id, case_type"),
            {"participant_id": "int", "opened_on": "month", "unit_id": "int"},
        ),
        "enrolments": (
            _select(
                Enrolment,
                "participant_id, activity_id, start, actual_end",
                "start IS NOT NULL AND status <> 'vantar'",
            ),
            {"participant_id": "int", "activity_id": "int", "start": "month", "actual_end": "month"},
        ),
        "households": (
            _select(HouseholdMember, "household_id, participant_id, relation", "valid_to IS NULL"),
            {"household_id": "int", "participant_id": "int"},
        ),
        "units": (_select(Unit, "id AS unit_id, name"), {"unit_id": "int"}),
        "activities": (_select(Activity, "id AS activity_id, name, method"), {"activity_id": "int"}),
    }


@dataclass(frozen=True)
class Extract:
    tables: dict[str, pa.Table]
    reader: str  # "adbc" or "django"


def month_number(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A date (or an ISO date string, as SQLite gives it) as year * 12 + month - 1; null stays null."""
    if pa.types.is_null(column.type) or column.null_count == len(column):
        # (ADBC's SQLite driver types a column with nothing but NULLs as int64.)
        return pa.nulls(len(column), pa.int32())
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        year = pc.cast(pc.utf8_slice_codeunits(column, 0, 4), pa.int32())
        month = pc.cast(pc.utf8_slice_codeunits(column, 5, 7), pa.int32())
    else:
        year = pc.cast(pc.year(column), pa.int32())
        month = pc.cast(pc.month(column), pa.int32())
    return pc.cast(pc.subtract(pc.add(pc.multiply(year, 12), month), 1), pa.int32())


def _normalise(table: pa.Table, kinds: dict[str, str]) -> pa.Table:
    for name, kind in kinds.items():
        index = table.schema.get_field_index(name)
        column = table.column(index)
        if kind == "month":
            converted = month_number(column)
        elif kind == "code":
            converted = pc.cast(column, pa.int8())
        elif kind == "bool":
            converted = pc.cast(column, pa.bool_())
        else:
            converted = pc.cast(column, pa.int64())
        table = table.set_column(index, name, converted)
    # Text columns: empty text and null mean the same (unknown) to the pipeline.
    for index, field in enumerate(table.schema):
        if (
            pa.types.is_string(field.type)
            or pa.types.is_large_string(field.type)
            or pa.types.is_null(field.type)
        ):
            table = table.set_column(index, field.name, pc.cast(table.column(index), pa.string()))
    return table


def _via_django(alias: str, sql: str) -> pa.Table:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        names = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    columns: list[list[Any]] = (
        [list(values) for values in zip(*rows, strict=True)] if rows else [[] for _ in names]
    )
    return pa.table({name: pa.array(values) for name, values in zip(names, columns, strict=True)})


def adbc_connect(alias: str = "default") -> Any:
    """An ADBC connection to the same database as Django's connection `alias`."""
    settings = connections[alias].settings_dict
    if connections[alias].vendor == "postgresql":
        import adbc_driver_postgresql.dbapi as pg

        host = settings.get("HOST") or "localhost"
        port = settings.get("PORT") or 5432
        user = settings.get("USER") or ""
        password = settings.get("PASSWORD") or ""
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        return pg.connect(f"postgresql://{auth}{host}:{port}/{settings['NAME']}")
    import adbc_driver_sqlite.dbapi as sqlite

    return sqlite.connect(str(settings["NAME"]))


def adbc_possible(alias: str = "default") -> bool:
    """ADBC opens its own connection: it sees committed data only, and not an in-memory SQLite database."""
    connection = connections[alias]
    if connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        return not (name == ":memory:" or "mode=memory" in name)
    return connection.vendor == "postgresql"


def read_with_adbc(connection: Any, *, vendor: str) -> dict[str, pa.Table]:
    tables: dict[str, pa.Table] = {}
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            import adbc_driver_sqlite

            # SQLite has no column types: the driver infers them from the first batch, and a column that
            # is empty there and has text later fails. One batch per query lets it see every value.
            cursor.adbc_statement.set_options(
                **{adbc_driver_sqlite.StatementOptions.BATCH_ROWS.value: str(2**30)}
            )
        for name, (sql, kinds) in queries().items():
            cursor.execute(sql)
            tables[name] = _normalise(cursor.fetch_arrow_table(), kinds)
    return tables


def read_with_django(alias: str = "default") -> dict[str, pa.Table]:
    return {name: _normalise(_via_django(alias, sql), kinds) for name, (sql, kinds) in queries().items()}


def extract(*, alias: str = "default", reader: str = "auto") -> Extract:
    """All the pipeline's tables. reader: "adbc", "django" or "auto" (ADBC where it can see the data)."""
    if reader == "adbc" or (reader == "auto" and adbc_possible(alias)):
        with adbc_connect(alias) as connection:
            return Extract(tables=read_with_adbc(connection, vendor=connections[alias].vendor), reader="adbc")
    return Extract(tables=read_with_django(alias), reader="django")
