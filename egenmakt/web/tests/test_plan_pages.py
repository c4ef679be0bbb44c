"""Action plan pages through the Django test client: create, change in versions, follow up, print, and who
may see or change the plan."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from egenmakt.activities.tests.factories import make_activity
from egenmakt.audit.models import AuditEvent
from egenmakt.consent import services as consents
from egenmakt.consent.models import ConsentForm
from egenmakt.lib.categories import DataCategory
from egenmakt.plans import services as plans
from egenmakt.plans.models import ActionPlan, FollowUp, GoalProgress, PlanVersion, Step
from egenmakt.test import BaseTestCase

OWN_GOAL = "Jag vill jobba som undersköterska."


def error_next_to(response: Any, field: str) -> str:
    """The text of a field's error element (web/includes/field.html gives it the id <field>_error)."""
    found = re.search(rf'id="id_{field}_error">(.*?)</p>', response.content.decode(), re.S)
    assert found, f"no error next to {field}"
    return found.group(1)


class PlanPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.today = timezone.localdate()
        self.client.force_login(self.anna)

    def make_plan(self, **values: Any) -> ActionPlan:
        return plans.create_plan(
            actor=self.anna,
            case=self.lina_case,
            own_goal=OWN_GOAL,
            strengths="Van vid att ta hand om människor",
            requirements="Du är med på praktiken tre dagar i veckan.",
            consequences="Biståndet kan sättas ned, men först får du berätta hur du ser på det.",
            **values,
        )


class CreatePlanTestCase(PlanPageTestCase):
    def test_the_overview_links_to_a_new_plan_and_the_form_offers_the_open_case(self) -> None:
        overview = self.client.get(reverse("participant", args=[self.lina.pk]))
        self.assertContains(overview, reverse("plan_new", args=[self.lina.pk]))
        page = self.client.get(reverse("plan_new", args=[self.lina.pk]))
        self.assertContains(
            page, f'<option value="{self.lina_case.pk}">Ekonomiskt bistånd, Ekonomiskt bistånd'
        )
        self.assertNotContains(page, "---------")  # the one case is the choice

    def test_it_creates_the_plan_and_shows_it(self) -> None:
        response = self.client.post(
            reverse("plan_new", args=[self.lina.pk]),
            {"case": self.lina_case.pk, "own_goal": OWN_GOAL, "strengths": "Envis", "follow_up_weeks": "6"},
        )
        plan = ActionPlan.objects.get(case=self.lina_case)
        self.assertRedirects(response, reverse("plan", args=[plan.pk]))
        self.assertEqual((plan.follow_up_weeks, plan.version, plan.created_by), (6, 1, self.anna))
        page = self.client.get(reverse("plan", args=[plan.pk]))
        self.assertContains(page, OWN_GOAL)
        self.assertContains(page, "Envis")
        self.assertContains(page, (self.today + timedelta(weeks=6)).isoformat())
        self.assertContains(page, "Deltagaren har inte tagit del av planen ännu.")
        overview = self.client.get(reverse("participant", args=[self.lina.pk]))
        self.assertContains(overview, reverse("plan", args=[plan.pk]))

    def test_the_service_s_error_is_shown_next_to_the_field(self) -> None:
        response = self.client.post(
            reverse("plan_new", args=[self.lina.pk]),
            {"case": self.lina_case.pk, "own_goal": OWN_GOAL, "follow_up_weeks": "40"},
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("var 26:e vecka", error_next_to(response, "follow_up_weeks"))
        self.assertContains(response, 'id="error-summary"', status_code=422)
        self.assertFalse(ActionPlan.objects.exists())

    def test_a_case_that_has_a_plan_is_not_offered_again(self) -> None:
        self.make_plan()
        page = self.client.get(reverse("plan_new", args=[self.lina.pk]))
        self.assertContains(page, "inget öppet ärende i din enhet utan handlingsplan")
        self.assertNotContains(page, 'name="own_goal"')
        response = self.client.post(
            reverse("plan_new", args=[self.lina.pk]), {"case": self.lina_case.pk, "own_goal": "x"}
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(ActionPlan.objects.count(), 1)


class ChangePlanTestCase(PlanPageTestCase):
    def test_editing_the_text_makes_a_version_listed_with_who_when_and_what(self) -> None:
        plan = self.make_plan()
        form = self.client.get(reverse("plan_edit", args=[plan.pk]))
        self.assertContains(form, "Van vid att ta hand om människor")
        response = self.client.post(
            reverse("plan_edit", args=[plan.pk]),
            {
                "own_goal": OWN_GOAL,
                "strengths": "Van vid att ta hand om människor. Talar arabiska.",
                "requirements": plan.requirements,
                "consequences": plan.consequences,
                "follow_up_weeks": "4",
            },
        )
        self.assertRedirects(response, reverse("plan", args=[plan.pk]))
        plan.refresh_from_db()
        self.assertEqual(plan.version, 2)
        versions = self.client.get(reverse("plan_versions", args=[plan.pk]))
        self.assertContains(versions, "Planen skapades.")
        self.assertContains(versions, "mina styrkor: Van vid att ta hand om människor. Talar arabiska.")
        self.assertContains(versions, "<td>Anna Andersson</td>", count=2)
        self.assertTrue(AuditEvent.objects.filter(action="plan.versions_viewed", actor=self.anna).exists())

    def test_an_empty_own_goal_is_refused_next_to_the_field(self) -> None:
        plan = self.make_plan()
        response = self.client.post(
            reverse("plan_edit", args=[plan.pk]), {"own_goal": " ", "follow_up_weeks": 4}
        )
        self.assertEqual(response.status_code, 422)
        error_next_to(response, "own_goal")
        self.assertEqual(PlanVersion.objects.filter(plan=plan).count(), 1)

    def test_goals_are_added_changed_and_removed(self) -> None:
        plan = self.make_plan()
        url = reverse("plan_goal_new", args=[plan.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        refused = self.client.post(url, {"description": "Anställning inom vården"})
        self.assertEqual(refused.status_code, 422)
        self.assertEqual(error_next_to(refused, "kind"), "Välj typ av mål.")
        target = self.today + timedelta(days=180)
        self.client.post(
            url, {"kind": "arbete", "description": "Anställning inom vården", "target_date": target}
        )
        goal = plan.goals.get()
        page = self.client.get(reverse("plan", args=[plan.pk]))
        self.assertContains(page, "Arbete: Anställning inom vården")
        self.assertContains(page, target.isoformat())

        edit = reverse("plan_goal_edit", args=[plan.pk, goal.pk])
        self.assertContains(self.client.get(edit), "Ta bort målet")
        self.client.post(
            edit,
            {
                "kind": "arbete",
                "description": "Anställning inom vården",
                "target_date": target,
                "achieved_on": self.today,
            },
        )
        goal.refresh_from_db()
        self.assertEqual(goal.achieved_on, self.today)
        self.assertContains(self.client.get(reverse("plan", args=[plan.pk])), self.today.isoformat())

        self.assertEqual(
            self.client.get(reverse("plan_goal_remove", args=[plan.pk, goal.pk])).status_code, 405
        )
        response = self.client.post(reverse("plan_goal_remove", args=[plan.pk, goal.pk]))
        self.assertRedirects(response, reverse("plan", args=[plan.pk]))
        self.assertFalse(plan.goals.exists())
        latest = plan.versions.get(number=plan.versions.count())
        self.assertEqual(latest.changes, ["Mål borttaget: Arbete: Anställning inom vården"])

    def test_a_step_is_a_catalogue_activity_or_free_text_grouped_under_its_goal(self) -> None:
        plan = self.make_plan()
        goal = plans.add_goal(actor=self.anna, plan=plan, kind="studier", description="Klara SFI D")
        praktik = make_activity(unit=self.ame)
        ended = make_activity(unit=self.ame, code="GAMMAL-1", name="Nedlagd kurs", active=False)
        url = reverse("plan_step_new", args=[plan.pk])
        form = self.client.get(url)
        self.assertContains(form, "Praktik i kommunens verksamheter")
        self.assertNotContains(form, ended.name)

        refused = self.client.post(url, {"responsible_organisation": self.kommun.pk, "status": "planerad"})
        self.assertEqual(refused.status_code, 422)
        self.assertIn("skriv vad som ska göras", error_next_to(refused, "description"))

        self.client.post(
            url,
            {
                "goal": goal.pk,
                "activity": praktik.pk,
                "responsible_organisation": self.kommun.pk,
                "responsible_person": "Bertil Berg",
                "start": self.today,
                "end": self.today + timedelta(days=60),
                "status": "pagar",
                "agreed_with_participant": "on",
            },
        )
        self.client.post(
            url,
            {
                "description": "Söka tio jobb i månaden",
                "responsible_organisation": self.af.pk,
                "status": "planerad",
            },
        )
        with_activity, free_text = Step.objects.filter(plan=plan).order_by("pk")
        self.assertEqual((with_activity.activity, with_activity.goal), (praktik, goal))
        self.assertTrue(with_activity.agreed_with_participant)
        self.assertEqual((free_text.activity, free_text.goal), (None, None))

        page = self.client.get(reverse("plan", args=[plan.pk])).content.decode()
        goal_section = page[page.index("Studier: Klara SFI D") : page.index("Steg utan särskilt mål")]
        self.assertIn("Praktik i kommunens verksamheter", goal_section)
        self.assertIn("Bertil Berg", goal_section)
        self.assertIn("Pågår", goal_section)
        self.assertIn("Söka tio jobb i månaden", page[page.index("Steg utan särskilt mål") :])

        end_before_start = {
            "description": "Söka tio jobb i månaden",
            "responsible_organisation": self.af.pk,
            "status": "planerad",
            "start": self.today,
            "end": self.today - timedelta(days=1),
        }
        edit = reverse("plan_step_edit", args=[plan.pk, free_text.pk])
        refused = self.client.post(edit, end_before_start)
        self.assertEqual(refused.status_code, 422)
        self.assertEqual(error_next_to(refused, "end"), "Slutdatum kan inte vara före startdatum.")
        self.client.post(reverse("plan_step_remove", args=[plan.pk, free_text.pk]))
        self.assertEqual(list(Step.objects.filter(plan=plan)), [with_activity])

    def test_needs_are_added_per_life_area_and_removed(self) -> None:
        plan = self.make_plan()
        url = reverse("plan_need_new", args=[plan.pk])
        refused = self.client.post(url, {"description": "Stöd med svenska"})
        self.assertEqual(refused.status_code, 422)
        error_next_to(refused, "life_area")
        self.client.post(url, {"life_area": "kommunikation", "description": "Stöd med svenska i tal"})
        need = plan.needs.get()
        page = self.client.get(reverse("plan", args=[plan.pk]))
        self.assertContains(page, "Kommunikation")
        self.assertContains(page, "Stöd med svenska i tal")
        self.client.post(reverse("plan_need_remove", args=[plan.pk, need.pk]))
        self.assertFalse(plan.needs.exists())

    def test_the_acknowledgement_shows_until_the_plan_changes(self) -> None:
        plan = self.make_plan()
        url = reverse("plan_acknowledge", args=[plan.pk])
        refused = self.client.post(url, {"on": self.today + timedelta(days=1), "how": "papper"})
        self.assertEqual(refused.status_code, 422)
        self.assertEqual(error_next_to(refused, "on"), "Datumet kan inte ligga i framtiden.")
        refused = self.client.post(url, {"on": self.today})
        self.assertEqual(error_next_to(refused, "how"), "Välj hur personen har tagit del av planen.")
        self.client.post(url, {"on": self.today, "how": "papper"})
        page = self.client.get(reverse("plan", args=[plan.pk]))
        self.assertContains(page, f"Deltagaren har tagit del av version 2 den {self.today.isoformat()}")
        plans.update_plan(actor=self.anna, plan=plan, requirements="Du söker fem jobb i veckan.")
        page = self.client.get(reverse("plan", args=[plan.pk]))
        self.assertContains(page, "Planen har ändrats sedan deltagaren tog del av den.")


class FollowUpPageTestCase(PlanPageTestCase):
    def test_holding_the_follow_up_records_progress_per_goal_and_plans_the_next(self) -> None:
        plan = self.make_plan(follow_up_weeks=4)
        sfi = plans.add_goal(actor=self.anna, plan=plan, kind="studier", description="Klara SFI D")
        job = plans.add_goal(actor=self.anna, plan=plan, kind="arbete", description="Extrajobb")
        url = reverse("plan_follow_up", args=[plan.pk])
        form = self.client.get(url)
        self.assertContains(form, "Studier: Klara SFI D")
        self.assertContains(form, f'value="{(self.today + timedelta(weeks=4)).isoformat()}"')

        data = {"held_on": self.today, "participant_present": "on", "summary": "Bra månad"}
        refused = self.client.post(url, {**data, f"goal_{sfi.pk}": "framsteg"})
        self.assertEqual(refused.status_code, 422)
        self.assertIn("Extrajobb", error_next_to(refused, f"goal_{job.pk}"))

        response = self.client.post(
            url,
            {
                **data,
                f"goal_{sfi.pk}": "uppnatt",
                f"comment_{sfi.pk}": "Klarade provet",
                f"goal_{job.pk}": "oforandrat",
                "next_on": "",
            },
        )
        self.assertRedirects(response, reverse("plan", args=[plan.pk]))
        held = FollowUp.objects.get(plan=plan, held_on__isnull=False)
        self.assertEqual(
            (held.held_by, held.summary, held.participant_present), (self.anna, "Bra månad", True)
        )
        self.assertEqual(GoalProgress.objects.filter(follow_up=held).count(), 2)
        upcoming = plans.next_follow_up(plan)
        assert upcoming is not None
        self.assertEqual(upcoming.planned_on, self.today + timedelta(weeks=4))

        page = self.client.get(reverse("plan", args=[plan.pk]))
        self.assertContains(page, f"Uppföljning {self.today.isoformat()}")
        self.assertContains(page, "Målet är uppnått")
        self.assertContains(page, "Klarade provet")
        # The goal reached is not asked about again.
        self.assertNotContains(self.client.get(url), f"goal_{sfi.pk}")

    def test_an_overdue_follow_up_is_flagged(self) -> None:
        plan = self.make_plan()
        FollowUp.objects.filter(plan=plan).update(planned_on=self.today - timedelta(days=3))
        self.assertContains(self.client.get(reverse("plan", args=[plan.pk])), "Uppföljningen är försenad.")


class PrintPlanTestCase(PlanPageTestCase):
    def test_the_pdf_is_the_plan_in_plain_swedish_with_room_for_a_signature(self) -> None:
        plan = self.make_plan()
        goal = plans.add_goal(
            actor=self.anna,
            plan=plan,
            kind="arbete",
            description="Anställning inom vården",
            target_date=self.today + timedelta(days=180),
        )
        plans.add_step(
            actor=self.anna,
            plan=plan,
            goal=goal,
            description="Vårdbiträdesutbildning på Komvux",
            responsible_organisation=self.kommun,
            responsible_person="Studievägledare",
        )
        plans.add_need(actor=self.anna, plan=plan, life_area="kommunikation", description="Stöd med svenska")
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the printout stays Swedish
        response = self.client.get(reverse("plan_pdf", args=[plan.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response["Content-Disposition"].startswith("inline"))
        reader = PdfReader(BytesIO(response.content))
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        for expected in [
            "Handlingsplan",
            "Lina Lund",
            OWN_GOAL,
            "Van vid att ta hand om människor",
            "Kommunikation",
            "Stöd med svenska",
            "Arbete: Anställning inom vården",
            (self.today + timedelta(days=180)).isoformat(),
            "Vårdbiträdesutbildning på Komvux",
            "Exempelkommun, Studievägledare",
            "tre dagar i veckan",
            "Biståndet kan sättas ned",
            "Nästa uppföljning är",
            "Version 4",
            "Deltagarens underskrift",
        ]:
            self.assertIn(expected, text)
        self.assertNotIn("19900101-0017", text)
        self.assertTrue(
            AuditEvent.objects.filter(
                action="plan.printed",
                actor=self.anna,
                participant_id=self.lina.pk,
                category="plan_och_insatser",
            ).exists()
        )


class PlanAccessTestCase(PlanPageTestCase):
    def routes(self, plan: ActionPlan) -> list[str]:
        goal = plans.add_goal(actor=self.anna, plan=plan, kind="arbete", description="Ett jobb")
        step = plans.add_step(
            actor=self.anna, plan=plan, description="Söka jobb", responsible_organisation=self.af
        )
        need = plans.add_need(actor=self.anna, plan=plan, life_area="hemliv", description="Barnomsorg")
        p = plan.pk
        return [
            reverse("plan", args=[p]),
            reverse("plan_edit", args=[p]),
            reverse("plan_goal_new", args=[p]),
            reverse("plan_goal_edit", args=[p, goal.pk]),
            reverse("plan_goal_remove", args=[p, goal.pk]),
            reverse("plan_step_new", args=[p]),
            reverse("plan_step_edit", args=[p, step.pk]),
            reverse("plan_step_remove", args=[p, step.pk]),
            reverse("plan_need_new", args=[p]),
            reverse("plan_need_remove", args=[p, need.pk]),
            reverse("plan_acknowledge", args=[p]),
            reverse("plan_follow_up", args=[p]),
            reverse("plan_versions", args=[p]),
            reverse("plan_pdf", args=[p]),
        ]

    def test_another_municipality_s_caseworker_gets_404_everywhere(self) -> None:
        plan = self.make_plan()
        gustav = Client()
        gustav.force_login(self.gustav)
        for url in [*self.routes(plan), reverse("plan_new", args=[self.lina.pk])]:
            self.assertEqual(gustav.get(url).status_code, 404 if "ta-bort" not in url else 405, url)
            self.assertIn(gustav.post(url, {"own_goal": "x"}).status_code, {404, 405}, url)
        plan.refresh_from_db()
        self.assertEqual(plan.own_goal, OWN_GOAL)

    def test_a_partner_with_consent_reads_and_prints_the_plan_but_cannot_change_it(self) -> None:
        plan = self.make_plan()
        routes = self.routes(plan)
        pia = Client()
        pia.force_login(self.pia)
        self.assertEqual(pia.get(routes[0]).status_code, 404)  # no consent yet
        consent = consents.record_consent(
            actor=self.anna,
            participant=self.lina,
            terms=consents.ConsentTerms(
                recipients=[self.af],
                categories=[DataCategory.GRUNDUPPGIFTER, DataCategory.PLAN_OCH_INSATSER],
                purpose="Stöd att hitta arbete, tillsammans med Arbetsförmedlingen",
                form=ConsentForm.MUNTLIGT,
                heard_by="Anna Andersson",
                valid_from=self.today,
                valid_to=self.today + timedelta(days=180),
            ),
        )
        page = pia.get(routes[0])
        self.assertContains(page, OWN_GOAL)
        self.assertContains(page, "Bara personens egen enhet kan ändra den.")
        self.assertNotContains(page, reverse("plan_edit", args=[plan.pk]))
        self.assertNotContains(page, reverse("plan_follow_up", args=[plan.pk]))
        event = AuditEvent.objects.filter(action="plan.viewed", actor=self.pia).get()
        self.assertEqual((event.legal_ground, event.detail["consent_id"]), ("samtycke", consent.pk))
        for url in routes:
            if url.endswith(("/versioner/", "/pdf/")) or url == routes[0]:
                self.assertEqual(pia.get(url).status_code, 200, url)
            elif "ta-bort" not in url:
                self.assertEqual(pia.get(url).status_code, 404, url)
            self.assertIn(pia.post(url, {"own_goal": "x"}).status_code, {404, 405}, url)
        overview = pia.get(reverse("participant", args=[self.lina.pk]))
        self.assertContains(overview, reverse("plan", args=[plan.pk]))
        self.assertNotContains(overview, reverse("plan_new", args=[self.lina.pk]))

    def test_the_pages_render_in_english_when_asked(self) -> None:
        plan = self.make_plan()
        self.routes(plan)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for url in [
            reverse("plan", args=[plan.pk]),
            reverse("plan_edit", args=[plan.pk]),
            reverse("plan_step_new", args=[plan.pk]),
            reverse("plan_follow_up", args=[plan.pk]),
            reverse("plan_versions", args=[plan.pk]),
        ]:
            self.assertContains(self.client.get(url), '<html lang="en">', msg_prefix=url)
