"""On PostgreSQL an absence task's day, person, case and handläggare are checked once per INSERT
statement (`lib.statement_references`), as the attendance rows' are (0005): a provider's file opens
tens of thousands of tasks in one COPY, four foreign-key checks each. Who handled a task keeps its
foreign key: it is empty when a task is opened. SQLite keeps its foreign keys.

Django's migration state still holds these foreign keys; a later migration that alters one of the
fields on PostgreSQL would add the foreign key back, and should drop these triggers in the same step.
"""

from __future__ import annotations

from django.db import migrations

from egenmakt.lib.statement_references import checked_per_statement

REFERENCES = {
    "attendance_id": "attendance_attendance",
    "participant_id": "people_participant",
    "case_id": "cases_case",
    "assigned_to_id": "accounts_user",
}


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0007_absence_task_fewer_indexes"),
        ("people", "0001_initial"),
        ("cases", "0001_initial"),
        ("accounts", "0001_initial"),
    ]
    operations = [migrations.RunPython(*checked_per_statement("attendance_absencetask", REFERENCES))]
