"""On PostgreSQL an attendance row's placement and import batch are checked once per INSERT statement,
for all its rows together, instead of by a foreign key row by row (`lib.statement_references`): for a
provider's file of a million rows the foreign keys' two million checks were well over half of
PostgreSQL's work in the import. SQLite keeps its foreign keys: they cost little there.

Django's migration state still holds the two foreign keys (`Attendance.enrolment`,
`Attendance.import_batch`); a later migration that alters either field on PostgreSQL would add the
foreign key back, and should drop these triggers in the same step.
"""

from __future__ import annotations

from django.db import migrations

from egenmakt.lib.statement_references import checked_per_statement

REFERENCES = {"enrolment_id": "activities_enrolment", "import_batch_id": "attendance_importbatch"}


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0004_imported_rows_registered_by_batch"),
        ("activities", "0001_initial"),
    ]
    operations = [migrations.RunPython(*checked_per_statement("attendance_attendance", REFERENCES))]
