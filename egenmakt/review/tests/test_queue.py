"""The case-review queue: each rule picks whom it should and not others, a review enters the journal of
the person's case and takes them off the queue until a rule picks them again, and managers of other
units see nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from egenmakt.accounts.models import Role
from egenmakt.activities import services as activities
from egenmakt.activities.tests.factories import make_activity
from egenmakt.audit.models import AuditEvent
from egenmakt.benefits import services as benefits
from egenmakt.benefits.tests import factories as benefit_factories
from egenmakt.plans import services as plans
from egenmakt.plans.models import FollowUp
from egenmakt.review import services
from egenmakt.review.models import Review, ReviewRule, RuleKind
from egenmakt.review.tests.factories import months_on_assistance, switch_on, young_person
from egenmakt.test import BaseTestCase, make_user


class QueueTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.today = timezone.localdate()

    def queue(self, user: object = None) -> dict[int, list[str]]:
        entries = services.review_queue(actor=user or self.cecilia, unit=self.eb).entries
        return {e.participant.pk: [r.kind for r in e.reasons] for e in entries}

    def test_it_lists_nobody_while_every_rule_is_off(self) -> None:
        months_on_assistance(self.lina, self.eb, self.today.year - 1, 12)
        self.assertEqual(self.queue(), {})

    def test_the_long_term_rule_picks_ten_months_in_a_calendar_year_from_the_dated_threshold(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.LANGVARIGT)
        months_on_assistance(self.lina, self.eb, self.today.year - 1, 10)
        entries = services.review_queue(actor=self.cecilia, unit=self.eb).entries
        self.assertEqual([e.participant for e in entries], [self.lina])
        self.assertIn(
            f"10 månader med försörjningsstöd {self.today.year - 1} (långvarigt från 10 månader per kalenderår).",
            entries[0].reasons[0].facts,
        )

    def test_the_long_term_rule_does_not_pick_nine_months(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.LANGVARIGT)
        months_on_assistance(self.lina, self.eb, self.today.year - 1, 9)
        self.assertEqual(self.queue(), {})

    def test_the_young_rule_picks_someone_aged_16_to_29_without_an_ongoing_activity(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.UNGA_UTAN_INSATS)
        young = young_person(self.anna, self.eb, opened_on=self.today - timedelta(days=30))
        self.assertEqual(self.queue(), {young.participant_id: [RuleKind.UNGA_UTAN_INSATS]})

    def test_the_young_rule_does_not_pick_someone_placed_in_an_activity_nor_someone_older(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.UNGA_UTAN_INSATS)
        young = young_person(self.anna, self.eb, opened_on=self.today - timedelta(days=30))
        activities.enrol(
            actor=self.anna,
            participant=young.participant,
            activity=make_activity(unit=self.ame),
            case=young,
            start=self.today - timedelta(days=3),
        )
        # Lina (born 1990) is past the age span of target group "uvas".
        self.assertEqual(self.queue(), {})

    def test_the_young_rule_follows_an_age_span_the_manager_sets(self) -> None:
        young_person(self.anna, self.eb, opened_on=self.today - timedelta(days=30))
        services.set_rule(
            actor=self.cecilia,
            unit=self.eb,
            kind=RuleKind.UNGA_UTAN_INSATS,
            active=True,
            min_age=30,
            max_age=40,
        )
        self.assertEqual(list(self.queue()), [self.lina.pk])

    def test_the_follow_up_rule_picks_a_plan_past_its_follow_up_by_the_plans_rule(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.UPPFOLJNING_FORSENAD)
        plan = plans.create_plan(actor=self.anna, case=self.lina_case, own_goal="Ett jobb")
        self.assertEqual(self.queue(), {})  # the first follow-up is weeks ahead
        FollowUp.objects.filter(plan=plan).update(planned_on=self.today - timedelta(days=3))
        self.assertEqual(self.queue(), {self.lina.pk: [RuleKind.UPPFOLJNING_FORSENAD]})

    def test_the_follow_up_rule_waits_the_days_the_manager_allows(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.UPPFOLJNING_FORSENAD, parameter=7)
        plan = plans.create_plan(actor=self.anna, case=self.lina_case, own_goal="Ett jobb")
        FollowUp.objects.filter(plan=plan).update(planned_on=self.today - timedelta(days=3))
        self.assertEqual(self.queue(), {})

    def test_the_decision_rule_picks_an_application_waiting_past_the_target_and_not_one_within_it(
        self,
    ) -> None:
        benefit_factories.since_long_ago(self.personas)
        switch_on(self.cecilia, self.eb, RuleKind.BESLUT_VANTAR, parameter=14)
        month = self.today.replace(day=1)
        application = benefits.register_application(
            actor=self.anna, case=self.lina_case, month=month, received_on=self.today - timedelta(days=10)
        )
        self.assertEqual(self.queue(), {})
        application.received_on = self.today - timedelta(days=20)
        application.save(update_fields=["received_on"])
        entries = services.review_queue(actor=self.cecilia, unit=self.eb).entries
        self.assertEqual([e.participant for e in entries], [self.lina])
        self.assertIn("har väntat 20 dagar på beslut (målet är 14 dagar)", entries[0].reasons[0].facts[0])

    def test_a_review_writes_the_journal_entry_and_takes_the_person_off_the_queue_until_picked_again(
        self,
    ) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.LANGVARIGT)
        months_on_assistance(self.lina, self.eb, self.today.year - 1, 10)
        review = services.record_review(
            actor=self.cecilia,
            unit=self.eb,
            participant=self.lina,
            held_on=self.today,
            staff=[self.cecilia, self.anna],
            conclusions="Lina vill börja studera.",
            next_step="Anna bokar möte med studievägledare.",
        )
        self.assertEqual(review.case, self.lina_case)
        self.assertEqual(review.reasons[0]["kind"], RuleKind.LANGVARIGT)
        self.assertEqual(set(review.staff.all()), {self.cecilia, self.anna})
        self.assertTrue(AuditEvent.objects.filter(action="review.held", participant_id=self.lina.pk).exists())
        self.assertEqual(self.queue(), {})
        # A rule that picks her after the review date brings her back.
        switch_on(self.cecilia, self.eb, RuleKind.UPPFOLJNING_FORSENAD)
        plan = plans.create_plan(actor=self.anna, case=self.lina_case, own_goal="Ett jobb")
        FollowUp.objects.filter(plan=plan).update(planned_on=self.today)
        self.assertEqual(self.queue(), {})  # due today is not overdue yet
        tomorrow = self.today + timedelta(days=2)
        entries = services.review_queue(actor=self.cecilia, unit=self.eb, on=tomorrow).entries
        self.assertEqual(
            [r.kind for r in entries[0].reasons], [RuleKind.LANGVARIGT, RuleKind.UPPFOLJNING_FORSENAD]
        )

    def test_a_review_needs_conclusions_next_step_and_staff_of_the_unit(self) -> None:
        base = {
            "actor": self.cecilia,
            "unit": self.eb,
            "participant": self.lina,
            "held_on": self.today,
            "staff": [self.cecilia],
            "conclusions": "Slutsats",
            "next_step": "Nästa steg",
        }
        for change, field in (
            ({"conclusions": " "}, "conclusions"),
            ({"next_step": ""}, "next_step"),
            ({"staff": []}, "staff"),
            ({"staff": [self.gustav]}, "staff"),
            ({"held_on": self.today + timedelta(days=1)}, "held_on"),
        ):
            with self.assertRaises(services.ReviewError) as raised:
                services.record_review(**(base | change))  # type: ignore[arg-type]
            self.assertEqual(raised.exception.field, field)
        self.assertFalse(Review.objects.exists())

    def test_a_manager_of_another_unit_sees_nothing_and_cannot_review(self) -> None:
        greta = make_user("greta", "Greta", "Grönlund", self.grann_eb, Role.ENHETSCHEF)
        switch_on(self.cecilia, self.eb, RuleKind.LANGVARIGT)
        months_on_assistance(self.lina, self.eb, self.today.year - 1, 12)
        with self.assertRaises(services.ReviewError):
            services.review_queue(actor=greta, unit=self.eb)
        with self.assertRaises(services.ReviewError):
            services.record_review(
                actor=greta,
                unit=self.eb,
                participant=self.lina,
                held_on=self.today,
                staff=[greta],
                conclusions="x",
                next_step="y",
            )
        # Her own unit's queue does not list Lina either, and a caseworker cannot set rules.
        switch_on(greta, self.grann_eb, RuleKind.LANGVARIGT)
        self.assertEqual(services.review_queue(actor=greta, unit=self.grann_eb).entries, [])
        with self.assertRaises(services.ReviewError):
            switch_on(self.anna, self.eb, RuleKind.BESLUT_VANTAR)

    def test_each_listed_person_is_logged_and_each_rule_change_audited(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.LANGVARIGT)
        services.set_rule(
            actor=self.cecilia, unit=self.eb, kind=RuleKind.LANGVARIGT, active=True
        )  # unchanged
        services.set_rule(actor=self.cecilia, unit=self.eb, kind=RuleKind.LANGVARIGT, active=False)
        self.assertEqual(AuditEvent.objects.filter(action="review.rule_changed").count(), 2)
        self.assertFalse(ReviewRule.objects.get().active)
        switch_on(self.cecilia, self.eb, RuleKind.LANGVARIGT)
        months_on_assistance(self.lina, self.eb, self.today.year - 1, 10)
        services.review_queue(actor=self.cecilia, unit=self.eb)
        self.assertEqual(
            AuditEvent.objects.filter(
                action="participant.listed_in_review_queue", participant_id=self.lina.pk
            ).count(),
            1,
        )

    def test_rule_parameters_are_checked(self) -> None:
        with self.assertRaises(services.ReviewError) as raised:
            services.set_rule(
                actor=self.cecilia,
                unit=self.eb,
                kind=RuleKind.UNGA_UTAN_INSATS,
                active=True,
                min_age=30,
                max_age=20,
            )
        self.assertEqual(raised.exception.field, "max_age")
        with self.assertRaises(services.ReviewError):
            services.set_rule(
                actor=self.cecilia, unit=self.eb, kind=RuleKind.BESLUT_VANTAR, active=True, parameter=999
            )

    def test_the_page_shows_those_who_waited_longest_and_logs_only_them(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.UNGA_UTAN_INSATS, RuleKind.LANGVARIGT)
        young = young_person(self.anna, self.eb, opened_on=self.today - timedelta(days=5))
        months_on_assistance(self.lina, self.eb, self.today.year - 1, 10)
        page = services.review_queue(actor=self.cecilia, unit=self.eb, limit=1)
        self.assertEqual((page.total, [e.participant for e in page.entries]), (2, [self.lina]))
        listed = AuditEvent.objects.filter(action="participant.listed_in_review_queue")
        self.assertEqual(list(listed.values_list("participant_id", flat=True)), [self.lina.pk])
        self.assertNotEqual(young.participant_id, self.lina.pk)
