"""On PostgreSQL an absence task's day, person, case and handläggare are checked once per INSERT
statement (`lib.statement_references`, whose SQL as of this migration is kept here), as the attendance
rows' are (0005): a provider's file opens tens of thousands of tasks in one COPY, four foreign-key
checks each. Who handled a task keeps its foreign key: it is empty when a task is opened. SQLite keeps
its foreign keys.

Django's migration state still holds these foreign keys. A later migration that changes one of the
columns' type or target, or renames or drops the tables named here, must drop these triggers first
(`DROP` below).
"""

from __future__ import annotations

from django.db import migrations

from egenmakt.lib.statement_references import checked_per_statement

CREATE = r"""
CREATE FUNCTION attendance_absencetask_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint;
    found bigint;
BEGIN
    SELECT count(DISTINCT attendance_id) INTO wanted FROM new_rows;
    IF wanted > 0 THEN
        SELECT count(*) INTO found FROM (
            SELECT 1 FROM attendance_attendance p WHERE p.id IN (SELECT attendance_id FROM new_rows) FOR KEY SHARE OF p
        ) AS locked;
        IF found < wanted THEN
            RAISE EXCEPTION 'attendance_absencetask.attendance_id refers to a row of attendance_attendance that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    SELECT count(DISTINCT participant_id) INTO wanted FROM new_rows;
    IF wanted > 0 THEN
        SELECT count(*) INTO found FROM (
            SELECT 1 FROM people_participant p WHERE p.id IN (SELECT participant_id FROM new_rows) FOR KEY SHARE OF p
        ) AS locked;
        IF found < wanted THEN
            RAISE EXCEPTION 'attendance_absencetask.participant_id refers to a row of people_participant that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    SELECT count(DISTINCT case_id) INTO wanted FROM new_rows;
    IF wanted > 0 THEN
        SELECT count(*) INTO found FROM (
            SELECT 1 FROM cases_case p WHERE p.id IN (SELECT case_id FROM new_rows) FOR KEY SHARE OF p
        ) AS locked;
        IF found < wanted THEN
            RAISE EXCEPTION 'attendance_absencetask.case_id refers to a row of cases_case that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    SELECT count(DISTINCT assigned_to_id) INTO wanted FROM new_rows;
    IF wanted > 0 THEN
        SELECT count(*) INTO found FROM (
            SELECT 1 FROM accounts_user p WHERE p.id IN (SELECT assigned_to_id FROM new_rows) FOR KEY SHARE OF p
        ) AS locked;
        IF found < wanted THEN
            RAISE EXCEPTION 'attendance_absencetask.assigned_to_id refers to a row of accounts_user that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attendance_absencetask_references_on_insert AFTER INSERT ON attendance_absencetask
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_absencetask_references_exist();

CREATE FUNCTION attendance_absencetask_changed_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.attendance_id IS NOT NULL AND NEW.attendance_id IS DISTINCT FROM OLD.attendance_id THEN
        PERFORM 1 FROM attendance_attendance p WHERE p.id = NEW.attendance_id FOR KEY SHARE OF p;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'attendance_absencetask.attendance_id refers to a row of attendance_attendance that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF NEW.participant_id IS NOT NULL AND NEW.participant_id IS DISTINCT FROM OLD.participant_id THEN
        PERFORM 1 FROM people_participant p WHERE p.id = NEW.participant_id FOR KEY SHARE OF p;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'attendance_absencetask.participant_id refers to a row of people_participant that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF NEW.case_id IS NOT NULL AND NEW.case_id IS DISTINCT FROM OLD.case_id THEN
        PERFORM 1 FROM cases_case p WHERE p.id = NEW.case_id FOR KEY SHARE OF p;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'attendance_absencetask.case_id refers to a row of cases_case that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF NEW.assigned_to_id IS NOT NULL AND NEW.assigned_to_id IS DISTINCT FROM OLD.assigned_to_id THEN
        PERFORM 1 FROM accounts_user p WHERE p.id = NEW.assigned_to_id FOR KEY SHARE OF p;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'attendance_absencetask.assigned_to_id refers to a row of accounts_user that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attendance_absencetask_references_on_update AFTER UPDATE OF attendance_id, participant_id, case_id, assigned_to_id ON attendance_absencetask
    FOR EACH ROW WHEN (NEW.attendance_id IS DISTINCT FROM OLD.attendance_id OR NEW.participant_id IS DISTINCT FROM OLD.participant_id OR NEW.case_id IS DISTINCT FROM OLD.case_id OR NEW.assigned_to_id IS DISTINCT FROM OLD.assigned_to_id)
    EXECUTE FUNCTION attendance_absencetask_changed_references_exist();

CREATE FUNCTION attendance_absencetask_attendance_id_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM attendance_absencetask WHERE attendance_id = OLD.id) THEN
        RAISE EXCEPTION 'attendance_attendance % is referred to by attendance_absencetask.attendance_id', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER attendance_absencetask_attendance_id_kept AFTER DELETE OR UPDATE OF id ON attendance_attendance
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION attendance_absencetask_attendance_id_kept();
CREATE FUNCTION attendance_absencetask_attendance_id_kept_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM attendance_absencetask WHERE attendance_id IS NOT NULL) THEN
        RAISE EXCEPTION 'attendance_attendance is referred to by attendance_absencetask.attendance_id: truncate both together' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attendance_absencetask_attendance_id_kept_on_truncate AFTER TRUNCATE ON attendance_attendance
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_absencetask_attendance_id_kept_on_truncate();

CREATE FUNCTION attendance_absencetask_participant_id_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM attendance_absencetask WHERE participant_id = OLD.id) THEN
        RAISE EXCEPTION 'people_participant % is referred to by attendance_absencetask.participant_id', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER attendance_absencetask_participant_id_kept AFTER DELETE OR UPDATE OF id ON people_participant
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION attendance_absencetask_participant_id_kept();
CREATE FUNCTION attendance_absencetask_participant_id_kept_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM attendance_absencetask WHERE participant_id IS NOT NULL) THEN
        RAISE EXCEPTION 'people_participant is referred to by attendance_absencetask.participant_id: truncate both together' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attendance_absencetask_participant_id_kept_on_truncate AFTER TRUNCATE ON people_participant
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_absencetask_participant_id_kept_on_truncate();

CREATE FUNCTION attendance_absencetask_case_id_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM attendance_absencetask WHERE case_id = OLD.id) THEN
        RAISE EXCEPTION 'cases_case % is referred to by attendance_absencetask.case_id', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER attendance_absencetask_case_id_kept AFTER DELETE OR UPDATE OF id ON cases_case
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION attendance_absencetask_case_id_kept();
CREATE FUNCTION attendance_absencetask_case_id_kept_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM attendance_absencetask WHERE case_id IS NOT NULL) THEN
        RAISE EXCEPTION 'cases_case is referred to by attendance_absencetask.case_id: truncate both together' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attendance_absencetask_case_id_kept_on_truncate AFTER TRUNCATE ON cases_case
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_absencetask_case_id_kept_on_truncate();

CREATE FUNCTION attendance_absencetask_assigned_to_id_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM attendance_absencetask WHERE assigned_to_id = OLD.id) THEN
        RAISE EXCEPTION 'accounts_user % is referred to by attendance_absencetask.assigned_to_id', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER attendance_absencetask_assigned_to_id_kept AFTER DELETE OR UPDATE OF id ON accounts_user
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION attendance_absencetask_assigned_to_id_kept();
CREATE FUNCTION attendance_absencetask_assigned_to_id_kept_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM attendance_absencetask WHERE assigned_to_id IS NOT NULL) THEN
        RAISE EXCEPTION 'accounts_user is referred to by attendance_absencetask.assigned_to_id: truncate both together' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attendance_absencetask_assigned_to_id_kept_on_truncate AFTER TRUNCATE ON accounts_user
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_absencetask_assigned_to_id_kept_on_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS attendance_absencetask_references_on_insert ON attendance_absencetask;
DROP TRIGGER IF EXISTS attendance_absencetask_references_on_update ON attendance_absencetask;
DROP FUNCTION IF EXISTS attendance_absencetask_references_exist();
DROP FUNCTION IF EXISTS attendance_absencetask_changed_references_exist();
DROP TRIGGER IF EXISTS attendance_absencetask_attendance_id_kept ON attendance_attendance;
DROP TRIGGER IF EXISTS attendance_absencetask_attendance_id_kept_on_truncate ON attendance_attendance;
DROP FUNCTION IF EXISTS attendance_absencetask_attendance_id_kept();
DROP FUNCTION IF EXISTS attendance_absencetask_attendance_id_kept_on_truncate();
DROP TRIGGER IF EXISTS attendance_absencetask_participant_id_kept ON people_participant;
DROP TRIGGER IF EXISTS attendance_absencetask_participant_id_kept_on_truncate ON people_participant;
DROP FUNCTION IF EXISTS attendance_absencetask_participant_id_kept();
DROP FUNCTION IF EXISTS attendance_absencetask_participant_id_kept_on_truncate();
DROP TRIGGER IF EXISTS attendance_absencetask_case_id_kept ON cases_case;
DROP TRIGGER IF EXISTS attendance_absencetask_case_id_kept_on_truncate ON cases_case;
DROP FUNCTION IF EXISTS attendance_absencetask_case_id_kept();
DROP FUNCTION IF EXISTS attendance_absencetask_case_id_kept_on_truncate();
DROP TRIGGER IF EXISTS attendance_absencetask_assigned_to_id_kept ON accounts_user;
DROP TRIGGER IF EXISTS attendance_absencetask_assigned_to_id_kept_on_truncate ON accounts_user;
DROP FUNCTION IF EXISTS attendance_absencetask_assigned_to_id_kept();
DROP FUNCTION IF EXISTS attendance_absencetask_assigned_to_id_kept_on_truncate();
"""

RESTORE = """
ALTER TABLE attendance_absencetask ADD CONSTRAINT attendance_absencetask_attendance_id_fk FOREIGN KEY (attendance_id) REFERENCES attendance_attendance (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE attendance_absencetask ADD CONSTRAINT attendance_absencetask_participant_id_fk FOREIGN KEY (participant_id) REFERENCES people_participant (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE attendance_absencetask ADD CONSTRAINT attendance_absencetask_case_id_fk FOREIGN KEY (case_id) REFERENCES cases_case (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE attendance_absencetask ADD CONSTRAINT attendance_absencetask_assigned_to_id_fk FOREIGN KEY (assigned_to_id) REFERENCES accounts_user (id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0007_absence_task_fewer_indexes"),
        ("people", "0001_initial"),
        ("cases", "0001_initial"),
        ("accounts", "0001_initial"),
    ]
    operations = [
        migrations.RunPython(
            *checked_per_statement(
                "attendance_absencetask",
                ["attendance_id", "participant_id", "case_id", "assigned_to_id"],
                create=CREATE,
                drop=DROP,
                restore=RESTORE,
            )
        )
    ]
