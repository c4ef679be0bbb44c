from __future__ import annotations

from datetime import date, timedelta

from django.http import Http404
from django.utils import timezone

from egenmakt.access import policy
from egenmakt.accounts.models import Membership, Role
from egenmakt.cases.models import Case, CaseType
from egenmakt.lib.categories import DataCategory
from egenmakt.people import services as people
from egenmakt.people.models import HouseholdRelation
from egenmakt.test import BaseTestCase, details, valid_pnr


class PolicyTestCase(BaseTestCase):
    def test_it_allows_staff_with_a_case_in_their_own_unit(self) -> None:
        decision = policy.can(self.anna, policy.Action.VIEW, self.lina)
        self.assertTrue(decision.allowed)
        self.assertEqual(decision.legal_ground, policy.LegalGround.EGEN_ENHET)
        self.assertTrue(policy.can(self.cecilia, policy.Action.VIEW, self.lina))

    def test_it_refuses_another_units_caseworker(self) -> None:
        self.assertFalse(policy.can(self.gustav, policy.Action.VIEW, self.lina))
        self.assertFalse(policy.can(self.anna, policy.Action.VIEW, self.omar))
        # Bertil works at the same municipality's AME, but Lina has no case there.
        self.assertFalse(policy.can(self.bertil, policy.Action.VIEW, self.lina))

    def test_it_gives_no_participant_access_to_partner_analyst_admin_or_staff_without_unit(self) -> None:
        for user in (self.pia, self.alva, self.sam, self.nomad):
            for category in DataCategory.values:
                self.assertFalse(policy.can(user, policy.Action.VIEW, self.lina, category), (user, category))
            self.assertFalse(policy.visible_participants(user).exists(), user)

    def test_it_ends_access_when_the_membership_ends(self) -> None:
        Membership.objects.filter(user=self.anna).update(valid_to=timezone.localdate() - timedelta(days=1))
        anna = type(self.anna).objects.get(
            pk=self.anna.pk
        )  # fresh object: memberships are cached per request
        self.assertFalse(policy.can(anna, policy.Action.VIEW, self.lina))

    def test_it_opens_a_participant_when_a_case_is_opened_in_the_unit(self) -> None:
        Case.objects.create(participant=self.lina, unit=self.ame, case_type=CaseType.ARBETSMARKNADSINSATS)
        self.assertTrue(policy.can(self.bertil, policy.Action.VIEW, self.lina))

    def test_it_lets_household_members_be_seen_through_the_households_case(self) -> None:
        child = people.create_participant(actor=self.anna, details=details("20150606-0027", "Ella", "Lund"))
        self.assertFalse(policy.can(self.anna, policy.Action.VIEW, child))
        assert self.lina_case.household is not None
        people.add_household_member(
            actor=self.anna,
            household=self.lina_case.household,
            participant=child,
            relation=HouseholdRelation.BARN,
            residence_share=50,
        )
        self.assertTrue(policy.can(self.anna, policy.Action.VIEW, child))
        self.assertIn(child, policy.visible_participants(self.anna))
        self.assertNotIn(child, policy.visible_participants(self.gustav))

    def test_it_narrows_protected_identity_to_named_staff(self) -> None:
        self.lina.protected_identity = True
        self.lina.save()
        self.assertFalse(policy.can(self.anna, policy.Action.VIEW, self.lina))
        self.assertNotIn(self.lina, policy.visible_participants(self.anna))
        people.grant_protected_access(
            actor=self.cecilia, participant=self.lina, user=self.anna, reason="Handläggare"
        )
        decision = policy.can(self.anna, policy.Action.VIEW, self.lina)
        self.assertTrue(decision)
        self.assertEqual(decision.legal_ground, policy.LegalGround.NAMNGIVEN_BEHORIGHET)
        self.assertIn(self.lina, policy.visible_participants(self.anna))
        # A grant does not reach across units: the named person still needs a case relation.
        people.grant_protected_access(
            actor=self.cecilia, participant=self.lina, user=self.gustav, reason="Fel"
        )
        self.assertFalse(policy.can(self.gustav, policy.Action.VIEW, self.lina))

    def test_it_answers_404_for_hidden_and_missing_participants_alike(self) -> None:
        for participant_id in (self.omar.pk, 999_999, "inte-ett-id"):
            with self.assertRaises(Http404):
                policy.get_participant(self.anna, participant_id)

    def test_it_refuses_unknown_categories_and_actions(self) -> None:
        self.assertFalse(policy.can(self.anna, policy.Action.VIEW, self.lina, "allt"))
        self.assertFalse(policy.can(self.anna, "radera", self.lina))

    def test_an_empty_list_is_decided_without_asking_the_database(self) -> None:
        with self.assertNumQueries(0):
            self.assertEqual(policy.decide_many(self.anna, policy.Action.VIEW, []), {})

    def test_the_visible_set_agrees_with_can_for_every_persona(self) -> None:
        people_ = [self.lina, self.omar]
        for user in (self.anna, self.bertil, self.cecilia, self.gustav, self.pia, self.alva, self.sam):
            visible = set(policy.visible_participants(user))
            for participant in people_:
                self.assertEqual(
                    participant in visible,
                    bool(policy.can(user, policy.Action.VIEW, participant)),
                    (user, participant),
                )

    def test_roles_decide_registration_log_review_and_administration(self) -> None:
        self.assertEqual(policy.registration_unit_ids(self.anna), {self.eb.pk})
        self.assertEqual(policy.registration_unit_ids(self.cecilia), set())
        self.assertTrue(policy.can_review_access_log(self.cecilia))
        self.assertFalse(policy.can_review_access_log(self.anna))
        self.assertTrue(policy.is_administrator(self.sam))
        self.assertFalse(policy.is_administrator(self.cecilia))
        Membership.objects.create(
            user=self.cecilia, unit=self.ame, role=Role.ENHETSCHEF, valid_from=date(2020, 1, 1)
        )
        cecilia = type(self.cecilia).objects.get(pk=self.cecilia.pk)
        self.assertEqual(policy.managed_unit_ids(cecilia), {self.eb.pk, self.ame.pk})


class VisibleCasesTestCase(BaseTestCase):
    def test_the_caseload_leaves_out_protected_people_the_user_is_not_named_for(self) -> None:
        from egenmakt.access import reads

        self.assertEqual([c.participant for c in reads.my_caseload(actor=self.anna)], [self.lina])
        self.lina.protected_identity = True
        self.lina.save()
        self.assertEqual(reads.my_caseload(actor=self.anna), [])
        self.assertNotIn(self.lina_case, policy.visible_cases(self.anna))
        people.grant_protected_access(
            actor=self.cecilia, participant=self.lina, user=self.anna, reason="Handläggare"
        )
        self.assertIn(self.lina_case, policy.visible_cases(self.anna))
        self.assertNotIn(self.omar_case, policy.visible_cases(self.anna))


class EmergencyReviewTestCase(BaseTestCase):
    def test_both_managers_review_and_unreviewed_accesses_come_first(self) -> None:
        from egenmakt.access import services as emergency
        from egenmakt.test import make_user

        greta = make_user("greta", "Greta", "Grann", self.grann_eb, Role.ENHETSCHEF)
        _p, first = emergency.start_emergency_access(
            actor=self.gustav, identity="19900101-0017", reason="Akut hemlöshet, behöver kontaktuppgifter"
        )
        assert first is not None
        emergency.review_emergency_access(actor=greta, access=first, note="Befogat")
        emergency.end_emergency_access(actor=self.gustav, access=first)
        _p, second = emergency.start_emergency_access(
            actor=self.gustav, identity="19900101-0017", reason="Ny akut situation, polisen ringde"
        )
        assert second is not None
        # Greta manages Gustav; Cecilia manages the unit whose case Lina is: both see both accesses.
        for manager in (greta, self.cecilia):
            self.assertEqual(emergency.reviewable_emergency_accesses(manager), [second, first])
        self.assertEqual(emergency.reviewable_emergency_accesses(self.anna), [])


class HouseholdEndTestCase(BaseTestCase):
    def test_a_member_counts_up_to_and_including_the_last_day(self) -> None:
        from unittest import mock

        from egenmakt.people.models import HouseholdMember

        child = people.create_participant(
            actor=self.anna, details=details(valid_pnr("20150606", "002"), "Ella", "Lund")
        )
        assert self.lina_case.household is not None
        member = people.add_household_member(
            actor=self.anna,
            household=self.lina_case.household,
            participant=child,
            relation=HouseholdRelation.BARN,
        )
        people.remove_household_member(actor=self.anna, member=member)  # valid_to = today
        self.assertTrue(HouseholdMember.objects.current().filter(pk=member.pk).exists())
        self.assertTrue(policy.can(self.anna, policy.Action.VIEW, child))
        tomorrow = timezone.now() + timedelta(days=1)
        with mock.patch("django.utils.timezone.now", return_value=tomorrow):
            self.assertFalse(policy.can(self.anna, policy.Action.VIEW, child))
