"""Case review (ärendedragning) and early-intervention signals: the manager's rules, the queue, the
review, and acting on or dismissing a signal. Every change is audited in its own transaction; the queue
and the signal list show only people the access policy allows, each logged as a read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egenmakt.access import policy, reads
from egenmakt.accounts.models import CASEWORK_ROLES, Membership, User
from egenmakt.audit import services as audit
from egenmakt.cases.models import Case
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Unit
from egenmakt.outcomes.rules import long_term_months
from egenmakt.people.errors import PeopleError
from egenmakt.people.models import Participant
from egenmakt.review import finders
from egenmakt.review.models import (
    QUEUE_KINDS,
    SIGNAL_KINDS,
    QueueCount,
    Review,
    ReviewRule,
    RuleKind,
    SignalHandling,
    SignalOutcome,
)
from egenmakt.review.rules import AGE_KINDS, Setting, settings_for

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PURPOSE = "ärendedragning"
MAX_PARAMETER = 365
MAX_AGE = 120


class ReviewError(PeopleError):
    pass


# --- Who --------------------------------------------------------------------------------------------


def managed_units(user: Any) -> list[Unit]:
    ids = policy.managed_unit_ids(user)
    return list(Unit.objects.filter(pk__in=ids).select_related("organisation").order_by("name"))


def may_review(user: Any) -> bool:
    """Unit managers hold case reviews and set the rules of their units."""
    return bool(policy.managed_unit_ids(user))


def may_see_signals(user: Any) -> bool:
    """Managers see their units' signals, caseworkers those of their own participants."""
    return bool(policy.casework_unit_ids(user))


def _require_manager(actor: Any, unit: Unit) -> None:
    if unit.pk not in policy.managed_unit_ids(actor):
        raise ReviewError(_("Bara enhetens chef kan göra det här."))


# --- Rules -------------------------------------------------------------------------------------------


@transaction.atomic
def set_rule(
    *,
    actor: Any,
    unit: Unit,
    kind: str,
    active: bool,
    parameter: int | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
) -> ReviewRule:
    """Switch a rule on or off in the unit and set its parameter; every change is audited."""
    _require_manager(actor, unit)
    if kind not in RuleKind.values:
        raise ReviewError(_("Okänd regel."), field="kind")
    if parameter is not None and not 0 <= parameter <= MAX_PARAMETER:
        raise ReviewError(_("Ange ett tal mellan 0 och 365."), field="parameter")
    if kind not in AGE_KINDS:
        min_age = max_age = None
    for name, value in (("min_age", min_age), ("max_age", max_age)):
        if value is not None and not 0 <= value <= MAX_AGE:
            raise ReviewError(_("Ange en ålder mellan 0 och 120 år."), field=name)
    if min_age is not None and max_age is not None and max_age < min_age:
        raise ReviewError(_("Den högsta åldern kan inte vara lägre än den lägsta."), field="max_age")
    rule, created = ReviewRule.objects.select_for_update().get_or_create(
        unit=unit, kind=kind, defaults={"changed_by": actor}
    )
    before = {name: getattr(rule, name) for name in ("active", "parameter", "min_age", "max_age")}
    rule.active, rule.parameter, rule.min_age, rule.max_age = active, parameter, min_age, max_age
    after = {name: getattr(rule, name) for name in ("active", "parameter", "min_age", "max_age")}
    if not created and before == after:
        return rule
    rule.changed_by = actor
    rule.changed_at = timezone.now()
    rule.save()
    audit.record(
        actor=actor,
        action="review.rule_changed",
        target=rule,
        purpose=PURPOSE,
        detail={
            "unit": unit.pk,
            "kind": kind,
            "changed": sorted(name for name in after if created or before[name] != after[name]),
            **{name: value for name, value in after.items()},
        },
    )
    return rule


# --- The queue ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    kind: str
    label: str
    facts: list[str]
    since: date


@dataclass(frozen=True)
class QueueEntry:
    participant: Participant
    case_id: int
    reasons: list[Reason]
    last_review: date | None


def _queue_findings(unit: Unit, on: date, settings: dict[str, Setting]) -> list[finders.Finding]:
    found: list[finders.Finding] = []
    finder: dict[str, Callable[[Setting], list[finders.Finding]]] = {
        RuleKind.LANGVARIGT: lambda s: finders.find_long_term(unit, on, s),
        RuleKind.UNGA_UTAN_INSATS: lambda s: finders.find_young_without_activity(unit, on, s),
        RuleKind.UPPFOLJNING_FORSENAD: lambda s: finders.find_overdue_follow_ups(unit, on, s),
        RuleKind.BESLUT_VANTAR: lambda s: finders.find_waiting_decisions(unit, on, s),
    }
    for kind in QUEUE_KINDS:
        if settings[kind].active:
            found += finder[kind](settings[kind])
    return found


def _last_reviews(unit: Unit, participant_ids: Sequence[int]) -> dict[int, date]:
    return dict(
        Review.objects.filter(case__unit=unit, participant_id__in=participant_ids)
        .values("participant_id")
        .annotate(last=Max("held_on"))
        .values_list("participant_id", "last")
    )


Pending = dict[int, tuple[int, list[Reason], date | None]]


def rules_in_force(unit: Unit, on: date, settings: dict[str, Setting]) -> dict[str, Any]:
    """What decides whom the queue picks, resolved: each queue rule as set (or defaulted), the decision
    target the unit falls back on and the dated long-term thresholds. A count made under other rules is
    out of date, whatever changed them (the unit's manager, the local rules, a new dated default)."""
    return {
        "rules": {
            kind: [
                settings[kind].active,
                settings[kind].parameter,
                settings[kind].min_age,
                settings[kind].max_age,
            ]
            for kind in QUEUE_KINDS
        },
        "decision_target_days": finders.decision_target_days(unit, settings[RuleKind.BESLUT_VANTAR]),
        "long_term_months": [long_term_months(date(year, 1, 1)) for year in (on.year - 1, on.year)],
    }


def _pending(unit: Unit, on: date, settings: dict[str, Setting] | None = None) -> Pending:
    """participant id -> (case id, reasons, last review): the people the active rules pick and whose
    newest finding is later than their last review in the unit. Everyone, whoever looks: the callers
    narrow it to whom they may see."""
    settings = settings or settings_for(unit, on)
    labels = {kind: str(label) for kind, label in RuleKind.choices}  # translated once, not per reason
    by_person: dict[int, list[finders.Finding]] = {}
    for finding in _queue_findings(unit, on, settings):
        by_person.setdefault(finding.participant_id, []).append(finding)
    reviewed = _last_reviews(unit, list(by_person))
    pending = {}
    for participant_id, found in by_person.items():
        last = reviewed.get(participant_id)
        # A review settles what was known on its day; a rule picking the person after it brings them back.
        if last is not None and all(f.since <= last for f in found):
            continue
        reasons = [Reason(f.kind, labels[f.kind], f.facts, f.since) for f in found]
        pending[participant_id] = (found[0].case_id, reasons, last)
    return pending


@dataclass(frozen=True)
class QueuePage:
    entries: list[QueueEntry]
    total: int  # everyone in the queue the manager may see; `entries` is the first part of it


# A queue is worked through from the top: the page shows the people who have waited longest, and only
# those shown are logged as read.
QUEUE_PAGE = 100
SIGNAL_PAGE = 50


@transaction.atomic
def review_queue(*, actor: Any, unit: Unit, on: date | None = None, limit: int = QUEUE_PAGE) -> QueuePage:
    """The unit's case-review queue: people the active rules pick, with the reasons in words, those whose
    oldest reason is oldest first. Only people the manager may see are listed, each logged as a read."""
    _require_manager(actor, unit)
    day = on or timezone.localdate()
    worked = _work_out(unit, day)
    pending = worked.pending
    # Names only for ordering the whole queue; the people shown are then read whole.
    visible = list(
        policy.visible_participants(actor, among=list(pending)).values_list("pk", "last_name", "first_name")
    )
    # After the reads: the audit trail's lock, taken by the first audit row, is then held briefly.
    _store_count(actor=actor, unit=unit, on=day, worked=worked)
    visible.sort(key=lambda row: (min(r.since for r in pending[row[0]][1]), row[1], row[2], row[0]))
    first = [row[0] for row in visible[:limit]]
    people = Participant.objects.in_bulk(first)
    shown = reads.shown_in_list(
        actor=actor,
        participants=[people[pk] for pk in first],
        action="participant.listed_in_review_queue",
        detail={"unit": unit.pk},
    )
    entries = [QueueEntry(p, pending[p.pk][0], pending[p.pk][1], pending[p.pk][2]) for p in shown]
    return QueuePage(entries, len(visible))


@dataclass(frozen=True)
class WorkedOut:
    """A unit's queue as worked out now, with the settings it was worked out under."""

    started: datetime
    settings: dict[str, Setting]
    pending: Pending


def _work_out(unit: Unit, on: date) -> WorkedOut:
    started = timezone.now()
    settings = settings_for(unit, on)
    return WorkedOut(started, settings, _pending(unit, on, settings))


def _store_count(*, actor: Any | None, unit: Unit, on: date, worked: WorkedOut) -> QueueCount:
    """Keep the size of the queue just worked out, for the start page (see `QueueCount`), with the rules
    it was worked out under: the start page compares them with today's."""
    protected = set(
        Participant.objects.filter(protected_identity=True, cases__unit=unit).values_list("pk", flat=True)
    )
    # The reasons still open: a review settled those that held on its day.
    counted = [
        [r for r in reasons if last is None or r.since > last]
        for pk, (_case, reasons, last) in worked.pending.items()
        if pk not in protected
    ]
    by_kind = {kind: sum(any(r.kind == kind for r in reasons) for reasons in counted) for kind in QUEUE_KINDS}
    oldest = min((min(r.since for r in reasons) for reasons in counted), default=None)
    count, _created = QueueCount.objects.update_or_create(
        unit=unit,
        defaults={
            "counted_on": on,
            "counted_at": worked.started,
            "total": len(counted),
            "by_kind": {kind: n for kind, n in by_kind.items() if n},
            "oldest_since": oldest,
            "rules": rules_in_force(unit, on, worked.settings),
        },
    )
    audit.record(
        actor=actor,
        action="review.queue_counted",
        target=count,
        purpose=PURPOSE,
        detail={"unit": unit.pk, "on": on.isoformat(), "total": count.total},
    )
    return count


def count_queues(*, actor: Any | None, on: date | None = None) -> list[QueueCount]:
    """Work out the queue of every unit with a queue rule switched on and keep its size: the nightly
    run behind the managers' start pages. A unit whose rules are all off has its old count removed.
    Each unit is worked out outside a transaction and stored in its own: the audit trail's lock is held
    for the store alone, not for the seconds a large unit takes."""
    day = on or timezone.localdate()
    units = Unit.objects.filter(
        pk__in=ReviewRule.objects.filter(kind__in=QUEUE_KINDS, active=True).values("unit_id")
    ).select_related("organisation")
    QueueCount.objects.exclude(unit__in=units).delete()
    counts = []
    for unit in units.order_by("pk"):
        worked = _work_out(unit, day)
        with transaction.atomic():
            counts.append(_store_count(actor=actor, unit=unit, on=day, worked=worked))
    return counts


def staff_of(unit: Unit) -> list[User]:
    """Who may be named as taking part in a review: staff with an active membership in the unit."""
    ids = Membership.objects.active().filter(unit=unit).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("last_name", "first_name"))


def _case_in(unit: Unit, participant: Participant) -> Case:
    case = Case.objects.filter(unit=unit, participant=participant).order_by("closed_on", "-opened_on").first()
    if case is None:
        raise ReviewError(_("Personen har inget ärende i enheten."))
    return case


def reasons_for(*, actor: Any, unit: Unit, participant: Participant, on: date | None = None) -> list[Reason]:
    """Why the queue lists the person now (empty when no rule picks them, or a review settled it)."""
    pending = _pending(unit, on or timezone.localdate())
    return pending[participant.pk][1] if participant.pk in pending else []


def reviews_of(*, unit: Unit, participant: Participant) -> list[Review]:
    return list(
        Review.objects.filter(case__unit=unit, participant=participant)
        .select_related("recorded_by")
        .prefetch_related("staff")
    )


@transaction.atomic
def record_review(
    *,
    actor: Any,
    unit: Unit,
    participant: Participant,
    held_on: date,
    staff: Sequence[User],
    conclusions: str,
    next_step: str,
) -> Review:
    """Record an ärendedragning in the journal of the person's case in the unit. The person leaves the
    queue until a rule picks them again after `held_on`."""
    _require_manager(actor, unit)
    decision = policy.can(actor, policy.Action.EDIT, participant)
    if not decision:
        raise ReviewError(_("Du har inte behörighet till personen."))
    if held_on > timezone.localdate():
        raise ReviewError(_("Ärendedragningen kan inte ha hållits i framtiden."), field="held_on")
    if not staff:
        raise ReviewError(_("Ange vilka som deltog."), field="staff")
    allowed = {user.pk for user in staff_of(unit)}
    if any(user.pk not in allowed for user in staff):
        raise ReviewError(_("Bara personal i enheten kan anges som deltagare."), field="staff")
    if not conclusions.strip():
        raise ReviewError(_("Skriv vad ärendedragningen kom fram till."), field="conclusions")
    if not next_step.strip():
        raise ReviewError(_("Skriv nästa steg."), field="next_step")
    case = _case_in(unit, participant)
    reasons = reasons_for(actor=actor, unit=unit, participant=participant, on=held_on)
    review = Review.objects.create(
        participant=participant,
        case=case,
        held_on=held_on,
        reasons=[{"kind": r.kind, "label": r.label, "facts": r.facts} for r in reasons],
        conclusions=conclusions.strip(),
        next_step=next_step.strip(),
        recorded_by=actor,
    )
    review.staff.set(staff)
    audit.record(
        actor=actor,
        action="review.held",
        participant=participant,
        target=review,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose=PURPOSE,
        legal_ground=decision.legal_ground,
        detail={"case": case.pk, "held_on": held_on.isoformat(), "staff": sorted(u.pk for u in staff)},
    )
    return review


# --- Signals -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    kind: str
    label: str
    participant: Participant
    unit: Unit
    case_id: int
    key: str
    facts: list[str]

    @property
    def suggests_collaboration(self) -> bool:
        return self.kind == RuleKind.SIGNAL_BARN_LANGVARIGT

    @property
    def suggestion(self) -> str:
        return str(SUGGESTIONS[self.kind])


# What each signal suggests: always a suggestion for someone to weigh, never an action taken here.
SUGGESTIONS: dict[str, StrOrPromise] = {
    RuleKind.SIGNAL_BARN_LANGVARIGT: gettext_lazy(
        "Föreslå samverkan med skola eller BUP, med personens samtycke och genom en SIP."
    ),
    RuleKind.SIGNAL_UNGA_INAKTIVA: gettext_lazy("Kontakta personen och föreslå en insats."),
    RuleKind.SIGNAL_EJ_DIGITAL: gettext_lazy(
        "Ta reda på hur personen kan nås med brev och registrera en adress."
    ),
}


def _signal_findings(
    unit: Unit, on: date, settings: dict[str, Setting], responsible: Any | None
) -> list[finders.Finding]:
    finder: dict[str, Callable[[Setting], list[finders.Finding]]] = {
        RuleKind.SIGNAL_BARN_LANGVARIGT: lambda s: finders.find_children_long_term(unit, on, s, responsible),
        RuleKind.SIGNAL_UNGA_INAKTIVA: lambda s: finders.find_young_inactive(unit, on, s, responsible),
        RuleKind.SIGNAL_EJ_DIGITAL: lambda s: finders.find_not_digital_without_letters(
            unit, on, s, responsible
        ),
    }
    found: list[finders.Finding] = []
    for kind in SIGNAL_KINDS:
        if settings[kind].active:
            found += finder[kind](settings[kind])
    return found


def _open_signals(
    actor: Any, on: date, participant_id: int | None = None
) -> list[tuple[Unit, finders.Finding]]:
    """Signals in the actor's units: all of a managed unit's open cases, otherwise the actor's own."""
    managed = policy.managed_unit_ids(actor)
    units = Unit.objects.filter(
        pk__in={m.unit_id for m in policy.memberships(actor) if m.role in CASEWORK_ROLES}
    ).select_related("organisation")
    found: list[tuple[Unit, finders.Finding]] = []
    for unit in units:
        responsible = None if unit.pk in managed else actor
        settings = settings_for(unit, on)
        found += [(unit, f) for f in _signal_findings(unit, on, settings, responsible)]
    if participant_id is not None:
        found = [(u, f) for u, f in found if f.participant_id == participant_id]
    handled = set(
        SignalHandling.objects.filter(
            participant_id__in={f.participant_id for _u, f in found}, unit__in={u.pk for u, _f in found}
        ).values_list("kind", "participant_id", "unit_id", "key")
    )
    return [(u, f) for u, f in found if (f.kind, f.participant_id, u.pk, f.key) not in handled]


@dataclass(frozen=True)
class SignalPage:
    signals: list[Signal]
    total: int  # open signals about people the actor may see; `signals` is the first part


@transaction.atomic
def signals(*, actor: Any, on: date | None = None, limit: int = SIGNAL_PAGE) -> SignalPage:
    """Open signals for the actor, each with the facts it fired for, the oldest facts first. Only people
    the policy allows are listed, and only those shown are logged as read."""
    day = on or timezone.localdate()
    firing = _open_signals(actor, day)
    people = policy.visible_participants(actor, among={f.participant_id for _u, f in firing}).in_bulk()
    found = sorted(
        ((u, f) for u, f in firing if f.participant_id in people),
        key=lambda pair: (pair[1].since, people[pair[1].participant_id].last_name, pair[1].participant_id),
    )
    page = found[:limit]
    shown = {
        p.pk
        for p in reads.shown_in_list(
            actor=actor,
            participants=list({people[f.participant_id] for _u, f in page}),
            action="participant.listed_in_signals",
            detail={},
        )
    }
    labels = dict(RuleKind.choices)
    return SignalPage(
        [
            Signal(f.kind, str(labels[f.kind]), people[f.participant_id], u, f.case_id, f.key, f.facts)
            for u, f in page
            if f.participant_id in shown
        ],
        len(found),
    )


@transaction.atomic
def handle_signal(
    *,
    actor: Any,
    participant: Participant,
    kind: str,
    unit: Unit,
    key: str,
    outcome: str,
    text: str,
) -> SignalHandling:
    """Act on a signal (with a note of what was done) or dismiss it (with a reason). The signal must fire
    now for the actor with these facts: nobody handles a signal they were not shown."""
    if outcome not in SignalOutcome.values:
        raise ReviewError(_("Välj om signalen är åtgärdad eller avfärdad."), field="outcome")
    if not text.strip():
        if outcome == SignalOutcome.AVFARDAD:
            raise ReviewError(_("Skriv varför signalen avfärdas."), field="text")
        raise ReviewError(_("Skriv vad som har gjorts."), field="text")
    decision = policy.can(actor, policy.Action.EDIT, participant)
    firing = [
        f
        for u, f in _open_signals(actor, timezone.localdate(), participant.pk)
        if u.pk == unit.pk and f.kind == kind and f.key == key
    ]
    if not decision or not firing:
        raise ReviewError(_("Signalen gäller inte längre, eller är redan hanterad."))
    handling = SignalHandling.objects.create(
        kind=kind,
        participant=participant,
        unit=unit,
        key=key,
        facts=firing[0].facts,
        outcome=outcome,
        text=text.strip(),
        handled_by=actor,
    )
    audit.record(
        actor=actor,
        action="signal.acted_on" if outcome == SignalOutcome.ATGARDAD else "signal.dismissed",
        participant=participant,
        target=handling,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose=PURPOSE,
        legal_ground=decision.legal_ground,
        detail={"kind": kind, "unit": unit.pk, "key": key},
    )
    return handling
