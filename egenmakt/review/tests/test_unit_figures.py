"""The manager's unit figures: counted from known data, kept, and counted again when stale or when the
decision target changed."""

from __future__ import annotations

import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from egenmakt.audit.models import AuditEvent
from egenmakt.benefits.models import Application, ApplicationStatus
from egenmakt.review import unit_figures
from egenmakt.review.models import UnitFigures
from egenmakt.test import PASSWORD, BaseTestCase


class UnitFiguresTests(BaseTestCase):
    def waiting_application(self, *, days: int) -> Application:
        today = timezone.localdate()
        assert self.lina_case.household_id is not None
        return Application.objects.create(
            case=self.lina_case,
            household_id=self.lina_case.household_id,
            applicant=self.lina,
            month=today.replace(day=1),
            received_on=today - timedelta(days=days),
            input={},
            status=ApplicationStatus.INKOMMEN,
        )

    def figures(self, target_days: int = 10) -> unit_figures.Figures:
        return unit_figures.figures(
            actor=self.cecilia, unit=self.eb, on=timezone.localdate(), target_days=target_days
        )

    def test_counted_from_the_unit_s_cases_then_kept_until_stale(self) -> None:
        self.waiting_application(days=12)
        first = self.figures()
        self.assertEqual(first.totals.open_cases, 1)
        self.assertEqual(first.totals.waiting_applications, 1)
        self.assertEqual(first.waiting_past_target, 1)
        self.assertEqual(
            [(row.name, row.open_cases, row.waiting_applications) for row in first.caseload],
            [("Anna Andersson", 1, 1)],
        )
        kept = UnitFigures.objects.get(unit=self.eb)
        self.assertEqual(kept.target_days, 10)
        self.assertTrue(
            AuditEvent.objects.filter(action="review.unit_figures_counted", target_id=str(kept.pk)).exists()
        )

        # A second application while the figures are fresh: the page shows them as kept, equal to the
        # first count, JSON round trip included.
        self.waiting_application(days=1)
        self.assertEqual(self.figures(), first)

        # Older than FRESH_FOR: counted again.
        kept.counted_at = timezone.now() - unit_figures.FRESH_FOR - timedelta(seconds=1)
        kept.save(update_fields=["counted_at"])
        again = self.figures()
        self.assertEqual((again.totals.waiting_applications, again.waiting_past_target), (2, 1))
        self.assertGreater(again.counted_at, kept.counted_at)

    def test_another_decision_target_or_day_counts_again(self) -> None:
        self.waiting_application(days=6)
        self.assertEqual(self.figures(target_days=10).waiting_past_target, 0)
        self.assertEqual(self.figures(target_days=5).waiting_past_target, 1)
        self.assertEqual(UnitFigures.objects.get(unit=self.eb).target_days, 5)
        UnitFigures.objects.filter(unit=self.eb).update(counted_on=timezone.localdate() - timedelta(days=1))
        self.figures(target_days=5)
        self.assertEqual(UnitFigures.objects.get(unit=self.eb).counted_on, timezone.localdate())

    def test_each_unit_keeps_its_own_and_no_one_the_unit_works_with_is_named(self) -> None:
        self.waiting_application(days=2)
        self.figures()
        other = unit_figures.figures(
            actor=self.gustav, unit=self.grann_eb, on=timezone.localdate(), target_days=10
        )
        self.assertEqual(other.totals.waiting_applications, 0)
        self.assertEqual(UnitFigures.objects.get(unit=self.eb).figures["totals"]["waiting_applications"], 1)
        stored = json.dumps(UnitFigures.objects.get(unit=self.eb).figures, ensure_ascii=False)
        self.assertIn("Anna Andersson", stored)  # the caseworker
        for person in (self.lina.first_name, self.lina.last_name, self.lina.identity_value):
            self.assertNotIn(person, stored)

    def test_figures_kept_in_another_shape_are_counted_again(self) -> None:
        # As after an upgrade that changed what is kept: the page counts again rather than fail.
        self.figures()
        UnitFigures.objects.filter(unit=self.eb).update(figures={"caseload": [{"namn": "?"}]})
        self.assertEqual(self.figures().totals.open_cases, 1)

    def test_the_start_page_says_when_they_were_counted(self) -> None:
        self.client.login(username="cecilia", password=PASSWORD)
        page = self.client.get(reverse("start")).content.decode()
        counted = UnitFigures.objects.get(unit=self.eb).counted_at
        self.assertIn(f"Räknat kl. {timezone.localtime(counted):%H:%M}.", page)
        self.assertIn("äldre än 10 minuter", page)
