from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from egenmakt.activities import services as activities
from egenmakt.activities.tests.factories import make_activity, people_with_cases
from egenmakt.attendance import services
from egenmakt.attendance.models import AbsenceTask, Attendance, AttendanceCorrection, TaskStatus
from egenmakt.audit.models import AuditEvent
from egenmakt.cases.models import Case, CaseType
from egenmakt.test import BaseTestCase


class GroupAttendanceTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.day = timezone.localdate() - timedelta(days=1)
        self.activity = make_activity(unit=self.ame)
        self.people = people_with_cases(actor=self.bertil, unit=self.ame, count=3)
        self.enrolments = [
            activities.enrol(
                actor=self.bertil,
                participant=p,
                activity=self.activity,
                case=c,
                start=self.day - timedelta(days=30),
            )
            for p, c in self.people
        ]
        # The first person also has economic assistance with Anna: absence tasks go to her.
        Case.objects.create(
            participant=self.people[0][0],
            unit=self.eb,
            case_type=CaseType.EKONOMISKT_BISTAND,
            responsible=self.anna,
        )

    def marks(self, *statuses: tuple[str, str]) -> list[services.Mark]:
        return [
            services.Mark(enrolment_id=e.pk, status=status, reason=reason)
            for e, (status, reason) in zip(self.enrolments, statuses, strict=True)
        ]

    def test_a_whole_group_is_registered_in_one_go_with_planned_hours_by_default(self) -> None:
        saved = services.register_day(
            actor=self.bertil,
            activity=self.activity,
            day=self.day,
            marks=self.marks(("narvarande", ""), ("giltig", "sjuk"), ("ogiltig", "")),
        )
        self.assertEqual([r.attended_hours for r in saved], [Decimal("6"), Decimal("0"), Decimal("0")])
        self.assertEqual(Attendance.objects.count(), 3)
        self.assertEqual(
            AuditEvent.objects.filter(action="attendance.registered", category="narvaro").count(), 3
        )

    def test_an_unexcused_absence_opens_exactly_one_task_for_the_responsible_handlaggare(self) -> None:
        marks = self.marks(("ogiltig", ""), ("narvarande", ""), ("narvarande", ""))
        services.register_day(actor=self.bertil, activity=self.activity, day=self.day, marks=marks)
        services.register_day(actor=self.bertil, activity=self.activity, day=self.day, marks=marks)
        task = AbsenceTask.objects.select_related("case").get()
        assert task.case is not None
        self.assertEqual(
            (task.assigned_to, task.case.case_type, task.status), (self.anna, "ekonomiskt_bistand", "oppen")
        )
        self.assertEqual(list(services.open_tasks_for(self.anna)), [task])
        # Corrected to excused: the task is set aside; corrected back: the same task reopens.
        services.register_day(
            actor=self.bertil,
            activity=self.activity,
            day=self.day,
            marks=[services.Mark(self.enrolments[0].pk, "giltig", reason="lakarbesok")],
        )
        task.refresh_from_db()
        self.assertEqual(task.status, TaskStatus.INAKTUELL)
        self.assertEqual(list(services.open_tasks_for(self.anna)), [])
        services.register_day(
            actor=self.bertil,
            activity=self.activity,
            day=self.day,
            marks=[services.Mark(self.enrolments[0].pk, "ogiltig")],
        )
        self.assertEqual(AbsenceTask.objects.get().status, TaskStatus.OPPEN)
        self.assertEqual(AbsenceTask.objects.count(), 1)

    def test_without_economic_assistance_the_task_goes_to_the_placing_case_s_caseworker(self) -> None:
        services.register_day(
            actor=self.bertil,
            activity=self.activity,
            day=self.day,
            marks=[services.Mark(self.enrolments[1].pk, "ogiltig")],
        )
        self.assertEqual(AbsenceTask.objects.get().assigned_to, self.bertil)

    def test_a_correction_keeps_the_earlier_value_in_the_history(self) -> None:
        services.register_day(
            actor=self.bertil,
            activity=self.activity,
            day=self.day,
            marks=[services.Mark(self.enrolments[1].pk, "ogiltig")],
        )
        services.register_day(
            actor=self.bertil,
            activity=self.activity,
            day=self.day,
            marks=[
                services.Mark(
                    self.enrolments[1].pk, "narvarande", hours=Decimal("4.5"), comment="Kom efter lunch"
                )
            ],
        )
        row = Attendance.objects.get()
        self.assertEqual((row.status, row.attended_hours), ("narvarande", Decimal("4.5")))
        correction = AttendanceCorrection.objects.get()
        self.assertEqual((correction.previous_status, correction.comment), ("ogiltig", "Kom efter lunch"))
        self.assertEqual(services.history([row])[row.pk], [correction])
        self.assertTrue(AuditEvent.objects.filter(action="attendance.corrected").exists())

    def test_bad_rows_stop_the_whole_day_and_each_says_why(self) -> None:
        with self.assertRaises(services.GroupErrors) as raised:
            services.register_day(
                actor=self.bertil,
                activity=self.activity,
                day=self.day,
                marks=self.marks(("giltig", ""), ("ogiltig", "sjuk"), ("vet_ej", "")),
            )
        self.assertEqual([(e.field) for e in raised.exception.errors], ["reason", "reason", "status"])
        self.assertFalse(Attendance.objects.exists())

    def test_absence_has_no_attended_hours(self) -> None:
        with self.assertRaises(services.GroupErrors):
            services.register_day(
                actor=self.bertil,
                activity=self.activity,
                day=self.day,
                marks=[services.Mark(self.enrolments[0].pk, "ogiltig", hours=Decimal("2"))],
            )

    def test_days_outside_the_placement_and_future_days_are_refused(self) -> None:
        with self.assertRaises(services.GroupErrors):
            services.register_day(
                actor=self.bertil,
                activity=self.activity,
                day=self.day - timedelta(days=60),
                marks=[services.Mark(self.enrolments[0].pk, "narvarande")],
            )
        with self.assertRaisesMessage(services.AttendanceError, "inte har varit"):
            services.register_day(
                actor=self.bertil,
                activity=self.activity,
                day=timezone.localdate() + timedelta(days=1),
                marks=[services.Mark(self.enrolments[0].pk, "narvarande")],
            )

    def test_staff_without_access_to_a_person_cannot_register_them(self) -> None:
        with self.assertRaises(services.GroupErrors) as raised:
            services.register_day(
                actor=self.gustav,
                activity=self.activity,
                day=self.day,
                marks=[services.Mark(self.enrolments[0].pk, "narvarande")],
            )
        self.assertIn("finns inte i gruppen", raised.exception.errors[0].message)

    def test_handling_a_task_needs_a_note_and_happens_once(self) -> None:
        services.register_day(
            actor=self.bertil,
            activity=self.activity,
            day=self.day,
            marks=[services.Mark(self.enrolments[0].pk, "ogiltig")],
        )
        task = AbsenceTask.objects.get()
        with self.assertRaisesMessage(services.AttendanceError, "Skriv vad"):
            services.handle_task(actor=self.anna, task=task, note=" ")
        services.handle_task(
            actor=self.anna, task=task, note="Pratat med personen, var sjuk men glömde ringa."
        )
        with self.assertRaisesMessage(services.AttendanceError, "redan hanterad"):
            services.handle_task(actor=self.anna, task=task, note="igen")

    def test_hours_are_read_as_typed(self) -> None:
        self.assertEqual(services.parse_hours("6,5"), Decimal("6.5"))
        self.assertIsNone(services.parse_hours(" "))
        for bad in ("-1", "25", "abc", "1.234", "NaN"):
            with self.assertRaises(ValueError):
                services.parse_hours(bad)
