from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.test import TransactionTestCase
from django.utils import timezone

from egenmakt.activities import services
from egenmakt.activities.models import AnonymousPlace, Enrolment, EnrolmentStatus, FidelityReview
from egenmakt.activities.rules import finsam_split, ips25
from egenmakt.activities.tests.factories import make_activity, make_placement, people_with_cases
from egenmakt.audit.models import AuditEvent
from egenmakt.test import BaseTestCase, Personas


class EnrolmentTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.activity = make_activity(unit=self.ame, capacity=2)
        self.today = timezone.localdate()
        self.people = people_with_cases(actor=self.bertil, unit=self.ame, count=4)

    def enrol(self, index: int, override: str = "") -> Enrolment:
        person, case = self.people[index]
        return services.enrol(
            actor=self.bertil,
            participant=person,
            activity=self.activity,
            case=case,
            start=self.today,
            override_reason=override,
        )

    def test_places_are_given_until_full_then_people_queue_in_order(self) -> None:
        statuses = [self.enrol(i).status for i in range(4)]
        self.assertEqual(statuses, ["aktiv", "aktiv", "vantar", "vantar"])
        waiting = list(Enrolment.objects.filter(activity=self.activity).waiting())
        self.assertEqual([e.participant for e in waiting], [self.people[2][0], self.people[3][0]])
        self.assertEqual([services.queue_position(e) for e in waiting], [1, 2])
        self.assertEqual(services.occupancy(self.activity).free, 0)

    def test_a_freed_place_goes_to_the_first_in_line_and_skipping_the_queue_needs_a_reason(self) -> None:
        first = self.enrol(0)
        self.enrol(1)
        second_in_line = self.enrol(3)
        first_in_line = Enrolment.objects.get(pk=self.enrol(2).pk)
        second_in_line.refresh_from_db()
        # Queued in the order 3, 2 (person 3 asked first).
        services.end_enrolment(actor=self.bertil, enrolment=first, actual_end=self.today, end_reason="arbete")
        with self.assertRaisesMessage(services.ActivityError, "1 personer står före i kön"):
            services.place_from_queue(actor=self.bertil, enrolment=first_in_line, start=self.today)
        placed = services.place_from_queue(actor=self.bertil, enrolment=second_in_line, start=self.today)
        self.assertEqual((placed.status, placed.override_reason), ("aktiv", ""))

    def test_an_override_gives_a_place_beyond_capacity_with_the_reason_kept_and_logged(self) -> None:
        self.enrol(0)
        self.enrol(1)
        placed = self.enrol(2, override="Skyddat boende, kan inte vänta")
        self.assertEqual(placed.status, "aktiv")
        self.assertEqual(placed.override_reason, "Skyddat boende, kan inte vänta")
        event = AuditEvent.objects.filter(action="enrolment.placed").last()
        assert event is not None
        self.assertTrue(event.detail["override"])
        self.assertIn("full", event.detail["obstacle"])

    def test_an_override_reason_is_not_kept_when_a_place_was_free_anyway(self) -> None:
        self.assertEqual(self.enrol(0, override="Brådskande").override_reason, "")

    def test_someone_outside_the_persons_units_cannot_place_them(self) -> None:
        person, case = self.people[0]
        with self.assertRaises(services.ActivityError):
            services.enrol(
                actor=self.gustav, participant=person, activity=self.activity, case=case, start=self.today
            )
        self.assertFalse(Enrolment.objects.exists())

    def test_the_same_person_cannot_hold_two_open_places_in_one_activity(self) -> None:
        self.enrol(0)
        with self.assertRaisesMessage(services.ActivityError, "redan placerad"):
            self.enrol(0)

    def test_anonymous_places_take_capacity_and_hold_no_personal_data(self) -> None:
        self.enrol(0)
        services.register_anonymous_place(
            actor=self.bertil, activity=self.activity, start=self.today, age_band="20-24", legal_sex="K"
        )
        self.assertEqual(self.enrol(1).status, EnrolmentStatus.VANTAR)
        columns = {field.name for field in AnonymousPlace._meta.get_fields()}
        self.assertFalse(columns & {"participant", "name", "identity_value", "birth_date", "note"})
        with self.assertRaisesMessage(services.ActivityError, "full"):
            services.register_anonymous_place(actor=self.bertil, activity=self.activity, start=self.today)
        event = AuditEvent.objects.get(action="anonymous_place.registered")
        self.assertIsNone(event.participant_id)

    def test_ending_a_placement_needs_a_reason_and_a_last_day_not_before_the_start(self) -> None:
        enrolment = self.enrol(0)
        with self.assertRaisesMessage(services.ActivityError, "avslutsorsak"):
            services.end_enrolment(
                actor=self.bertil, enrolment=enrolment, actual_end=self.today, end_reason=""
            )
        with self.assertRaisesMessage(services.ActivityError, "före startdatum"):
            services.end_enrolment(
                actor=self.bertil,
                enrolment=enrolment,
                actual_end=self.today - timedelta(days=1),
                end_reason="arbete",
            )


class CatalogueRulesTestCase(BaseTestCase):
    def test_finsam_parts_add_up_to_the_cost(self) -> None:
        split = finsam_split(date(2026, 1, 1))
        parts = split.amounts(10_001)
        self.assertEqual([percent for percent in (share.percent for share, _ in parts)], [50, 25, 25])
        self.assertEqual(sum(amount for _, amount in parts), 10_001)
        self.assertFalse(split.verified)

    def test_an_ips25_review_needs_25_scores_from_1_to_5_and_keeps_the_history(self) -> None:
        activity = make_activity(unit=self.ame, code="IPS-1", method="ips")
        day = timezone.localdate()
        with self.assertRaisesMessage(services.ActivityError, "Alla 25 punkter"):
            services.record_fidelity_review(
                actor=self.bertil, activity=activity, reviewed_on=day, reviewers="X", scores=[3] * 24
            )
        with self.assertRaisesMessage(services.ActivityError, "Punkt 4"):
            services.record_fidelity_review(
                actor=self.bertil,
                activity=activity,
                reviewed_on=day,
                reviewers="X",
                scores=[3, 3, 3, 6] + [3] * 21,
            )
        services.record_fidelity_review(
            actor=self.bertil,
            activity=activity,
            reviewed_on=day - timedelta(days=365),
            reviewers="Granskare A",
            scores=[3] * 25,
        )
        latest = services.record_fidelity_review(
            actor=self.bertil,
            activity=activity,
            reviewed_on=day,
            reviewers="Granskare B",
            scores=[5] * 20 + [4] * 5,
        )
        self.assertEqual(latest.total, 120)
        self.assertEqual(ips25().band(latest.total).name_sv, "Exemplarisk")
        self.assertEqual(ips25().band(75).name_sv, "Godtagbar")
        self.assertEqual([r.total for r in FidelityReview.objects.filter(activity=activity)], [120, 75])

    def test_only_the_unit_running_the_activity_records_reviews(self) -> None:
        activity = make_activity(unit=self.ame, code="IPS-2", method="ips")
        with self.assertRaises(services.ActivityError):
            services.record_fidelity_review(
                actor=self.anna,
                activity=activity,
                reviewed_on=timezone.localdate(),
                reviewers="X",
                scores=[3] * 25,
            )


@pytest.mark.postgres_only
class ConcurrentEnrolmentTestCase(TransactionTestCase):
    """Two caseworkers give the last place at the same moment: one gets it, the other is queued."""

    def test_the_last_place_is_never_given_twice(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("real concurrency needs PostgreSQL")
        personas = Personas()
        activity = make_activity(unit=personas.ame, capacity=1)
        people = people_with_cases(actor=personas.bertil, unit=personas.ame, count=2)
        barrier = threading.Barrier(2)
        results: list[str] = []
        errors: list[BaseException] = []

        def place(index: int) -> None:
            try:
                barrier.wait()
                person, case = people[index]
                enrolment = services.enrol(
                    actor=personas.bertil,
                    participant=person,
                    activity=activity,
                    case=case,
                    start=timezone.localdate(),
                )
                results.append(enrolment.status)
            except BaseException as error:
                errors.append(error)
            finally:
                connections.close_all()

        for _ in range(5):
            Enrolment.objects.all().delete()
            results.clear()
            threads = [threading.Thread(target=place, args=(i,)) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            self.assertEqual(errors, [])
            self.assertEqual(sorted(results), ["aktiv", "vantar"])
            self.assertEqual(Enrolment.objects.filter(activity=activity).occupying().count(), 1)


class PlacementsEndingSoonTestCase(BaseTestCase):
    """The coach's start page: placements ending soon in the activities of the coach's units or on the
    coach's own cases, only people the coach may see, each logged."""

    def test_it_lists_the_units_activities_and_the_own_cases_soonest_first(self) -> None:
        today = timezone.localdate()
        ame_activity = make_activity(unit=self.ame)
        eb_activity = make_activity(unit=self.eb, code="EB-1")
        own = people_with_cases(actor=self.bertil, unit=self.ame, count=3)
        (other, other_case), *_ = people_with_cases(actor=self.anna, unit=self.eb, count=1, year=1980)
        placements = [
            (own[1], eb_activity, 5),  # another unit's activity, on Bertil's own case
            (own[0], ame_activity, 3),  # his unit's activity
            (own[2], ame_activity, 30),  # not soon
            ((other, other_case), eb_activity, 2),  # neither his unit's activity nor his case
        ]
        for (person, case), activity, days in placements:
            make_placement(
                participant=person,
                case=case,
                activity=activity,
                start=today - timedelta(days=60),
                planned_end=today + timedelta(days=days),
                by=self.bertil,
            )

        ending = services.placements_ending_soon(actor=self.bertil, on=today)

        self.assertEqual([e.participant for e in ending], [own[0][0], own[1][0]])
        logged = AuditEvent.objects.filter(actor=self.bertil, action="participant.listed_on_start_page")
        self.assertEqual(set(logged.values_list("participant_id", flat=True)), {own[0][0].pk, own[1][0].pk})
        # Anna's unit runs the EB activity, but Bertil's person there has no case with her unit: not shown.
        self.assertEqual(
            [e.participant for e in services.placements_ending_soon(actor=self.anna, on=today)], [other]
        )
