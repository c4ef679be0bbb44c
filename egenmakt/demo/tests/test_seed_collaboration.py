from __future__ import annotations

import io

from django.core.management import call_command
from django.test import TestCase

from egenmakt.access import policy
from egenmakt.accounts.models import User
from egenmakt.collaboration.models import Referral, SipPlan
from egenmakt.consent.models import Consent
from egenmakt.demo.generator import DEMO_PASSWORD


class SeededCollaborationTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", participants=600, seed=3, verbosity=0, stdout=io.StringIO())

    def test_the_partner_persona_sees_the_people_who_consented(self) -> None:
        partner = User.objects.get(username="partner")
        shared = policy.visible_participants(partner)
        self.assertTrue(shared.exists())
        self.assertTrue(Consent.objects.active().filter(participant__in=shared).exists())
        self.client.login(username="partner", password=DEMO_PASSWORD)
        page = self.client.get("/")
        self.assertContains(page, "Deltagare som delats med din organisation")
        first = shared.order_by("last_name").first()
        assert first is not None
        self.assertEqual(self.client.get(f"/deltagare/{first.pk}/").status_code, 200)

    def test_the_handlaggare_persona_has_referrals_and_a_sip(self) -> None:
        persona = User.objects.get(username="handlaggare")
        self.assertTrue(Referral.objects.filter(sent_by=persona).exists())
        self.assertTrue(SipPlan.objects.filter(created_by=persona).exists())

    def test_the_audit_chain_holds_after_seeding(self) -> None:
        call_command("verify_audit", stdout=io.StringIO())
