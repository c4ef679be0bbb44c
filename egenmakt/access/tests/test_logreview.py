from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from egenmakt.access import logreview
from egenmakt.accounts.models import Membership, Role
from egenmakt.cases.models import Case, CaseType
from egenmakt.people import services as people
from egenmakt.test import BaseTestCase, details, make_user, valid_pnr


class LogReviewTestCase(BaseTestCase):
    def setUp(self) -> None:
        # Erik is Anna's colleague at the same unit; Mona is Erik's participant, not Anna's.
        self.erik = make_user("erik", "Erik", "Ek", self.eb, Role.HANDLAGGARE)
        self.mona = people.create_participant(
            actor=self.erik, details=details(valid_pnr("19700505", "002"), "Mona", "Malm")
        )
        Case.objects.create(
            participant=self.mona, unit=self.eb, case_type=CaseType.EKONOMISKT_BISTAND, responsible=self.erik
        )

    def test_it_flags_a_look_without_a_case_relation(self) -> None:
        self.client.force_login(self.anna)
        self.client.get(reverse("participant", args=[self.lina.pk]))  # her own participant
        self.client.get(reverse("participant", args=[self.mona.pk]))  # a colleague's: allowed, but flagged
        result = logreview.review(actor=self.cecilia)
        flags = {
            (row.event.participant_id, row.flagged)
            for row in result.rows
            if row.event.actor_id == self.anna.pk
        }
        self.assertEqual(flags, {(self.lina.pk, False), (self.mona.pk, True)})
        self.assertEqual(result.flagged_total, 1)

    def test_the_page_lists_who_looked_at_whom_for_the_manager(self) -> None:
        self.client.force_login(self.anna)
        self.client.get(reverse("participant", args=[self.mona.pk]))
        self.client.force_login(self.cecilia)
        response = self.client.get(reverse("access_log"), {"only_flagged": "on"})
        self.assertContains(response, "Anna Andersson")
        self.assertContains(response, "Mona Malm")
        self.assertContains(response, "Ingen ärenderelation")

    def test_it_shows_only_staff_of_the_managers_units(self) -> None:
        self.client.force_login(self.gustav)
        self.client.get(reverse("participant", args=[self.omar.pk]))
        result = logreview.review(actor=self.cecilia)
        self.assertNotIn(self.gustav.pk, {row.event.actor_id for row in result.rows})

    def test_it_filters_by_period_and_staff(self) -> None:
        self.client.force_login(self.anna)
        self.client.get(reverse("participant", args=[self.mona.pk]))
        yesterday = timezone.localdate() - timedelta(days=1)
        self.assertEqual(
            logreview.review(
                actor=self.cecilia, date_from=yesterday - timedelta(days=5), date_to=yesterday
            ).rows,
            [],
        )
        self.assertEqual(logreview.review(actor=self.cecilia, staff_id=self.erik.pk).rows, [])
        self.assertEqual(len(logreview.review(actor=self.cecilia, staff_id=self.anna.pk).rows), 1)

    def test_only_managers_may_review(self) -> None:
        self.client.force_login(self.anna)
        self.assertEqual(self.client.get(reverse("access_log")).status_code, 403)
        with self.assertRaises(PermissionError):
            logreview.review(actor=self.anna)
        Membership.objects.create(user=self.anna, unit=self.ame, role=Role.ENHETSCHEF)
        anna = type(self.anna).objects.get(pk=self.anna.pk)
        self.assertTrue(logreview.review(actor=anna).staff)

    def test_the_review_itself_is_logged(self) -> None:
        logreview.review(actor=self.cecilia)
        from egenmakt.audit.models import AuditEvent

        self.assertTrue(AuditEvent.objects.filter(actor=self.cecilia, action="audit.reviewed").exists())
