from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from egenmakt.audit.models import AuditEvent
from egenmakt.people import services as people
from egenmakt.people.errors import DuplicateIdentity, PeopleError, PossibleDuplicates
from egenmakt.people.models import HouseholdRelation, Participant
from egenmakt.people.target_groups import target_groups_for
from egenmakt.test import BaseTestCase, details, valid_pnr


class CreateParticipantTestCase(BaseTestCase):
    def test_it_stores_twelve_digits_and_derives_birth_date_and_sex(self) -> None:
        p = people.create_participant(
            actor=self.anna, details=details("7010632391", "Amal", "Said", identity_type="snr")
        )
        self.assertEqual(
            (p.identity_value, p.birth_date, p.legal_sex), ("197010632391", date(1970, 10, 3), "M")
        )

    def test_a_reserve_number_needs_the_birth_date_and_sex_it_lacks(self) -> None:
        p = people.create_participant(
            actor=self.anna,
            details=details("19850312-AB12", "Noor", "Haddad", identity_type="lrid", legal_sex="K"),
        )
        self.assertEqual(
            (p.identity_value, p.birth_date, p.legal_sex), ("19850312AB12", date(1985, 3, 12), "K")
        )

    def test_it_collects_every_problem_in_one_error(self) -> None:
        with self.assertRaises(people.InvalidDetails) as caught:
            people.create_participant(
                actor=self.anna,
                details=details(
                    "19850312-1234",
                    "",
                    "Haddad",
                    arrival_date=timezone.localdate() + timedelta(days=3),
                    interpreter_needed=True,
                ),
            )
        self.assertEqual(
            set(caught.exception.errors),
            {"identity_value", "first_name", "arrival_date", "interpreter_language"},
        )

    def test_it_refuses_the_same_identity_twice(self) -> None:
        with self.assertRaises(DuplicateIdentity) as caught:
            people.create_participant(actor=self.anna, details=details("900101-0017", "Lina", "Lund"))
        self.assertEqual(caught.exception.existing_id, self.lina.pk)

    def test_it_warns_of_a_similar_name_with_the_same_birth_date(self) -> None:
        similar = details("19900101-XY12", "Lena", "Lundh", identity_type="lrid")
        with self.assertRaises(PossibleDuplicates) as caught:
            people.create_participant(actor=self.anna, details=similar)
        self.assertEqual(caught.exception.candidate_ids, [self.lina.pk])
        p = people.create_participant(actor=self.anna, details=similar, confirmed_not_duplicate=True)
        self.assertTrue(Participant.objects.filter(pk=p.pk).exists())

    def test_a_different_name_on_the_same_day_is_no_duplicate(self) -> None:
        people.create_participant(
            actor=self.anna, details=details("19900101-QQ12", "Mehmet", "Yilmaz", identity_type="lrid")
        )

    def test_nothing_is_saved_when_the_audit_write_fails(self) -> None:
        # The audit row and the change share one transaction: no audit, no change.
        from unittest import mock

        with (
            mock.patch("egenmakt.audit.services._chained", side_effect=RuntimeError("audit down")),
            self.assertRaises(RuntimeError),
        ):
            people.create_participant(
                actor=self.anna, details=details(valid_pnr("19800202", "123"), "Ali", "Hassan")
            )
        self.assertFalse(Participant.objects.filter(last_name="Hassan").exists())


class UpdateParticipantTestCase(BaseTestCase):
    def test_it_logs_nothing_when_nothing_changed(self) -> None:
        before = AuditEvent.objects.count()
        changed = people.update_participant(
            actor=self.anna, participant=self.lina, details=people.ParticipantDetails.of(self.lina)
        )
        self.assertEqual((changed, AuditEvent.objects.count()), ([], before))

    def test_protected_identity_drops_the_address(self) -> None:
        current = people.ParticipantDetails.of(self.lina)
        current.street_address, current.protected_identity = "Storgatan 1", True
        people.update_participant(actor=self.anna, participant=self.lina, details=current)
        self.lina.refresh_from_db()
        self.assertEqual((self.lina.street_address, self.lina.protected_identity), ("", True))

    def test_a_samordningsnummer_can_be_replaced_by_a_personnummer(self) -> None:
        amal = people.create_participant(
            actor=self.anna, details=details("7010632391", "Amal", "Said", identity_type="snr")
        )
        new = people.ParticipantDetails.of(amal)
        new.identity_type, new.identity_value = "pnr", valid_pnr("19701003", "239")
        self.assertEqual(
            people.update_participant(actor=self.anna, participant=amal, details=new),
            ["identity_type", "identity_value"],
        )


class HouseholdTestCase(BaseTestCase):
    def test_children_may_live_here_part_time_and_adults_may_not(self) -> None:
        child = people.create_participant(
            actor=self.anna, details=details(valid_pnr("20150606", "002"), "Ella", "Lund")
        )
        household = self.lina_case.household
        assert household is not None
        member = people.add_household_member(
            actor=self.anna,
            household=household,
            participant=child,
            relation=HouseholdRelation.BARN,
            residence_share=50,
        )
        self.assertEqual(member.residence_share, 50)
        adult = people.create_participant(
            actor=self.anna, details=details(valid_pnr("19890909", "111"), "Per", "Lund")
        )
        with self.assertRaisesMessage(PeopleError, "gäller bara barn"):
            people.add_household_member(
                actor=self.anna,
                household=household,
                participant=adult,
                relation=HouseholdRelation.MEDSOKANDE,
                residence_share=50,
            )
        with self.assertRaisesMessage(PeopleError, "redan en sökande"):
            people.add_household_member(
                actor=self.anna, household=household, participant=adult, relation=HouseholdRelation.SOKANDE
            )
        with self.assertRaisesMessage(PeopleError, "redan i hushållet"):
            people.add_household_member(
                actor=self.anna, household=household, participant=child, relation=HouseholdRelation.BARN
            )


class TargetGroupTestCase(BaseTestCase):
    def codes(self, participant: Participant, on: date) -> set[str]:
        return {group.code for group in target_groups_for(participant, on)}

    def test_it_derives_young_people_not_in_work_or_studies(self) -> None:
        p = Participant(birth_date=date(2002, 5, 1), occupation="arbetssokande", has_bankid=True)
        self.assertIn("uvas", self.codes(p, date(2026, 6, 1)))
        p.occupation = "studier"
        self.assertNotIn("uvas", self.codes(p, date(2026, 6, 1)))
        p.occupation = "arbetssokande"
        self.assertNotIn("uvas", self.codes(p, date(2032, 6, 1)))  # 30 by then

    def test_it_derives_foreign_born_women_and_newly_arrived(self) -> None:
        p = Participant(
            birth_date=date(1990, 1, 1), legal_sex="K", country_of_birth="SO", arrival_date=date(2025, 1, 15)
        )
        self.assertLessEqual({"utrikes_fodd_kvinna", "nyanland"}, self.codes(p, date(2026, 11, 1)))
        self.assertIn("nyanland", self.codes(p, date(2028, 1, 15)))  # exactly 36 months
        self.assertNotIn("nyanland", self.codes(p, date(2028, 2, 15)))
        p.country_of_birth = "SE"
        self.assertNotIn("utrikes_fodd_kvinna", self.codes(p, date(2026, 11, 1)))

    def test_it_derives_people_who_need_paper(self) -> None:
        p = Participant(birth_date=date(1960, 1, 1), has_bankid=False, email="")
        self.assertIn("ej_digital", self.codes(p, date(2026, 1, 1)))
        p.has_bankid = True
        self.assertNotIn("ej_digital", self.codes(p, date(2026, 1, 1)))
        p.letters_only = True
        self.assertIn("ej_digital", self.codes(p, date(2026, 1, 1)))

    def test_every_definition_names_its_source_and_date(self) -> None:
        from egenmakt.people.target_groups import definitions

        for group in definitions():
            self.assertTrue(group.source and group.valid_from and group.name_sv and group.name_en, group.code)
