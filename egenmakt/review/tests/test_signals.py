"""Early-intervention signals: each fires on its facts and not without them, explains why, and is acted on
or dismissed (a dismissal needs a reason); a handled signal does not fire again for the same facts."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from egenmakt.accounts.models import Role
from egenmakt.activities import services as activities
from egenmakt.activities.tests.factories import make_activity
from egenmakt.audit.models import AuditEvent
from egenmakt.benefits.tests import factories as benefit_factories
from egenmakt.people.models import HouseholdRelation
from egenmakt.people.services import (
    ParticipantDetails,
    add_household_member,
    create_participant,
    update_participant,
)
from egenmakt.review import services
from egenmakt.review.models import RuleKind, SignalHandling
from egenmakt.review.tests.factories import months_on_assistance, switch_on, young_person
from egenmakt.test import BaseTestCase, details, make_user, valid_pnr


class SignalTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.today = timezone.localdate()

    def fired(self, user: object = None) -> dict[tuple[str, int], list[str]]:
        return {
            (s.kind, s.participant.pk): s.facts for s in services.signals(actor=user or self.cecilia).signals
        }

    def add_child(self) -> None:
        benefit_factories.since_long_ago(self.personas)
        child = create_participant(
            actor=self.anna,
            details=details(valid_pnr(f"{self.today.year - 8}0303", "238"), "Liv", "Lund"),
        )
        assert self.lina_case.household is not None
        add_household_member(
            actor=self.anna,
            household=self.lina_case.household,
            participant=child,
            relation=HouseholdRelation.BARN,
        )

    def test_children_in_a_household_on_long_term_assistance_fire_a_suggestion_of_collaboration(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.SIGNAL_BARN_LANGVARIGT)
        months_on_assistance(self.lina, self.eb, self.today.year - 1, 11)
        self.assertEqual(self.fired(), {})  # no children yet
        self.add_child()
        signals = services.signals(actor=self.cecilia).signals
        self.assertEqual(
            [(s.kind, s.participant) for s in signals], [(RuleKind.SIGNAL_BARN_LANGVARIGT, self.lina)]
        )
        self.assertEqual(signals[0].facts[0], "Hushållet har 1 barn under 18 år.")
        self.assertTrue(signals[0].suggests_collaboration)
        self.assertIn("BUP", signals[0].suggestion)

    def test_children_do_not_fire_without_long_term_assistance(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.SIGNAL_BARN_LANGVARIGT)
        months_on_assistance(self.lina, self.eb, self.today.year - 1, 6)
        self.add_child()
        self.assertEqual(self.fired(), {})

    def test_a_young_person_without_activity_for_n_weeks_fires_and_not_before(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.SIGNAL_UNGA_INAKTIVA, parameter=8)
        young = young_person(self.anna, self.eb, opened_on=self.today - timedelta(weeks=7))
        self.assertEqual(self.fired(), {})
        young.opened_on = self.today - timedelta(weeks=9)
        young.save(update_fields=["opened_on"])
        facts = self.fired()[(RuleKind.SIGNAL_UNGA_INAKTIVA, young.participant_id)]
        self.assertIn("Ingen pågående insats på 9 veckor.", facts)

    def test_a_young_person_in_an_activity_does_not_fire(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.SIGNAL_UNGA_INAKTIVA, parameter=8)
        young = young_person(self.anna, self.eb, opened_on=self.today - timedelta(weeks=20))
        activities.enrol(
            actor=self.anna,
            participant=young.participant,
            activity=make_activity(unit=self.ame),
            case=young,
            start=self.today - timedelta(days=1),
        )
        self.assertEqual(self.fired(), {})

    def test_someone_not_digital_without_an_address_fires_and_not_with_an_address_or_bankid(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.SIGNAL_EJ_DIGITAL)
        facts = self.fired()[(RuleKind.SIGNAL_EJ_DIGITAL, self.lina.pk)]
        self.assertEqual(
            facts,
            [
                "Har inte BankID.",
                "Ingen e-postadress registrerad.",
                "Ingen fullständig postadress registrerad.",
            ],
        )
        for change in (
            {"has_bankid": True},
            {"street_address": "Storgatan 1", "postal_code": "12345", "city": "Exempelstad"},
        ):
            values = ParticipantDetails.of(self.lina).__dict__ | change
            update_participant(actor=self.anna, participant=self.lina, details=ParticipantDetails(**values))
            self.assertEqual(self.fired(), {})
            values = ParticipantDetails.of(self.lina).__dict__ | {
                "has_bankid": False,
                "street_address": "",
                "postal_code": "",
                "city": "",
            }
            update_participant(actor=self.anna, participant=self.lina, details=ParticipantDetails(**values))

    def test_a_dismissal_needs_a_reason_and_then_the_same_facts_do_not_fire_again(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.SIGNAL_EJ_DIGITAL)
        signal = services.signals(actor=self.cecilia).signals[0]
        arguments = {
            "actor": self.cecilia,
            "participant": self.lina,
            "kind": signal.kind,
            "unit": signal.unit,
            "key": signal.key,
            "outcome": "avfardad",
        }
        with self.assertRaises(services.ReviewError) as raised:
            services.handle_signal(**arguments, text="  ")  # type: ignore[arg-type]
        self.assertEqual(raised.exception.field, "text")
        self.assertFalse(SignalHandling.objects.exists())
        services.handle_signal(**arguments, text="Lina hämtar post hos sin syster.")  # type: ignore[arg-type]
        self.assertEqual(self.fired(), {})
        event = AuditEvent.objects.get(action="signal.dismissed")
        self.assertEqual(event.participant_id, self.lina.pk)
        # Handled once: a second try is refused.
        with self.assertRaises(services.ReviewError):
            services.handle_signal(**arguments, text="Igen")  # type: ignore[arg-type]
        # Changed facts (a change to her record) make a new signal.
        values = ParticipantDetails.of(self.lina).__dict__ | {"phone": "070-1234567"}
        update_participant(actor=self.anna, participant=self.lina, details=ParticipantDetails(**values))
        self.assertIn((RuleKind.SIGNAL_EJ_DIGITAL, self.lina.pk), self.fired())

    def test_acting_on_a_signal_is_a_note_and_is_audited(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.SIGNAL_EJ_DIGITAL)
        signal = services.signals(actor=self.anna).signals[0]  # Lina is Anna's own participant
        with self.assertRaises(services.ReviewError):
            services.handle_signal(
                actor=self.anna,
                participant=self.lina,
                kind=signal.kind,
                unit=signal.unit,
                key=signal.key,
                outcome="atgardad",
                text="",
            )
        services.handle_signal(
            actor=self.anna,
            participant=self.lina,
            kind=signal.kind,
            unit=signal.unit,
            key=signal.key,
            outcome="atgardad",
            text="Ringde Lina, hon skickar sin adress.",
        )
        self.assertTrue(
            AuditEvent.objects.filter(action="signal.acted_on", participant_id=self.lina.pk).exists()
        )
        self.assertEqual(self.fired(self.anna), {})

    def test_signals_are_only_for_the_unit_and_caseworkers_see_their_own_participants(self) -> None:
        switch_on(self.cecilia, self.eb, RuleKind.SIGNAL_EJ_DIGITAL)
        greta = make_user("greta", "Greta", "Grönlund", self.grann_eb, Role.ENHETSCHEF)
        self.assertEqual(self.fired(greta), {})
        self.assertEqual(self.fired(self.gustav), {})
        other = make_user("ola", "Ola", "Olsson", self.eb, Role.HANDLAGGARE)
        self.assertEqual(self.fired(other), {})  # Lina is Anna's, not Ola's
        self.assertIn((RuleKind.SIGNAL_EJ_DIGITAL, self.lina.pk), self.fired(self.anna))
        with self.assertRaises(services.ReviewError):
            signal = services.signals(actor=self.cecilia).signals[0]
            services.handle_signal(
                actor=greta,
                participant=self.lina,
                kind=signal.kind,
                unit=signal.unit,
                key=signal.key,
                outcome="avfardad",
                text="Inte vår",
            )
