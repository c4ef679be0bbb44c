from __future__ import annotations

from egenmakt.audit.models import AuditEvent
from egenmakt.test import BaseTestCase


class ParticipantsApiTestCase(BaseTestCase):
    def test_it_requires_a_logged_in_member_of_staff(self) -> None:
        self.assertEqual(self.client.get("/api/v1/participants", {"q": "Lina"}).status_code, 401)
        self.client.force_login(self.nomad)  # an account with no membership
        self.assertEqual(self.client.get("/api/v1/participants", {"q": "Lina"}).status_code, 401)

    def test_it_searches_within_what_the_user_may_see(self) -> None:
        self.client.force_login(self.anna)
        body = self.client.get("/api/v1/participants", {"q": "Lina"}).json()
        self.assertEqual(
            body,
            [
                {
                    "id": self.lina.pk,
                    "name": "Lina Lund",
                    "identity_masked": "19900101-****",
                    "birth_date": "1990-01-01",
                }
            ],
        )
        self.client.force_login(self.gustav)
        self.assertEqual(self.client.get("/api/v1/participants", {"q": "Lina"}).json(), [])

    def test_it_returns_one_participant_and_logs_the_read(self) -> None:
        self.client.force_login(self.anna)
        before = AuditEvent.objects.count()
        response = self.client.get(f"/api/v1/participants/{self.lina.pk}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["identity"], "19900101-0017")
        events = AuditEvent.objects.filter(seq__gt=before)
        self.assertEqual([(e.action, e.purpose) for e in events], [("participant.viewed", "API")])

    def test_it_answers_404_for_hidden_and_missing_alike(self) -> None:
        self.client.force_login(self.gustav)
        hidden = self.client.get(f"/api/v1/participants/{self.lina.pk}")
        missing = self.client.get("/api/v1/participants/987654")
        self.assertEqual((hidden.status_code, missing.status_code), (404, 404))
        self.assertEqual(hidden.json(), missing.json())

    def test_it_publishes_an_openapi_schema_to_staff(self) -> None:
        self.client.force_login(self.anna)
        schema = self.client.get("/api/v1/openapi.json").json()
        self.assertIn("/api/v1/participants/{participant_id}", schema["paths"])
