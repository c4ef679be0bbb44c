"""Exempelkommun: the same seed gives the same municipality, every identity is valid, every participant is
in the audit trail, and each persona can log in and work."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, TestCase
from stdnum.se import orgnr

from egenmakt.accounts.models import Membership, Role, User
from egenmakt.audit.models import AuditEvent
from egenmakt.cases.models import Case, CaseType
from egenmakt.demo.generator import DEMO_PASSWORD, ORGANISATIONS, PERSONAS, add_years, build_plan
from egenmakt.demo.models import DemoDataset
from egenmakt.lib.identity import IdentityKind, parse_identity
from egenmakt.lib.names import search_key
from egenmakt.organisations.models import Organisation, OrganisationKind
from egenmakt.people.models import HouseholdMember, HouseholdRelation, Participant, ProtectedIdentityGrant

AS_OF = date(2025, 6, 30)
SEED = 7
N = 200


def seed_demo(*extra: str, participants: int = N) -> str:
    out = StringIO()
    call_command(
        "seed_demo",
        "--participants",
        str(participants),
        "--seed",
        str(SEED),
        "--as-of",
        AS_OF.isoformat(),
        *extra,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


class PlanTestCase(SimpleTestCase):
    """The generator alone: plain data, no database."""

    def test_it_is_deterministic_for_a_seed(self) -> None:
        self.assertEqual(
            build_plan(seed=SEED, participants=N, as_of=AS_OF),
            build_plan(seed=SEED, participants=N, as_of=AS_OF),
        )

    def test_another_seed_gives_another_municipality(self) -> None:
        first = build_plan(seed=SEED, participants=N, as_of=AS_OF)
        other = build_plan(seed=SEED + 1, participants=N, as_of=AS_OF)
        self.assertNotEqual(
            [p.identity_value for p in first.people()], [p.identity_value for p in other.people()]
        )
        self.assertNotEqual([p.full_name for p in first.people()], [p.full_name for p in other.people()])

    def test_it_makes_exactly_the_participants_asked_for(self) -> None:
        for participants in (1, 2, 3, 7, 50):
            with self.subTest(participants=participants):
                self.assertEqual(
                    build_plan(seed=1, participants=participants, as_of=AS_OF).participants, participants
                )

    def test_every_identity_is_valid_unique_and_agrees_with_the_person(self) -> None:
        plan = build_plan(seed=SEED, participants=3000, as_of=AS_OF)
        people = list(plan.people())
        for person in people:
            identity = parse_identity(person.identity_value, person.identity_type, today=AS_OF)
            self.assertEqual(identity.value, person.identity_value)
            self.assertEqual(identity.birth_date, person.birth_date)
            if identity.legal_sex is not None:
                self.assertEqual(identity.legal_sex, person.legal_sex)
        self.assertEqual(len({p.identity_value for p in people}), len(people))
        kinds = Counter(p.identity_type for p in people)
        self.assertEqual(
            set(kinds),
            {IdentityKind.PERSONNUMMER, IdentityKind.SAMORDNINGSNUMMER, IdentityKind.RESERVNUMMER_LOKALT},
        )
        self.assertGreater(kinds[IdentityKind.PERSONNUMMER] / len(people), 0.9)

    def test_dates_fit_together(self) -> None:
        plan = build_plan(seed=SEED, participants=1000, as_of=AS_OF)
        for household in plan.households:
            for member in household.members:
                person = member.person
                self.assertLessEqual(person.birth_date, AS_OF)
                self.assertGreaterEqual(member.valid_from, person.birth_date)
                if person.arrival_date is not None:
                    self.assertTrue(person.birth_date <= person.arrival_date <= AS_OF)
            for case in household.cases:
                self.assertGreaterEqual(case.opened_on, AS_OF - timedelta(days=3 * 365))
                self.assertLessEqual(case.opened_on, AS_OF)
                if case.closed_on is not None:
                    self.assertTrue(case.opened_on <= case.closed_on <= AS_OF)
                self.assertTrue(case.responsible)

    def test_households_have_one_applicant_and_an_ekonomiskt_bistand_case(self) -> None:
        plan = build_plan(seed=SEED, participants=1000, as_of=AS_OF)
        for household in plan.households:
            relations = [member.relation for member in household.members]
            self.assertEqual(relations[0], HouseholdRelation.SOKANDE)
            self.assertEqual(relations.count(HouseholdRelation.SOKANDE), 1)
            self.assertLessEqual(relations.count(HouseholdRelation.MEDSOKANDE), 1)
            eb = [case for case in household.cases if case.case_type == CaseType.EKONOMISKT_BISTAND]
            self.assertEqual(len(eb), 1)
            self.assertEqual(eb[0].member, 0)
            for member in household.members:
                if member.residence_share != 100:
                    self.assertEqual(member.relation, HouseholdRelation.BARN)

    def test_the_population_looks_like_people_on_forsorjningsstod(self) -> None:
        plan = build_plan(seed=SEED, participants=3000, as_of=AS_OF)
        adults = [
            m.person for h in plan.households for m in h.members if m.relation != HouseholdRelation.BARN
        ]
        abroad = sum(p.country_of_birth != "SE" for p in adults) / len(adults)
        young = sum(add_years(p.birth_date, 30) > AS_OF for p in adults) / len(adults)
        self.assertTrue(0.5 < abroad < 0.7, abroad)
        self.assertGreater(young, 0.15)
        singles = sum(len(h.members) == 1 for h in plan.households) / len(plan.households)
        self.assertTrue(0.45 < singles < 0.65, singles)

    def test_organisationsnummer_are_valid_and_made_up(self) -> None:
        for organisation in ORGANISATIONS:
            self.assertTrue(orgnr.is_valid(organisation.organisationsnummer), organisation.name)
            self.assertEqual(organisation.organisationsnummer[3:6], "999")  # far from any number in use
        kommun = next(o for o in ORGANISATIONS if o.kind == OrganisationKind.KOMMUN)
        self.assertTrue(kommun.organisationsnummer.startswith("212"))


class SeedDemoTestCase(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = seed_demo()

    def test_it_creates_the_municipality(self) -> None:
        self.assertEqual(DemoDataset.objects.get().participants, N)
        self.assertEqual(Participant.objects.count(), N)
        self.assertFalse(Participant.objects.filter(synthetic=False).exists())
        self.assertFalse(Case.objects.filter(synthetic=False).exists())
        self.assertEqual(Organisation.objects.filter(synthetic=True).count(), 5)
        households = HouseholdMember.objects.values("household").distinct().count()
        self.assertEqual(Case.objects.filter(case_type=CaseType.EKONOMISKT_BISTAND).count(), households)
        self.assertTrue(Case.objects.filter(case_type=CaseType.ARBETSMARKNADSINSATS).exists())
        self.assertIn(f"{N} deltagare", self.output)

    def test_search_keys_are_filled(self) -> None:
        for participant in Participant.objects.all()[:50]:
            self.assertEqual(participant.name_key, search_key(participant.full_name))

    def test_the_audit_trail_is_intact(self) -> None:
        out = StringIO()
        call_command("verify_audit", stdout=out)
        self.assertIn("intact", out.getvalue())
        registered = AuditEvent.objects.filter(action="participant.registered", purpose="demodata")
        self.assertEqual(registered.count(), N)
        self.assertEqual(
            set(registered.values_list("participant_id", flat=True)),
            set(Participant.objects.values_list("pk", flat=True)),
        )

    def test_each_persona_logs_in_with_the_demo_password(self) -> None:
        for persona in PERSONAS:
            with self.subTest(persona=persona.username):
                self.assertTrue(self.client.login(username=persona.username, password=DEMO_PASSWORD))
                membership = Membership.objects.get(user__username=persona.username)
                self.assertEqual(membership.role, persona.role)

    def test_the_handlaggare_sees_her_caseload_on_the_start_page(self) -> None:
        self.client.login(username="handlaggare", password=DEMO_PASSWORD)
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        caseload = response.context["caseload"]
        self.assertTrue(caseload)
        self.assertContains(response, caseload[0].participant.full_name)

    def test_the_admin_persona_reaches_django_admin(self) -> None:
        admin = User.objects.get(username="admin")
        self.assertTrue(admin.is_staff)
        self.client.login(username="admin", password=DEMO_PASSWORD)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_a_protected_participant_has_no_address_and_a_grant(self) -> None:
        protected = list(Participant.objects.filter(protected_identity=True))
        self.assertTrue(protected)
        for participant in protected:
            self.assertEqual(
                (participant.street_address, participant.postal_code, participant.city), ("", "", "")
            )
            case = Case.objects.get(
                household__members__participant=participant, case_type=CaseType.EKONOMISKT_BISTAND
            )
            grant = ProtectedIdentityGrant.objects.get(participant=participant, user=case.responsible)
            self.assertEqual(grant.granted_by.username, "enhetschef")
            self.assertIsNone(grant.revoked_at)

    def test_the_handlaggare_persona_can_open_a_protected_household(self) -> None:
        # The persona is given one protected household, so the demo shows how it looks.
        self.assertTrue(
            Case.objects.open()
            .filter(responsible__username="handlaggare", participant__protected_identity=True)
            .exists()
        )

    def test_if_empty_leaves_a_seeded_database_alone(self) -> None:
        output = seed_demo("--if-empty", participants=10)
        self.assertIn("finns redan", output)
        self.assertEqual(Participant.objects.count(), N)
        self.assertEqual(DemoDataset.objects.count(), 1)

    def test_it_refuses_to_seed_twice(self) -> None:
        with self.assertRaisesMessage(CommandError, "Demodata finns redan"):
            seed_demo(participants=10)
        self.assertEqual(Participant.objects.count(), N)

    def test_demo_logins_lists_every_persona(self) -> None:
        out = StringIO()
        call_command("demo_logins", stdout=out)
        table = out.getvalue()
        for persona in PERSONAS:
            self.assertIn(persona.username, table)
        self.assertIn(DEMO_PASSWORD, table)
        self.assertIn(str(Role.ARBETSMARKNADSKONSULENT.label), table)


class NotEmptyDatabaseTestCase(TestCase):
    def test_it_refuses_a_database_with_other_data(self) -> None:
        User.objects.create_user(username="riktig", password="x" * 16)
        for extra in ((), ("--if-empty",)):
            with self.subTest(extra=extra), self.assertRaisesMessage(CommandError, "inte tom"):
                seed_demo(*extra, participants=10)
        self.assertFalse(Participant.objects.exists())

    def test_it_refuses_a_date_in_the_future(self) -> None:
        with self.assertRaisesMessage(CommandError, "framtiden"):
            call_command("seed_demo", "--participants", "10", "--as-of", "2999-01-01", stdout=StringIO())

    def test_demo_logins_says_when_there_is_no_demo(self) -> None:
        out = StringIO()
        call_command("demo_logins", stdout=out)
        self.assertIn("ingen demodata", out.getvalue())
