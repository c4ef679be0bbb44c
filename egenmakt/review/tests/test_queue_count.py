"""The size of each unit's case-review queue, kept for the manager's start page: counted per rule by the
nightly run and whenever the queue is opened, without people with protected identity."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from egenmakt.audit.models import AuditEvent
from egenmakt.plans import services as plans
from egenmakt.plans.models import FollowUp
from egenmakt.review import services
from egenmakt.review.models import QueueCount, RuleKind
from egenmakt.review.tests.factories import months_on_assistance, switch_on, young_person
from egenmakt.test import BaseTestCase


class QueueCountTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.today = timezone.localdate()
        switch_on(self.cecilia, self.eb, RuleKind.LANGVARIGT, RuleKind.UNGA_UTAN_INSATS)
        months_on_assistance(self.lina, self.eb, self.today.year - 1, 10)
        self.young = young_person(self.anna, self.eb, opened_on=self.today - timedelta(days=30))

    def review_lina(self) -> None:
        services.record_review(
            actor=self.cecilia,
            unit=self.eb,
            participant=self.lina,
            held_on=self.today,
            staff=[self.cecilia],
            conclusions="Lina vill studera.",
            next_step="Studievägledning.",
        )

    def test_the_nightly_count_keeps_each_unit_s_queue_per_rule(self) -> None:
        counts = services.count_queues(actor=None, on=self.today)
        self.assertEqual([c.unit for c in counts], [self.eb])  # no rule is on in the other units
        count = QueueCount.objects.get(unit=self.eb)
        self.assertEqual(count.total, 2)
        self.assertEqual(count.by_kind, {RuleKind.LANGVARIGT: 1, RuleKind.UNGA_UTAN_INSATS: 1})
        # Lina's tenth month of last year is the oldest reason.
        self.assertEqual(count.oldest_since, date(self.today.year - 1, 10, 1))
        self.assertEqual(count.counted_on, self.today)
        event = AuditEvent.objects.get(action="review.queue_counted")
        self.assertEqual(event.detail["total"], 2)
        # The count is what the manager sees when opening the queue.
        self.assertEqual(services.review_queue(actor=self.cecilia, unit=self.eb).total, 2)

    def test_people_with_protected_identity_are_not_counted(self) -> None:
        young_person(
            self.anna,
            self.eb,
            born="20040404",
            opened_on=self.today - timedelta(days=30),
            protected_identity=True,
        )
        services.count_queues(actor=None, on=self.today)
        count = QueueCount.objects.get(unit=self.eb)
        self.assertEqual(count.total, 2)
        self.assertEqual(count.by_kind[RuleKind.UNGA_UTAN_INSATS], 1)

    def test_opening_the_queue_counts_again_after_a_review(self) -> None:
        services.count_queues(actor=None, on=self.today)
        self.review_lina()
        self.assertEqual(QueueCount.objects.get(unit=self.eb).total, 2)  # kept until counted again
        services.review_queue(actor=self.cecilia, unit=self.eb)
        count = QueueCount.objects.get(unit=self.eb)
        self.assertEqual(count.total, 1)
        self.assertEqual(count.by_kind, {RuleKind.UNGA_UTAN_INSATS: 1})

    def test_a_reason_a_review_settled_is_not_counted_when_a_new_one_brings_the_person_back(self) -> None:
        self.review_lina()
        switch_on(self.cecilia, self.eb, RuleKind.UPPFOLJNING_FORSENAD)
        plan = plans.create_plan(actor=self.anna, case=self.lina_case, own_goal="Ett jobb")
        FollowUp.objects.filter(plan=plan).update(planned_on=self.today)
        later = self.today + timedelta(days=2)
        services.count_queues(actor=None, on=later)
        count = QueueCount.objects.get(unit=self.eb)
        self.assertEqual(count.total, 2)
        self.assertEqual(count.by_kind, {RuleKind.UNGA_UTAN_INSATS: 1, RuleKind.UPPFOLJNING_FORSENAD: 1})
        # The settled long-term reason no longer dates the queue: the young person's reason does.
        self.assertNotEqual(count.oldest_since, date(self.today.year - 1, 10, 1))
        self.assertIsNotNone(count.oldest_since)

    def test_a_unit_whose_rules_are_all_switched_off_loses_its_count(self) -> None:
        services.count_queues(actor=None, on=self.today)
        for kind in (RuleKind.LANGVARIGT, RuleKind.UNGA_UTAN_INSATS):
            services.set_rule(actor=self.cecilia, unit=self.eb, kind=kind, active=False)
        self.assertEqual(services.count_queues(actor=None, on=self.today), [])
        self.assertFalse(QueueCount.objects.exists())

    def test_the_command_counts_and_says_how_many(self) -> None:
        out = StringIO()
        call_command("count_review_queues", "--date", self.today.isoformat(), stdout=out)
        self.assertIn(f"{self.eb}: 2 personer i kön ({self.today:%Y-%m-%d}).", out.getvalue())
