"""On PostgreSQL an attendance row's placement and import batch are checked once per statement, for all
its rows together, instead of by a foreign key row by row.

A foreign key checks each inserted row with its own query when the transaction commits: for a
provider's file of a million rows that was two million queries, well over half of PostgreSQL's work in
the import. Here one trigger per INSERT statement (a COPY of 50 000 rows, say) locks the placements
and batches the new rows name, as a foreign key's check would lock each (FOR KEY SHARE: none can be
deleted or renumbered until this transaction ends), and fails if any is missing. An UPDATE that
changes a row's placement or batch is checked row by row, as before. On the other side, deleting or
renumbering a placement or batch that attendance refers to fails at commit, as the foreign key's
deferred check did (a deletion that waits on an import's lock sees its rows once it commits).
The errors carry SQLSTATE 23503 (foreign_key_violation), which Django raises as IntegrityError.

SQLite keeps its foreign keys: they cost little there, and its test-database flush deletes parents
before children, which a trigger would refuse.

Django's migration state still holds the two foreign keys (`Attendance.enrolment`,
`Attendance.import_batch`); a later migration that alters either field on PostgreSQL would add the
foreign key back, and should drop the triggers here in the same step.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

COLUMNS = {"enrolment_id": "activities_enrolment", "import_batch_id": "attendance_importbatch"}

CREATE = r"""
CREATE FUNCTION attendance_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint;
    found bigint;
BEGIN
    SELECT count(DISTINCT enrolment_id) INTO wanted FROM new_rows;
    SELECT count(*) INTO found FROM (
        SELECT 1 FROM activities_enrolment e
        WHERE e.id IN (SELECT enrolment_id FROM new_rows) FOR KEY SHARE OF e
    ) AS locked;
    IF found < wanted THEN
        RAISE EXCEPTION 'attendance_attendance refers to a placement (activities_enrolment) that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT count(DISTINCT import_batch_id) INTO wanted FROM new_rows;
    IF wanted > 0 THEN
        SELECT count(*) INTO found FROM (
            SELECT 1 FROM attendance_importbatch b
            WHERE b.id IN (SELECT import_batch_id FROM new_rows) FOR KEY SHARE OF b
        ) AS locked;
        IF found < wanted THEN
            RAISE EXCEPTION 'attendance_attendance refers to an import (attendance_importbatch) that does not exist'
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER attendance_references_on_insert AFTER INSERT ON attendance_attendance
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_references_exist();

-- A statement trigger with a transition table cannot be limited to some columns, and corrections
-- update rows one statement each; a changed placement or batch is rare enough to check per row.
CREATE FUNCTION attendance_changed_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM activities_enrolment e WHERE e.id = NEW.enrolment_id FOR KEY SHARE OF e;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'attendance_attendance refers to a placement (activities_enrolment) that does not exist'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF NEW.import_batch_id IS NOT NULL THEN
        PERFORM 1 FROM attendance_importbatch b WHERE b.id = NEW.import_batch_id FOR KEY SHARE OF b;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'attendance_attendance refers to an import (attendance_importbatch) that does not exist'
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER attendance_references_on_update AFTER UPDATE OF enrolment_id, import_batch_id
    ON attendance_attendance FOR EACH ROW
    WHEN (NEW.enrolment_id IS DISTINCT FROM OLD.enrolment_id
          OR NEW.import_batch_id IS DISTINCT FROM OLD.import_batch_id)
    EXECUTE FUNCTION attendance_changed_references_exist();

CREATE FUNCTION attendance_placement_still_referred() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM attendance_attendance WHERE enrolment_id = OLD.id) THEN
        RAISE EXCEPTION 'activities_enrolment % has attendance (attendance_attendance)', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER attendance_placement_kept AFTER DELETE OR UPDATE OF id ON activities_enrolment
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION attendance_placement_still_referred();

-- No index on attendance by batch (it would slow every import); batches are deleted rarely if ever,
-- so this check may read the table.
CREATE FUNCTION attendance_batch_still_referred() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM attendance_attendance WHERE import_batch_id = OLD.id) THEN
        RAISE EXCEPTION 'attendance_importbatch % has attendance (attendance_attendance)', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER attendance_batch_kept AFTER DELETE OR UPDATE OF id ON attendance_importbatch
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION attendance_batch_still_referred();
"""

DROP = """
DROP TRIGGER IF EXISTS attendance_references_on_insert ON attendance_attendance;
DROP TRIGGER IF EXISTS attendance_references_on_update ON attendance_attendance;
DROP TRIGGER IF EXISTS attendance_placement_kept ON activities_enrolment;
DROP TRIGGER IF EXISTS attendance_batch_kept ON attendance_importbatch;
DROP FUNCTION IF EXISTS attendance_references_exist();
DROP FUNCTION IF EXISTS attendance_changed_references_exist();
DROP FUNCTION IF EXISTS attendance_placement_still_referred();
DROP FUNCTION IF EXISTS attendance_batch_still_referred();
"""


def _foreign_keys(schema_editor: Any, column: str) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conname FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
            WHERE c.conrelid = 'attendance_attendance'::regclass AND c.contype = 'f' AND a.attname = %s
            """,
            [column],
        )
        return [name for (name,) in cursor.fetchall()]


def check_per_statement(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for column in COLUMNS:
        for name in _foreign_keys(schema_editor, column):
            schema_editor.execute(f"ALTER TABLE attendance_attendance DROP CONSTRAINT {quote(name)}")
    schema_editor.execute(CREATE, params=None)


def check_per_row(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP, params=None)
    quote = schema_editor.quote_name
    for column, table in COLUMNS.items():
        schema_editor.execute(
            f"ALTER TABLE attendance_attendance ADD CONSTRAINT {quote(f'attendance_{column}_fk')} "
            f"FOREIGN KEY ({quote(column)}) REFERENCES {quote(table)} (id) DEFERRABLE INITIALLY DEFERRED"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0004_imported_rows_registered_by_batch"),
        ("activities", "0001_initial"),
    ]
    operations = [migrations.RunPython(check_per_statement, check_per_row)]
