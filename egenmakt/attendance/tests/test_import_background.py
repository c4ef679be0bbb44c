"""A large upload is imported in a background thread with its own database connection; the page follows it."""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from egenmakt.attendance.models import Attendance, ImportBatch
from egenmakt.attendance.tests.import_fixtures import csv_file, past_days, place_people, provider_rows
from egenmakt.test import Personas


class BackgroundImportTestCase(TransactionTestCase):
    def test_a_file_over_the_inline_limit_runs_in_a_thread_and_its_copy_is_removed(self) -> None:
        personas = Personas()
        activity, placed = place_people(
            actor=personas.bertil, unit=personas.ame, count=3, start=timezone.localdate() - timedelta(days=20)
        )
        rows = provider_rows([person for person, _ in placed], activity.code, past_days(5))
        rows.append(["19900101-0000", activity.code, past_days(1)[0].isoformat(), "närvarande", "", ""])
        self.client.force_login(personas.bertil)
        upload = SimpleUploadedFile("stor.csv", csv_file(rows).getvalue(), content_type="text/csv")
        before = set(Path(tempfile.gettempdir()).glob("*.csv"))
        with mock.patch("egenmakt.web.views.attendance_import.INLINE_MAX_BYTES", 0):
            response = self.client.post(reverse("attendance_import"), {"file": upload})
        batch = ImportBatch.objects.get()
        self.assertRedirects(
            response, reverse("attendance_import_batch", args=[batch.pk]), fetch_redirect_response=False
        )
        deadline = time.monotonic() + 30
        while batch.status == "pagar" and time.monotonic() < deadline:
            time.sleep(0.1)
            batch.refresh_from_db()
        self.assertEqual(batch.status, "klar", batch.error)
        self.assertEqual((batch.total_rows, batch.stored_rows, batch.rejected_rows), (16, 15, 1))
        self.assertEqual(Attendance.objects.count(), 15)
        page = self.client.get(reverse("attendance_import_batch", args=[batch.pk]))
        self.assertContains(page, "Importen är klar.")
        # The thread's copy of the upload (it holds identity numbers) is removed once the import ends.
        left = set(Path(tempfile.gettempdir()).glob("*.csv")) - before
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = set(Path(tempfile.gettempdir()).glob("*.csv")) - before
        self.assertEqual(left, set())
