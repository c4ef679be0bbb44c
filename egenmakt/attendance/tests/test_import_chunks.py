"""A file larger than one chunk: on PostgreSQL its chunks are saved side by side on two connections."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import timedelta
from unittest import mock

from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from egenmakt.attendance import importing
from egenmakt.attendance.importing import import_attendance
from egenmakt.attendance.models import AbsenceTask, Attendance, ImportBatch
from egenmakt.attendance.tests.import_fixtures import csv_file, past_days, place_people, provider_rows
from egenmakt.audit.models import AuditEvent
from egenmakt.audit.verify import verify_chain
from egenmakt.test import Personas

PEOPLE = 12
DAYS = 6


class ChunkedImportTestCase(TransactionTestCase):
    """Outside a test transaction, so that the savers' own connections see the placements."""

    def setUp(self) -> None:
        self.personas = Personas()
        activity, placed = place_people(
            actor=self.personas.bertil,
            unit=self.personas.ame,
            count=PEOPLE,
            start=timezone.localdate() - timedelta(days=20),
        )
        self.rows = provider_rows([person for person, _ in placed], activity.code, past_days(DAYS))

    def run_import(self, *, fail_on_chunk: int | None = None) -> ImportBatch:
        numbers = itertools.count(1)  # next() is atomic: the savers run in two threads
        save = importing._Saver.save

        def counted(saver: importing._Saver, rows: dict[int, list[importing._Row]]) -> importing._Saved:
            if next(numbers) == fail_on_chunk:
                raise RuntimeError("the connection was lost")
            return save(saver, rows)

        # 10 rows a chunk: each person's 6 rows whole in a chunk, so 6 chunks of two people.
        with (
            mock.patch.object(importing, "CHUNK_ROWS", 10),
            mock.patch.object(importing._Saver, "save", counted),
            mock.patch.object(
                importing, "_save_side_by_side", wraps=importing._save_side_by_side
            ) as side_by_side,
        ):
            batch = import_attendance(
                actor=self.personas.bertil, path_or_file=csv_file(self.rows), file_name="stor.csv"
            )
        self.assertEqual(side_by_side.called, connection.vendor == "postgresql")
        return batch

    def test_the_chunks_store_every_row_once_with_its_task_and_one_event_per_person(self) -> None:
        batch = self.run_import()
        self.assertEqual(batch.status, "klar", batch.error)
        self.assertEqual((batch.stored_rows, batch.rejected_rows), (PEOPLE * DAYS, 0))
        batch.refresh_from_db()  # what the savers added up in the database
        self.assertEqual(
            (batch.stored_rows, batch.corrected_rows, batch.unchanged_rows), (PEOPLE * DAYS, 0, 0)
        )
        self.assertEqual(Attendance.objects.filter(import_batch=batch).count(), PEOPLE * DAYS)
        unexcused = Attendance.objects.filter(status="ogiltig")
        self.assertEqual(AbsenceTask.objects.count(), unexcused.count())
        self.assertEqual(
            set(AbsenceTask.objects.values_list("attendance", flat=True)),
            set(unexcused.values_list("pk", flat=True)),
        )
        events = Counter(
            AuditEvent.objects.filter(action="attendance.imported").values_list("participant_id", flat=True)
        )
        self.assertEqual((len(events), set(events.values())), (PEOPLE, {1}))
        self.assertIsNone(verify_chain()[0])
        # Again: every row found unchanged, nothing new.
        again = self.run_import()
        self.assertEqual((again.stored_rows, again.unchanged_rows), (0, PEOPLE * DAYS))
        self.assertEqual(Attendance.objects.count(), PEOPLE * DAYS)

    def test_a_chunk_that_fails_stops_the_import_and_running_the_file_again_stores_the_rest(self) -> None:
        with self.assertRaisesMessage(RuntimeError, "the connection was lost"):
            self.run_import(fail_on_chunk=3)
        failed = ImportBatch.objects.get()
        self.assertEqual(failed.status, "misslyckades")
        # What the batch says it stored is what is there: the failed chunk left nothing behind.
        stored = Attendance.objects.count()
        self.assertEqual(failed.stored_rows, stored)
        self.assertLess(stored, PEOPLE * DAYS)
        again = self.run_import()
        self.assertEqual(again.status, "klar", again.error)
        self.assertEqual((again.stored_rows, again.unchanged_rows), (PEOPLE * DAYS - stored, stored))
        self.assertEqual(Attendance.objects.count(), PEOPLE * DAYS)
        self.assertEqual(AbsenceTask.objects.count(), Attendance.objects.filter(status="ogiltig").count())
        self.assertIsNone(verify_chain()[0])
