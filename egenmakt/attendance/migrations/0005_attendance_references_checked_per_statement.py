"""On PostgreSQL an attendance row's placement and import batch are checked once per INSERT statement,
for all its rows together, instead of by a foreign key row by row (`lib.statement_references`, whose
SQL as of this migration is kept here): for a provider's file of a million rows the foreign keys' two
million checks were well over half of PostgreSQL's work in the import. SQLite keeps its foreign keys:
they cost little there.

Django's migration state still holds the two foreign keys (`Attendance.enrolment`,
`Attendance.import_batch`). A later migration that changes either column's type or target, or renames
or drops the tables named here, must drop these triggers first (`DROP` below).
"""

from __future__ import annotations

from django.db import migrations

from egenmakt.lib.statement_references import checked_per_statement

CREATE = r"""
CREATE FUNCTION attendance_attendance_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint;
    found bigint;
BEGIN
    SELECT count(DISTINCT enrolment_id) INTO wanted FROM new_rows;
    IF wanted > 0 THEN
        SELECT count(*) INTO found FROM (
            SELECT 1 FROM activities_enrolment p WHERE p.id IN (SELECT enrolment_id FROM new_rows) FOR KEY SHARE OF p
        ) AS locked;
        IF found < wanted THEN
            RAISE EXCEPTION 'attendance_attendance.enrolment_id refers to a row of activities_enrolment that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    SELECT count(DISTINCT import_batch_id) INTO wanted FROM new_rows;
    IF wanted > 0 THEN
        SELECT count(*) INTO found FROM (
            SELECT 1 FROM attendance_importbatch p WHERE p.id IN (SELECT import_batch_id FROM new_rows) FOR KEY SHARE OF p
        ) AS locked;
        IF found < wanted THEN
            RAISE EXCEPTION 'attendance_attendance.import_batch_id refers to a row of attendance_importbatch that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attendance_attendance_references_on_insert AFTER INSERT ON attendance_attendance
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_attendance_references_exist();

CREATE FUNCTION attendance_attendance_changed_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.enrolment_id IS NOT NULL AND NEW.enrolment_id IS DISTINCT FROM OLD.enrolment_id THEN
        PERFORM 1 FROM activities_enrolment p WHERE p.id = NEW.enrolment_id FOR KEY SHARE OF p;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'attendance_attendance.enrolment_id refers to a row of activities_enrolment that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF NEW.import_batch_id IS NOT NULL AND NEW.import_batch_id IS DISTINCT FROM OLD.import_batch_id THEN
        PERFORM 1 FROM attendance_importbatch p WHERE p.id = NEW.import_batch_id FOR KEY SHARE OF p;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'attendance_attendance.import_batch_id refers to a row of attendance_importbatch that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attendance_attendance_references_on_update AFTER UPDATE OF enrolment_id, import_batch_id ON attendance_attendance
    FOR EACH ROW WHEN (NEW.enrolment_id IS DISTINCT FROM OLD.enrolment_id OR NEW.import_batch_id IS DISTINCT FROM OLD.import_batch_id)
    EXECUTE FUNCTION attendance_attendance_changed_references_exist();

CREATE FUNCTION attendance_attendance_enrolment_id_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM attendance_attendance WHERE enrolment_id = OLD.id) THEN
        RAISE EXCEPTION 'activities_enrolment % is referred to by attendance_attendance.enrolment_id', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER attendance_attendance_enrolment_id_kept AFTER DELETE OR UPDATE OF id ON activities_enrolment
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION attendance_attendance_enrolment_id_kept();
CREATE FUNCTION attendance_attendance_enrolment_id_kept_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM attendance_attendance WHERE enrolment_id IS NOT NULL) THEN
        RAISE EXCEPTION 'activities_enrolment is referred to by attendance_attendance.enrolment_id: truncate both together' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attendance_attendance_enrolment_id_kept_on_truncate AFTER TRUNCATE ON activities_enrolment
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_attendance_enrolment_id_kept_on_truncate();

CREATE FUNCTION attendance_attendance_import_batch_id_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM attendance_attendance WHERE import_batch_id = OLD.id) THEN
        RAISE EXCEPTION 'attendance_importbatch % is referred to by attendance_attendance.import_batch_id', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER attendance_attendance_import_batch_id_kept AFTER DELETE OR UPDATE OF id ON attendance_importbatch
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION attendance_attendance_import_batch_id_kept();
CREATE FUNCTION attendance_attendance_import_batch_id_kept_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM attendance_attendance WHERE import_batch_id IS NOT NULL) THEN
        RAISE EXCEPTION 'attendance_importbatch is referred to by attendance_attendance.import_batch_id: truncate both together' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attendance_attendance_import_batch_id_kept_on_truncate AFTER TRUNCATE ON attendance_importbatch
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_attendance_import_batch_id_kept_on_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS attendance_attendance_references_on_insert ON attendance_attendance;
DROP TRIGGER IF EXISTS attendance_attendance_references_on_update ON attendance_attendance;
DROP FUNCTION IF EXISTS attendance_attendance_references_exist();
DROP FUNCTION IF EXISTS attendance_attendance_changed_references_exist();
DROP TRIGGER IF EXISTS attendance_attendance_enrolment_id_kept ON activities_enrolment;
DROP TRIGGER IF EXISTS attendance_attendance_enrolment_id_kept_on_truncate ON activities_enrolment;
DROP FUNCTION IF EXISTS attendance_attendance_enrolment_id_kept();
DROP FUNCTION IF EXISTS attendance_attendance_enrolment_id_kept_on_truncate();
DROP TRIGGER IF EXISTS attendance_attendance_import_batch_id_kept ON attendance_importbatch;
DROP TRIGGER IF EXISTS attendance_attendance_import_batch_id_kept_on_truncate ON attendance_importbatch;
DROP FUNCTION IF EXISTS attendance_attendance_import_batch_id_kept();
DROP FUNCTION IF EXISTS attendance_attendance_import_batch_id_kept_on_truncate();
"""

RESTORE = """
ALTER TABLE attendance_attendance ADD CONSTRAINT attendance_attendance_enrolment_id_fk FOREIGN KEY (enrolment_id) REFERENCES activities_enrolment (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE attendance_attendance ADD CONSTRAINT attendance_attendance_import_batch_id_fk FOREIGN KEY (import_batch_id) REFERENCES attendance_importbatch (id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0004_imported_rows_registered_by_batch"),
        ("activities", "0001_initial"),
    ]
    operations = [
        migrations.RunPython(
            *checked_per_statement(
                "attendance_attendance",
                ["enrolment_id", "import_batch_id"],
                create=CREATE,
                drop=DROP,
                restore=RESTORE,
            )
        )
    ]
