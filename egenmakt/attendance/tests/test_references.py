"""An attendance row's placement and import batch, and an absence task's day, person, case and
handläggare, must exist, and cannot be deleted under them.

On PostgreSQL these are checked by triggers, once per statement for inserts (`lib.statement_references`,
migrations 0005 and 0008), instead of foreign keys; on SQLite by foreign keys. The rules are the same on
both, and so are these tests.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from egenmakt.activities.models import Enrolment
from egenmakt.attendance.models import AbsenceTask, Attendance, ImportBatch
from egenmakt.attendance.tests.import_fixtures import place_people
from egenmakt.test import BaseTestCase, ReferenceAssertions


class AttendanceReferencesTestCase(BaseTestCase, ReferenceAssertions):
    enrolment: Enrolment
    batch: ImportBatch

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        _activity, placed = place_people(
            actor=cls.bertil, unit=cls.ame, count=1, start=timezone.localdate() - timedelta(days=10)
        )
        cls.enrolment = placed[0][1]
        cls.batch = ImportBatch.objects.create(
            file_name="narvaro.csv", file_sha256="0" * 64, imported_by=cls.bertil, total_rows=1
        )

    def new_row(self, **fields: Any) -> Attendance:
        values: dict[str, Any] = {
            "enrolment_id": self.enrolment.pk,
            "day": timezone.localdate() - timedelta(days=1),
            "status": "narvarande",
            "planned_hours": Decimal(6),
            "attended_hours": Decimal(6),
            "import_batch": self.batch,
        }
        return Attendance.objects.create(**(values | fields))

    def test_a_row_of_a_placement_that_does_not_exist_is_refused(self) -> None:
        self.assert_refused(
            lambda: self.new_row(enrolment_id=self.enrolment.pk + 1000), "activities_enrolment"
        )

    def test_a_row_of_an_import_that_does_not_exist_is_refused(self) -> None:
        self.assert_refused(
            lambda: self.new_row(import_batch=None, import_batch_id=self.batch.pk + 1000),
            "attendance_importbatch",
        )

    def test_moving_a_row_to_a_placement_or_import_that_does_not_exist_is_refused(self) -> None:
        row = self.new_row()
        moved = Attendance.objects.filter(pk=row.pk)
        self.assert_refused(
            lambda: moved.update(enrolment_id=self.enrolment.pk + 1000), "activities_enrolment"
        )
        self.assert_refused(
            lambda: moved.update(import_batch_id=self.batch.pk + 1000), "attendance_importbatch"
        )

    def test_a_placement_or_import_with_attendance_cannot_be_deleted(self) -> None:
        self.new_row()
        self.assert_refused(
            lambda: self.delete_row("activities_enrolment", self.enrolment.pk), "attendance_attendance"
        )
        self.assert_refused(
            lambda: self.delete_row("attendance_importbatch", self.batch.pk), "attendance_attendance"
        )

    def test_an_import_whose_rows_are_deleted_first_can_be_deleted(self) -> None:
        row = self.new_row()
        with transaction.atomic():
            self.delete_row("attendance_attendance", row.pk)
            self.delete_row("attendance_importbatch", self.batch.pk)
            connection.check_constraints()
        self.assertFalse(ImportBatch.objects.filter(pk=self.batch.pk).exists())

    def new_task(self, **fields: Any) -> AbsenceTask:
        values: dict[str, Any] = {
            "participant_id": self.enrolment.participant_id,
            "case_id": self.enrolment.case_id,
            "assigned_to": self.bertil,
        }
        if "attendance_id" not in fields:
            values["attendance"] = self.new_row(status="ogiltig", attended_hours=Decimal(0))
        return AbsenceTask.objects.create(**(values | fields))

    def test_a_task_of_a_person_case_or_handlaggare_that_does_not_exist_is_refused(self) -> None:
        missing = {
            "participant_id": "people_participant",
            "case_id": "cases_case",
            "assigned_to_id": "accounts_user",
        }
        for column, table in missing.items():
            with self.subTest(column):
                self.assert_refused(lambda column=column: self.new_task(**{column: 10**9}), table)

    def test_a_day_with_an_absence_task_cannot_be_deleted(self) -> None:
        # (A person, case or account is referred to by much else too; the day only by its task.)
        task = self.new_task()
        self.assert_refused(
            lambda: self.delete_row("attendance_attendance", task.attendance_id), "attendance_absencetask"
        )

    def test_many_rows_at_once_are_refused_if_one_names_a_missing_placement(self) -> None:
        # One statement for all rows, as an import's COPY: the trigger counts distinct parents.
        day = timezone.localdate() - timedelta(days=1)

        def rows(*enrolments: int) -> list[Attendance]:
            return [
                Attendance(
                    enrolment_id=enrolment,
                    day=day - timedelta(days=n),
                    status="narvarande",
                    planned_hours=Decimal(6),
                    attended_hours=Decimal(6),
                    import_batch=self.batch,
                )
                for n, enrolment in enumerate(enrolments)
            ]

        pk = self.enrolment.pk
        self.assert_refused(
            lambda: Attendance.objects.bulk_create(rows(pk, pk, pk + 1000, pk)), "activities_enrolment"
        )
        Attendance.objects.bulk_create(rows(pk, pk, pk))
        self.assertEqual(Attendance.objects.count(), 3)

    def test_a_row_registered_on_the_screen_needs_no_import(self) -> None:
        row = self.new_row(import_batch=None, recorded_by=self.bertil)
        self.assertEqual(row.registrar, self.bertil)

    def test_a_task_of_a_day_that_does_not_exist_is_refused(self) -> None:
        self.assert_refused(lambda: self.new_task(attendance_id=10**9), "attendance_attendance")

    def test_an_import_cannot_be_truncated_from_under_its_attendance(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("SQLite has no TRUNCATE")
        self.new_row()

        def truncate() -> None:
            with connection.cursor() as cursor:
                # TRUNCATE waits for no deferred check: run those pending from the rows written so far.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("TRUNCATE attendance_importbatch CASCADE")

        self.assert_refused(truncate, "attendance_attendance")
