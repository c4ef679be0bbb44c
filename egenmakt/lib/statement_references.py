"""Foreign keys checked once per INSERT statement on PostgreSQL, for tables written a million rows at a time.

A foreign key checks each inserted row with its own query. For the attendance import that was most of
PostgreSQL's work: 50 000 rows a COPY, three or four keys a row. These triggers keep the rules with one
check per statement:

- after each INSERT, one statement trigger locks the distinct parents the new rows name, as the foreign
  key's check locks each (FOR KEY SHARE: none can be deleted or renumbered until this transaction
  ends), and fails if any is missing. Unlike Django's deferred foreign keys this check is immediate, at
  the end of the statement: a child cannot be inserted before its parent in the same transaction (no
  code here does; a fixture or restore script must load parents first);
- an UPDATE that changes a reference is checked row by row (a statement trigger with the rows it
  changed cannot be limited to some columns, and corrections update one row a statement);
- deleting or renumbering a parent that rows still refer to fails at commit, as the foreign key's
  deferred check did, and TRUNCATE of a parent fails unless its children are truncated with it. A
  deletion that waits on an import's lock sees its rows once the import commits. That last guarantee
  holds under READ COMMITTED, the isolation the project runs in (Django's default): under REPEATABLE
  READ the deletion's check would not see rows committed after its snapshot.

Every error carries SQLSTATE 23503 (foreign_key_violation), which Django raises as IntegrityError. Each
function and trigger is named after the child table and column, so `drop_sql` removes exactly these;
they name the tables in plain text, so a migration that renames or drops one of them must drop these
first. A migration keeps the SQL this module gave when it was written (`print(create_sql(...))`), so
that a later change here changes no database already migrated: a new migration carries the new SQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _names(table: str, references: Mapping[str, str]) -> None:
    """Every name goes into SQL as it is: only plain lower-case identifiers are taken."""
    for name in (table, *references, *references.values()):
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a plain table or column name: {name!r}")


def _raise(message: str, *values: str) -> str:
    given = "".join(f", {value}" for value in values)
    return f"RAISE EXCEPTION '{message}'{given} USING ERRCODE = 'foreign_key_violation';"


def create_sql(table: str, references: Mapping[str, str]) -> str:
    """Triggers on `table` and its parents for each `column -> parent table` in `references`."""
    _names(table, references)
    insert_checks = []
    update_checks = []
    parent_side = []
    for column, parent in references.items():
        missing = _raise(f"{table}.{column} refers to a row of {parent} that does not exist")
        insert_checks.append(f"""
    SELECT count(DISTINCT {column}) INTO wanted FROM new_rows;
    IF wanted > 0 THEN
        SELECT count(*) INTO found FROM (
            SELECT 1 FROM {parent} p WHERE p.id IN (SELECT {column} FROM new_rows) FOR KEY SHARE OF p
        ) AS locked;
        IF found < wanted THEN
            {missing}
        END IF;
    END IF;""")  # noqa: S608 - names checked by `_names`
        update_checks.append(f"""
    IF NEW.{column} IS NOT NULL AND NEW.{column} IS DISTINCT FROM OLD.{column} THEN
        PERFORM 1 FROM {parent} p WHERE p.id = NEW.{column} FOR KEY SHARE OF p;
        IF NOT FOUND THEN
            {missing}
        END IF;
    END IF;""")
        kept = f"{table}_{column}_kept"
        still_referred = _raise(f"{parent} % is referred to by {table}.{column}", "OLD.id")
        truncated = _raise(f"{parent} is referred to by {table}.{column}: truncate both together")
        parent_side.append(f"""
CREATE FUNCTION {kept}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM {table} WHERE {column} = OLD.id) THEN
        {still_referred}
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER {kept} AFTER DELETE OR UPDATE OF id ON {parent}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {kept}();
CREATE FUNCTION {kept}_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM {table} WHERE {column} IS NOT NULL) THEN
        {truncated}
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER {kept}_on_truncate AFTER TRUNCATE ON {parent}
    FOR EACH STATEMENT EXECUTE FUNCTION {kept}_on_truncate();
""")  # noqa: S608 - names checked by `_names`
    columns = ", ".join(references)
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in references)
    return f"""
CREATE FUNCTION {table}_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint;
    found bigint;
BEGIN{"".join(insert_checks)}
    RETURN NULL;
END $$;
CREATE TRIGGER {table}_references_on_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {table}_references_exist();

CREATE FUNCTION {table}_changed_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{"".join(update_checks)}
    RETURN NULL;
END $$;
CREATE TRIGGER {table}_references_on_update AFTER UPDATE OF {columns} ON {table}
    FOR EACH ROW WHEN ({changed})
    EXECUTE FUNCTION {table}_changed_references_exist();
{"".join(parent_side)}"""


def drop_sql(table: str, references: Mapping[str, str]) -> str:
    _names(table, references)
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_references_on_insert ON {table};",
        f"DROP TRIGGER IF EXISTS {table}_references_on_update ON {table};",
        f"DROP FUNCTION IF EXISTS {table}_references_exist();",
        f"DROP FUNCTION IF EXISTS {table}_changed_references_exist();",
    ]
    for column, parent in references.items():
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_{column}_kept ON {parent};",
            f"DROP TRIGGER IF EXISTS {table}_{column}_kept_on_truncate ON {parent};",
            f"DROP FUNCTION IF EXISTS {table}_{column}_kept();",
            f"DROP FUNCTION IF EXISTS {table}_{column}_kept_on_truncate();",
        ]
    return "\n".join(statements)


def foreign_keys_sql(table: str, references: Mapping[str, str]) -> str:
    """The plain foreign keys again (to undo `create_sql`), deferred as Django makes them."""
    _names(table, references)
    return "\n".join(
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fk FOREIGN KEY ({column}) "
        f"REFERENCES {parent} (id) DEFERRABLE INITIALLY DEFERRED;"
        for column, parent in references.items()
    )


FOREIGN_KEYS_OF = """
SELECT c.conname FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
WHERE c.conrelid = %s::regclass AND c.contype = 'f' AND a.attname = %s
"""


Migrate = Callable[[Any, Any], None]


def checked_per_statement(
    table: str, columns: Collection[str], *, create: str, drop: str, restore: str
) -> tuple[Migrate, Migrate]:
    """RunPython's forward and backward functions for a migration that holds the SQL (`create_sql`,
    `drop_sql`, `foreign_keys_sql` as they were when it was written): on PostgreSQL, drop the foreign
    keys of these columns and run `create`; backward, `drop` then `restore`. Other databases keep their
    foreign keys."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for column in columns:
                cursor.execute(FOREIGN_KEYS_OF, [table, column])
                for (name,) in cursor.fetchall():
                    schema_editor.execute(
                        f"ALTER TABLE {schema_editor.quote_name(table)} "
                        f"DROP CONSTRAINT {schema_editor.quote_name(name)}"
                    )
        schema_editor.execute(create, params=None)

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(drop, params=None)
        schema_editor.execute(restore, params=None)

    return forward, backward
