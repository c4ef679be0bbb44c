"""Each role's start page: what it shows, computed from known data, and what it never shows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from egenmakt.access import logreview
from egenmakt.activities.models import AnonymousPlace, Enrolment
from egenmakt.activities.tests.factories import make_activity, make_placement, people_with_cases
from egenmakt.analytics import funding
from egenmakt.attendance.models import Attendance, AttendanceStatus
from egenmakt.attendance.services import groups_to_register
from egenmakt.audit import services as audit
from egenmakt.benefits.models import Application, ApplicationStatus, Decision, DecisionKind, LocalRules
from egenmakt.benefits.reads import decision_times, percentile_of_counts
from egenmakt.cases.models import Case, CaseType
from egenmakt.goals.models import Commitment, CommitmentKind, CommitmentStatus
from egenmakt.people.services import create_participant
from egenmakt.plans.models import ActionPlan, FollowUp
from egenmakt.review import services as review
from egenmakt.review.models import ReviewRule, RuleKind
from egenmakt.review.tests.factories import months_on_assistance
from egenmakt.test import PASSWORD, BaseTestCase, details, valid_pnr


@pytest.mark.database_free
def test_percentiles_of_whole_days_are_the_nearest_rank() -> None:
    ten = {day: 1 for day in range(1, 11)}
    assert (percentile_of_counts(ten, 0.5), percentile_of_counts(ten, 0.9)) == (5, 9)
    assert percentile_of_counts({3: 9, 30: 1}, 0.9) == 3
    assert percentile_of_counts({3: 8, 30: 2}, 0.9) == 30
    assert percentile_of_counts({}, 0.5) is None


class DecisionTimeTests(BaseTestCase):
    def decide(self, case: Case, *, received: date, decided: date) -> Decision:
        month = received.replace(day=1)
        assert case.household_id is not None
        application = Application.objects.create(
            case=case,
            household_id=case.household_id,
            applicant=case.participant,
            month=month,
            received_on=received,
            input={},
            status=ApplicationStatus.BESLUTAD,
        )
        return Decision.objects.create(
            kind=DecisionKind.BISTAND,
            case=case,
            household_id=case.household_id,
            participant=case.participant,
            application=application,
            application_received_on=received,
            month=month,
            period_start=month,
            period_end=month + timedelta(days=27),
            law_version="test",
            amount=1000,
            decided_by=self.anna,
            decided_at=timezone.make_aware(datetime.combine(decided, time(15))),
        )

    def test_median_and_90th_percentile_count_calendar_days_of_the_unit_s_decisions_in_the_period(
        self,
    ) -> None:
        today = date(2026, 6, 30)
        for waited in [2, 4, 6, 8, 30]:
            received = date(2026, 1, 5) + timedelta(days=waited * 3)
            self.decide(self.lina_case, received=received, decided=received + timedelta(days=waited))
        self.decide(self.lina_case, received=date(2025, 1, 1), decided=date(2025, 3, 1))  # before the period
        times = decision_times(unit_ids=[self.eb.pk], since=date(2026, 1, 1), until=today, target=10)
        self.assertEqual((times.decided, times.median, times.p90, times.within_target), (5, 6, 30, 4))
        self.assertFalse(times.meets_target)
        other = decision_times(unit_ids=[self.grann_eb.pk], since=date(2026, 1, 1), until=today, target=10)
        self.assertEqual((other.decided, other.median, other.meets_target), (0, None, None))

    def test_the_manager_sees_the_figures_against_the_target_and_each_caseworker_s_load(self) -> None:
        today = timezone.localdate()
        self.decide(self.lina_case, received=today - timedelta(days=12), decided=today - timedelta(days=1))
        self.client.login(username="cecilia", password=PASSWORD)
        page = self.client.get(reverse("start")).content.decode()
        self.assertIn("Ekonomiskt bistånd: ärenden per handläggare", page)
        self.assertIn("Anna Andersson", page)
        self.assertIn("Tid från ansökan till beslut", page)
        self.assertIn("11 dagar", page)  # the median and the 90th percentile of the one decision
        self.assertIn("över målet", page)  # the municipality's default target is 10 days
        self.assertIn("0 av 1", page)


class ManagerReviewTests(BaseTestCase):
    def test_the_manager_s_page_names_the_queue_rules_switched_on_and_not_the_signals(self) -> None:
        for kind in (RuleKind.LANGVARIGT, RuleKind.SIGNAL_EJ_DIGITAL):
            ReviewRule.objects.create(unit=self.eb, kind=kind, active=True, changed_by=self.cecilia)
        ReviewRule.objects.create(
            unit=self.eb, kind=RuleKind.BESLUT_VANTAR, active=False, changed_by=self.cecilia
        )
        self.client.login(username="cecilia", password=PASSWORD)
        page = self.client.get(reverse("start")).content.decode()
        self.assertIn("Påslagna regler: Långvarigt ekonomiskt bistånd.", page)
        self.assertIn("Kön har inte räknats ännu", page)
        self.assertIn(f"{reverse('review_queue')}?enhet={self.eb.pk}", page)

    def test_the_manager_s_page_shows_the_queue_as_last_counted_per_rule(self) -> None:
        today = timezone.localdate()
        review.set_rule(actor=self.cecilia, unit=self.eb, kind=RuleKind.LANGVARIGT, active=True)
        review.set_rule(actor=self.cecilia, unit=self.eb, kind=RuleKind.UNGA_UTAN_INSATS, active=True)
        months_on_assistance(self.lina, self.eb, today.year - 1, 12)
        review.count_queues(actor=None, on=today)
        self.client.login(username="cecilia", password=PASSWORD)
        page = self.client.get(reverse("start")).content.decode()
        self.assertIn("1 person i kön.", page)
        self.assertIn(f"Det äldsta skälet gäller sedan {today.year - 1}-10-01.", page)
        self.assertRegex(page, r"<th scope=\"row\">Långvarigt ekonomiskt bistånd</th><td [^>]*>1</td>")
        self.assertRegex(page, r"<th scope=\"row\">Unga utan pågående insats</th><td [^>]*>0</td>")
        self.assertNotIn("Reglerna har ändrats sedan dess", page)
        # A rule changed after the count: the page says so rather than show a count of other rules.
        review.set_rule(actor=self.cecilia, unit=self.eb, kind=RuleKind.BESLUT_VANTAR, active=True)
        page = self.client.get(reverse("start")).content.decode()
        self.assertIn("Reglerna har ändrats sedan dess: öppna kön för att räkna om.", page)
        # Opening the queue counts again.
        self.client.get(f"{reverse('review_queue')}?enhet={self.eb.pk}")
        page = self.client.get(reverse("start")).content.decode()
        self.assertNotIn("Reglerna har ändrats sedan dess", page)
        self.assertRegex(page, r"<th scope=\"row\">Ansökan väntar på beslut</th><td [^>]*>0</td>")

    def test_a_new_decision_target_in_the_local_rules_makes_the_count_out_of_date(self) -> None:
        review.set_rule(actor=self.cecilia, unit=self.eb, kind=RuleKind.BESLUT_VANTAR, active=True)
        review.count_queues(actor=None, on=timezone.localdate())
        self.client.login(username="cecilia", password=PASSWORD)
        self.assertNotIn(
            "Reglerna har ändrats sedan dess", self.client.get(reverse("start")).content.decode()
        )
        LocalRules.objects.create(organisation=self.kommun, decision_target_days=5)
        self.assertIn("Reglerna har ändrats sedan dess", self.client.get(reverse("start")).content.decode())


class FundingTests(BaseTestCase):
    def setUp(self) -> None:
        self.today = date(2026, 6, 30)
        self.activity = make_activity(unit=self.ame, finsam_funded=True, cost_per_place=3044)
        self.activity.funders.add(self.personas.forbund)
        self.unfunded = make_activity(unit=self.ame, code="ANNAN-1")
        self.people = people_with_cases(actor=self.bertil, unit=self.ame, count=8)

    def place(self, index: int, start: date, end: date | None = None, reason: str = "") -> Enrolment:
        person, case = self.people[index]
        return make_placement(
            participant=person,
            case=case,
            activity=self.activity,
            start=start,
            actual_end=end,
            end_reason=reason,
            by=self.bertil,
        )

    def test_participants_cost_split_and_outcome_of_the_funded_activities_with_small_cells_hidden(
        self,
    ) -> None:
        # Five ended in the year, four of them to work or studies; three still placed; one from last year.
        for index, reason in enumerate(["arbete", "studier", "arbete", "studier", "avbruten"]):
            self.place(index, date(2026, 1, 1), date(2026, 1, 30), reason)
        for index in (5, 6):
            self.place(index, date(2026, 6, 1))
        self.place(7, date(2025, 1, 1), date(2025, 12, 31), "arbete")
        AnonymousPlace.objects.create(activity=self.activity, start=date(2026, 6, 1), created_by=self.bertil)
        found = funding.overview(organisations=[self.personas.forbund], on=self.today)
        self.assertEqual([row.activity for row in found.activities], [self.activity])
        row = found.activities[0]
        self.assertEqual(row.participants.value, 8)
        self.assertTrue(row.placed_now.suppressed)  # 3 placed now: fewer than 5
        # 5 × 30 days + 3 × 30 days = 240 days of places; 3044 kr per place and month.
        self.assertAlmostEqual(row.place_months, 240 / funding.DAYS_PER_MONTH)
        self.assertEqual(row.cost, round(240 / funding.DAYS_PER_MONTH * 3044))
        self.assertEqual(row.cost_per_participant, round(row.cost / 8))
        self.assertTrue(row.to_work_or_studies.suppressed)  # 4 of 5: the numerator is under 5
        self.assertEqual(found.finsam_cost, row.cost)
        self.assertEqual([share.percent for share, _ in found.split_amounts], [50, 25, 25])
        self.assertEqual(sum(amount for _, amount in found.split_amounts), row.cost)

    def test_the_forbundschef_s_page_shows_the_funded_activities_and_no_one_by_name(self) -> None:
        for index in range(6):
            self.place(index, date(2026, 1, 1))
        self.client.login(username="fredrik", password=PASSWORD)
        page = self.client.get(reverse("start")).content.decode()
        self.assertIn("Insatser som Samordningsförbundet Exempelbygden finansierar", page)
        self.assertIn("Finsam: kostnaden fördelad på medlemmarna", page)
        self.assertIn("Utfall i korthet", page)
        for person, _case in self.people:
            self.assertNotIn(person.last_name, page)
        self.assertEqual(
            self.client.get(reverse("participant", args=[self.people[0][0].pk])).status_code, 404
        )


class CoachTests(BaseTestCase):
    def test_today_s_groups_count_places_and_registrations_and_endings_soon_are_listed(self) -> None:
        today = timezone.localdate()
        activity = make_activity(unit=self.ame, weekdays=[])  # meets every day
        make_activity(unit=self.ame, code="TOM-1", weekdays=[])  # nobody placed: not a group to register
        people = people_with_cases(actor=self.bertil, unit=self.ame, count=3)
        enrolments = [
            make_placement(
                participant=person,
                case=case,
                activity=activity,
                start=today - timedelta(days=30),
                planned_end=today + timedelta(days=days),
                by=self.bertil,
            )
            for (person, case), days in zip(people, [3, 40, 10], strict=True)
        ]
        Attendance.objects.create(
            enrolment=enrolments[0],
            day=today,
            status=AttendanceStatus.NARVARANDE,
            planned_hours=6,
            attended_hours=6,
            recorded_by=self.bertil,
        )
        groups = groups_to_register(user=self.bertil, on=today)
        self.assertEqual(
            [(g.activity, g.placed, g.registered, g.done) for g in groups], [(activity, 3, 1, False)]
        )
        self.client.login(username="bertil", password=PASSWORD)
        page = self.client.get(reverse("start")).content.decode()
        self.assertIn("Grupper att registrera närvaro för i dag", page)
        ending = page[page.index("Placeringar som slutar inom 14 dagar") :]
        # The soonest first; the one ending in 40 days is not listed.
        self.assertLess(ending.index(people[0][0].full_name), ending.index(people[2][0].full_name))
        self.assertNotIn(people[1][0].full_name, ending)


class CaseworkerTests(BaseTestCase):
    def test_follow_ups_due_soon_are_listed_next_to_the_overdue(self) -> None:
        today = timezone.localdate()
        plan = ActionPlan.objects.create(
            case=self.lina_case, participant=self.lina, own_goal="Jobba", created_by=self.anna
        )
        FollowUp.objects.create(plan=plan, planned_on=today + timedelta(days=5))
        self.client.login(username="anna", password=PASSWORD)
        page = self.client.get(reverse("start")).content.decode()
        self.assertIn("Uppföljningar de närmaste 14 dagarna", page)
        self.assertIn(f"planerad {today + timedelta(days=5):%Y-%m-%d}", page)


class LogFlagTests(BaseTestCase):
    def test_a_look_by_someone_not_responsible_for_any_of_the_person_s_cases_is_counted(self) -> None:
        other = create_participant(
            actor=self.cecilia, details=details(valid_pnr("19920202", "001"), "Olle", "Ovan")
        )
        Case.objects.create(
            participant=other, unit=self.eb, case_type=CaseType.EKONOMISKT_BISTAND, responsible=self.cecilia
        )
        for participant in (self.lina, other):
            audit.record(
                actor=self.anna, action="participant.viewed", participant=participant, target=participant
            )
        today = timezone.localdate()
        self.assertEqual(logreview.flagged_count(actor=self.cecilia, date_from=today, date_to=today), 1)
        with self.assertRaises(PermissionError):
            logreview.flagged_count(actor=self.anna, date_from=today, date_to=today)


class PoliticianTests(BaseTestCase):
    def test_the_politician_sees_goals_and_commitments_by_status_and_no_person(self) -> None:
        for title, status in [
            ("Fler i jobb", "pagar"),
            ("Kortare väntan", "genomford"),
            ("Ny praktik", None),
        ]:
            commitment = Commitment.objects.create(
                organisation=self.kommun,
                text=title,
                kind=CommitmentKind.VALLOFTE,
                responsible="Socialnämnden",
                source_title="Valplattform 2026",
                created_by=self.cecilia,
            )
            if status:
                CommitmentStatus.objects.create(
                    commitment=commitment,
                    status=status,
                    on=date(2026, 1, 1),
                    comment="Beslutat i nämnden",
                    recorded_by=self.cecilia,
                )
        self.client.login(username="maja", password=PASSWORD)
        response = self.client.get(reverse("start"))
        page = response.content.decode()
        self.assertIn("Vallöften och uppdrag", page)
        statuses = page[page.index("Antal vallöften och uppdrag per status") :]
        for label, n in [("Ej påbörjad", 1), ("Pågår", 1), ("Genomförd", 1), ("Ej genomförd", 0)]:
            self.assertRegex(statuses, rf"{label}</th><td class=\"amount\">{n}</td>")
        self.assertNotIn("Lina", page)
        self.assertEqual(self.client.get(reverse("participant", args=[self.lina.pk])).status_code, 404)
        self.assertNotIn("Sök deltagare", page)
        found = self.client.get(reverse("participant_search"), {"q": "Lina Lund"}).content.decode()
        self.assertNotIn(f'href="{reverse("participant", args=[self.lina.pk])}"', found)
