from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from egenmakt.audit.models import AuditEvent
from egenmakt.plans import services
from egenmakt.plans.models import FollowUp, PlanVersion
from egenmakt.test import BaseTestCase


class PlanTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.today = timezone.localdate()
        self.plan = services.create_plan(
            actor=self.anna,
            case=self.lina_case,
            own_goal="Jag vill jobba som undersköterska.",
            strengths="Van vid att ta hand om människor",
            follow_up_weeks=4,
        )

    def test_a_new_plan_has_version_one_and_its_first_follow_up_one_interval_ahead(self) -> None:
        self.assertEqual(self.plan.version, 1)
        self.assertEqual(
            list(FollowUp.objects.values_list("planned_on", flat=True)), [self.today + timedelta(weeks=4)]
        )
        self.assertTrue(
            AuditEvent.objects.filter(action="plan.created", category="plan_och_insatser").exists()
        )

    def test_every_change_is_a_version_saying_who_changed_what(self) -> None:
        goal = services.add_goal(
            actor=self.anna,
            plan=self.plan,
            kind="arbete",
            description="Anställning inom vården",
            target_date=self.today + timedelta(days=180),
        )
        services.update_goal(actor=self.anna, goal=goal, target_date=self.today + timedelta(days=365))
        services.add_step(
            actor=self.anna,
            plan=self.plan,
            goal=goal,
            description="Vårdbiträdesutbildning på Komvux",
            responsible_organisation=self.kommun,
            responsible_person="Studievägledare",
            agreed_with_participant=True,
        )
        services.update_plan(
            actor=self.anna, plan=self.plan, strengths="Van vid att ta hand om människor. Talar arabiska."
        )
        versions = list(PlanVersion.objects.filter(plan=self.plan).order_by("number"))
        self.assertEqual([v.number for v in versions], [1, 2, 3, 4, 5])
        self.assertTrue(all(v.changed_by == self.anna for v in versions))
        self.assertIn("måldatum", versions[2].changes[0])
        self.assertIn("(var", versions[2].changes[0])
        self.assertEqual(versions[3].snapshot["steps"][0]["agreed_with_participant"], "ja")
        self.assertIn("Talar arabiska", versions[4].snapshot["strengths"])
        self.assertEqual(versions[1].snapshot["strengths"], "Van vid att ta hand om människor")

    def test_saving_without_a_change_adds_no_version(self) -> None:
        services.update_plan(actor=self.anna, plan=self.plan, own_goal="Jag vill jobba som undersköterska.")
        self.assertEqual(PlanVersion.objects.filter(plan=self.plan).count(), 1)

    def test_the_participant_s_own_goal_is_required(self) -> None:
        with self.assertRaisesMessage(services.PlanError, "eget mål"):
            services.update_plan(actor=self.anna, plan=self.plan, own_goal="  ")

    def test_a_step_is_an_activity_or_free_text(self) -> None:
        with self.assertRaisesMessage(services.PlanError, "skriv vad som ska göras"):
            services.add_step(actor=self.anna, plan=self.plan, responsible_organisation=self.kommun)

    def test_other_units_cannot_change_the_plan(self) -> None:
        for actor in (self.gustav, self.pia, self.alva):
            with self.assertRaises(services.PlanError):
                services.update_plan(actor=actor, plan=self.plan, strengths="x")

    def test_an_acknowledgement_covers_only_the_version_it_was_given_for(self) -> None:
        plan = services.acknowledge(actor=self.anna, plan=self.plan, on=self.today, how="papper")
        self.assertTrue(plan.acknowledgement_is_current)
        plan = services.update_plan(
            actor=self.anna, plan=plan, requirements="Delta i praktiken tre dagar i veckan."
        )
        self.assertFalse(plan.acknowledgement_is_current)

    def test_a_held_follow_up_records_progress_per_goal_and_plans_the_next(self) -> None:
        goal = services.add_goal(actor=self.anna, plan=self.plan, kind="studier", description="Klara SFI D")
        other = services.add_goal(actor=self.anna, plan=self.plan, kind="arbete", description="Extrajobb")
        follow_up = services.next_follow_up(self.plan)
        assert follow_up is not None
        with self.assertRaisesMessage(services.PlanError, "varje mål"):
            services.hold_follow_up(
                actor=self.anna,
                follow_up=follow_up,
                held_on=self.today,
                summary="",
                progress={goal.pk: ("framsteg", "")},
            )
        services.hold_follow_up(
            actor=self.anna,
            follow_up=follow_up,
            held_on=self.today,
            summary="Bra månad",
            progress={goal.pk: ("uppnatt", "Klarade provet"), other.pk: ("oforandrat", "")},
        )
        goal.refresh_from_db()
        self.assertEqual(goal.achieved_on, self.today)
        upcoming = services.next_follow_up(self.plan)
        assert upcoming is not None
        self.assertEqual(upcoming.planned_on, self.today + timedelta(weeks=4))
        with self.assertRaisesMessage(services.PlanError, "redan genomförd"):
            services.hold_follow_up(
                actor=self.anna, follow_up=follow_up, held_on=self.today, summary="", progress={}
            )


class OverdueFollowUpTestCase(BaseTestCase):
    def test_overdue_follow_ups_show_for_the_caseworker_and_the_unit_manager_only(self) -> None:
        plan = services.create_plan(actor=self.anna, case=self.lina_case, own_goal="Ett jobb")
        FollowUp.objects.filter(plan=plan).update(planned_on=timezone.localdate() - timedelta(days=3))
        self.assertEqual([f.plan for f in services.overdue_follow_ups(user=self.anna)], [plan])
        self.assertEqual(
            [f.plan for f in services.overdue_follow_ups(user=self.cecilia, managed=True)], [plan]
        )
        self.assertEqual(list(services.overdue_follow_ups(user=self.gustav)), [])
        self.assertEqual(list(services.overdue_follow_ups(user=self.gustav, managed=True)), [])
        self.assertEqual(list(services.overdue_follow_ups(user=self.bertil)), [])
        # Held: no longer overdue. Not yet due: not listed.
        follow_up = services.next_follow_up(plan)
        assert follow_up is not None
        services.hold_follow_up(
            actor=self.anna, follow_up=follow_up, held_on=timezone.localdate(), summary="", progress={}
        )
        self.assertEqual(list(services.overdue_follow_ups(user=self.anna)), [])
