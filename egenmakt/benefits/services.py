"""Economic assistance with due process: application → calculation → decision → notification → appeal,
and unexcused absence → proposed reduction → kommunicering → reply → reduction decision → the next
calculation. The system never deducts without a decided reduction.

Every service takes the acting user, checks the one access policy for the person's economic data,
and writes its audit event in the same transaction.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from egenmakt.access import policy
from egenmakt.attendance import services as attendance
from egenmakt.attendance.models import AbsenceTask, AttendanceStatus, TaskStatus
from egenmakt.audit import services as audit
from egenmakt.benefits import calculation as calc
from egenmakt.benefits import legal, reads
from egenmakt.benefits.models import (
    Appeal,
    AppealStatus,
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
    Reduction,
    ReductionBasis,
    ReductionStatus,
)
from egenmakt.benefits.norm import NormMissing, NormTable, table_for
from egenmakt.cases.models import Case, CaseType
from egenmakt.lib.money import kr, pro_rata
from egenmakt.people.errors import PeopleError
from egenmakt.people.models import HouseholdMember, HouseholdRelation, Participant

# One name each for the category and purpose every economic-assistance event is logged under.
ECONOMY = reads.ECONOMY
PURPOSE = reads.PURPOSE


class BenefitError(PeopleError):
    pass


def _require(actor: Any, participant: Participant, action: str = policy.Action.EDIT) -> None:
    if not policy.can(actor, action, participant, ECONOMY):
        raise BenefitError(_("Bara personens egen enhet kan handlägga ekonomiskt bistånd för personen."))


def _record(actor: Any, action: str, participant: Participant | None, target: Any, **detail: Any) -> None:
    audit.record(
        actor=actor,
        action=action,
        participant=participant,
        target=target,
        category=ECONOMY,
        purpose=PURPOSE,
        detail=detail,
    )


# --- Applications and calculations -------------------------------------------------------------------


def month_start(value: date) -> date:
    return value.replace(day=1)


def household_members(case: Case, month: date) -> tuple[list[dict[str, Any]], int]:
    """The calculation's members from the household register for a month, and how many others share
    the home (adults in the household who are not the sökande's spouse or sambo)."""
    if case.household_id is None:
        raise BenefitError(_("Ärendet har inget hushåll. Lägg in hushållet innan du registrerar en ansökan."))
    rows = (
        HouseholdMember.objects.filter(household_id=case.household_id)
        .select_related("participant")
        .order_by("pk")
    )
    return members_in_month(list(rows), month)


def members_in_month(rows: Sequence[HouseholdMember], month: date) -> tuple[list[dict[str, Any]], int]:
    """`household_members` for rows already fetched (with their participant)."""
    dim = calendar.monthrange(month.year, month.month)[1]
    end = month.replace(day=dim)
    members: list[dict[str, Any]] = []
    others = 0
    for row in rows:
        if row.valid_from > end or (row.valid_to is not None and row.valid_to < month):
            continue
        person = row.participant
        if row.relation == HouseholdRelation.ANNAN_VUXEN:
            others += 1
            continue
        if person.birth_date is None:
            raise BenefitError(
                _("%(name)s saknar födelsedatum, som normen behöver.") % {"name": person.full_name}
            )
        member: dict[str, Any] = {
            "id": str(person.pk),
            "role": row.relation,
            "birth_date": person.birth_date.isoformat(),
        }
        if row.relation == HouseholdRelation.BARN and row.residence_share < 100:
            member["days"] = pro_rata(dim, row.residence_share, 100)
        if row.relation == HouseholdRelation.BARN and calc.age_in(month, person.birth_date) > 20:
            raise BenefitError(
                _(
                    "%(name)s är 21 år eller äldre och ingår inte längre i hushållet som barn. "
                    "Ändra hushållet innan du räknar."
                )
                % {"name": person.full_name}
            )
        members.append(member)
    if sum(1 for m in members if m["role"] == HouseholdRelation.MEDSOKANDE) > 1:
        raise BenefitError(_("Hushållet har mer än en medsökande. Rätta hushållet innan du räknar."))
    return members, others


def _validated(data: dict[str, Any]) -> calc.HouseholdMonth:
    try:
        return calc.parse(data)
    except calc.InputError as exc:
        first = exc.errors[0]
        raise BenefitError(
            f"{first['field']}: {first['message']}", field=first["field"].split(".")[0]
        ) from None


@transaction.atomic
def register_application(
    *,
    actor: Any,
    case: Case,
    month: date,
    received_on: date | None = None,
    costs: Sequence[Mapping[str, Any]] = (),
    incomes: Sequence[Mapping[str, Any]] = (),
    lunch_at_preschool: Iterable[int] = (),
) -> Application:
    """An application for a household's month. Members come from the household register; the
    handläggare enters costs and incomes as the application states them."""
    if case.case_type != CaseType.EKONOMISKT_BISTAND or not case.is_open:
        raise BenefitError(_("Ansökan registreras i ett öppet ärende om ekonomiskt bistånd."))
    _require(actor, case.participant)
    month = month_start(month)
    members, others = household_members(case, month)
    at_preschool = {str(pk) for pk in lunch_at_preschool}
    for member in members:
        if member["id"] in at_preschool:
            member["lunch_at_preschool"] = True
    data = {
        "month": month.isoformat(),
        "members": members,
        "others_in_dwelling": others,
        "costs": [dict(c) for c in costs],
        "incomes": [dict(i) for i in incomes],
    }
    _validated(data)
    assert case.household_id is not None  # household_members checked it
    application = Application.objects.create(
        case=case,
        household_id=case.household_id,
        applicant=case.participant,
        month=month,
        received_on=received_on or timezone.localdate(),
        input=data,
        created_by=actor,
    )
    _record(actor, "application.registered", case.participant, application, month=month.isoformat())
    return application


def caps_for(organisation_id: int, children: int, month: date) -> dict[str, int]:
    """The municipality's caps in force in a month for a household with this many children: per kind,
    the row for the exact number (or the highest number below it, which covers 'or more'), else the
    row for every household."""
    rows = LocalCap.objects.filter(organisation_id=organisation_id, valid_from__lte=month).order_by(
        "-valid_from"
    )
    best: dict[str, tuple[int, int]] = {}
    for row in rows:
        if row.children is not None and row.children > children:
            continue
        rank = -1 if row.children is None else row.children
        if row.kind not in best or rank > best[row.kind][0]:
            best[row.kind] = (rank, row.amount)
    return {kind: amount for kind, (_rank, amount) in best.items()}


def months_on_assistance(household_id: int, month: date) -> int:
    """Consecutive months before this one with assistance paid, counting back from the month before."""
    paid = set(
        Decision.objects.filter(
            household_id=household_id, kind=DecisionKind.BISTAND, amount__gt=0, month__lt=month
        ).values_list("month", flat=True)
    )
    count, cursor = 0, month
    while True:
        cursor = (cursor - timedelta(days=1)).replace(day=1)
        if cursor not in paid:
            return count
        count += 1


def full_input(application: Application) -> dict[str, Any]:
    """The application's own data, plus what the municipality and earlier decisions add: caps, the
    wage rule, and decided reductions for the month."""
    data = dict(application.input)
    organisation_id = application.case.unit.organisation_id
    children = sum(1 for m in data["members"] if m["role"] == HouseholdRelation.BARN)
    data["caps"] = caps_for(organisation_id, children, application.month)
    rules = LocalRules.objects.filter(organisation_id=organisation_id).first()
    if rules is not None and rules.wage_disregard_percent:
        data["wage_disregard"] = {
            "percent": rules.wage_disregard_percent,
            "after_months": rules.wage_disregard_after_months,
            "max_per_month": rules.wage_disregard_max,
        }
        data["months_on_assistance"] = months_on_assistance(application.household_id, application.month)
    data["reductions"] = [
        {
            "label": _("Nedsättning enligt beslut %(date)s") % {"date": f"{d.decided_at:%Y-%m-%d}"},
            "amount": d.amount,
        }
        for d in Decision.objects.filter(
            household_id=application.household_id, kind=DecisionKind.NEDSATTNING, month=application.month
        ).order_by("pk")
    ]
    return data


@transaction.atomic
def calculate_application(*, actor: Any, application: Application) -> Calculation:
    _require(actor, application.applicant)
    data = full_input(application)
    try:
        table = table_for(application.month)
        result = calc.calculate(_validated(data), table=table)
    except NormMissing as exc:
        raise BenefitError(str(exc)) from None
    row = Calculation.objects.create(
        application=application,
        input=data,
        result=result.model_dump(mode="json"),
        norm_year=table.year,
        norm_official=table.official,
        entitlement=result.entitlement,
        created_by=actor,
    )
    _record(actor, "calculation.made", application.applicant, row, entitlement=result.entitlement)
    return row


def latest_calculation(application: Application) -> Calculation | None:
    return application.calculations.order_by("-created_at", "-pk").first()


# --- Decisions ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemProposal:
    """One item of a decision as the calculation gives it: what was applied for and what the rules allow."""

    key: str
    label: str
    basis: str
    applied: int
    allowed: int


def decision_items(calculation: Calculation) -> tuple[list[ItemProposal], int]:
    """The items a decision rules on, and what is deducted from them (incomes and decided reductions).

    The norm is one item; every reasonable cost is its own item, with the applied amount before any
    cap, so a capped rent is a partial refusal the person can appeal.
    """
    lines = calculation.result["lines"]
    norm = sum(line["amount"] for line in lines if line["group"] == "norm")
    items = [ItemProposal("norm", _("Försörjningsstöd enligt riksnormen"), "forsorjningsstod", norm, norm)]
    costs = calculation.input.get("costs", [])
    for kind in calc.CAPPED_KINDS:
        applied = sum(c["amount"] for c in costs if c["kind"] == kind)
        line = next((x for x in lines if x["key"] == f"kostnad:{kind}"), None)
        if line is not None:
            items.append(
                ItemProposal(
                    f"kostnad:{kind}", calc.cost_label(kind), "forsorjningsstod", applied, line["amount"]
                )
            )
    for line in lines:
        if line["key"].startswith("kostnad:livsforing:"):
            index = int(line["key"].rsplit(":", 1)[1])
            cost = [c for c in costs if c["kind"] == calc.CostKind.LIVSFORING][index]
            label = cost.get("label") or calc.cost_label(calc.CostKind.LIVSFORING)
            items.append(ItemProposal(line["key"], label, "livsforing", cost["amount"], line["amount"]))
    deducted = -sum(line["amount"] for line in lines if line["group"] in ("inkomst", "nedsattning"))
    return items, deducted


def item_outcome(applied: int, granted: int) -> str:
    if granted >= applied:
        return Outcome.BIFALL
    return Outcome.AVSLAG if granted == 0 else Outcome.DELVIS_BIFALL


def decision_outcome(decision: Decision) -> str:
    """The decision as a whole: avslag when nothing is paid, bifall when every item is granted in full."""
    if decision.kind == DecisionKind.NEDSATTNING:
        return Outcome.NEDSATTNING
    if decision.amount == 0:
        return Outcome.AVSLAG
    outcomes = {item.outcome for item in decision.items.all()}
    return Outcome.BIFALL if outcomes <= {Outcome.BIFALL} else Outcome.DELVIS_BIFALL


@transaction.atomic
def decide(
    *,
    actor: Any,
    application: Application,
    granted: Mapping[str, int] | None = None,
    item_reasons: Mapping[str, str] | None = None,
    reasons: str = "",
    decided_on: date | None = None,
) -> Decision:
    """Decide an application on its latest calculation. Each item is bifall, delvis bifall or avslag;
    every item not granted in full needs its own reasons, and so does a decision that pays nothing."""
    application = (
        Application.objects.select_for_update()
        .select_related("case__unit", "applicant")
        .get(pk=application.pk)
    )
    _require(actor, application.applicant)
    if application.status != ApplicationStatus.INKOMMEN:
        raise BenefitError(_("Ansökan är redan beslutad."))
    calculation = latest_calculation(application)
    if calculation is None:
        raise BenefitError(_("Räkna fram ansökan innan du beslutar."))
    if not calculation.norm_official and not application.case.synthetic:
        raise BenefitError(
            _(
                "Beräkningen bygger på en projektion av riksnormen. Ett verkligt beslut kan inte fattas på den."
            )
        )
    day = decided_on or timezone.localdate()
    granted = dict(granted or {})
    item_reasons = dict(item_reasons or {})
    proposals, deducted = decision_items(calculation)
    known = {p.key for p in proposals}
    unknown = set(granted) - known
    if unknown:
        raise BenefitError(_("Okänd post i beslutet: %(keys)s") % {"keys": ", ".join(sorted(unknown))})
    rows = []
    for p in proposals:
        amount = granted.get(p.key, p.allowed)
        if amount < 0 or amount > p.applied:
            raise BenefitError(
                _("%(label)s: beviljat belopp ska vara mellan 0 och %(applied)s.")
                % {"label": p.label, "applied": kr(p.applied)},
                field=f"granted:{p.key}",
            )
        outcome = item_outcome(p.applied, amount)
        why = item_reasons.get(p.key, "").strip()
        if outcome != Outcome.BIFALL and not why:
            raise BenefitError(
                _("%(label)s är inte beviljat i sin helhet: skriv motiveringen.") % {"label": p.label},
                field=f"reasons:{p.key}",
            )
        reference = legal.reference(p.basis, on=day)
        rows.append((p, amount, outcome, why, reference))
    paid = max(0, sum(amount for _p, amount, *_rest in rows) - deducted)
    if paid == 0 and not reasons.strip():
        raise BenefitError(
            _("Beslutet ger ingen utbetalning: skriv motiveringen för avslaget."), field="reasons"
        )
    month = application.month
    decision = Decision.objects.create(
        kind=DecisionKind.BISTAND,
        case=application.case,
        household_id=application.household_id,
        participant=application.applicant,
        application=application,
        application_received_on=application.received_on,
        calculation=calculation,
        month=month,
        period_start=month,
        period_end=calc.month_end(month),
        law_version=legal.law_on(day).code,
        amount=paid,
        reasons=reasons.strip(),
        norm_year=calculation.norm_year,
        norm_official=calculation.norm_official,
        decided_by=actor,
    )
    DecisionItem.objects.bulk_create(
        DecisionItem(
            decision=decision,
            key=p.key,
            label=p.label,
            applied=p.applied,
            granted=amount,
            outcome=outcome,
            legal_basis=reference.citation,
            legal_verified=reference.verified,
            reasons=why,
        )
        for p, amount, outcome, why, reference in rows
    )
    application.status = ApplicationStatus.BESLUTAD
    application.save(update_fields=["status"])
    _record(actor, "decision.made", application.applicant, decision, amount=paid, month=month.isoformat())
    return decision


@transaction.atomic
def notify(*, actor: Any, decision: Decision, notified_on: date) -> Decision:
    """The decision reached the person (delgivning): the appeal period runs from this day."""
    _require(actor, decision.participant)
    if notified_on < decision.decided_at.date():
        raise BenefitError(_("Beslutet kan inte ha delgetts före beslutsdagen."), field="notified_on")
    decision.notified_on = notified_on
    decision.save(update_fields=["notified_on"])
    _record(actor, "decision.notified", decision.participant, decision, on=notified_on.isoformat())
    return decision


@transaction.atomic
def register_appeal(
    *, actor: Any, decision: Decision, received_on: date, text: str = "", item: DecisionItem | None = None
) -> Appeal:
    """An appeal lodged with the nämnd. Whether it came in time is checked here (three weeks from
    notification); the nämnd then forwards it or changes its decision."""
    _require(actor, decision.participant)
    if item is not None and (item.decision_id != decision.pk or not item.appealable):
        raise BenefitError(
            _("Den posten är beviljad i sin helhet och kan inte överklagas här."), field="item"
        )
    if (
        item is None
        and decision.kind == DecisionKind.BISTAND
        and decision_outcome(decision) == Outcome.BIFALL
    ):
        raise BenefitError(
            _("Beslutet är ett bifall i sin helhet. Välj vilken post som överklagas."), field="item"
        )
    deadline = decision.appeal_deadline
    appeal = Appeal.objects.create(
        decision=decision,
        item=item,
        received_on=received_on,
        in_time=deadline is None or received_on <= deadline,
        text=text.strip(),
        registered_by=actor,
    )
    _record(actor, "appeal.registered", decision.participant, appeal, in_time=appeal.in_time)
    return appeal


@transaction.atomic
def settle_appeal(*, actor: Any, appeal: Appeal, status: str, on: date, note: str = "") -> Appeal:
    """Forward the appeal to the förvaltningsrätt, record that the nämnd changed its decision, or
    dismiss it as late. A late appeal can only be dismissed with a note."""
    appeal = Appeal.objects.select_for_update().select_related("decision__participant").get(pk=appeal.pk)
    _require(actor, appeal.decision.participant)
    if appeal.status != AppealStatus.MOTTAGET:
        raise BenefitError(_("Överklagandet är redan hanterat."))
    if status not in (AppealStatus.OVERLAMNAT, AppealStatus.ANDRAT, AppealStatus.AVVISAT):
        raise BenefitError(_("Välj vad som händer med överklagandet."), field="status")
    if status == AppealStatus.AVVISAT and appeal.in_time:
        raise BenefitError(_("Överklagandet kom in i tid och kan inte avvisas som för sent."), field="status")
    if status != AppealStatus.OVERLAMNAT and not note.strip():
        raise BenefitError(_("Skriv vad nämnden beslutade."), field="note")
    appeal.status = status
    appeal.settled_on = on
    appeal.settled_by = actor
    appeal.settled_note = note.strip()
    appeal.save(update_fields=["status", "settled_on", "settled_by", "settled_note"])
    _record(actor, f"appeal.{status}", appeal.decision.participant, appeal)
    return appeal


# --- Reduction after unexcused absence ---------------------------------------------------------------


def _benefit_case(participant: Participant) -> Case:
    case = reads.open_benefit_case(participant)
    if case is None:
        raise BenefitError(_("Personen har inget öppet ärende om ekonomiskt bistånd med hushåll."))
    return case


@dataclass(frozen=True)
class ReductionBase:
    """What a reduction may touch in a month, from the norm: the adults' part and the children's part."""

    table: NormTable
    days_in_month: int
    adults: int
    children: int
    adult_items: dict[str, int]


def reduction_base(case: Case, month: date) -> ReductionBase:
    try:
        table = table_for(month)
    except NormMissing as exc:
        raise BenefitError(str(exc)) from None
    members, _others = household_members(case, month)
    household = _validated({"month": month.isoformat(), "members": members})
    result = calc.calculate(household, table=table)
    adults = sum(x.amount for x in result.lines if x.key in ("norm:vuxen", "norm:vuxna"))
    children = sum(x.amount for x in result.lines if x.key.startswith("norm:barn:"))
    two = sum(1 for m in household.members if m.role != calc.Role.BARN) == 2
    return ReductionBase(
        table=table,
        days_in_month=calendar.monthrange(month.year, month.month)[1],
        adults=adults,
        children=children,
        adult_items=table.cohabiting_items if two else table.single_items,
    )


def reduction_amount(
    base: ReductionBase,
    *,
    basis: str,
    days: int | None = None,
    amount: int | None = None,
    items: Sequence[str] = (),
    include_children: bool = False,
) -> int:
    """The proposal: never more than the adults' part of the norm, unless the children's part is
    included on purpose. Rent and other costs are never part of it."""
    ceiling = base.adults + (base.children if include_children else 0)
    if basis == ReductionBasis.DAGAR:
        if not days or days < 1 or days > base.days_in_month:
            raise BenefitError(_("Ange antal dagar, 1–%(dim)s.") % {"dim": base.days_in_month}, field="days")
        return pro_rata(ceiling, days, base.days_in_month)
    if basis == ReductionBasis.BELOPP:
        if amount is None or amount < 1:
            raise BenefitError(_("Ange ett belopp i hela kronor."), field="amount_asked")
        if amount > ceiling:
            raise BenefitError(
                _("Beloppet är högre än normens del för de vuxna (%(max)s). Barnens del rörs inte utan skäl.")
                % {"max": kr(ceiling)},
                field="amount_asked",
            )
        return amount
    if basis == ReductionBasis.POSTER:
        if not base.adult_items:
            raise BenefitError(
                _("Riksnormen %(year)s i regelfilerna har inte normens poster. Välj dagar eller belopp.")
                % {"year": base.table.year},
                field="basis",
            )
        chosen = [i for i in items if i in base.adult_items]
        if not chosen:
            raise BenefitError(_("Välj minst en post."), field="items")
        return sum(base.adult_items[i] for i in chosen)
    raise BenefitError(_("Välj grund för nedsättningen."), field="basis")


@transaction.atomic
def propose_reduction(
    *,
    actor: Any,
    tasks: Sequence[AbsenceTask],
    month: date,
    basis: str,
    reasons: str,
    days: int | None = None,
    amount: int | None = None,
    items: Sequence[str] = (),
    include_children: bool = False,
    children_reason: str = "",
) -> Reduction:
    """A proposal from one or more unexcused absences. It deducts nothing: kommunicering comes next."""
    if not tasks:
        raise BenefitError(_("Välj frånvaron som förslaget gäller."), field="tasks")
    tasks = list(
        AbsenceTask.objects.select_related("participant", "attendance").filter(pk__in=[t.pk for t in tasks])
    )
    participants = {t.participant_id for t in tasks}
    if len(participants) != 1:
        raise BenefitError(_("Ett förslag gäller en person."), field="tasks")
    participant = tasks[0].participant
    _require(actor, participant)
    if any(t.attendance.status != AttendanceStatus.OGILTIG_FRANVARO for t in tasks):
        raise BenefitError(_("Bara ogiltig frånvaro kan leda till nedsättning."), field="tasks")
    if not reasons.strip():
        raise BenefitError(_("Skriv skälen för förslaget."), field="reasons")
    if include_children and not children_reason.strip():
        raise BenefitError(_("Skriv varför barnens del ska röras."), field="children_reason")
    month = month_start(month)
    case = _benefit_case(participant)
    assert case.household_id is not None  # _benefit_case only finds cases with a household
    if Decision.objects.filter(
        household_id=case.household_id, month=month, kind=DecisionKind.BISTAND
    ).exists():
        raise BenefitError(
            _("Bistånd för %(month)s är redan beslutat. Välj en senare månad.") % {"month": f"{month:%Y-%m}"},
            field="month",
        )
    base = reduction_base(case, month)
    proposed = reduction_amount(
        base, basis=basis, days=days, amount=amount, items=items, include_children=include_children
    )
    reduction = Reduction.objects.create(
        case=case,
        household_id=case.household_id,
        participant=participant,
        month=month,
        basis=basis,
        days=days if basis == ReductionBasis.DAGAR else None,
        amount_asked=amount if basis == ReductionBasis.BELOPP else None,
        items=list(items) if basis == ReductionBasis.POSTER else [],
        include_children=include_children,
        children_reason=children_reason.strip(),
        proposed_amount=proposed,
        reasons=reasons.strip(),
        proposed_by=actor,
    )
    reduction.tasks.set(tasks)
    for task in tasks:
        if task.status == TaskStatus.OPPEN:
            attendance.handle_task(
                actor=actor, task=task, note=_("Förslag till nedsättning, kommunicering nästa steg.")
            )
    _record(actor, "reduction.proposed", participant, reduction, amount=proposed, basis=basis)
    return reduction


def _reduction_for_update(reduction: Reduction) -> Reduction:
    return Reduction.objects.select_for_update().select_related("participant", "case").get(pk=reduction.pk)


@transaction.atomic
def communicate(
    *, actor: Any, reduction: Reduction, sent_on: date, reply_deadline: date, channel: str = Channel.BREV
) -> Reduction:
    """Kommunicering (FL 25 §): the person gets the material and a deadline to reply, before any decision."""
    reduction = _reduction_for_update(reduction)
    _require(actor, reduction.participant)
    if reduction.status != ReductionStatus.FORSLAG:
        raise BenefitError(_("Förslaget är redan kommunicerat eller avslutat."))
    if reply_deadline <= sent_on:
        raise BenefitError(
            _("Svarsfristen måste sluta efter den dag materialet skickas."), field="reply_deadline"
        )
    if channel not in Channel.values:
        raise BenefitError(_("Välj hur materialet lämnas."), field="channel")
    reduction.status = ReductionStatus.KOMMUNICERAD
    reduction.communicated_on = sent_on
    reduction.communicated_by = actor
    reduction.reply_deadline = reply_deadline
    reduction.channel = channel
    reduction.save()
    _record(
        actor, "reduction.communicated", reduction.participant, reduction, deadline=reply_deadline.isoformat()
    )
    return reduction


@transaction.atomic
def record_reply(*, actor: Any, reduction: Reduction, received_on: date, text: str) -> Reduction:
    reduction = _reduction_for_update(reduction)
    _require(actor, reduction.participant)
    if reduction.status != ReductionStatus.KOMMUNICERAD or reduction.reply_settled:
        raise BenefitError(_("Det finns ingen kommunicering som väntar på svar."))
    if not text.strip():
        raise BenefitError(_("Skriv vad personen svarade."), field="reply_text")
    reduction.reply_received_on = received_on
    reduction.reply_text = text.strip()
    reduction.save(update_fields=["reply_received_on", "reply_text"])
    _record(actor, "reduction.reply", reduction.participant, reduction)
    return reduction


@transaction.atomic
def record_no_reply(*, actor: Any, reduction: Reduction, on: date | None = None) -> Reduction:
    reduction = _reduction_for_update(reduction)
    _require(actor, reduction.participant)
    day = on or timezone.localdate()
    if reduction.status != ReductionStatus.KOMMUNICERAD or reduction.reply_settled:
        raise BenefitError(_("Det finns ingen kommunicering som väntar på svar."))
    assert reduction.reply_deadline is not None
    if day <= reduction.reply_deadline:
        raise BenefitError(
            _("Svarsfristen går ut %(date)s. Vänta till dagen efter.")
            % {"date": f"{reduction.reply_deadline:%Y-%m-%d}"}
        )
    reduction.no_reply_recorded_on = day
    reduction.save(update_fields=["no_reply_recorded_on"])
    _record(actor, "reduction.no_reply", reduction.participant, reduction)
    return reduction


@transaction.atomic
def decide_reduction(
    *, actor: Any, reduction: Reduction, amount: int, reasons: str, decided_on: date | None = None
) -> Decision:
    """The reduction decision, with reasons, after kommunicering. It feeds the month's calculation."""
    reduction = _reduction_for_update(reduction)
    _require(actor, reduction.participant)
    if reduction.status != ReductionStatus.KOMMUNICERAD or not reduction.reply_settled:
        raise BenefitError(
            _("Kommunicera förslaget och notera svaret, eller att inget svar kom, innan du beslutar.")
        )
    if amount < 1 or amount > reduction.proposed_amount:
        raise BenefitError(
            _("Nedsättningen kan vara högst det kommunicerade beloppet, %(max)s.")
            % {"max": kr(reduction.proposed_amount)},
            field="amount",
        )
    if not reasons.strip():
        raise BenefitError(_("Skriv motiveringen, och bemöt det personen svarade."), field="reasons")
    if Decision.objects.filter(
        household_id=reduction.household_id, month=reduction.month, kind=DecisionKind.BISTAND
    ).exists():
        raise BenefitError(
            _("Bistånd för månaden är redan beslutat; nedsättningen kan inte längre gälla den.")
        )
    try:
        table = table_for(reduction.month)
    except NormMissing as exc:
        raise BenefitError(str(exc)) from None
    if not table.official and not reduction.case.synthetic:
        raise BenefitError(
            _("Förslaget bygger på en projektion av riksnormen. Ett verkligt beslut kan inte fattas på den.")
        )
    day = decided_on or timezone.localdate()
    reference = legal.reference("nedsattning", on=day)
    decision = Decision.objects.create(
        kind=DecisionKind.NEDSATTNING,
        norm_year=table.year,
        norm_official=table.official,
        case=reduction.case,
        household_id=reduction.household_id,
        participant=reduction.participant,
        reduction=reduction,
        month=reduction.month,
        period_start=reduction.month,
        period_end=calc.month_end(reduction.month),
        law_version=reference.law.code,
        amount=amount,
        reasons=reasons.strip(),
        decided_by=actor,
    )
    DecisionItem.objects.create(
        decision=decision,
        key="nedsattning",
        label=_("Nedsättning av försörjningsstöd"),
        applied=0,
        granted=-amount,
        outcome=Outcome.NEDSATTNING,
        legal_basis=reference.citation,
        legal_verified=reference.verified,
        reasons=reasons.strip(),
    )
    reduction.status = ReductionStatus.BESLUTAD
    reduction.save(update_fields=["status"])
    _record(actor, "reduction.decided", reduction.participant, decision, amount=amount)
    return decision


@transaction.atomic
def drop_reduction(*, actor: Any, reduction: Reduction, reason: str) -> Reduction:
    reduction = _reduction_for_update(reduction)
    _require(actor, reduction.participant)
    if reduction.status in (ReductionStatus.BESLUTAD, ReductionStatus.AVSKRIVEN):
        raise BenefitError(_("Förslaget är redan avslutat."))
    if not reason.strip():
        raise BenefitError(_("Skriv varför förslaget avskrivs."), field="reason")
    reduction.status = ReductionStatus.AVSKRIVEN
    reduction.closed_reason = reason.strip()
    reduction.save(update_fields=["status", "closed_reason"])
    _record(actor, "reduction.dropped", reduction.participant, reduction)
    return reduction


# --- Reads -------------------------------------------------------------------------------------------


def applications_waiting(*, actor: Any) -> QuerySet[Application]:
    """Applications in the actor's caseload waiting for a decision, oldest first."""
    return (
        Application.objects.filter(status=ApplicationStatus.INKOMMEN, case__responsible=actor)
        .select_related("applicant", "case")
        .order_by("received_on")
    )


def reductions_in_progress(*, actor: Any) -> QuerySet[Reduction]:
    return (
        Reduction.objects.filter(
            status__in=[ReductionStatus.FORSLAG, ReductionStatus.KOMMUNICERAD], case__responsible=actor
        )
        .select_related("participant")
        .order_by("reply_deadline", "proposed_at")
    )
