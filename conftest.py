"""Project-wide pytest set-up."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pytest
from django.conf import settings
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

_truncate_every_table = PostgresOperations.sql_flush


def _empty_the_tables_written_to(
    self: PostgresOperations,
    style: Any,
    tables: Sequence[str],
    *,
    reset_sequences: bool = False,
    allow_cascade: bool = False,
) -> list[str]:
    """Flush after a transactional test (browser tests, the payment run's child processes) on PostgreSQL.

    Django truncates all 70-odd tables in one TRUNCATE, which replaces every table's and index's files
    and took 1.6-2 s per test on this machine: a few minutes per run. A test writes to a dozen tables, and
    deleting a few rows costs next to nothing, so only the tables that hold rows are emptied. The
    foreign keys Django creates are deferred to the commit (`execute_sql_flush` runs in one transaction),
    so the order does not matter. A table whose trigger refuses DELETE (the append-only audit table)
    is truncated instead, which the trigger allows. The database ends up as empty as before.
    """
    if reset_sequences or allow_cascade or not tables:
        return _truncate_every_table(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    # Table names come from Django's introspection, never from input; quote_name quotes them.
    quote = self.quote_name
    with self.connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})"  # noqa: S608
                for table in tables
            ),
            list(tables),
        )
        written = [row[0] for row in cursor.fetchall()]
        # Triggers that may refuse a DELETE before it happens: BEFORE (tgtype bit 2) DELETE (bit 8). The
        # attendance reference checks are deferred constraint triggers, which see the flush complete.
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgtype & 2 = 2 AND t.tgtype & 8 = 8 AND c.relname = ANY(%s)",
            [written],
        )
        triggered = {row[0] for row in cursor.fetchall()}
    deletes = [f"DELETE FROM {quote(table)};" for table in written if table not in triggered]  # noqa: S608
    return deletes + [f"TRUNCATE {quote(table)};" for table in sorted(triggered)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `database_free` run in the SQLite half of `make test` only, as the Spark comparison
    does: they touch no database, so the PostgreSQL half would run the very same code a second time.
    Tests marked `one_database` use the database but check what does not depend on which one it is
    (the axe check of every page's HTML): they run once. When `make test` runs both halves side by side
    (it sets EGENMAKT_SUITE_HALVES=both), every other one runs in the PostgreSQL half, so that neither
    half waits for the other; otherwise (one half on its own) the SQLite half runs them all."""
    from django.db import connection
    from django.test import TransactionTestCase

    both_halves = os.environ.get("EGENMAKT_SUITE_HALVES") == "both"
    one_database = 0
    for item in items:
        if item.get_closest_marker("one_database") is not None:
            # Both halves collect the same tests in the same order, so the count alone splits them.
            half = "postgresql" if both_halves and one_database % 2 else "sqlite"
            one_database += 1
            if connection.vendor != half:
                item.add_marker(
                    pytest.mark.skip(reason=f"Checks what no database changes: runs in the {half} half")
                )
            continue
        if item.get_closest_marker("database_free") is None:
            continue
        case = getattr(item, "cls", None)
        if "django_db_setup" in getattr(item, "fixturenames", ()) or (
            isinstance(case, type) and issubclass(case, TransactionTestCase)
        ):
            raise pytest.UsageError(f"{item.nodeid} is marked database_free but uses the database")
        if connection.vendor != "sqlite":
            item.add_marker(
                pytest.mark.skip(reason="Uses no database: runs once, in the SQLite half of the suite")
            )


def pytest_configure(config: pytest.Config) -> None:
    # Personas log in with passwords; the real hasher is slow on purpose, tests need no such cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    PostgresOperations.sql_flush = _empty_the_tables_written_to  # type: ignore[method-assign, assignment]
