from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from egenmakt.audit.models import AuditEvent
from egenmakt.collaboration import referrals, team
from egenmakt.collaboration.models import ReferralStatus
from egenmakt.consent import services as consents
from egenmakt.consent.models import ConsentForm
from egenmakt.lib.categories import DataCategory
from egenmakt.test import BaseTestCase


class ReferralSetup(BaseTestCase):
    """Shared steps; holds no tests itself."""

    def consent_for_af(self) -> None:
        today = timezone.localdate()
        self.consent = consents.record_consent(
            actor=self.anna,
            participant=self.lina,
            terms=consents.ConsentTerms(
                recipients=[self.af],
                categories=[DataCategory.GRUNDUPPGIFTER],
                purpose="Arbetsmarknadsstöd",
                form=ConsentForm.MUNTLIGT,
                heard_by="Anna",
                valid_from=today,
                valid_to=today + timedelta(days=90),
            ),
        )

    def send(self, recipient_email: str = "") -> referrals.SentReferral:
        return referrals.send_referral(
            actor=self.anna,
            participant=self.lina,
            from_unit=self.eb,
            to_organisation=self.af,
            question="Kan ni erbjuda ett kartläggningssamtal?",
            contact="Anna Andersson, 010-123 45 67",
            recipient_email=recipient_email,
        )


class ReferralTestCase(ReferralSetup):
    def test_it_is_refused_without_a_consent_covering_the_recipient(self) -> None:
        with self.assertRaisesMessage(referrals.ReferralRefused, "inget gällande samtycke"):
            self.send()

    def test_sending_discloses_on_the_consent_and_starts_the_history(self) -> None:
        self.consent_for_af()
        sent = self.send()
        self.assertEqual(sent.referral.status, ReferralStatus.SKICKAD)
        self.assertIsNone(sent.answer_path)
        event = AuditEvent.objects.get(action="referral.sent")
        self.assertEqual(
            (event.legal_ground, event.detail["consent_id"], event.detail["disclosed_to"]),
            ("samtycke", self.consent.pk, self.af.pk),
        )
        self.assertEqual([step.status for step, _span in sent.referral.steps_with_time()], ["skickad"])

    def test_a_recipient_without_an_account_answers_once_through_the_link(self) -> None:
        self.consent_for_af()
        with self.captureOnCommitCallbacks(execute=True):
            sent = self.send(recipient_email="mottagare@af.example")
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(sent.answer_path or "", mail.outbox[0].body)
        self.assertNotIn("Lina", str(mail.outbox[0].body) + str(mail.outbox[0].subject))
        page = self.client.get(sent.answer_path or "")
        self.assertContains(page, "kartläggningssamtal")
        self.assertContains(page, "Lina")
        self.assertNotContains(page, "Lund")  # first name and birth year only
        self.assertNotContains(page, "19900101-0017")
        response = self.client.post(sent.answer_path or "", {"name": "Petra på AF", "answer": "accept"})
        self.assertContains(response, "accepterat")
        sent.referral.refresh_from_db()
        self.assertEqual(sent.referral.status, ReferralStatus.ACCEPTERAD)
        self.assertEqual(
            [s.status for s, _ in sent.referral.steps_with_time()], ["skickad", "mottagen", "accepterad"]
        )
        again = self.client.post(
            sent.answer_path or "", {"name": "Petra", "answer": "decline", "reason": "x"}
        )
        self.assertEqual(again.status_code, 410)

    def test_the_link_expires_after_14_days_and_cannot_be_forged(self) -> None:
        self.consent_for_af()
        sent = self.send(recipient_email="mottagare@af.example")
        later = timezone.now() + timedelta(days=14, minutes=1)
        with (
            mock.patch("django.core.signing.time.time", return_value=later.timestamp()),
            mock.patch("django.utils.timezone.now", return_value=later),
        ):
            self.assertEqual(self.client.get(sent.answer_path or "").status_code, 410)
        forged = (sent.answer_path or "").replace("/remiss/svar/", "/remiss/svar/x")
        self.assertEqual(self.client.get(forged).status_code, 410)

    def test_declining_needs_a_reason(self) -> None:
        self.consent_for_af()
        sent = self.send(recipient_email="mottagare@af.example")
        response = self.client.post(sent.answer_path or "", {"name": "Petra", "answer": "decline"})
        self.assertContains(response, "Skriv varför", status_code=422)
        self.client.post(
            sent.answer_path or "", {"name": "Petra", "answer": "decline", "reason": "Fel målgrupp"}
        )
        sent.referral.refresh_from_db()
        self.assertEqual(
            (sent.referral.status, sent.referral.decline_reason), (ReferralStatus.AVBOJD, "Fel målgrupp")
        )

    def test_withdrawing_the_consent_ends_the_recipients_view_and_the_link(self) -> None:
        self.consent_for_af()
        sent = self.send(recipient_email="mottagare@af.example")
        self.assertIn(sent.referral, referrals.referrals_for(self.pia))
        consents.withdraw_consent(actor=self.anna, consent=self.consent)
        self.assertNotIn(sent.referral, referrals.referrals_for(self.pia))
        self.assertIn(sent.referral, referrals.referrals_for(self.anna))
        self.assertEqual(self.client.get(sent.answer_path or "").status_code, 410)

    def test_each_side_may_make_only_its_own_moves(self) -> None:
        self.consent_for_af()
        referral = self.send().referral
        with self.assertRaises(referrals.ReferralRefused):
            referrals.change_status(actor=self.anna, referral=referral, status=ReferralStatus.ACCEPTERAD)
        with self.assertRaises(referrals.ReferralRefused):
            referrals.change_status(actor=self.pia, referral=referral, status=ReferralStatus.ATERKALLAD)
        with self.assertRaises(referrals.ReferralRefused):
            referrals.change_status(actor=self.gustav, referral=referral, status=ReferralStatus.MOTTAGEN)
        referrals.change_status(actor=self.pia, referral=referral, status=ReferralStatus.ACCEPTERAD)
        with self.assertRaisesMessage(referrals.ReferralRefused, "kan inte gå från"):
            referrals.change_status(actor=self.pia, referral=referral, status=ReferralStatus.AVBOJD, note="x")
        referrals.change_status(actor=self.anna, referral=referral, status=ReferralStatus.AVSLUTAD)

    def test_an_unanswered_referral_becomes_overdue_on_the_senders_start_page(self) -> None:
        self.consent_for_af()
        referral = self.send().referral
        type(referral).objects.filter(pk=referral.pk).update(answer_due=timezone.now() - timedelta(hours=1))
        self.client.force_login(self.anna)
        self.assertContains(self.client.get(reverse("start")), "Remisser utan svar i tid")
        self.client.force_login(self.pia)
        self.assertContains(self.client.get(reverse("start")), "Remisser till din organisation")

    def test_the_referral_page_shows_time_in_each_status_and_is_hidden_from_others(self) -> None:
        self.consent_for_af()
        referral = self.send().referral
        self.client.force_login(self.pia)
        self.client.post(reverse("referral_status", args=[referral.pk]), {"status": "mottagen"})
        page = self.client.get(reverse("referral", args=[referral.pk]))
        self.assertContains(page, "Mottagen")
        self.assertContains(page, "minut")
        self.client.force_login(self.gustav)
        self.assertEqual(self.client.get(reverse("referral", args=[referral.pk])).status_code, 404)


class TeamTestCase(BaseTestCase):
    def test_a_team_has_one_lead_and_gives_no_access_of_its_own(self) -> None:
        team.add_team_member(
            actor=self.anna, participant=self.lina, organisation=self.kommun, role="Handläggare", is_lead=True
        )
        team.add_team_member(
            actor=self.anna,
            participant=self.lina,
            organisation=self.af,
            role="Arbetsförmedlare",
            is_lead=True,
        )
        members = team.current_team(self.lina)
        self.assertEqual(
            [(m.organisation, m.is_lead) for m in members], [(self.af, True), (self.kommun, False)]
        )
        from egenmakt.access import policy

        self.assertFalse(policy.can(self.pia, "view", self.lina))  # in the team, but no consent

    def test_only_the_persons_own_unit_changes_the_team(self) -> None:
        with self.assertRaises(team.TeamError):
            team.add_team_member(actor=self.gustav, participant=self.lina, organisation=self.af, role="x")


class ReferralAcrossConsentVersionsTestCase(ReferralSetup):
    def test_a_new_version_that_still_names_the_recipient_keeps_the_referral_open(self) -> None:
        self.consent_for_af()
        sent = self.send(recipient_email="mottagare@af.example")
        today = timezone.localdate()
        revised = consents.revise_consent(
            actor=self.anna,
            consent=self.consent,
            terms=consents.ConsentTerms(
                recipients=[self.af],
                categories=[DataCategory.GRUNDUPPGIFTER],
                purpose="Längre giltighet",
                form=ConsentForm.MUNTLIGT,
                heard_by="Anna",
                valid_from=today,
                valid_to=today + timedelta(days=365),
            ),
        )
        self.assertIn(sent.referral, referrals.referrals_for(self.pia))
        self.assertEqual(self.client.get(sent.answer_path or "").status_code, 200)
        consents.withdraw_consent(actor=self.anna, consent=revised)
        self.assertNotIn(sent.referral, referrals.referrals_for(self.pia))
        self.client.force_login(self.anna)
        self.assertContains(
            self.client.get(reverse("referral", args=[sent.referral.pk])), "gäller inte längre"
        )

    def test_an_answer_without_a_reason_is_marked_on_the_reason_field(self) -> None:
        self.consent_for_af()
        sent = self.send(recipient_email="mottagare@af.example")
        response = self.client.post(sent.answer_path or "", {"name": "Petra", "answer": "decline"})
        self.assertEqual(response.context["form"].errors["reason"], ["Skriv varför remissen avböjs."])
