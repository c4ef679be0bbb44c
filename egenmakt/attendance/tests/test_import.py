from __future__ import annotations

import io
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from egenmakt.accounts.models import Role, User
from egenmakt.activities import services as activities
from egenmakt.activities.models import Activity, Enrolment
from egenmakt.activities.tests.factories import open_case
from egenmakt.attendance import services
from egenmakt.attendance.importing import import_attendance, rejections_csv, unknown_person_message
from egenmakt.attendance.models import (
    STALLED_AFTER,
    AbsenceTask,
    Attendance,
    AttendanceCorrection,
    ImportBatch,
    ImportRejection,
    TaskStatus,
)
from egenmakt.attendance.tests.import_fixtures import (
    csv_file,
    past_days,
    place_people,
    pnr,
    provider_rows,
    xlsx_file,
)
from egenmakt.audit.models import AuditEvent
from egenmakt.cases.models import Case, CaseType
from egenmakt.people.models import Participant
from egenmakt.people.services import create_participant
from egenmakt.test import PASSWORD, BaseTestCase, details, make_user, valid_pnr

START_DAYS_AGO = 280


class TenThousandRowsTestCase(BaseTestCase):
    """A provider file of 10 000 rows, one in twenty of them wrong in one of five ways."""

    start: date
    activity: Activity
    people: list[Participant]
    rows: list[list[str]]
    expected: dict[int, tuple[str, str]]  # line -> (field, start of the reason)

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        cls.start = today - timedelta(days=START_DAYS_AGO)
        cls.activity, placed = place_people(actor=cls.bertil, unit=cls.ame, count=40, start=cls.start)
        cls.people = [person for person, _enrolment in placed]
        # The second person also has economic assistance with Anna: their absence tasks go to Anna.
        Case.objects.create(
            participant=cls.people[1],
            unit=cls.eb,
            case_type=CaseType.EKONOMISKT_BISTAND,
            responsible=cls.anna,
        )
        rows = provider_rows(cls.people, cls.activity.code, past_days(250))
        cls.expected = {}
        for number in range(500):
            # One row in twenty, spread over the people and days.
            index = 20 * number + number % 20
            line = index + 2  # the header is line 1
            kind = number % 5
            row = rows[index]
            if kind == 0:
                row[0] = row[0][:-1] + str((int(row[0][-1]) + 1) % 10)
                cls.expected[line] = ("personnummer", "Kontrollsiffran stämmer inte")
            elif kind == 1:
                row[1] = "OKÄND-9"
                cls.expected[line] = ("aktivitet", "Det finns ingen insats med koden OKÄND-9")
            elif kind == 2:
                row[2] = (cls.start - timedelta(days=3)).isoformat()
                cls.expected[line] = ("datum", "Datumet ligger utanför personens placering")
            elif kind == 3:
                row[3] = "kanske"
                cls.expected[line] = ("status", "Okänd status")
            else:
                rows[index] = list(rows[index - 1])
                cls.expected[line] = (
                    "datum",
                    f"Samma person, insats och datum finns redan på rad {line - 1}",
                )
        cls.rows = rows
        assert len(rows) == 10_000 and len(cls.expected) == 500

    def assert_all_valid_rows_stored(self, batch: ImportBatch) -> None:
        self.assertEqual(batch.status, "klar", batch.error)
        self.assertEqual((batch.total_rows, batch.processed_rows, batch.rejected_rows), (10_000, 10_000, 500))
        self.assertEqual(Attendance.objects.count(), 9_500)
        rejections = list(batch.rejections.all())
        self.assertEqual(len(rejections), 500)
        for rejection in rejections:
            field, reason = self.expected[rejection.line]
            self.assertEqual(rejection.field, field, rejection)
            self.assertTrue(rejection.reason.startswith(reason), rejection.reason)
        # Every unexcused day has exactly one task, for the responsible handläggare.
        unexcused = Attendance.objects.filter(status="ogiltig")
        self.assertEqual(AbsenceTask.objects.count(), unexcused.count())
        self.assertGreater(unexcused.count(), 500)
        for task in AbsenceTask.objects.select_related("attendance__enrolment__case")[:50]:
            enrolment = task.attendance.enrolment
            case, handlaggare = services.responsible_handlaggare(enrolment.participant_id, enrolment.case)
            self.assertEqual((task.case_id, task.assigned_to_id), (case.pk, handlaggare.pk))
        self.assertEqual(
            set(AbsenceTask.objects.filter(participant=self.people[1]).values_list("assigned_to", flat=True)),
            {self.anna.pk},
        )

    def test_it_stores_exactly_the_valid_rows_and_a_second_import_adds_nothing(self) -> None:
        batch = import_attendance(actor=self.bertil, path_or_file=csv_file(self.rows), file_name="mars.csv")
        self.assert_all_valid_rows_stored(batch)
        self.assertEqual((batch.stored_rows, batch.unchanged_rows, batch.corrected_rows), (9_500, 0, 0))
        stored = Attendance.objects.get(
            enrolment__participant=self.people[1], day=timezone.localdate() - timedelta(days=2)
        )
        self.assertEqual(
            (
                stored.status,
                stored.attended_hours,
                stored.planned_hours,
                stored.source,
                stored.import_batch_id,
            ),
            ("narvarande", Decimal("4.5"), Decimal("6"), "import", batch.pk),
        )
        # One audit event per person, with the counts, not one per row.
        events = AuditEvent.objects.filter(action="attendance.imported")
        self.assertEqual(events.count(), 40)
        self.assertEqual(sum(e.detail["stored"] for e in events), 9_500)
        self.assertEqual({e.category for e in events}, {"narvaro"})

        again = import_attendance(actor=self.bertil, path_or_file=csv_file(self.rows), file_name="mars.csv")
        self.assertEqual(again.file_sha256, batch.file_sha256)
        self.assertEqual((again.stored_rows, again.unchanged_rows, again.corrected_rows), (0, 9_500, 0))
        self.assert_all_valid_rows_stored(again)
        self.assertEqual(AttendanceCorrection.objects.count(), 0)
        self.assertEqual(AuditEvent.objects.filter(action="attendance.imported").count(), 40)

    def test_an_excel_file_is_read_the_same_way(self) -> None:
        batch = import_attendance(actor=self.bertil, path_or_file=xlsx_file(self.rows), file_name="mars.xlsx")
        self.assert_all_valid_rows_stored(batch)
        self.assertEqual(batch.stored_rows, 9_500)
        again = import_attendance(
            actor=self.bertil, path_or_file=csv_file(self.rows, delimiter=",", bom=True), file_name="mars.csv"
        )
        self.assertEqual((again.stored_rows, again.unchanged_rows, again.rejected_rows), (0, 9_500, 500))

    def test_the_rejected_rows_download_as_safe_csv(self) -> None:
        rows = [list(row) for row in self.rows[:3]]
        rows[1][1] = "=HYPERLINK(1)"
        batch = import_attendance(actor=self.bertil, path_or_file=csv_file(rows), file_name="f.csv")
        text = "".join(rejections_csv(batch))
        self.assertTrue(text.startswith("\ufeffrad;fält;värde;skäl\r\n"))
        self.assertIn("\r\n3;aktivitet;'=HYPERLINK(1);Det finns ingen insats med koden", text)


class ImportRulesTestCase(BaseTestCase):
    start: date
    day: date
    activity: Activity
    people: list[Participant]
    enrolments: list[Enrolment]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.start = timezone.localdate() - timedelta(days=30)
        cls.activity, placed = place_people(actor=cls.bertil, unit=cls.ame, count=3, start=cls.start)
        cls.people = [person for person, _enrolment in placed]
        cls.enrolments = [enrolment for _person, enrolment in placed]
        cls.day = timezone.localdate() - timedelta(days=1)

    def row(self, number: int, status: str, hours: str = "", reason: str = "", day: str = "") -> list[str]:
        return [pnr(number), self.activity.code, day or self.day.isoformat(), status, hours, reason]

    def run_import(self, rows: list[list[str]], **options: object) -> ImportBatch:
        return import_attendance(actor=self.bertil, path_or_file=csv_file(rows, **options), file_name="f.csv")  # type: ignore[arg-type]

    def reasons(self, batch: ImportBatch) -> dict[int, list[tuple[str, str]]]:
        found: dict[int, list[tuple[str, str]]] = {}
        for r in batch.rejections.all():
            found.setdefault(r.line, []).append((r.field, r.reason))
        return found

    def test_a_person_with_a_reserve_number_is_found_by_it(self) -> None:
        noor = create_participant(
            actor=self.bertil,
            details=details("19850312-AB12", "Noor", "Haddad", identity_type="lrid", legal_sex="K"),
        )
        activities.enrol(
            actor=self.bertil,
            participant=noor,
            activity=self.activity,
            case=open_case(noor, self.ame, self.bertil),
            start=self.start,
            override_reason="Test",
        )
        batch = self.run_import(
            [
                ["19850312-AB12", self.activity.code, self.day.isoformat(), "närvarande", "", ""],
                ["19850312-ZZ99", self.activity.code, self.day.isoformat(), "närvarande", "", ""],
            ]
        )
        self.assertEqual((batch.stored_rows, batch.rejected_rows), (1, 1))
        self.assertEqual(Attendance.objects.get().enrolment.participant, noor)
        self.assertEqual(self.reasons(batch)[3][0][0], "personnummer")

    def test_a_different_value_on_reimport_is_a_correction_with_history(self) -> None:
        # Registered on the screen first: present, and an unexcused absence (which opened a task).
        services.register_day(
            actor=self.bertil,
            activity=self.activity,
            day=self.day,
            marks=[
                services.Mark(self.enrolments[0].pk, "narvarande"),
                services.Mark(self.enrolments[1].pk, "ogiltig"),
            ],
        )
        screen_task = AbsenceTask.objects.get()
        batch = self.run_import(
            [self.row(0, "ogiltig"), self.row(1, "giltig", reason="läkarbesök"), self.row(2, "närvarande")]
        )
        self.assertEqual((batch.stored_rows, batch.corrected_rows, batch.unchanged_rows), (1, 2, 0))
        first = Attendance.objects.get(enrolment=self.enrolments[0], day=self.day)
        history = first.corrections.get()
        self.assertEqual(
            (
                history.previous_status,
                history.previous_hours,
                history.previous_recorded_by,
                history.corrected_by,
            ),
            ("narvarande", Decimal("6"), self.bertil, self.bertil),
        )
        self.assertEqual(
            (first.status, first.attended_hours, first.import_batch_id), ("ogiltig", 0, batch.pk)
        )
        # The file's importer registered the day: held by the batch, not repeated on the row.
        self.assertEqual((first.recorded_by, first.registrar), (None, self.bertil))
        # Unexcused now: one new task. Excused now: the screen's task is set aside, not deleted.
        self.assertEqual(AbsenceTask.objects.get(attendance=first).status, TaskStatus.OPPEN)
        screen_task.refresh_from_db()
        self.assertEqual(screen_task.status, TaskStatus.INAKTUELL)
        # Back to unexcused in the next file: the same task reopens, no second one.
        again = self.run_import([self.row(1, "ogiltig")])
        self.assertEqual(again.corrected_rows, 1)
        screen_task.refresh_from_db()
        self.assertEqual(screen_task.status, TaskStatus.OPPEN)
        self.assertEqual(AbsenceTask.objects.count(), 2)
        self.assertEqual(AttendanceCorrection.objects.count(), 3)

    def test_a_screen_correction_of_an_imported_day_keeps_the_importer_in_its_history(self) -> None:
        self.run_import([self.row(0, "närvarande")])
        stored = Attendance.objects.get()
        self.assertEqual((stored.recorded_by, stored.registrar), (None, self.bertil))
        berit = make_user("berit", "Berit", "Bo", self.ame, Role.ARBETSMARKNADSKONSULENT)
        services.register_day(
            actor=berit,
            activity=self.activity,
            day=self.day,
            marks=[services.Mark(self.enrolments[0].pk, "giltig", reason="sjuk", comment="Ringde in")],
        )
        stored.refresh_from_db()
        self.assertEqual((stored.status, stored.registrar), ("giltig", berit))
        self.assertEqual(stored.corrections.get().previous_recorded_by, self.bertil)

    def test_unexcused_rows_open_exactly_one_task_each(self) -> None:
        days = [(self.day - timedelta(days=n)).isoformat() for n in range(5)]
        rows = [self.row(0, "ogiltig", day=d) for d in days]
        self.run_import(rows)
        self.run_import(rows)
        self.assertEqual(AbsenceTask.objects.count(), 5)
        self.assertEqual(
            set(AbsenceTask.objects.values_list("assigned_to", "status")), {(self.bertil.pk, "oppen")}
        )

    def test_a_person_the_importer_may_not_see_is_rejected_as_unknown(self) -> None:
        unknown = valid_pnr("19600101", "123")
        batch = self.run_import(
            [
                [self.omar.identity_value, self.activity.code, self.day.isoformat(), "närvarande", "", ""],
                [unknown, self.activity.code, self.day.isoformat(), "närvarande", "", ""],
                self.row(0, "närvarande"),
            ]
        )
        reasons = self.reasons(batch)
        self.assertEqual(reasons[2], [("personnummer", unknown_person_message())])
        self.assertEqual(reasons[3], reasons[2])
        self.assertEqual(batch.stored_rows, 1)
        # Gustav, in another municipality, may see none of them: every row is refused the same way.
        other = import_attendance(
            actor=self.gustav, path_or_file=csv_file([self.row(0, "närvarande")]), file_name="f.csv"
        )
        self.assertEqual(self.reasons(other), {2: [("personnummer", unknown_person_message())]})

    def test_each_field_is_checked_with_a_reason_a_provider_understands(self) -> None:
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        batch = self.run_import(
            [
                self.row(0, "giltig"),  # 2: reason missing
                self.row(1, "närvarande", reason="sjuk"),  # 3: reason not allowed
                self.row(2, "närvarande", hours="25"),  # 4: hours out of range
                self.row(0, "ogiltig", hours="3", day="2025-13-01"),  # 5: no such date, hours on absence
                self.row(1, "närvarande", day=tomorrow),  # 6: future
                ["19900101-001", self.activity.code, self.day.isoformat(), "närvarande", "", ""],  # 7
                self.row(2, "ogiltig", reason="semester"),  # 8: unknown reason
                self.row(2, "giltig", reason="vård av barn", day=(self.day - timedelta(days=1)).isoformat()),
                self.row(1, "present", hours="6.5", day=(self.day - timedelta(days=2)).isoformat()),
            ]
        )
        reasons = self.reasons(batch)
        self.assertEqual(reasons[2], [("skäl", "Giltig frånvaro behöver ett skäl.")])
        self.assertEqual(reasons[3], [("skäl", "Bara giltig frånvaro har ett skäl.")])
        self.assertEqual([f for f, _r in reasons[4]], ["timmar"])
        self.assertEqual([f for f, _r in reasons[5]], ["datum", "timmar"])
        self.assertTrue(reasons[6][0][1].startswith("Datumet har inte varit än"))
        self.assertTrue(reasons[7][0][1].startswith("Ange personnummer"))
        self.assertTrue(reasons[8][0][1].startswith("Okänt skäl"))
        self.assertEqual((batch.stored_rows, batch.rejected_rows), (2, 7))
        self.assertEqual(
            set(Attendance.objects.values_list("status", "reason", "attended_hours")),
            {("giltig", "vard_av_barn", Decimal("0")), ("narvarande", "", Decimal("6.5"))},
        )

    def test_english_headers_and_a_comma_are_accepted(self) -> None:
        header = ["Personal_Identity_Number", "Activity", "Date", "Status", "Hours", "Reason", "Comment"]
        batch = self.run_import(
            [[*self.row(0, "excused", reason="sjuk"), "x"]], header=header, delimiter=",", bom=True
        )
        self.assertEqual((batch.stored_rows, batch.rejected_rows), (1, 0))

    def test_the_same_value_written_differently_is_checked_the_same_way(self) -> None:
        # Checks are remembered per value as written: spaces and case must not change the outcome.
        day = self.day.isoformat()
        earlier = (self.day - timedelta(days=1)).isoformat()
        code = self.activity.code
        batch = self.run_import(
            [
                [pnr(0), code, day, "närvarande", "", ""],
                [f" {pnr(0)} ", f" {code.lower()}", f"{day} ", " Närvarande ", "", ""],  # 3: duplicate of 2
                [f" {pnr(1)}", code, earlier, "GILTIG", "", " Sjuk"],
                [pnr(1), code, earlier, "giltig", "", "sjuk"],  # 5: duplicate of 4
                [f" {pnr(2)}", code, f" {day}", " ogiltig", " 2 ", ""],  # 6: hours on absence
                [pnr(2), code],  # 7: a short row
            ]
        )
        reasons = self.reasons(batch)
        self.assertEqual(reasons[3], [("datum", "Samma person, insats och datum finns redan på rad 2.")])
        self.assertEqual(reasons[5], [("datum", "Samma person, insats och datum finns redan på rad 4.")])
        self.assertEqual([f for f, _r in reasons[6]], ["timmar"])
        self.assertEqual([f for f, _r in reasons[7]], ["datum", "status"])
        self.assertEqual((batch.stored_rows, batch.rejected_rows), (2, 4))
        rejection = batch.rejections.get(line=6)
        self.assertEqual(rejection.value, "2")

    def test_the_hours_and_reason_columns_may_be_left_out(self) -> None:
        header = ["personnummer", "aktivitet", "datum", "status"]
        earlier = (self.day - timedelta(days=1)).isoformat()
        batch = self.run_import(
            [
                [pnr(0), self.activity.code, self.day.isoformat(), "närvarande"],
                [pnr(1), self.activity.code, earlier, "ogiltig"],
                [pnr(2), self.activity.code, earlier, "giltig"],  # 4: an excused absence needs a reason
            ],
            header=header,
        )
        self.assertEqual(self.reasons(batch), {4: [("skal", "Giltig frånvaro behöver ett skäl.")]})
        self.assertEqual(
            set(Attendance.objects.values_list("enrolment__participant", "status", "attended_hours")),
            {(self.people[0].pk, "narvarande", Decimal("6")), (self.people[1].pk, "ogiltig", Decimal("0"))},
        )
        self.assertEqual(AbsenceTask.objects.get().participant_id, self.people[1].pk)

    def test_a_file_missing_a_column_fails_with_the_columns_name(self) -> None:
        header = ["personnummer", "aktivitet", "datum", "timmar"]
        batch = self.run_import([[pnr(0), self.activity.code, self.day.isoformat(), ""]], header=header)
        self.assertEqual(batch.status, "misslyckades")
        self.assertTrue(batch.error.startswith("Kolumnen status saknas."), batch.error)
        self.assertEqual(Attendance.objects.count(), 0)

    def test_a_file_that_is_not_utf8_fails_clearly(self) -> None:
        data = "personnummer;aktivitet;datum;status\n19900101-0017;PRAKTIK-1;2025-01-01;närvarande\n"
        batch = import_attendance(
            actor=self.bertil, path_or_file=io.BytesIO(data.encode("cp1252")), file_name="f.csv"
        )
        self.assertEqual(batch.status, "misslyckades")
        self.assertIn("UTF-8", batch.error)

    def test_the_command_imports_and_writes_the_rejections(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "narvaro.csv"
            source.write_bytes(csv_file([self.row(0, "närvarande"), self.row(1, "kanske")]).getvalue())
            out, err = io.StringIO(), io.StringIO()
            rejected = Path(folder) / "avvisade.csv"
            call_command(
                "import_attendance",
                str(source),
                user="bertil",
                rejections=str(rejected),
                stdout=out,
                stderr=err,
            )
            self.assertIn("1 sparade", out.getvalue())
            self.assertIn("1 avvisade", out.getvalue())
            self.assertIn("100 % 1/1 rader (sparar)", err.getvalue())
            self.assertIn("3;status;kanske;Okänd status", rejected.read_text(encoding="utf-8"))
            broken = Path(folder) / "trasig.csv"
            broken.write_text("namn;datum\nx;y\n", encoding="utf-8")
            with self.assertRaisesMessage(CommandError, "Kolumnen personnummer, aktivitet, status saknas."):
                call_command("import_attendance", str(broken), user="bertil", stdout=out, stderr=err)


class ImportPagesTestCase(BaseTestCase):
    activity: Activity
    day: str
    chef: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.activity, _placed = place_people(
            actor=cls.bertil, unit=cls.ame, count=2, start=timezone.localdate() - timedelta(days=10)
        )
        cls.day = (timezone.localdate() - timedelta(days=1)).isoformat()
        cls.chef = make_user("ame-chef", "Ester", "Ekström", cls.ame, Role.ENHETSCHEF)

    def upload(self) -> ImportBatch:
        data = csv_file(
            [
                [pnr(0), self.activity.code, self.day, "närvarande", "", ""],
                [pnr(1), self.activity.code, self.day, "okänd", "", ""],
            ]
        ).getvalue()
        self.client.login(username="bertil", password=PASSWORD)
        self.assertEqual(self.client.get(reverse("attendance_import")).status_code, 200)
        response = self.client.post(
            reverse("attendance_import"), {"file": SimpleUploadedFile("narvaro.csv", data, "text/csv")}
        )
        batch = ImportBatch.objects.get()
        self.assertRedirects(response, reverse("attendance_import_batch", args=[batch.pk]))
        return batch

    def test_an_upload_shows_the_counts_the_rejections_and_a_download(self) -> None:
        batch = self.upload()
        page = self.client.get(reverse("attendance_import_batch", args=[batch.pk]))
        self.assertContains(page, "Importen är klar.")
        self.assertContains(page, "Okänd status")
        self.assertNotContains(page, 'hx-trigger="every 1s"')
        download = self.client.get(reverse("attendance_import_rejections", args=[batch.pk]))
        text = b"".join(download.streaming_content).decode()  # type: ignore[attr-defined]
        self.assertIn("3;status;okänd;Okänd status", text)
        self.assertEqual(Enrolment.objects.count(), 2)
        self.assertEqual(Attendance.objects.count(), 1)

    def test_a_running_batch_polls_for_its_progress(self) -> None:
        batch = ImportBatch.objects.create(
            file_name="x.csv", imported_by=self.bertil, total_rows=10, processed_rows=4
        )
        self.client.login(username="bertil", password=PASSWORD)
        page = self.client.get(reverse("attendance_import_batch", args=[batch.pk]))
        self.assertContains(page, 'hx-trigger="every 1s"')
        self.assertContains(page, '<progress max="10" value="4"')
        partial = self.client.get(
            reverse("attendance_import_batch", args=[batch.pk]), headers={"HX-Request": "true"}
        )
        self.assertNotContains(partial, "<html")
        self.assertContains(partial, "40 %")

    def test_a_batch_that_stopped_moving_is_shown_as_interrupted_and_not_polled(self) -> None:
        stalled = ImportBatch.objects.create(
            file_name="x.csv",
            imported_by=self.bertil,
            total_rows=10,
            processed_rows=4,
            progressed_at=timezone.now() - STALLED_AFTER - timedelta(minutes=1),
        )
        self.client.login(username="bertil", password=PASSWORD)
        page = self.client.get(reverse("attendance_import_batch", args=[stalled.pk]))
        self.assertContains(page, "Importen avbröts")
        self.assertContains(page, "kör filen igen")
        self.assertNotContains(page, "hx-trigger")
        self.assertContains(self.client.get(reverse("attendance_import")), "<td>Avbruten</td>", html=False)
        # Moved on just now: still running.
        stalled.progressed_at = timezone.now()
        stalled.save()
        page = self.client.get(reverse("attendance_import_batch", args=[stalled.pk]))
        self.assertContains(page, 'hx-trigger="every 1s"')
        self.assertNotContains(page, "Importen avbröts")

    def test_only_the_importer_and_their_manager_see_a_batch(self) -> None:
        batch = self.upload()
        urls = [
            reverse(name, args=[batch.pk])
            for name in ("attendance_import_batch", "attendance_import_rejections")
        ]
        self.client.login(username="ame-chef", password=PASSWORD)
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 200)
        for other in ("anna", "cecilia", "gustav"):
            self.client.login(username=other, password=PASSWORD)
            for url in urls:
                self.assertEqual(self.client.get(url).status_code, 404, (other, url))

    def test_a_file_of_another_kind_is_refused_on_the_form(self) -> None:
        self.client.login(username="bertil", password=PASSWORD)
        response = self.client.post(
            reverse("attendance_import"),
            {"file": SimpleUploadedFile("narvaro.pdf", b"%PDF", "application/pdf")},
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(ImportBatch.objects.count(), 0)
        self.assertEqual(ImportRejection.objects.count(), 0)
