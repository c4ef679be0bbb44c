"""Economic-assistance data for the web tests, made through the services as a caseworker would: Lina's
household since long ago, an application for March 2023 (an official riksnorm) with a rent over the
municipality's cap, its decision, a reduction after unexcused absence, and a paid payment run."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from egenmakt.attendance.models import AbsenceTask
from egenmakt.benefits import payments, services
from egenmakt.benefits.models import Application, Decision, LocalCap, PaymentRun, Reduction
from egenmakt.benefits.tests import factories
from egenmakt.benefits.tests.factories import MONTH
from egenmakt.cases.models import Case, CaseType
from egenmakt.people.models import HouseholdMember
from egenmakt.people.services import create_household, create_participant
from egenmakt.test import Personas, details, valid_pnr

RENT = 7400
CAP = 6900
RENT_REASONS = "Hyran är högre än kommunens högsta godtagbara hyra för ert hushåll."
REDUCTION_MONTH = date(2023, 4, 1)


def household(personas: Personas) -> None:
    """Lina's household counts from long ago; the municipality has a rent cap, a payer account, and Lina a
    payout account."""
    factories.since_long_ago(personas)
    LocalCap.objects.create(
        organisation=personas.kommun,
        kind="boende",
        amount=CAP,
        valid_from=date(2023, 1, 1),
        source="KS 2022-12",
    )
    factories.payer(personas)
    factories.account(personas)


def application(personas: Personas, month: date = MONTH, **extra: Any) -> Application:
    fields: dict[str, Any] = {
        "costs": [
            {"kind": "boende", "amount": RENT},
            {"kind": "livsforing", "label": "Glasögon", "amount": 1200},
        ],
        "incomes": [{"kind": "barnbidrag", "amount": 1250}],
    } | extra
    return services.register_application(
        actor=personas.anna,
        case=personas.lina_case,
        month=month,
        received_on=month - timedelta(days=5),
        **fields,
    )


def decided(personas: Personas) -> Decision:
    """The March application, calculated and decided: the rent partly granted (capped), the rest in full."""
    submitted = application(personas)
    services.calculate_application(actor=personas.anna, application=submitted)
    return services.decide(
        actor=personas.anna, application=submitted, item_reasons={"kostnad:boende": RENT_REASONS}
    )


def absences(personas: Personas, days: int = 2) -> list[AbsenceTask]:
    return factories.unexcused_absences(personas, days=days)


def proposed(personas: Personas, tasks: list[AbsenceTask] | None = None) -> Reduction:
    return services.propose_reduction(
        actor=personas.anna,
        tasks=tasks or absences(personas),
        month=REDUCTION_MONTH,
        basis="dagar",
        days=2,
        reasons="Två dagars ogiltig frånvaro från praktiken.",
    )


def communicated(personas: Personas, reduction: Reduction, *, days_ago: int = 0) -> Reduction:
    sent = timezone.localdate() - timedelta(days=days_ago)
    return services.communicate(
        actor=personas.anna, reduction=reduction, sent_on=sent, reply_deadline=sent + timedelta(days=14)
    )


def reduction_decided(personas: Personas) -> Decision:
    reduction = communicated(personas, proposed(personas))
    services.record_reply(
        actor=personas.anna, reduction=reduction, received_on=timezone.localdate(), text="Jag var sjuk."
    )
    return services.decide_reduction(
        actor=personas.anna, reduction=reduction, amount=100, reasons="Svaret beaktat: en dag räknas."
    )


def prepared_run(personas: Personas) -> PaymentRun:
    return payments.prepare_run(
        actor=personas.anna,
        organisation=personas.kommun,
        month=MONTH,
        execution_date=timezone.localdate() + timedelta(days=1),
    )


def paid_run(personas: Personas) -> PaymentRun:
    """Prepared by Anna, approved by Cecilia, paid (the files go to EGENMAKT_PAYMENT_DIR)."""
    run = prepared_run(personas)
    payments.approve_run(actor=personas.cecilia, run=run)
    return payments.execute_run(actor=personas.cecilia, run=run)


def more_households(personas: Personas, count: int, month: date = MONTH) -> None:
    """Other households at Anna's unit with an application for the month, calculated (for the what-if)."""
    names = ["Ahmed", "Beata", "Ciro", "Dilan", "Edna", "Fanny", "Goran", "Hanna"]
    for n in range(count):
        person = create_participant(
            actor=personas.anna,
            details=details(valid_pnr(f"19{60 + n}0303", "020"), names[n], "Exempel"),
        )
        case = Case.objects.create(
            participant=person,
            unit=personas.eb,
            case_type=CaseType.EKONOMISKT_BISTAND,
            responsible=personas.anna,
            household=create_household(actor=personas.anna, applicant=person),
        )
        HouseholdMember.objects.filter(household=case.household).update(valid_from=date(2000, 1, 1))
        submitted = services.register_application(
            actor=personas.anna, case=case, month=month, costs=[{"kind": "boende", "amount": 5000 + 100 * n}]
        )
        services.calculate_application(actor=personas.anna, application=submitted)
