from __future__ import annotations

import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from egenmakt.audit.models import AuditEvent
from egenmakt.collaboration import sip
from egenmakt.collaboration.models import SipPlan
from egenmakt.consent import services as consents
from egenmakt.consent.models import ConsentForm
from egenmakt.lib.categories import DataCategory
from egenmakt.test import BaseTestCase


class SipTestCase(BaseTestCase):
    def consent_to_af(self, categories: list[str]) -> None:
        today = timezone.localdate()
        consents.record_consent(
            actor=self.anna,
            participant=self.lina,
            terms=consents.ConsentTerms(
                recipients=[self.af],
                categories=categories,
                purpose="SIP med Arbetsförmedlingen",
                form=ConsentForm.MUNTLIGT,
                heard_by="Anna",
                valid_from=today,
                valid_to=today + timedelta(days=365),
            ),
        )

    def meeting(self) -> sip.SipMeeting:
        today = timezone.localdate()
        return sip.SipMeeting(
            meeting_date=today,
            attendees="Lina Lund\nAnna Andersson, Exempelkommun\nPia Persson, Arbetsförmedlingen",
            parties=[self.kommun, self.af],
            overall_responsible=self.kommun,
            next_follow_up=today + timedelta(days=60),
            own_words="Jag vill börja jobba inom vården.",
            relatives_present=True,
        )

    def test_a_sip_needs_the_persons_consent_for_every_other_party(self) -> None:
        with self.assertRaisesMessage(sip.SipError, "inte samtyckt"):
            sip.create_sip(actor=self.anna, participant=self.lina, meeting=self.meeting())
        self.consent_to_af([DataCategory.GRUNDUPPGIFTER])  # not the plan itself
        with self.assertRaisesMessage(sip.SipError, "inte samtyckt"):
            sip.create_sip(actor=self.anna, participant=self.lina, meeting=self.meeting())
        self.consent_to_af([DataCategory.GRUNDUPPGIFTER, DataCategory.PLAN_OCH_INSATSER])
        plan = sip.create_sip(actor=self.anna, participant=self.lina, meeting=self.meeting())
        self.assertEqual(plan.parties.count(), 2)

    def test_each_party_adds_what_it_does_and_signs_for_itself(self) -> None:
        self.consent_to_af([DataCategory.GRUNDUPPGIFTER, DataCategory.PLAN_OCH_INSATSER])
        plan = sip.create_sip(actor=self.anna, participant=self.lina, meeting=self.meeting())
        sip.add_action(
            actor=self.pia, plan=plan, organisation=self.af, what="Kartläggning och praktik inom vården"
        )
        sip.add_action(
            actor=self.anna, plan=plan, organisation=self.kommun, what="Försörjningsstöd under praktiken"
        )
        af_party = plan.parties.get(organisation=self.af)
        kommun_party = plan.parties.get(organisation=self.kommun)
        with self.assertRaises(sip.SipError):
            sip.sign_off(actor=self.pia, party=kommun_party)  # not her organisation
        sip.sign_off(actor=self.pia, party=af_party)
        sip.sign_off(actor=self.anna, party=kommun_party)
        with self.assertRaisesMessage(sip.SipError, "redan signerat"):
            sip.sign_off(actor=self.anna, party=kommun_party)
        plan.refresh_from_db()
        self.assertTrue(plan.is_signed_by_all)
        self.assertEqual(AuditEvent.objects.filter(action="sip.signed").count(), 2)

    def test_a_paper_signature_needs_the_signers_name(self) -> None:
        self.consent_to_af([DataCategory.GRUNDUPPGIFTER, DataCategory.PLAN_OCH_INSATSER])
        plan = sip.create_sip(actor=self.anna, participant=self.lina, meeting=self.meeting())
        af_party = plan.parties.get(organisation=self.af)
        with self.assertRaisesMessage(sip.SipError, "Skriv namnet"):
            sip.sign_off(actor=self.anna, party=af_party)
        sip.sign_off(actor=self.anna, party=af_party, on_paper_by="Per Palmgren")
        af_party.refresh_from_db()
        self.assertEqual(af_party.signer, "Per Palmgren")

    def test_a_party_without_consent_cannot_see_the_plan(self) -> None:
        self.consent_to_af([DataCategory.GRUNDUPPGIFTER, DataCategory.PLAN_OCH_INSATSER])
        plan = sip.create_sip(actor=self.anna, participant=self.lina, meeting=self.meeting())
        self.client.force_login(self.gustav)
        self.assertEqual(self.client.get(reverse("sip", args=[plan.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("sip_pdf", args=[plan.pk])).status_code, 404)

    def test_the_plan_prints_as_a_pdf_in_plain_swedish(self) -> None:
        self.consent_to_af([DataCategory.GRUNDUPPGIFTER, DataCategory.PLAN_OCH_INSATSER])
        plan = sip.create_sip(actor=self.anna, participant=self.lina, meeting=self.meeting())
        sip.add_action(
            actor=self.pia, plan=plan, organisation=self.af, what="Kartläggning och praktik inom vården"
        )
        self.client.force_login(self.pia)
        response = self.client.get(reverse("sip_pdf", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        text = _pdf_text(response.content)
        self.assertIn("Samordnad individuell plan", text)
        self.assertIn("Kartläggning och praktik inom vården", text)
        self.assertIn("Exempelkommun har det övergripande ansvaret", text)
        event = AuditEvent.objects.get(action="sip.printed")
        self.assertEqual((event.actor_id, event.legal_ground), (self.pia.pk, "samtycke"))

    def test_the_meeting_rules_are_checked(self) -> None:
        self.consent_to_af([DataCategory.GRUNDUPPGIFTER, DataCategory.PLAN_OCH_INSATSER])
        meeting = self.meeting()
        meeting.parties = [self.kommun]
        meeting.overall_responsible = self.af
        meeting.next_follow_up = meeting.meeting_date - timedelta(days=1)
        meeting.attendees = " "
        with self.assertRaises(sip.SipError) as caught:
            sip.create_sip(actor=self.anna, participant=self.lina, meeting=meeting)
        for part in ("minst två parter", "övergripande ansvaret", "vilka som deltog", "före mötet"):
            self.assertIn(part, str(caught.exception))
        self.assertFalse(SipPlan.objects.exists())


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())
