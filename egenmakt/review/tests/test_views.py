"""The pages: a manager sets a rule and sees the queue, holds a review; staff act on and dismiss signals."""

from __future__ import annotations

from django.utils import timezone

from egenmakt.accounts.models import Role
from egenmakt.review.models import Review, RuleKind, SignalHandling
from egenmakt.review.tests.factories import months_on_assistance, switch_on
from egenmakt.test import BaseTestCase, make_user


class ReviewPagesTestCase(BaseTestCase):
    def test_a_manager_switches_a_rule_on_and_sees_the_person_with_the_reason(self) -> None:
        months_on_assistance(self.lina, self.eb, timezone.localdate().year - 1, 10)
        self.client.force_login(self.cecilia)
        response = self.client.get("/arendedragning/")
        self.assertContains(response, "Ingen i kön")
        response = self.client.post(
            "/arendedragning/regler/",
            {"enhet": self.eb.pk, "kind": RuleKind.LANGVARIGT, "langvarigt-active": "on"},
        )
        self.assertEqual(response.status_code, 302)
        response = self.client.get("/arendedragning/")
        self.assertContains(response, "Lina Lund")
        self.assertContains(response, "10 månader med försörjningsstöd")

    def test_a_rule_with_a_wrong_age_span_comes_back_with_the_error(self) -> None:
        self.client.force_login(self.cecilia)
        kind = RuleKind.UNGA_UTAN_INSATS
        response = self.client.post(
            "/arendedragning/regler/",
            {
                "enhet": self.eb.pk,
                "kind": kind,
                f"{kind}-active": "on",
                f"{kind}-min_age": "30",
                f"{kind}-max_age": "20",
            },
        )
        self.assertContains(response, "Den högsta åldern kan inte vara lägre än den lägsta.", status_code=422)

    def test_the_review_form_saves_the_review_and_returns_to_the_queue(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.LANGVARIGT)
        months_on_assistance(self.lina, self.eb, timezone.localdate().year - 1, 10)
        self.client.force_login(self.cecilia)
        url = f"/arendedragning/{self.lina.pk}/?enhet={self.eb.pk}"
        self.assertContains(self.client.get(url), "Långvarigt ekonomiskt bistånd")
        response = self.client.post(url, {"held_on": "", "conclusions": ""})
        self.assertEqual(response.status_code, 422)
        response = self.client.post(
            url,
            {
                "held_on": timezone.localdate().isoformat(),
                "staff": [self.cecilia.pk, self.anna.pk],
                "conclusions": "Lina vill studera.",
                "next_step": "Studievägledning.",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Review.objects.get().case, self.lina_case)
        self.assertNotContains(self.client.get("/arendedragning/"), "Lina Lund")

    def test_caseworkers_and_managers_of_other_units_cannot_open_the_queue_or_the_review(self) -> None:
        self.client.force_login(self.anna)
        self.assertEqual(self.client.get("/arendedragning/").status_code, 403)
        greta = make_user("greta", "Greta", "Grönlund", self.grann_eb, Role.ENHETSCHEF)
        self.client.force_login(greta)
        self.assertEqual(self.client.get(f"/arendedragning/?enhet={self.eb.pk}").status_code, 404)
        self.assertEqual(self.client.get(f"/arendedragning/{self.lina.pk}/").status_code, 404)

    def test_a_signal_is_dismissed_only_with_a_reason(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.SIGNAL_EJ_DIGITAL)
        self.client.force_login(self.anna)
        response = self.client.get("/signaler/")
        self.assertContains(response, "Ingen e-postadress registrerad.")
        signal = response.context["rows"][0][0]
        prefix = f"{signal.kind}-{self.lina.pk}-{self.eb.pk}"
        data = {"signal": prefix, "key": signal.key, f"{prefix}-outcome": "avfardad", f"{prefix}-text": ""}
        response = self.client.post("/signaler/hantera/", data)
        self.assertContains(response, "Skriv varför signalen avfärdas.", status_code=422)
        response = self.client.post("/signaler/hantera/", data | {f"{prefix}-text": "Post via syster."})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(SignalHandling.objects.get().outcome, "avfardad")
        self.assertContains(self.client.get("/signaler/"), "Inga signaler just nu.")

    def test_staff_without_casework_see_no_signals_page(self) -> None:
        self.client.force_login(self.alva)
        self.assertEqual(self.client.get("/signaler/").status_code, 403)
