"""Economic assistance pages through the Django test client: what each page shows, what its forms do
through the services, the letters, and who may see or change what."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from unittest import mock

from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from egenmakt.audit.models import AuditEvent
from egenmakt.benefits import payments, services
from egenmakt.benefits.models import (
    AppealStatus,
    Application,
    ApplicationStatus,
    Calculation,
    Decision,
    DecisionKind,
    LocalCap,
    LocalRules,
    Outcome,
    PaymentRun,
    Reduction,
    ReductionStatus,
    RunStatus,
)
from egenmakt.benefits.tests import factories
from egenmakt.benefits.tests.factories import MONTH
from egenmakt.cases.models import Case
from egenmakt.lib.categories import DataCategory
from egenmakt.test import BaseTestCase, Personas, valid_pnr
from egenmakt.web.tests import benefit_data
from egenmakt.web.tests.browser import give_consent


def error_next_to(response: Any, field_id: str) -> str:
    """The text of a field's error element (the field templates give it the id <field id>_error)."""
    found = re.search(rf'id="{re.escape(field_id)}_error">(.*?)</p>', response.content.decode(), re.S)
    assert found, f"no error next to {field_id}"
    return found.group(1)


def pdf_text(response: Any) -> str:
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # Whitespace as one space (a no-break space in "11 470 kr" too).
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(response.content)).pages)


def application_post(month: str = "2023-03", **rows: str) -> dict[str, str]:
    data = {"month": month, "received_on": "2023-02-24"}
    return data | rows


class BenefitPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        benefit_data.household(self.personas)
        self.folder = TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)
        self.enterContext(override_settings(EGENMAKT_PAYMENT_DIR=self.folder.name))
        self.client.force_login(self.anna)

    def as_user(self, user: Any) -> None:
        self.client.force_login(user)


class OverviewTestCase(BenefitPageTestCase):
    def test_the_person_s_page_lists_applications_decisions_and_reductions_with_a_link_to_apply(self) -> None:
        page = self.client.get(reverse("participant", args=[self.lina.pk]))
        self.assertContains(page, 'id="benefits-title"')
        self.assertContains(page, "Inga ansökningar, beslut eller nedsättningar.")
        self.assertContains(page, reverse("benefit_application_new", args=[self.lina_case.pk]))

        decision = benefit_data.decided(self.personas)
        reduction = benefit_data.proposed(self.personas)
        page = self.client.get(reverse("participant", args=[self.lina.pk]))
        self.assertContains(page, "Ansökan 2023-03")
        self.assertContains(page, reverse("benefit_decision", args=[decision.pk]))
        self.assertContains(page, "Delvis bifall")
        self.assertContains(page, reverse("benefit_reduction", args=[reduction.pk]))
        self.assertContains(page, "Förslag")

    def test_a_partner_sees_the_section_only_on_a_consent_to_economic_data_and_cannot_apply(self) -> None:
        give_consent(self.anna, self.lina, [self.af])
        self.as_user(self.pia)
        page = self.client.get(reverse("participant", args=[self.lina.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'id="benefits-title"')
        give_consent(
            self.anna, self.lina, [self.af], categories=[DataCategory.GRUNDUPPGIFTER, DataCategory.EKONOMI]
        )
        page = self.client.get(reverse("participant", args=[self.lina.pk]))
        self.assertContains(page, 'id="benefits-title"')
        self.assertNotContains(page, "Registrera ansökan")


class ApplicationTestCase(BenefitPageTestCase):
    def test_registering_an_application_with_costs_incomes_and_lunch_at_preschool(self) -> None:
        child = factories.add_child(self.personas, valid_pnr("20210505", "003"), "Siri")
        factories.since_long_ago(self.personas)
        url = reverse("benefit_application_new", args=[self.lina_case.pk])
        page = self.client.get(url)
        self.assertContains(page, "Siri Lund")
        self.assertContains(page, 'name="lunch_at_preschool"')
        response = self.client.post(
            url,
            application_post(
                cost_kind_1="boende",
                cost_amount_1="7400",
                cost_kind_2="livsforing",
                cost_label_2="Glasögon",
                cost_amount_2="1200",
                income_kind_1="barnbidrag",
                income_amount_1="1250",
                lunch_at_preschool=str(child.pk),
            ),
        )
        application = Application.objects.get()
        self.assertRedirects(response, reverse("benefit_application", args=[application.pk]))
        self.assertEqual(application.month, MONTH)
        self.assertEqual(application.received_on, date(2023, 2, 24))
        self.assertEqual(
            application.input["costs"],
            [{"kind": "boende", "amount": 7400}, {"kind": "livsforing", "amount": 1200, "label": "Glasögon"}],
        )
        self.assertEqual(application.input["incomes"], [{"kind": "barnbidrag", "amount": 1250}])
        members = {m["id"]: m for m in application.input["members"]}
        self.assertTrue(members[str(child.pk)]["lunch_at_preschool"])

    def test_a_row_without_a_kind_and_the_service_s_error_are_shown_on_the_form(self) -> None:
        url = reverse("benefit_application_new", args=[self.lina_case.pk])
        response = self.client.post(url, application_post(cost_amount_3="500"))
        self.assertEqual(response.status_code, 422)
        self.assertIn("Välj vilket slag", error_next_to(response, "id_cost_kind_3"))
        self.assertContains(response, 'id="error-summary"', status_code=422)
        # A "child" of 33 is not part of a household the norm knows: the service says so, above the form.
        factories.add_child(self.personas, valid_pnr("19900505", "002"), "Vuxen")
        factories.since_long_ago(self.personas)
        response = self.client.post(url, application_post())
        self.assertContains(response, "members", status_code=422)
        self.assertFalse(Application.objects.exists())

    def test_a_case_without_a_household_asks_for_one_first(self) -> None:
        Case.objects.filter(pk=self.lina_case.pk).update(household=None)
        page = self.client.get(reverse("benefit_application_new", args=[self.lina_case.pk]))
        self.assertContains(page, "Ärendet har inget hushåll.")
        self.assertNotContains(page, 'name="cost_kind_1"')

    def test_the_application_page_calculates_and_explains_every_line(self) -> None:
        application = benefit_data.application(self.personas)
        url = reverse("benefit_application", args=[application.pk])
        page = self.client.get(url)
        self.assertContains(page, "Glasögon")
        self.assertContains(page, "Ansökan är inte beräknad ännu.")
        self.assertContains(page, "Räkna fram ansökan innan du beslutar.")
        response = self.client.post(reverse("benefit_application_calculate", args=[application.pk]))
        self.assertRedirects(response, url)
        calculation = Calculation.objects.get()
        page = self.client.get(url)
        for line in calculation.result["lines"]:
            self.assertContains(page, line["text"])
        self.assertContains(page, "Därför får du")
        self.assertContains(page, "Riksnormen 2023, regeringens belopp.")
        self.assertContains(page, "Engelholms kommun")
        self.assertContains(page, 'name="granted_0"')
        self.assertNotContains(page, "Varning: projektion")
        self.assertTrue(
            AuditEvent.objects.filter(action="application.viewed", participant_id=self.lina.pk).exists()
        )

    def test_a_projection_is_shown_as_one_and_no_decision_can_be_made_on_it(self) -> None:
        application = benefit_data.application(self.personas, month=date(2026, 2, 1))
        services.calculate_application(actor=self.anna, application=application)
        page = self.client.get(reverse("benefit_application", args=[application.pk]))
        self.assertContains(page, "Varning: projektion")
        self.assertContains(page, "Ett verkligt beslut kan inte fattas på den.")
        self.assertContains(page, "projektion, inte regeringens belopp")
        self.assertNotContains(page, 'name="granted_0"')
        response = self.client.post(
            reverse("benefit_application_decide", args=[application.pk]), {"calculation": "0"}
        )
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "projektion av riksnormen", status_code=422)
        self.assertFalse(Decision.objects.exists())

    def test_deciding_each_item_a_refused_part_needs_reasons_next_to_it(self) -> None:
        application = benefit_data.application(self.personas)
        calculation = services.calculate_application(actor=self.anna, application=application)
        proposals, _deducted = services.decision_items(calculation)
        keys = [p.key for p in proposals]
        self.assertEqual(keys, ["norm", "kostnad:boende", "kostnad:livsforing:0"])
        post = {"calculation": str(calculation.pk), "reasons": ""}
        post |= {f"granted_{i}": str(p.allowed) for i, p in enumerate(proposals)}
        url = reverse("benefit_application_decide", args=[application.pk])
        response = self.client.post(url, post)
        self.assertEqual(response.status_code, 422)
        self.assertIn("motiveringen", error_next_to(response, "id_reasons_1"))
        response = self.client.post(url, post | {"granted_2": "0", "reasons_1": benefit_data.RENT_REASONS})
        self.assertIn("Glasögon", error_next_to(response, "id_reasons_2"))
        response = self.client.post(
            url,
            post
            | {"reasons_1": benefit_data.RENT_REASONS, "granted_2": "900", "reasons_2": "Billigare glas."},
        )
        decision = Decision.objects.get()
        self.assertRedirects(response, reverse("benefit_decision", args=[decision.pk]))
        items = {item.key: item for item in decision.items.all()}
        self.assertEqual(items["kostnad:livsforing:0"].outcome, Outcome.DELVIS_BIFALL)
        self.assertEqual(items["kostnad:boende"].granted, benefit_data.CAP)
        application.refresh_from_db()
        self.assertEqual(application.status, ApplicationStatus.BESLUTAD)

    def test_another_municipality_and_a_partner_get_404_and_a_colleague_without_the_case_too(self) -> None:
        application = benefit_data.application(self.personas)
        urls = [
            reverse("benefit_application_new", args=[self.lina_case.pk]),
            reverse("benefit_application", args=[application.pk]),
        ]
        for user in (self.gustav, self.pia):
            self.as_user(user)
            for url in urls:
                self.assertEqual(self.client.get(url).status_code, 404, (user, url))
            response = self.client.post(reverse("benefit_application_calculate", args=[application.pk]))
            self.assertEqual(response.status_code, 404)
        self.assertFalse(Calculation.objects.exists())


class DecisionTestCase(BenefitPageTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.decision = benefit_data.decided(self.personas)
        self.url = reverse("benefit_decision", args=[self.decision.pk])

    def test_the_decision_page_shows_each_item_its_basis_and_that_it_is_not_verified(self) -> None:
        page = self.client.get(self.url)
        self.assertContains(page, "Delvis bifall")
        self.assertContains(page, benefit_data.RENT_REASONS)
        self.assertContains(page, "12 kap. 7 § socialtjänstlagen (2025:400)")
        self.assertContains(page, "lagrum ej kontrollerat")
        self.assertContains(page, reverse("benefit_decision_letter", args=[self.decision.pk]))
        self.assertContains(page, "Inte delgivet ännu.")

    def test_notification_sets_the_appeal_deadline_and_appeals_are_in_time_or_late(self) -> None:
        today = timezone.localdate()
        response = self.client.post(
            reverse("benefit_decision_notify", args=[self.decision.pk]), {"notified_on": today.isoformat()}
        )
        self.assertRedirects(response, self.url)
        deadline = today + timedelta(weeks=3)
        page = self.client.get(self.url)
        self.assertContains(page, f"Sista dag att överklaga: {deadline:%Y-%m-%d}")
        rent = self.decision.items.get(key="kostnad:boende")
        appeal_url = reverse("benefit_decision_appeal", args=[self.decision.pk])
        response = self.client.post(
            appeal_url,
            {
                "appeal-item": str(rent.pk),
                "appeal-received_on": deadline.isoformat(),
                "appeal-text": "Hyran är rimlig.",
            },
        )
        self.assertRedirects(response, self.url)
        late = (deadline + timedelta(days=1)).isoformat()
        self.client.post(appeal_url, {"appeal-item": "", "appeal-received_on": late})
        on_time, too_late = self.decision.appeals.order_by("received_on")
        self.assertEqual(
            (on_time.in_time, on_time.item_id, too_late.in_time, too_late.item_id),
            (True, rent.pk, False, None),
        )
        page = self.client.get(self.url)
        self.assertContains(page, "Ja, i rätt tid")
        self.assertContains(page, "Nej, för sent")

        settle = reverse("benefit_appeal_settle", args=[on_time.pk])
        prefix = f"settle-{on_time.pk}"
        response = self.client.post(
            settle, {f"{prefix}-status": "avvisat", f"{prefix}-on": today.isoformat(), f"{prefix}-note": "x"}
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("i tid", error_next_to(response, f"id_{prefix}-status"))
        response = self.client.post(
            settle, {f"{prefix}-status": "overlamnat", f"{prefix}-on": today.isoformat()}
        )
        self.assertRedirects(response, self.url)
        on_time.refresh_from_db()
        self.assertEqual(on_time.status, AppealStatus.OVERLAMNAT)
        self.assertContains(self.client.get(self.url), "Överlämnat till förvaltningsrätten")

    def test_notification_before_the_decision_day_is_refused_next_to_the_date(self) -> None:
        response = self.client.post(
            reverse("benefit_decision_notify", args=[self.decision.pk]), {"notified_on": "2020-01-01"}
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("före beslutsdagen", error_next_to(response, "id_notified_on"))

    def test_the_letter_explains_the_calculation_and_how_to_appeal_each_refused_item(self) -> None:
        services.notify(actor=self.anna, decision=self.decision, notified_on=timezone.localdate())
        self.decision.refresh_from_db()
        response = self.client.get(reverse("benefit_decision_letter", args=[self.decision.pk]))
        text = pdf_text(response)
        for expected in [
            "Exempelkommun",
            "Lina Lund",
            "Beslut om ekonomiskt bistånd för mars 2023",
            "Därför får du",
            f"Du får {self.decision.amount:,} kr".replace(",", " "),
            "Boende: Delvis bifall",
            benefit_data.RENT_REASONS,
            "12 kap. 7 § socialtjänstlagen (2025:400)",
            "Om du vill överklaga",
            "inom 3 veckor",
            "förvaltningsrätten",
            "hur du vill att beslutet ska ändras",
            f"{self.decision.appeal_deadline:%-d}",
        ]:
            self.assertIn(expected, text)
        self.assertNotIn("PROJEKTION", text)
        self.assertTrue(
            AuditEvent.objects.filter(action="decision.letter_printed", participant_id=self.lina.pk).exists()
        )
        for user in (self.gustav, self.pia):
            self.as_user(user)
            self.assertEqual(
                self.client.get(reverse("benefit_decision_letter", args=[self.decision.pk])).status_code, 404
            )
            self.assertEqual(self.client.get(self.url).status_code, 404)
            notify = reverse("benefit_decision_notify", args=[self.decision.pk])
            self.assertEqual(self.client.post(notify, {"notified_on": "2030-01-01"}).status_code, 404)

    def test_a_decision_on_a_projection_in_a_synthetic_case_says_it_is_not_valid(self) -> None:
        Case.objects.filter(pk=self.lina_case.pk).update(synthetic=True)
        self.lina_case.refresh_from_db()
        application = benefit_data.application(self.personas, month=date(2026, 2, 1))
        services.calculate_application(actor=self.anna, application=application)
        page = self.client.get(reverse("benefit_application", args=[application.pk]))
        self.assertContains(page, 'name="granted_0"')
        decision = services.decide(
            actor=self.anna,
            application=application,
            item_reasons={"kostnad:boende": benefit_data.RENT_REASONS},
        )
        self.assertContains(
            self.client.get(reverse("benefit_decision", args=[decision.pk])),
            "Projektion – inte ett giltigt beslut",
        )
        text = pdf_text(self.client.get(reverse("benefit_decision_letter", args=[decision.pk])))
        self.assertIn("PROJEKTION – INTE ETT GILTIGT BESLUT", text)


class ReductionTestCase(BenefitPageTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tasks = benefit_data.absences(self.personas)

    def test_the_start_page_offers_a_proposal_for_each_absence_of_someone_with_a_benefit_case(self) -> None:
        page = self.client.get(reverse("start"))
        for task in self.tasks:
            self.assertContains(page, f"{reverse('benefit_reduction_new')}?task={task.pk}")
        Case.objects.filter(pk=self.lina_case.pk).update(household=None)
        self.assertNotContains(self.client.get(reverse("start")), "Föreslå nedsättning")

    def test_a_proposal_shows_the_norm_s_parts_and_is_saved_without_deducting_anything(self) -> None:
        url = f"{reverse('benefit_reduction_new')}?task={self.tasks[0].pk}&month=2023-04"
        page = self.client.get(url)
        self.assertContains(page, "De vuxnas del av normen")
        self.assertContains(page, "3\u00a0490\u00a0kr")
        self.assertContains(page, "Livsmedel")
        self.assertContains(page, f'value="{self.tasks[0].pk}"')
        response = self.client.post(
            url,
            {
                "tasks": [str(t.pk) for t in self.tasks],
                "month": "2023-04",
                "basis": "dagar",
                "days": "2",
                "reasons": "Två dagars ogiltig frånvaro.",
            },
        )
        reduction = Reduction.objects.get()
        self.assertRedirects(response, reverse("benefit_reduction", args=[reduction.pk]))
        self.assertEqual((reduction.proposed_amount, reduction.status), (233, ReductionStatus.FORSLAG))
        self.assertFalse(Decision.objects.exists())

    def test_the_service_s_errors_on_the_proposal_are_next_to_the_fields(self) -> None:
        url = f"{reverse('benefit_reduction_new')}?task={self.tasks[0].pk}"
        base = {"tasks": [str(self.tasks[0].pk)], "month": "2023-04", "reasons": "Frånvaro."}
        response = self.client.post(url, base | {"basis": "belopp", "amount_asked": "9000"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("vuxna", error_next_to(response, "id_amount_asked"))
        response = self.client.post(url, base | {"basis": "dagar", "days": "2", "include_children": "on"})
        self.assertIn("barnens del", error_next_to(response, "id_children_reason"))
        self.assertFalse(Reduction.objects.exists())

    def test_kommunicering_the_letter_a_reply_and_the_decision(self) -> None:
        reduction = benefit_data.proposed(self.personas, self.tasks)
        url = reverse("benefit_reduction", args=[reduction.pk])
        page = self.client.get(url)
        self.assertContains(page, "Inte kommunicerat ännu.")
        self.assertContains(page, 'aria-current="step"')
        today = timezone.localdate()
        deadline = today + timedelta(days=14)
        response = self.client.post(
            reverse("benefit_reduction_communicate", args=[reduction.pk]),
            {
                "communicate-sent_on": today.isoformat(),
                "communicate-reply_deadline": today.isoformat(),
                "communicate-channel": "brev",
            },
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("Svarsfristen", error_next_to(response, "id_communicate-reply_deadline"))
        response = self.client.post(
            reverse("benefit_reduction_communicate", args=[reduction.pk]),
            {
                "communicate-sent_on": today.isoformat(),
                "communicate-reply_deadline": deadline.isoformat(),
                "communicate-channel": "brev",
            },
        )
        self.assertRedirects(response, url)

        text = pdf_text(self.client.get(reverse("benefit_reduction_letter", args=[reduction.pk])))
        for expected in [
            "Inget är beslutat ännu.",
            "25 § förvaltningslagen (2017:900)",
            "april 2023",
            "233",
            "Två dagars ogiltig frånvaro",
            f"Svara senast {deadline.day}",
            f"{self.tasks[0].attendance.day.day}",
        ]:
            self.assertIn(expected, text)
        self.assertTrue(AuditEvent.objects.filter(action="reduction.letter_printed").exists())

        page = self.client.get(url)
        self.assertNotContains(page, "Inget svar kom")  # the deadline has not passed
        response = self.client.post(
            reverse("benefit_reduction_reply", args=[reduction.pk]),
            {"reply-received_on": today.isoformat(), "reply-reply_text": "Jag var sjuk men ringde inte."},
        )
        self.assertRedirects(response, url)
        decide = reverse("benefit_reduction_decide", args=[reduction.pk])
        response = self.client.post(decide, {"decide-amount": "300", "decide-reasons": "x"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("högst", error_next_to(response, "id_decide-amount"))
        response = self.client.post(
            decide, {"decide-amount": "116", "decide-reasons": "En dag räknas som giltig."}
        )
        decision = Decision.objects.get()
        self.assertRedirects(response, reverse("benefit_decision", args=[decision.pk]))
        self.assertEqual((decision.kind, decision.amount), (DecisionKind.NEDSATTNING, 116))
        text = pdf_text(self.client.get(reverse("benefit_decision_letter", args=[decision.pk])))
        for expected in [
            "Beslut om nedsättning av försörjningsstöd för april 2023",
            "116",
            "förvaltningsrätten",
            "socialtjänstlagen (2025:400)",
        ]:
            self.assertIn(expected, text)

    def test_no_reply_after_the_deadline_and_dropping_a_proposal(self) -> None:
        reduction = benefit_data.communicated(
            self.personas, benefit_data.proposed(self.personas, self.tasks), days_ago=20
        )
        url = reverse("benefit_reduction", args=[reduction.pk])
        self.assertContains(self.client.get(url), "Inget svar kom")
        self.assertRedirects(
            self.client.post(reverse("benefit_reduction_no_reply", args=[reduction.pk])), url
        )
        reduction.refresh_from_db()
        self.assertIsNotNone(reduction.no_reply_recorded_on)
        self.assertContains(self.client.get(url), 'name="decide-amount"')
        drop = reverse("benefit_reduction_drop", args=[reduction.pk])
        response = self.client.post(drop, {"drop-reason": ""})
        self.assertEqual(response.status_code, 422)
        self.assertRedirects(self.client.post(drop, {"drop-reason": "Läkarintyg kom in."}), url)
        reduction.refresh_from_db()
        self.assertEqual(reduction.status, ReductionStatus.AVSKRIVEN)
        self.assertContains(self.client.get(url), "Läkarintyg kom in.")

    def test_another_municipality_gets_404_everywhere(self) -> None:
        reduction = benefit_data.proposed(self.personas, self.tasks)
        self.as_user(self.gustav)
        for url in [
            f"{reverse('benefit_reduction_new')}?task={self.tasks[0].pk}",
            reverse("benefit_reduction", args=[reduction.pk]),
            reverse("benefit_reduction_letter", args=[reduction.pk]),
        ]:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        response = self.client.post(
            reverse("benefit_reduction_drop", args=[reduction.pk]), {"drop-reason": "x"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.get(reverse("benefit_reduction_new")).status_code, 404)


class StartPageTestCase(BenefitPageTestCase):
    def test_a_handlaggare_sees_waiting_applications_and_reductions_in_progress(self) -> None:
        page = self.client.get(reverse("start"))
        self.assertContains(page, "Inga ansökningar väntar på ditt beslut.")
        application = benefit_data.application(self.personas)
        reduction = benefit_data.communicated(self.personas, benefit_data.proposed(self.personas))
        page = self.client.get(reverse("start"))
        self.assertContains(page, reverse("benefit_application", args=[application.pk]))
        waited = (timezone.localdate() - application.received_on).days
        self.assertContains(page, f'<td class="amount">{waited}</td>')
        self.assertContains(page, reverse("benefit_reduction", args=[reduction.pk]))
        self.assertContains(page, f"{reduction.reply_deadline:%Y-%m-%d}")
        self.assertTrue(
            AuditEvent.objects.filter(action="application.listed_waiting", category="ekonomi").exists()
        )

    def test_the_navigation_has_ekonomi_for_casework_in_a_municipality_and_analysts(self) -> None:
        self.assertContains(self.client.get(reverse("start")), f'href="{reverse("benefits")}"')
        self.assertEqual(self.client.get(reverse("benefits")).status_code, 200)
        for user in (self.pia, self.sam):
            self.as_user(user)
            self.assertNotContains(self.client.get(reverse("start")), f'href="{reverse("benefits")}"')
            self.assertEqual(self.client.get(reverse("benefits")).status_code, 403)
        self.as_user(self.alva)
        hub = self.client.get(reverse("benefits"))
        self.assertContains(hub, reverse("benefit_whatif"))
        self.assertNotContains(hub, reverse("payment_runs"))


class PaymentRunTestCase(BenefitPageTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.decision = benefit_data.decided(self.personas)

    def test_prepared_by_one_approved_by_another_paid_and_the_files_fetched(self) -> None:
        runs = reverse("payment_runs")
        page = self.client.get(runs)
        self.assertContains(page, "Förbered en körning")
        org = f"org-{self.kommun.pk}"
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = self.client.post(
            runs,
            {
                "organisation": str(self.kommun.pk),
                f"{org}-month": "2023-03",
                f"{org}-execution_date": "2020-01-01",
            },
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("passerat", error_next_to(response, f"id_{org}-execution_date"))
        response = self.client.post(
            runs,
            {
                "organisation": str(self.kommun.pk),
                f"{org}-month": "2023-03",
                f"{org}-execution_date": tomorrow,
            },
        )
        run = PaymentRun.objects.get()
        url = reverse("payment_run", args=[run.pk])
        self.assertRedirects(response, url)
        page = self.client.get(url)
        self.assertContains(page, "Du förberedde körningen.")
        self.assertNotContains(page, "Godkänn körningen")
        self.client.post(reverse("payment_run_approve", args=[run.pk]))
        run.refresh_from_db()
        self.assertEqual(run.status, RunStatus.FORBEREDD)

        self.as_user(self.cecilia)
        page = self.client.get(url)
        self.assertContains(page, "Anna Andersson")
        self.assertContains(page, "Godkänn körningen")
        self.assertRedirects(self.client.post(reverse("payment_run_approve", args=[run.pk])), url)
        page = self.client.get(url)
        self.assertContains(page, "Cecilia Carlsson")
        self.assertContains(page, "Betala ut")
        self.assertRedirects(self.client.post(reverse("payment_run_execute", args=[run.pk])), url)
        run.refresh_from_db()
        self.assertEqual(
            (run.status, run.paid_households, run.paid_total), (RunStatus.KLAR, 1, self.decision.amount)
        )
        page = self.client.get(url)
        self.assertContains(page, "Utbetalningen är klar")
        xml = self.client.get(reverse("payment_run_xml", args=[run.pk]))
        self.assertEqual(xml.status_code, 200)
        self.assertIn(b"pain.001.001.03", xml.getvalue())
        csv = self.client.get(reverse("payment_run_csv", args=[run.pk]))
        self.assertIn(f";konto;EGM-202303-{self.decision.pk}".encode(), csv.getvalue())
        self.assertEqual(AuditEvent.objects.filter(action="payment_run.file_fetched").count(), 2)

    def test_a_prepared_run_can_be_withdrawn(self) -> None:
        run = benefit_data.prepared_run(self.personas)
        response = self.client.post(reverse("payment_run_withdraw", args=[run.pk]))
        self.assertRedirects(response, reverse("payment_runs"))
        self.assertFalse(PaymentRun.objects.exists())
        self.decision.refresh_from_db()
        self.assertIsNone(self.decision.payment_run_id)

    def test_other_municipalities_and_partners_do_not_see_runs_or_files(self) -> None:
        run = benefit_data.paid_run(self.personas)
        self.as_user(self.gustav)
        for name in ("payment_run", "payment_run_xml", "payment_run_csv"):
            self.assertEqual(self.client.get(reverse(name, args=[run.pk])).status_code, 404, name)
        self.assertEqual(self.client.post(reverse("payment_run_execute", args=[run.pk])).status_code, 404)
        self.assertNotContains(self.client.get(reverse("payment_runs")), "2023-03")
        self.as_user(self.pia)
        self.assertEqual(self.client.get(reverse("payment_runs")).status_code, 403)
        self.assertEqual(self.client.get(reverse("payment_run", args=[run.pk])).status_code, 404)


class BackgroundPaymentTestCase(TransactionTestCase):
    def test_a_run_over_the_inline_limit_is_paid_in_a_thread_and_the_page_follows_it(self) -> None:
        personas = Personas()
        benefit_data.household(personas)
        decision = benefit_data.decided(personas)
        run = benefit_data.prepared_run(personas)
        payments.approve_run(actor=personas.cecilia, run=run)
        self.client.force_login(personas.cecilia)
        url = reverse("payment_run", args=[run.pk])
        # Its files are built in a second process, as a large run's are: started from the web's thread.
        with (
            TemporaryDirectory() as folder,
            override_settings(EGENMAKT_PAYMENT_DIR=folder, EGENMAKT_PAYMENT_FILES_APART_FROM=1),
            mock.patch.object(payments, "write_files", wraps=payments.write_files) as built_afterwards,
        ):
            with mock.patch("egenmakt.web.views.benefits_payments.INLINE_MAX_HOUSEHOLDS", 0):
                response = self.client.post(reverse("payment_run_execute", args=[run.pk]))
            self.assertRedirects(response, url, fetch_redirect_response=False)
            deadline = time.monotonic() + 30
            while run.status != RunStatus.KLAR and time.monotonic() < deadline:
                time.sleep(0.1)
                run.refresh_from_db()
            self.assertEqual((run.status, run.paid_total), (RunStatus.KLAR, decision.amount))
            while not Path(payments.file_paths(run)[1]).exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            partial = self.client.get(url, headers={"HX-Request": "true"})
            self.assertContains(partial, "Utbetalningen är klar")
            self.assertNotContains(partial, "hx-trigger")
            self.assertContains(partial, reverse("payment_run_csv", args=[run.pk]))
            self.assertEqual(built_afterwards.call_count, 0)  # the second process's files were used


class LocalRulesTestCase(BenefitPageTestCase):
    def test_a_handlaggare_reads_the_rules_and_the_norm_tables_but_cannot_change_them(self) -> None:
        page = self.client.get(reverse("benefit_rules"))
        self.assertContains(page, "Bara en enhetschef i kommunen kan ändra dem.")
        self.assertContains(page, "6\u00a0900\u00a0kr")
        self.assertContains(page, "KS 2022-12")
        self.assertContains(page, "lagstöd inte är kontrollerat")
        self.assertNotContains(page, 'name="cap-amount"')
        self.assertTrue(re.search(r'<th scope="row">2026</th>.*?Projektion', page.content.decode(), re.S))
        self.assertContains(page, "Officiell")
        response = self.client.post(
            reverse("benefit_rules"), {"form": "cap", "cap-kind": "boende", "cap-amount": "1"}
        )
        self.assertEqual(response.status_code, 403)

    def test_the_unit_manager_adds_a_cap_and_sets_the_payer_account(self) -> None:
        self.as_user(self.cecilia)
        url = reverse("benefit_rules")
        response = self.client.post(
            url,
            {
                "form": "cap",
                "cap-kind": "boende",
                "cap-children": "2",
                "cap-amount": "8200",
                "cap-valid_from": "2024-01-01",
                "cap-source": "SN 2023-11-20 § 4",
            },
        )
        self.assertRedirects(response, f"{url}?org={self.kommun.pk}")
        cap = LocalCap.objects.get(children=2)
        self.assertEqual((cap.amount, cap.created_by), (8200, self.cecilia))
        self.assertTrue(AuditEvent.objects.filter(action="benefits.cap_added").exists())
        rules = {
            "form": "rules",
            "rules-wage_disregard_percent": "0",
            "rules-wage_disregard_after_months": "6",
            "rules-wage_disregard_max": "",
            "rules-decision_target_days": "10",
            "rules-payer_name": "Exempelkommun",
            "rules-payer_iban": "SE35 5000 0000 0549 1000 0004",
            "rules-payer_bic": "ESSESESS",
        }
        response = self.client.post(url, rules)
        self.assertEqual(response.status_code, 422)
        self.assertIn("IBAN", error_next_to(response, "id_rules-payer_iban"))
        response = self.client.post(
            url,
            rules | {"rules-payer_iban": "SE35 5000 0000 0549 1000 0003", "rules-decision_target_days": "14"},
        )
        self.assertRedirects(response, f"{url}?org={self.kommun.pk}")
        saved = LocalRules.objects.get()
        self.assertEqual(
            (saved.payer_iban, saved.decision_target_days, saved.updated_by),
            (factories.PAYER_IBAN, 14, self.cecilia),
        )
        self.assertTrue(AuditEvent.objects.filter(action="benefits.rules_changed").exists())


class WhatIfTestCase(BenefitPageTestCase):
    def test_a_manager_simulates_a_norm_change_over_the_month_s_households(self) -> None:
        self.assertEqual(self.client.get(reverse("benefit_whatif")).status_code, 403)
        self.as_user(self.cecilia)
        page = self.client.get(reverse("benefit_whatif"))
        self.assertContains(page, "Ändring av normen i procent")
        response = self.client.post(
            reverse("benefit_whatif"),
            {"organisation": str(self.kommun.pk), "month": "2023-03", "percent": "2,5"},
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("färre än 5", response.content.decode())
        benefit_data.more_households(self.personas, 5)
        response = self.client.post(
            reverse("benefit_whatif"),
            {"organisation": str(self.kommun.pk), "month": "2023-03", "percent": "2,5"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Hushåll som får mer")
        self.assertContains(response, "+2,5")
        response = self.client.post(
            reverse("benefit_whatif"),
            {"organisation": str(self.kommun.pk), "month": "2023-03", "percent": "2", "year": "2021"},
        )
        self.assertIn("antingen", error_next_to(response, "id_percent"))
        self.assertEqual(Decision.objects.count(), 0)
