"""After seeding the demo, its manager persona finds people in the case-review queue and signals."""

from __future__ import annotations

import io
from collections import Counter

from django.core.management import call_command
from django.test import TestCase

from egenmakt.accounts.models import User
from egenmakt.review import services
from egenmakt.review.models import ReviewRule


class SeededReviewTestCase(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        out = io.StringIO()
        call_command("seed_demo", participants=400, seed=5, stdout=out, stderr=io.StringIO())
        cls.output = out.getvalue()

    def test_the_rules_are_on_and_the_queue_and_signals_show_people(self) -> None:
        self.assertIn("Ärendedragning och signaler:", self.output)
        self.assertTrue(ReviewRule.objects.filter(active=True).exists())
        manager = User.objects.get(username="enhetschef")
        unit = services.managed_units(manager)[0]
        queue = services.review_queue(actor=manager, unit=unit)
        reasons = Counter(reason.kind for entry in queue.entries for reason in entry.reasons)
        signals = Counter(signal.kind for signal in services.signals(actor=manager).signals)
        self.assertTrue(queue.entries)
        self.assertLessEqual(len(queue.entries), services.QUEUE_PAGE)
        self.assertTrue(reasons)
        self.assertTrue(signals)
