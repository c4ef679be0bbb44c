"""The demo's goals and commitments: measured on the computed report, with a status history, seen by the
personas of the owning organisations and printed for the nämnd."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import TestCase

from egenmakt.accounts.models import User
from egenmakt.demo.generator import DEMO_PASSWORD
from egenmakt.goals import access, figures
from egenmakt.goals.models import Commitment, CommitmentStatus, Goal, GoalSnapshot


class SeededGoalsTestCase(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        out = io.StringIO()
        call_command("seed_demo", participants=400, seed=5, stdout=out, stderr=io.StringIO())
        cls.output = out.getvalue()

    def test_goals_are_measured_and_commitments_have_a_history(self) -> None:
        self.assertEqual(Goal.objects.count(), 3)
        self.assertEqual(GoalSnapshot.objects.count(), 3)
        self.assertEqual(Commitment.objects.count(), 5)
        self.assertEqual(CommitmentStatus.objects.count(), 5 + 7)
        self.assertIn("Mål och uppdrag: 3 mål (3 mätta)", self.output)
        # The goal for everyone on long-term assistance is a large cell: it shows a value and a progress.
        goal = Goal.objects.get(indicator="langvarigt_bistand")
        shown = figures.figures(goal)
        self.assertIsNotNone(shown.latest)
        self.assertIsNotNone(shown.progress.share)

    def test_the_analyst_at_the_samordningsforbund_sees_only_its_shared_goals(self) -> None:
        analyst = User.objects.get(username="analytiker")
        self.assertEqual(access.visible_goals(analyst).count(), 2)
        self.assertFalse(access.may_manage(analyst))

    def test_the_manager_persona_sees_the_pages_and_prints_the_report(self) -> None:
        self.client.login(username="enhetschef", password=DEMO_PASSWORD)
        self.assertContains(self.client.get("/"), "Mål och uppdrag")
        self.assertContains(self.client.get("/mal/"), "Färre med långvarigt ekonomiskt bistånd")
        self.assertContains(
            self.client.get("/uppdrag/"), "Regionen kunde inte avsätta en IPS-handledare i år."
        )
        pdf = self.client.get("/uppdrag/rapport-till-namnden.pdf")
        self.assertEqual(pdf["Content-Type"], "application/pdf")
