from __future__ import annotations

import re

from django.urls import reverse

from egenmakt.audit.models import AuditEvent
from egenmakt.cases.models import Case
from egenmakt.lib.identity import luhn_check_digit
from egenmakt.people.models import Participant
from egenmakt.test import BaseTestCase


def pnr(yymmdd: str, birth_number: str, century: str = "19") -> str:
    return f"{century}{yymmdd}-{birth_number}{luhn_check_digit(yymmdd + birth_number)}"


def registration(**overrides: str) -> dict[str, str]:
    data = {
        "identity_type": "pnr",
        "identity_value": pnr("880404", "238"),
        "first_name": "Sara",
        "last_name": "Svensson",
        "case_type": "ekonomiskt_bistand",
        "languages": "sv",
    }
    data.update(overrides)
    return data


class ParticipantPageTestCase(BaseTestCase):
    def test_it_shows_the_participant_to_their_caseworker_with_full_identity(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.get(reverse("participant", args=[self.lina.pk]))
        self.assertContains(response, "Lina Lund")
        self.assertContains(response, "19900101-0017")

    def test_it_answers_404_to_another_units_caseworker_as_if_no_one_existed(self) -> None:
        self.client.force_login(self.gustav)
        hidden = self.client.get(reverse("participant", args=[self.lina.pk]))
        missing = self.client.get(reverse("participant", args=[987654]))
        self.assertEqual(hidden.status_code, 404)
        self.assertEqual(missing.status_code, 404)

        def normalised(body: bytes, participant_id: int) -> str:
            text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())
            return text.replace(f"/deltagare/{participant_id}/", "/deltagare/ID/")

        self.assertEqual(normalised(hidden.content, self.lina.pk), normalised(missing.content, 987654))
        self.assertNotContains(hidden, "Lina", status_code=404)

    def test_each_page_view_writes_exactly_one_audit_event(self) -> None:
        self.client.force_login(self.anna)
        before = AuditEvent.objects.count()
        self.client.get(reverse("participant", args=[self.lina.pk]))
        events = list(AuditEvent.objects.filter(seq__gt=before))
        self.assertEqual(len(events), 1)
        event = events[0]
        self.assertEqual(
            (event.action, event.actor_id, event.participant_id, event.category, event.legal_ground),
            ("participant.viewed", self.anna.pk, self.lina.pk, "grunduppgifter", "egen_enhet"),
        )
        self.assertEqual(event.detail["categories"], ["grunduppgifter", "halsa", "ekonomi"])

    def test_a_refused_look_writes_no_read_event(self) -> None:
        self.client.force_login(self.gustav)
        before = AuditEvent.objects.count()
        self.client.get(reverse("participant", args=[self.lina.pk]))
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_the_list_shows_identities_masked(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.get(reverse("participant_search"), {"q": "Lina Lund"})
        self.assertContains(response, "19900101-****")
        self.assertNotContains(response, "19900101-0017")


class SearchTestCase(BaseTestCase):
    def search(self, user: object, query: str) -> list[Participant]:
        self.client.force_login(user)  # type: ignore[arg-type]
        response = self.client.get(reverse("participant_search"), {"q": query})
        self.assertEqual(response.status_code, 200)
        return list(response.context["results"])

    def test_it_finds_by_name_with_another_spelling(self) -> None:
        self.assertEqual(self.search(self.anna, "Lina Lund"), [self.lina])
        self.assertEqual(self.search(self.anna, "lund lina"), [self.lina])
        self.assertEqual(self.search(self.anna, "Linna Lundh"), [self.lina])

    def test_it_finds_by_personnummer_in_any_common_form(self) -> None:
        for query in ("19900101-0017", "900101-0017", "199001010017", "9001010017", "19900101", "900101"):
            self.assertEqual(self.search(self.anna, query), [self.lina], query)

    def test_it_never_finds_someone_the_user_may_not_see(self) -> None:
        self.assertEqual(self.search(self.gustav, "Lina Lund"), [])
        self.assertEqual(self.search(self.gustav, "19900101-0017"), [])
        self.assertEqual(self.search(self.pia, "Lina"), [])

    def test_each_hit_is_logged_and_misses_are_not(self) -> None:
        before = AuditEvent.objects.count()
        self.search(self.anna, "Lina")
        events = list(AuditEvent.objects.filter(seq__gt=before))
        self.assertEqual(
            [(e.action, e.participant_id) for e in events], [("participant.listed_in_search", self.lina.pk)]
        )
        self.assertEqual(events[0].detail["query"], "Lina")

    def test_the_htmx_search_answers_with_only_the_results(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.get(
            reverse("participant_search"), {"q": "Lina"}, headers={"HX-Request": "true"}
        )
        self.assertNotContains(response, "<html")
        self.assertContains(response, "Lina Lund")


class RegisterTestCase(BaseTestCase):
    def test_it_registers_a_participant_and_opens_a_case_in_the_chosen_unit(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.post(reverse("participant_register"), registration(unit=str(self.eb.pk)))
        participant = Participant.objects.get(last_name="Svensson")
        self.assertRedirects(
            response, reverse("participant", args=[participant.pk]), fetch_redirect_response=False
        )
        self.assertEqual(participant.identity_value, "19880404238" + str(luhn_check_digit("880404238")))
        self.assertEqual(participant.legal_sex, "K")  # the ninth digit, 8, is even
        case = Case.objects.get(participant=participant)
        self.assertEqual((case.unit, case.responsible), (self.eb, self.anna))
        actions = list(
            AuditEvent.objects.filter(participant_id=participant.pk).values_list("action", flat=True)
        )
        self.assertEqual(actions, ["participant.registered", "household.member_added", "case.opened"])

    def test_it_refuses_a_unit_the_user_does_not_belong_to(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.post(reverse("participant_register"), registration(unit=str(self.grann_eb.pk)))
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Participant.objects.filter(last_name="Svensson").exists())

    def test_it_rejects_an_invalid_personnummer_with_a_clear_message(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.post(
            reverse("participant_register"),
            registration(unit=str(self.eb.pk), identity_value="19880404-2389"),
        )
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "Kontrollsiffran stämmer inte", status_code=422)
        self.assertContains(response, 'class="error-summary"', status_code=422)

    def test_it_rejects_a_samordningsnummer_given_as_personnummer(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.post(
            reverse("participant_register"),
            registration(unit=str(self.eb.pk), identity_value="19701063-2391"),
        )
        self.assertContains(response, "samordningsnummer", status_code=422)
        response = self.client.post(
            reverse("participant_register"),
            registration(unit=str(self.eb.pk), identity_type="snr", identity_value="19701063-2391"),
        )
        self.assertEqual(response.status_code, 302)

    def test_it_keeps_what_was_typed_when_the_form_has_errors(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.post(
            reverse("participant_register"),
            registration(unit=str(self.eb.pk), identity_value="123", phone="070-1234567"),
        )
        self.assertContains(response, 'value="070-1234567"', status_code=422)
        self.assertContains(response, 'value="Svensson"', status_code=422)

    def test_it_blocks_a_second_registration_of_the_same_number_without_revealing_where(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.post(
            reverse("participant_register"),
            registration(unit=str(self.eb.pk), identity_value="19851224-1236"),
        )
        self.assertContains(response, "finns redan registrerad i en annan enhet", status_code=422)
        self.assertNotContains(response, "Omar", status_code=422)
        self.assertNotContains(response, "Grannkommun", status_code=422)

    def test_it_links_to_the_existing_person_when_the_user_may_see_them(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.post(
            reverse("participant_register"),
            registration(unit=str(self.eb.pk), identity_value="19900101-0017"),
        )
        self.assertContains(response, "Personen finns redan", status_code=422)

    def test_it_asks_for_confirmation_when_a_similar_person_exists(self) -> None:
        self.client.force_login(self.anna)
        similar = registration(
            unit=str(self.eb.pk),
            identity_type="lrid",
            identity_value="19900101-AB12",
            first_name="Lina",
            last_name="Lundh",
        )
        response = self.client.post(reverse("participant_register"), similar)
        self.assertContains(response, "Kan det vara samma person?", status_code=422)
        self.assertContains(response, reverse("participant", args=[self.lina.pk]), status_code=422)
        response = self.client.post(
            reverse("participant_register"), {**similar, "confirmed_not_duplicate": "on"}
        )
        self.assertEqual(response.status_code, 302)
        event = AuditEvent.objects.get(action="participant.registered", participant_id__gt=self.omar.pk)
        self.assertTrue(event.detail["confirmed_not_duplicate"])

    def test_whoever_registers_a_protected_person_is_named_and_sees_them(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.post(
            reverse("participant_register"),
            registration(unit=str(self.eb.pk), protected_identity="on", street_address="Hemlig väg 1"),
        )
        participant = Participant.objects.get(last_name="Svensson")
        self.assertRedirects(response, reverse("participant", args=[participant.pk]))
        self.assertEqual(participant.street_address, "")
        self.client.force_login(self.cecilia)  # same unit, not named
        self.assertEqual(self.client.get(reverse("participant", args=[participant.pk])).status_code, 404)

    def test_it_is_refused_to_roles_that_do_not_register(self) -> None:
        for user in (self.cecilia, self.pia, self.alva, self.sam):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("participant_register")).status_code, 403, user)


class EditTestCase(BaseTestCase):
    def form(self, **overrides: str) -> dict[str, str]:
        data = {
            "identity_type": "pnr",
            "identity_value": "19900101-0017",
            "first_name": "Lina",
            "last_name": "Lund",
        }
        data.update(overrides)
        return data

    def test_it_saves_changes_and_logs_which_fields_changed(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.post(
            reverse("participant_edit", args=[self.lina.pk]),
            self.form(phone="070-111 22 33", has_disability="on"),
        )
        self.assertRedirects(response, reverse("participant", args=[self.lina.pk]))
        self.lina.refresh_from_db()
        self.assertEqual(self.lina.phone, "070-111 22 33")
        events = AuditEvent.objects.filter(action="participant.updated", participant_id=self.lina.pk)
        self.assertEqual(
            {e.category: e.detail["fields"] for e in events},
            {"grunduppgifter": ["phone"], "halsa": ["has_disability"]},
        )

    def test_marking_protected_identity_removes_the_address_and_keeps_the_editor_named(self) -> None:
        self.lina.street_address = "Storgatan 1"
        self.lina.save()
        self.client.force_login(self.anna)
        self.client.post(reverse("participant_edit", args=[self.lina.pk]), self.form(protected_identity="on"))
        self.lina.refresh_from_db()
        self.assertTrue(self.lina.protected_identity)
        self.assertEqual(self.lina.street_address, "")
        response = self.client.get(reverse("participant", args=[self.lina.pk]))
        self.assertContains(response, "Skyddade personuppgifter")
        self.client.force_login(self.cecilia)  # same unit, not named
        self.assertEqual(self.client.get(reverse("participant", args=[self.lina.pk])).status_code, 404)

    def test_another_unit_cannot_edit(self) -> None:
        self.client.force_login(self.gustav)
        response = self.client.post(
            reverse("participant_edit", args=[self.lina.pk]), self.form(first_name="X")
        )
        self.assertEqual(response.status_code, 404)
        self.lina.refresh_from_db()
        self.assertEqual(self.lina.first_name, "Lina")


class ExportTestCase(BaseTestCase):
    def test_it_exports_the_visible_participants_and_logs_each_one(self) -> None:
        self.client.force_login(self.anna)
        before = AuditEvent.objects.count()
        response = self.client.post(reverse("participant_export"), {"purpose": "Planering av ärendedragning"})
        body = response.content.decode("utf-8-sig")
        self.assertIn("19900101-0017;Lina;Lund", body)
        self.assertNotIn("Omar", body)
        events = AuditEvent.objects.filter(seq__gt=before)
        self.assertEqual(
            [(e.action, e.participant_id) for e in events], [("participant.exported", self.lina.pk)]
        )
        self.assertEqual(events[0].detail["purpose"], "Planering av ärendedragning")

    def test_an_export_needs_a_purpose(self) -> None:
        self.client.force_login(self.anna)
        response = self.client.post(reverse("participant_export"), {"purpose": ""})
        self.assertEqual(response.status_code, 422)
