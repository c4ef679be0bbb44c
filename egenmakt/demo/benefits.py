"""Synthetic economic assistance for the demo: the municipality's caps and payment account, payout
accounts, last month's applications decided (ready for a payment run), this month's applications
waiting for a decision, and a few reductions on their way through kommunicering.

The demo's months use the riksnorm in the rules files; for 2026 that is a projection, so every screen
warns, and decisions are possible only because every demo case is synthetic. Rows are written in bulk
with one audit event per person and kind of write, as the rest of the demo does.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from stdnum import iban

from egenmakt.accounts.models import User
from egenmakt.attendance.models import AbsenceTask, AttendanceStatus, TaskStatus
from egenmakt.audit import services as audit
from egenmakt.benefits import calculation as calc
from egenmakt.benefits import legal
from egenmakt.benefits.models import (
    Application,
    ApplicationStatus,
    Calculation,
    Channel,
    Decision,
    DecisionItem,
    DecisionKind,
    LocalCap,
    LocalRules,
    Outcome,
    PayoutAccount,
    Reduction,
    ReductionBasis,
    ReductionStatus,
)
from egenmakt.benefits.norm import NormMissing, table_for
from egenmakt.benefits.services import (
    PURPOSE,
    BenefitError,
    caps_for,
    decision_items,
    item_outcome,
    members_in_month,
    reduction_amount,
    reduction_base,
)
from egenmakt.cases.models import Case, CaseType
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation, OrganisationKind
from egenmakt.people.models import HouseholdMember

# Highest accepted rent by number of children, after Vimmerby kommun's published table for 2024.
RENT_CAPS = [(0, 4700), (1, 6400), (2, 6900), (3, 8400), (4, 8700)]
RENT_SOURCE = "Exempel efter Vimmerby kommuns tabell 2024 (syntetisk demo)"
ACCOUNT_SHARE = 0.92
DECIDED_SHARE = 0.9  # of last month's applications; the rest wait (late documents, say)
CALCULATED_NOW_SHARE = 0.5  # of this month's applications


def _iban(rng: random.Random) -> str:
    """A formally valid Swedish IBAN (check digits by ISO 13616) for a made-up account."""
    bban = f"{rng.choice(['500', '800', '600', '300'])}{rng.randrange(10**16, 10**17):017d}"
    return f"SE{iban.calc_check_digits(f'SE00{bban}')}{bban}"


def _month_before(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def _application_data(rng: random.Random, rows: list[HouseholdMember], month: date) -> dict[str, Any] | None:
    try:
        members, others = members_in_month(rows, month)
    except BenefitError:  # a member without a birth date: such a household is left without applications
        return None
    if not any(m["role"] == "sokande" for m in members):
        return None
    children = sum(1 for m in members if m["role"] == "barn")
    adults = len(members) - children
    rent = rng.randrange(3800, 5200 + 1000 * children + 600 * adults, 50)
    costs: list[dict[str, Any]] = [{"kind": "boende", "amount": rent}]
    if rng.random() < 0.6:
        costs.append({"kind": "hushallsel", "amount": rng.randrange(250, 700, 10)})
    if rng.random() < 0.3:
        costs.append({"kind": "hemforsakring", "amount": rng.randrange(90, 220, 5)})
    if rng.random() < 0.1:
        label = rng.choice(["Glasögon", "Tandvård", "Läkarvård och medicin", "Flyttkostnad"])
        costs.append({"kind": "livsforing", "label": label, "amount": rng.randrange(300, 3000, 50)})
    incomes: list[dict[str, Any]] = []
    if children:
        incomes.append({"kind": "barnbidrag", "amount": 1250 * children})
    roll = rng.random()
    if roll < 0.2:
        incomes.append({"kind": "lon_netto", "amount": rng.randrange(2000, 9000, 100)})
    elif roll < 0.35:
        incomes.append({"kind": "aktivitetsstod", "amount": rng.randrange(3000, 7000, 100)})
    elif roll < 0.45:
        incomes.append({"kind": "sjukpenning", "amount": rng.randrange(2500, 8000, 100)})
    if children and rng.random() < 0.3:
        incomes.append({"kind": "bostadsbidrag", "amount": rng.randrange(800, 3500, 100)})
    return {
        "month": month.isoformat(),
        "members": members,
        "others_in_dwelling": others,
        "costs": costs,
        "incomes": incomes,
    }


def seed_benefits(*, seed: int, as_of: date) -> dict[str, int]:
    rng = random.Random(seed * 7_919 + 11)
    kommun = Organisation.objects.get(kind=OrganisationKind.KOMMUN, synthetic=True)
    handlaggare = User.objects.get(username="handlaggare")
    this_month = as_of.replace(day=1)
    last_month = _month_before(this_month)
    try:
        table_for(this_month), table_for(last_month)
    except NormMissing:
        return {"applications": 0, "decisions": 0, "accounts": 0, "reductions": 0}
    cases = list(
        Case.objects.filter(
            case_type=CaseType.EKONOMISKT_BISTAND,
            closed_on__isnull=True,
            household__isnull=False,
            synthetic=True,
        )
        .select_related("participant", "responsible", "unit")
        .order_by("pk")
    )
    with transaction.atomic():
        LocalRules.objects.create(
            organisation=kommun,
            payer_name=kommun.name[:70],
            payer_iban=_iban(rng),
            payer_bic="ESSESESS",
            decision_target_days=10,
        )
        LocalCap.objects.bulk_create(
            LocalCap(
                organisation=kommun,
                kind="boende",
                children=children,
                amount=amount,
                valid_from=date(2024, 1, 1),
                source=RENT_SOURCE,
            )
            for children, amount in RENT_CAPS
        )
        accounts = [
            PayoutAccount(household_id=case.household_id, holder=case.participant, iban=_iban(rng))
            for case in cases
            if case.household_id is not None and rng.random() < ACCOUNT_SHARE
        ]
        PayoutAccount.objects.bulk_create(accounts, batch_size=2000, ignore_conflicts=True)
        applications, decisions = _applications(rng, cases, kommun, last_month, this_month, as_of)
        reductions = _reductions(rng, this_month, as_of)
        audit.record_many(
            actor=handlaggare,
            entries=[
                audit.Entry(
                    action="demo.benefits_seeded",
                    participant=case.participant,
                    category=DataCategory.EKONOMI,
                    purpose=PURPOSE,
                )
                for case in cases
            ],
        )
    return {
        "applications": applications,
        "decisions": decisions,
        "accounts": len(accounts),
        "reductions": reductions,
    }


def _applications(
    rng: random.Random,
    cases: list[Case],
    kommun: Organisation,
    last_month: date,
    this_month: date,
    as_of: date,
) -> tuple[int, int]:
    rows: list[tuple[Application, Calculation | None, bool]] = []
    caps: dict[tuple[int, date], dict[str, int]] = {}
    members: dict[int, list[HouseholdMember]] = {}
    for member in (
        HouseholdMember.objects.filter(household__cases__in=cases)
        .select_related("participant")
        .order_by("pk")
        .distinct()
    ):
        members.setdefault(member.household_id, []).append(member)
    for case in cases:
        assert case.household_id is not None
        for month in (last_month, this_month):
            data = _application_data(rng, members.get(case.household_id, []), month)
            if data is None:
                continue
            children = sum(1 for m in data["members"] if m["role"] == "barn")
            full = dict(data)
            if (children, month) not in caps:
                caps[(children, month)] = caps_for(kommun.pk, children, month)
            full["caps"] = caps[(children, month)]
            received = (
                month - timedelta(days=rng.randint(2, 12))
                if month == last_month
                else as_of - timedelta(days=rng.randint(0, 15))
            )
            received = max(received, case.opened_on)
            application = Application(
                case=case,
                household_id=case.household_id,
                applicant=case.participant,
                month=month,
                received_on=min(received, as_of),
                input=data,
                created_by=case.responsible,
            )
            decide = month == last_month and rng.random() < DECIDED_SHARE
            calculate = decide or rng.random() < CALCULATED_NOW_SHARE
            calculation = None
            if calculate:
                try:
                    result = calc.calculate(calc.parse(full))
                except (calc.InputError, NormMissing):
                    continue
                calculation = Calculation(
                    application=application,
                    input=full,
                    result=result.model_dump(mode="json"),
                    norm_year=result.norm_year,
                    norm_official=result.norm_official,
                    entitlement=result.entitlement,
                    created_by=case.responsible,
                )
            rows.append((application, calculation, decide))
    Application.objects.bulk_create([a for a, _c, _d in rows], batch_size=2000)
    for application, calculation, _d in rows:
        if calculation is not None:
            calculation.application = application
    Calculation.objects.bulk_create([c for _a, c, _d in rows if c is not None], batch_size=2000)
    decided = [(a, c) for a, c, d in rows if d and c is not None]
    reference = legal.reference("forsorjningsstod", on=as_of)
    livsforing = legal.reference("livsforing", on=as_of)
    decisions = []
    for application, calculation in decided:
        application.status = ApplicationStatus.BESLUTAD
        decisions.append(
            Decision(
                kind=DecisionKind.BISTAND,
                case=application.case,
                household_id=application.household_id,
                participant=application.applicant,
                application=application,
                application_received_on=application.received_on,
                calculation=calculation,
                month=application.month,
                period_start=application.month,
                period_end=calc.month_end(application.month),
                law_version=reference.law.code,
                amount=calculation.entitlement,
                reasons="" if calculation.entitlement else "Hushållets inkomster är högre än behovet.",
                norm_year=calculation.norm_year,
                norm_official=calculation.norm_official,
                decided_by=application.case.responsible or application.created_by,
                decided_at=timezone.make_aware(
                    datetime.combine(application.month - timedelta(days=1), time(9))
                ),
                notified_on=application.month,
            )
        )
    Application.objects.bulk_update([a for a, _c in decided], ["status"], batch_size=2000)
    Decision.objects.bulk_create(decisions, batch_size=2000)
    items = []
    for decision in decisions:
        assert decision.calculation is not None
        proposals, _deducted = decision_items(decision.calculation)
        for p in proposals:
            granted = p.allowed
            outcome = item_outcome(p.applied, granted)
            basis = livsforing if p.basis == "livsforing" else reference
            items.append(
                DecisionItem(
                    decision=decision,
                    key=p.key,
                    label=p.label,
                    applied=p.applied,
                    granted=granted,
                    outcome=outcome,
                    legal_basis=basis.citation,
                    legal_verified=basis.verified,
                    reasons=""
                    if outcome == Outcome.BIFALL
                    else "Kostnaden är högre än kommunens högsta godtagbara för hushållets storlek.",
                )
            )
    DecisionItem.objects.bulk_create(items, batch_size=5000)
    return len(rows), len(decisions)


def _reductions(rng: random.Random, this_month: date, as_of: date) -> int:
    """A few open absence tasks of people with economic assistance become proposals; some are communicated."""
    tasks = list(
        AbsenceTask.objects.filter(
            status=TaskStatus.OPPEN,
            attendance__status=AttendanceStatus.OGILTIG_FRANVARO,
            case__case_type=CaseType.EKONOMISKT_BISTAND,
            case__household__isnull=False,
        )
        .select_related("case", "participant")
        .order_by("pk")[:400]
    )
    by_person: dict[int, list[AbsenceTask]] = {}
    for task in tasks:
        by_person.setdefault(task.participant_id, []).append(task)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    made = 0
    for person_tasks in list(by_person.values())[::3][:12]:
        task = person_tasks[0]
        assert task.case is not None
        days = len(person_tasks)
        try:
            amount = reduction_amount(
                reduction_base(task.case, next_month), basis=ReductionBasis.DAGAR, days=days
            )
        except BenefitError:  # no norm for next month in the rules files, or a member without birth date
            continue
        communicated = rng.random() < 0.5
        proposer = task.case.responsible or task.assigned_to
        if proposer is None or task.case.household_id is None:
            continue
        reduction = Reduction.objects.create(
            case=task.case,
            household_id=task.case.household_id,
            participant=task.participant,
            month=next_month,
            basis=ReductionBasis.DAGAR,
            days=days,
            proposed_amount=amount,
            reasons=f"{days} dagars ogiltig frånvaro från insatsen utan att höra av sig.",
            proposed_by=proposer,
            status=ReductionStatus.KOMMUNICERAD if communicated else ReductionStatus.FORSLAG,
            communicated_on=as_of - timedelta(days=5) if communicated else None,
            communicated_by=task.case.responsible if communicated else None,
            channel=Channel.BREV if communicated else "",
            reply_deadline=as_of + timedelta(days=9) if communicated else None,
        )
        reduction.tasks.set(person_tasks)
        AbsenceTask.objects.filter(pk__in=[t.pk for t in person_tasks]).update(
            status=TaskStatus.HANTERAD,
            handled_by=reduction.proposed_by,
            handled_at=timezone.now(),
            handled_note="Förslag till nedsättning, kommunicering nästa steg.",
        )
        made += 1
    return made
