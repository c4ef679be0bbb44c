"""On PostgreSQL a payment's run, household and decision are checked once per INSERT statement, for all
its rows together, instead of by a foreign key row by row (`lib.statement_references`, whose SQL as of
this migration is kept here): a payment run of 100 000 households checked 300 000 references one by one
at commit, seconds of PostgreSQL's time. SQLite keeps its foreign keys: they cost little there.

Django's migration state still holds the three foreign keys (`Payment.run`, `Payment.household`,
`Payment.decision`). A later migration that changes one of these columns' type or target, or renames or
drops the tables named here, must drop these triggers first (`DROP` below).
"""

from __future__ import annotations

from django.db import migrations

from egenmakt.lib.statement_references import checked_per_statement

CREATE = r"""
CREATE FUNCTION benefits_payment_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint;
    found bigint;
BEGIN
    SELECT count(DISTINCT run_id) INTO wanted FROM new_rows;
    IF wanted > 0 THEN
        SELECT count(*) INTO found FROM (
            SELECT 1 FROM benefits_paymentrun p WHERE p.id IN (SELECT run_id FROM new_rows) FOR KEY SHARE OF p
        ) AS locked;
        IF found < wanted THEN
            RAISE EXCEPTION 'benefits_payment.run_id refers to a row of benefits_paymentrun that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    SELECT count(DISTINCT household_id) INTO wanted FROM new_rows;
    IF wanted > 0 THEN
        SELECT count(*) INTO found FROM (
            SELECT 1 FROM people_household p WHERE p.id IN (SELECT household_id FROM new_rows) FOR KEY SHARE OF p
        ) AS locked;
        IF found < wanted THEN
            RAISE EXCEPTION 'benefits_payment.household_id refers to a row of people_household that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    SELECT count(DISTINCT decision_id) INTO wanted FROM new_rows;
    IF wanted > 0 THEN
        SELECT count(*) INTO found FROM (
            SELECT 1 FROM benefits_decision p WHERE p.id IN (SELECT decision_id FROM new_rows) FOR KEY SHARE OF p
        ) AS locked;
        IF found < wanted THEN
            RAISE EXCEPTION 'benefits_payment.decision_id refers to a row of benefits_decision that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER benefits_payment_references_on_insert AFTER INSERT ON benefits_payment
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION benefits_payment_references_exist();

CREATE FUNCTION benefits_payment_changed_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.run_id IS NOT NULL AND NEW.run_id IS DISTINCT FROM OLD.run_id THEN
        PERFORM 1 FROM benefits_paymentrun p WHERE p.id = NEW.run_id FOR KEY SHARE OF p;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'benefits_payment.run_id refers to a row of benefits_paymentrun that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF NEW.household_id IS NOT NULL AND NEW.household_id IS DISTINCT FROM OLD.household_id THEN
        PERFORM 1 FROM people_household p WHERE p.id = NEW.household_id FOR KEY SHARE OF p;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'benefits_payment.household_id refers to a row of people_household that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    IF NEW.decision_id IS NOT NULL AND NEW.decision_id IS DISTINCT FROM OLD.decision_id THEN
        PERFORM 1 FROM benefits_decision p WHERE p.id = NEW.decision_id FOR KEY SHARE OF p;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'benefits_payment.decision_id refers to a row of benefits_decision that does not exist' USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER benefits_payment_references_on_update AFTER UPDATE OF run_id, household_id, decision_id ON benefits_payment
    FOR EACH ROW WHEN (NEW.run_id IS DISTINCT FROM OLD.run_id OR NEW.household_id IS DISTINCT FROM OLD.household_id OR NEW.decision_id IS DISTINCT FROM OLD.decision_id)
    EXECUTE FUNCTION benefits_payment_changed_references_exist();

CREATE FUNCTION benefits_payment_run_id_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM benefits_payment WHERE run_id = OLD.id) THEN
        RAISE EXCEPTION 'benefits_paymentrun % is referred to by benefits_payment.run_id', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER benefits_payment_run_id_kept AFTER DELETE OR UPDATE OF id ON benefits_paymentrun
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION benefits_payment_run_id_kept();
CREATE FUNCTION benefits_payment_run_id_kept_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM benefits_payment WHERE run_id IS NOT NULL) THEN
        RAISE EXCEPTION 'benefits_paymentrun is referred to by benefits_payment.run_id: truncate both together' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER benefits_payment_run_id_kept_on_truncate AFTER TRUNCATE ON benefits_paymentrun
    FOR EACH STATEMENT EXECUTE FUNCTION benefits_payment_run_id_kept_on_truncate();

CREATE FUNCTION benefits_payment_household_id_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM benefits_payment WHERE household_id = OLD.id) THEN
        RAISE EXCEPTION 'people_household % is referred to by benefits_payment.household_id', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER benefits_payment_household_id_kept AFTER DELETE OR UPDATE OF id ON people_household
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION benefits_payment_household_id_kept();
CREATE FUNCTION benefits_payment_household_id_kept_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM benefits_payment WHERE household_id IS NOT NULL) THEN
        RAISE EXCEPTION 'people_household is referred to by benefits_payment.household_id: truncate both together' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER benefits_payment_household_id_kept_on_truncate AFTER TRUNCATE ON people_household
    FOR EACH STATEMENT EXECUTE FUNCTION benefits_payment_household_id_kept_on_truncate();

CREATE FUNCTION benefits_payment_decision_id_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM benefits_payment WHERE decision_id = OLD.id) THEN
        RAISE EXCEPTION 'benefits_decision % is referred to by benefits_payment.decision_id', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER benefits_payment_decision_id_kept AFTER DELETE OR UPDATE OF id ON benefits_decision
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION benefits_payment_decision_id_kept();
CREATE FUNCTION benefits_payment_decision_id_kept_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM benefits_payment WHERE decision_id IS NOT NULL) THEN
        RAISE EXCEPTION 'benefits_decision is referred to by benefits_payment.decision_id: truncate both together' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER benefits_payment_decision_id_kept_on_truncate AFTER TRUNCATE ON benefits_decision
    FOR EACH STATEMENT EXECUTE FUNCTION benefits_payment_decision_id_kept_on_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS benefits_payment_references_on_insert ON benefits_payment;
DROP TRIGGER IF EXISTS benefits_payment_references_on_update ON benefits_payment;
DROP FUNCTION IF EXISTS benefits_payment_references_exist();
DROP FUNCTION IF EXISTS benefits_payment_changed_references_exist();
DROP TRIGGER IF EXISTS benefits_payment_run_id_kept ON benefits_paymentrun;
DROP TRIGGER IF EXISTS benefits_payment_run_id_kept_on_truncate ON benefits_paymentrun;
DROP FUNCTION IF EXISTS benefits_payment_run_id_kept();
DROP FUNCTION IF EXISTS benefits_payment_run_id_kept_on_truncate();
DROP TRIGGER IF EXISTS benefits_payment_household_id_kept ON people_household;
DROP TRIGGER IF EXISTS benefits_payment_household_id_kept_on_truncate ON people_household;
DROP FUNCTION IF EXISTS benefits_payment_household_id_kept();
DROP FUNCTION IF EXISTS benefits_payment_household_id_kept_on_truncate();
DROP TRIGGER IF EXISTS benefits_payment_decision_id_kept ON benefits_decision;
DROP TRIGGER IF EXISTS benefits_payment_decision_id_kept_on_truncate ON benefits_decision;
DROP FUNCTION IF EXISTS benefits_payment_decision_id_kept();
DROP FUNCTION IF EXISTS benefits_payment_decision_id_kept_on_truncate();
"""

RESTORE = """
ALTER TABLE benefits_payment ADD CONSTRAINT benefits_payment_run_id_fk FOREIGN KEY (run_id) REFERENCES benefits_paymentrun (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE benefits_payment ADD CONSTRAINT benefits_payment_household_id_fk FOREIGN KEY (household_id) REFERENCES people_household (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE benefits_payment ADD CONSTRAINT benefits_payment_decision_id_fk FOREIGN KEY (decision_id) REFERENCES benefits_decision (id) DEFERRABLE INITIALLY DEFERRED;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0003_index_only_counts"),
        ("people", "0001_initial"),
    ]
    operations = [
        migrations.RunPython(
            *checked_per_statement(
                "benefits_payment",
                ["run_id", "household_id", "decision_id"],
                create=CREATE,
                drop=DROP,
                restore=RESTORE,
            )
        )
    ]
