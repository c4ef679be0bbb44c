"""The catalogue, placements, the group attendance screen and absence tasks, through the test client."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from egenmakt.activities import services as activities
from egenmakt.activities.models import Activity, AnonymousPlace, Enrolment, FidelityReview
from egenmakt.activities.tests.factories import make_activity, open_case, people_with_cases
from egenmakt.attendance.models import AbsenceTask, Attendance, AttendanceCorrection
from egenmakt.audit.models import AuditEvent
from egenmakt.cases.models import CaseType
from egenmakt.test import BaseTestCase


class ActivityPagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.activity = make_activity(unit=self.ame, capacity=1, finsam_funded=True, cost_per_place=10_000)
        self.yesterday = timezone.localdate() - timedelta(days=1)
        self.people = people_with_cases(actor=self.bertil, unit=self.ame, count=2)
        self.client.force_login(self.bertil)

    def test_the_catalogue_shows_free_places_and_filters(self) -> None:
        make_activity(unit=self.ame, code="SFI-1", name="SFI för föräldralediga", method="sfi")
        page = self.client.get(reverse("activity_catalogue"))
        self.assertContains(page, "Praktik i kommunens verksamheter")
        self.assertContains(page, "SFI för föräldralediga")
        page = self.client.get(reverse("activity_catalogue"), {"method": "sfi"})
        self.assertNotContains(page, "Praktik i kommunens verksamheter")

    def test_the_activity_page_shows_the_finsam_split_marked_unverified(self) -> None:
        page = self.client.get(reverse("activity", args=[self.activity.pk]))
        self.assertContains(page, "5000 kr")
        self.assertContains(page, "2500 kr")
        self.assertContains(page, "inte kontrollerade")

    def test_placing_through_the_form_queues_when_full_and_names_the_position(self) -> None:
        for person, case in self.people:
            response = self.client.post(
                reverse("enrolment_new", args=[person.pk]),
                {"activity": self.activity.pk, "case": case.pk, "start": timezone.localdate().isoformat()},
                follow=True,
            )
            self.assertEqual(response.status_code, 200)
        self.assertContains(response, "står nu i kö, på plats 1")
        waiting = Enrolment.objects.get(status="vantar")
        page = self.client.get(reverse("activity", args=[self.activity.pk]))
        self.assertContains(page, waiting.participant.full_name)
        response = self.client.post(
            reverse("enrolment_place", args=[waiting.pk]), {"start": timezone.localdate().isoformat()}
        )
        self.assertContains(response, "Insatsen är full", status_code=422)
        response = self.client.post(
            reverse("enrolment_place", args=[waiting.pk]),
            {"start": timezone.localdate().isoformat(), "override_reason": "Arbetsgivaren vill anställa"},
        )
        self.assertRedirects(response, reverse("activity", args=[self.activity.pk]))

    def test_other_units_get_404_for_the_placement_pages_and_the_attendance_screen(self) -> None:
        person, case = self.people[0]
        enrolment = activities.enrol(
            actor=self.bertil, participant=person, activity=self.activity, case=case, start=self.yesterday
        )
        self.client.force_login(self.gustav)
        for url in [
            reverse("enrolment_new", args=[person.pk]),
            reverse("enrolment_end", args=[enrolment.pk]),
            reverse("attendance_day", args=[self.activity.pk]),
            reverse("anonymous_place_new", args=[self.activity.pk]),
            reverse("fidelity_review_new", args=[self.activity.pk]),
        ]:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        page = self.client.get(reverse("activity", args=[self.activity.pk]))
        self.assertNotContains(page, person.full_name)

    def test_the_group_screen_saves_a_day_and_a_correction_keeps_history(self) -> None:
        rows = []
        for person, case in self.people:
            rows.append(
                activities.enrol(
                    actor=self.bertil,
                    participant=person,
                    activity=self.activity,
                    case=case,
                    start=self.yesterday - timedelta(days=5),
                    override_reason="Två platser den här veckan",
                )
            )
        url = reverse("attendance_day", args=[self.activity.pk]) + f"?day={self.yesterday.isoformat()}"
        page = self.client.get(url)
        for person, _case in self.people:
            self.assertContains(page, person.full_name)
        data = {
            f"status-{rows[0].pk}": "narvarande",
            f"hours-{rows[0].pk}": "5,5",
            f"status-{rows[1].pk}": "ogiltig",
        }
        self.assertRedirects(self.client.post(url, data), url)
        self.assertEqual(Attendance.objects.count(), 2)
        self.assertEqual(AbsenceTask.objects.count(), 1)
        data[f"status-{rows[1].pk}"] = "giltig"
        data[f"reason-{rows[1].pk}"] = "sjuk"
        data[f"comment-{rows[1].pk}"] = "Sjukintyg inlämnat"
        self.assertRedirects(self.client.post(url, data), url)
        correction = AttendanceCorrection.objects.get()
        self.assertEqual((correction.previous_status, correction.comment), ("ogiltig", "Sjukintyg inlämnat"))
        self.assertContains(self.client.get(url), "rättad 1 gång")

    def test_row_errors_are_shown_per_person_and_nothing_is_saved(self) -> None:
        person, case = self.people[0]
        enrolment = activities.enrol(
            actor=self.bertil, participant=person, activity=self.activity, case=case, start=self.yesterday
        )
        url = reverse("attendance_day", args=[self.activity.pk]) + f"?day={self.yesterday.isoformat()}"
        response = self.client.post(url, {f"status-{enrolment.pk}": "giltig", f"hours-{enrolment.pk}": "x"})
        self.assertContains(response, "Skriv timmar som ett tal", status_code=422)
        response = self.client.post(url, {f"status-{enrolment.pk}": "giltig"})
        self.assertContains(response, "Välj skäl för den giltiga frånvaron", status_code=422)
        self.assertFalse(Attendance.objects.exists())

    def test_the_handlaggare_handles_the_task_from_the_start_page(self) -> None:
        person, case = self.people[0]
        open_case(person, self.eb, self.anna, CaseType.EKONOMISKT_BISTAND)
        enrolment = activities.enrol(
            actor=self.bertil, participant=person, activity=self.activity, case=case, start=self.yesterday
        )
        url = reverse("attendance_day", args=[self.activity.pk]) + f"?day={self.yesterday.isoformat()}"
        self.client.post(url, {f"status-{enrolment.pk}": "ogiltig"})
        task = AbsenceTask.objects.get()
        self.client.force_login(self.anna)
        start = self.client.get(reverse("start"))
        self.assertContains(start, reverse("absence_task", args=[task.pk]))
        page = self.client.get(reverse("absence_task", args=[task.pk]))
        self.assertContains(page, "inte till något avdrag")
        response = self.client.post(reverse("absence_task", args=[task.pk]), {"note": "Ringt, var sjuk."})
        self.assertRedirects(response, reverse("start"))
        self.assertNotContains(self.client.get(reverse("start")), reverse("absence_task", args=[task.pk]))
        self.client.force_login(self.gustav)
        self.assertEqual(self.client.get(reverse("absence_task", args=[task.pk])).status_code, 404)

    def test_an_anonymous_place_and_an_ips_review_through_their_forms(self) -> None:
        response = self.client.post(
            reverse("anonymous_place_new", args=[self.activity.pk]),
            {
                "start": timezone.localdate().isoformat(),
                "age_band": "20-24",
                "livelihood_before": "ekonomiskt_bistand",
            },
        )
        self.assertRedirects(response, reverse("activity", args=[self.activity.pk]))
        place = AnonymousPlace.objects.get()
        response = self.client.post(
            reverse("anonymous_place_end", args=[place.pk]),
            {
                "actual_end": timezone.localdate().isoformat(),
                "end_reason": "arbete",
                "livelihood_after": "lon",
            },
        )
        self.assertRedirects(response, reverse("activity", args=[self.activity.pk]))
        ips = make_activity(unit=self.ame, code="IPS-1", method="ips")
        data = {"reviewed_on": timezone.localdate().isoformat(), "reviewers": "Granskare"}
        data |= {f"item_{n}": "4" for n in range(1, 26)}
        del data["item_7"]
        response = self.client.post(reverse("fidelity_review_new", args=[ips.pk]), data)
        self.assertEqual(response.status_code, 422)
        data["item_7"] = "5"
        self.assertRedirects(
            self.client.post(reverse("fidelity_review_new", args=[ips.pk]), data),
            reverse("activity", args=[ips.pk]),
        )
        self.assertEqual(FidelityReview.objects.get().total, 101)
        self.assertContains(self.client.get(reverse("activity", args=[ips.pk])), "101 av 125")

    def test_viewing_the_group_logs_a_read_per_person(self) -> None:
        person, case = self.people[0]
        activities.enrol(
            actor=self.bertil, participant=person, activity=self.activity, case=case, start=self.yesterday
        )
        self.client.get(reverse("attendance_day", args=[self.activity.pk]))
        self.assertTrue(
            AuditEvent.objects.filter(
                action="participant.listed_in_attendance", participant_id=person.pk
            ).exists()
        )


class CatalogueAdminTestCase(BaseTestCase):
    def test_the_system_administrator_adds_an_activity_choosing_lists_not_typing_json(self) -> None:
        self.client.force_login(self.sam)
        form = self.client.get(reverse("admin:activities_activity_add"))
        self.assertContains(form, 'type="checkbox" name="weekdays"')
        response = self.client.post(
            reverse("admin:activities_activity_add"),
            {
                "code": "SFI-KV",
                "name": "SFI för kvinnor med barn",
                "provider": self.kommun.pk,
                "unit": self.ame.pk,
                "method": "sfi",
                "target_groups": ["utrikes_fodda_kvinnor", "nyanlanda"],
                "capacity": "12",
                "weekdays": ["0", "2"],
                "hours_per_day": "3",
                "languages": ["sv", "so"],
                "cost_per_place": "2500",
                "active": "on",
            },
        )
        self.assertRedirects(response, reverse("admin:activities_activity_changelist"))
        activity = Activity.objects.get(code="SFI-KV")
        self.assertEqual(
            (activity.target_groups, activity.weekdays, activity.languages),
            (["utrikes_fodda_kvinnor", "nyanlanda"], [0, 2], ["sv", "so"]),
        )
        self.client.force_login(self.bertil)
        self.assertEqual(self.client.get(reverse("admin:activities_activity_add")).status_code, 302)
