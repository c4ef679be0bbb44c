"""Exits, the follow-ups after them, and the month-by-month status derived from what is recorded.

The status rule, month by month (a month is its first day):
1. **försörjningsstöd** in a month the person, or the household they are sökande or medsökande in,
   has a decision granting assistance (an amount above zero);
2. otherwise **insats** in a month the person has a place in an activity on any day;
3. otherwise what was last **observed** after an exit: the exit's own status from the month after the
   exit, then what each recorded follow-up (3, 6, 12 and 24 months) found. An observation holds until the
   next planned follow-up; if that one is due and not recorded, the status is unknown again, so nothing
   is assumed for longer than someone looked. A move holds for the whole 24 months. An observation
   counts only if it comes after the person's last month in 1 or 2 (someone who came back is not "in
   work" because of an old exit);
4. otherwise **okänd**.
A person's months run from their first case, assistance or placement until today while anything is open,
else until 24 months after their last exit (the last follow-up) or their last recorded month.
A wrongly registered exit (felregistrering) is ignored.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from egenmakt.access import policy
from egenmakt.activities.models import Enrolment, EnrolmentStatus
from egenmakt.audit import services as audit
from egenmakt.benefits.models import Decision, DecisionKind
from egenmakt.cases import services as cases
from egenmakt.cases.models import Case
from egenmakt.lib.categories import DataCategory
from egenmakt.outcomes import rules
from egenmakt.outcomes.models import (
    Exit,
    ExitFollowUp,
    ExitReason,
    OutcomeRefresh,
    Status,
    StatusMonth,
)
from egenmakt.people.errors import PeopleError
from egenmakt.people.models import HouseholdMember, HouseholdRelation

CATEGORY = DataCategory.PLAN_OCH_INSATSER
BATCH = 2000


class OutcomeError(PeopleError):
    pass


def observation(
    exit_month: int, months_after: int, status: str, municipal: bool
) -> tuple[int, int, str, bool]:
    """What was seen `months_after` the exit month (1 for the exit itself), and until when it holds: the
    next follow-up the schedule in force at the exit plans, or past the last one for a move."""
    schedule = rules.follow_up_schedule(month_of(exit_month))
    if status == Status.FLYTTAT:
        return (exit_month + months_after, exit_month + schedule.observed_months + 1, status, municipal)
    later = [m for m in schedule.months if m > months_after]
    until = exit_month + (later[0] if later else schedule.observed_months + 1)
    return (exit_month + months_after, until, status, municipal)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_of(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def add_months(day: date, months: int) -> date:
    index = month_index(day) + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Exits and follow-ups --------------------------------------------------------------------------------


@transaction.atomic
def register_exit(
    *,
    actor: Any,
    case: Case,
    on: date,
    reason: str,
    subsidised: bool = False,
    municipal_employment: bool = False,
    note: str = "",
) -> Exit:
    """Register why the work with the person ended, close the case if it is open, and plan the follow-ups
    at 3, 6, 12 and 24 months (none for a wrong registration: there is nothing to follow up)."""
    if not policy.can(actor, policy.Action.EDIT, case.participant, CATEGORY):
        raise OutcomeError(_("Bara personens egen enhet kan avsluta ärendet."))
    if reason not in ExitReason.values:
        raise OutcomeError(_("Välj en avslutsorsak."))
    if Exit.objects.filter(case=case).exists():
        raise OutcomeError(_("Ärendet har redan ett avslut."))
    if on < case.opened_on:
        raise OutcomeError(_("Avslutet kan inte vara före ärendet aktualiserades."))
    if on > timezone.localdate():
        raise OutcomeError(_("Ett avslut kan inte registreras i förväg."))
    if reason != ExitReason.ARBETE and (subsidised or municipal_employment):
        raise OutcomeError(_("Subventionerad eller kommunal anställning gäller bara avslut till arbete."))
    if case.closed_on is None:
        cases.close_case(actor=actor, case=case, closed_on=on)
    elif case.closed_on != on:
        raise OutcomeError(
            _("Ärendet avslutades %(day)s. Avslutet ska ha samma datum.")
            % {"day": case.closed_on.isoformat()}
        )
    exit = Exit.objects.create(
        case=case,
        participant=case.participant,
        on=on,
        reason=reason,
        subsidised=subsidised,
        municipal_employment=municipal_employment,
        note=note.strip(),
        registered_by=actor,
        synthetic=case.synthetic,
    )
    if reason != ExitReason.FELREGISTRERING:
        ExitFollowUp.objects.bulk_create(
            ExitFollowUp(exit=exit, months_after=months, due_on=add_months(on, months))
            for months in rules.follow_up_schedule(on).months
        )
    audit.record(
        actor=actor,
        action="exit.registered",
        participant=case.participant,
        target=exit,
        category=CATEGORY,
        purpose="avslut",
        detail={"reason": reason},
    )
    return exit


@transaction.atomic
def record_follow_up(
    *,
    actor: Any,
    follow_up: ExitFollowUp,
    status: str,
    source: str,
    on: date | None = None,
    municipal_employment: bool = False,
) -> ExitFollowUp:
    """Record where the person was at the follow-up. It can be corrected: the latest recording counts."""
    participant = follow_up.exit.participant
    if not policy.can(actor, policy.Action.EDIT, participant, CATEGORY):
        raise OutcomeError(_("Bara personens egen enhet kan registrera uppföljningen."))
    on = on or timezone.localdate()
    if status not in Status.values:
        raise OutcomeError(_("Välj var personen är nu."))
    if on < follow_up.exit.on:
        raise OutcomeError(_("Uppföljningen kan inte vara före avslutet."))
    if municipal_employment and status not in (Status.ARBETE, Status.SUBVENTIONERAT_ARBETE):
        raise OutcomeError(_("Kommunal anställning gäller bara arbete."))
    follow_up.status = status
    follow_up.source = source
    follow_up.municipal_employment = municipal_employment
    follow_up.recorded_on = on
    follow_up.recorded_by = actor
    follow_up.save(update_fields=["status", "source", "municipal_employment", "recorded_on", "recorded_by"])
    audit.record(
        actor=actor,
        action="exit_follow_up.recorded",
        participant=participant,
        target=follow_up,
        category=CATEGORY,
        purpose="uppföljning",
        detail={"months_after": follow_up.months_after, "status": status},
    )
    return follow_up


def follow_ups_due(*, user: Any, on: date | None = None, managed: bool = False) -> QuerySet[ExitFollowUp]:
    """Follow-ups after exit that are due and not recorded: for the caseworker who had the case, or
    (managed=True) for every case in the units the user manages. Only people the user may see."""
    day = on or timezone.localdate()
    due = ExitFollowUp.objects.filter(recorded_on__isnull=True, due_on__lte=day)
    if managed:
        visible = policy.visible_participants(user, CATEGORY)
        due = due.filter(exit__case__unit_id__in=policy.managed_unit_ids(user), exit__participant__in=visible)
    else:
        # One caseworker's follow-ups are few: each person is looked up rather than the unit's all hashed.
        due = due.filter(
            policy.visible_filter(user, CATEGORY, participant="exit__participant"),
            exit__case__responsible=user,
        )
    return due.select_related("exit__participant", "exit__case__unit").order_by("due_on", "pk")


# --- The status rule ------------------------------------------------------------------------------------


@dataclass
class Sources:
    """What is recorded about one person, as month indices (month_index)."""

    cases: list[tuple[int, int | None, int]] = field(default_factory=list)  # opened, closed, unit
    assistance: set[int] = field(default_factory=set)
    # The unit that decided each month of assistance: for a medsökande, who has no case of their own.
    assistance_units: dict[int, int] = field(default_factory=dict)
    placements: list[tuple[int, int | None]] = field(default_factory=list)  # start, end
    # (month it holds from, month it no longer holds, status, municipal employment)
    observations: list[tuple[int, int, str, bool]] = field(default_factory=list)
    exits: list[int] = field(default_factory=list)  # months of exits: each is followed up for 24 months


Row = tuple[int, str, bool, int | None]  # month index, status, municipal employment, unit


def derive(sources: Sources, *, through: int) -> list[Row]:
    """The person's status for each month, by the rule in this module's docstring."""
    starts = [opened for opened, _closed, _unit in sources.cases]
    starts += [start for start, _end in sources.placements]
    starts += list(sources.assistance)
    if not starts:
        return []
    first = min(starts)
    still_open = any(closed is None for _o, closed, _u in sources.cases) or any(
        end is None for _s, end in sources.placements
    )
    if still_open:
        last = through
    else:
        ends = [closed for _o, closed, _u in sources.cases if closed is not None]
        ends += [end for _s, end in sources.placements if end is not None]
        ends += list(sources.assistance)
        ends += [
            exit_month + rules.follow_up_schedule(month_of(exit_month)).observed_months
            for exit_month in sources.exits
        ]
        last = min(through, max(ends))
    observations = sorted(sources.observations)
    cases = sorted(sources.cases, key=lambda case: case[0])
    rows: list[Row] = []
    last_programme = -1
    for month in range(first, last + 1):
        unit = _unit_in(cases, month) if cases else sources.assistance_units.get(month)
        if month in sources.assistance:
            rows.append((month, Status.FORSORJNINGSSTOD, False, unit))
            last_programme = month
            continue
        if any(start <= month and (end is None or end >= month) for start, end in sources.placements):
            rows.append((month, Status.INSATS, False, unit))
            last_programme = month
            continue
        seen = None
        for held_from, until, status, municipal in observations:
            if held_from > month:
                break
            if held_from > last_programme and month < until:
                seen = (status, municipal)
        if seen is None:
            rows.append((month, Status.OKAND, False, unit))
        else:
            rows.append((month, seen[0], seen[1], unit))
    return rows


def _unit_in(cases: Sequence[tuple[int, int | None, int]], month: int) -> int | None:
    """The unit of the latest case open in the month; else of the case closed last before it (the months
    after an exit belong to the unit that closed the case); else of the first case."""
    open_now = [
        (opened, unit)
        for opened, closed, unit in cases
        if opened <= month and (closed is None or closed >= month)
    ]
    if open_now:
        return max(open_now)[1]
    before = [(closed, unit) for _opened, closed, unit in cases if closed is not None and closed < month]
    if before:
        return max(before)[1]
    return min(cases, key=lambda case: case[0])[2] if cases else None


# --- The refresh ----------------------------------------------------------------------------------------


@dataclass
class RefreshResult:
    participants: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0


def refresh(
    *,
    actor: Any,
    through: date | None = None,
    participant_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RefreshResult:
    """Bring StatusMonth up to date through a month (default: this month). Incremental and idempotent:
    each person's months are derived again from the sources and only differences are written, so a second
    run changes nothing. Each batch of people is its own transaction, so a stopped run is resumed by
    running it again."""
    through_month = month_index(through or timezone.localdate())
    if participant_ids is None:
        ids = sorted(
            set(Case.objects.values_list("participant_id", flat=True))
            | set(
                HouseholdMember.objects.filter(
                    relation=HouseholdRelation.MEDSOKANDE, household__decisions__isnull=False
                ).values_list("participant_id", flat=True)
            )
            | set(StatusMonth.objects.values_list("participant_id", flat=True).distinct())
        )
    else:
        ids = sorted(set(participant_ids))
    run = OutcomeRefresh.objects.create(through_month=month_of(through_month))
    result = RefreshResult()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction.atomic():
            _refresh_batch(batch, through_month, result)
        result.participants += len(batch)
        if progress is not None:
            progress(result.participants, len(ids))
    with transaction.atomic():
        run.finished_at = timezone.now()
        run.participants = result.participants
        run.added, run.changed, run.removed = result.added, result.changed, result.removed
        run.save()
        audit.record(
            actor=actor,
            action="outcomes.refreshed",
            target=run,
            category=CATEGORY,
            purpose="uppföljning",
            detail={
                "through": run.through_month.isoformat(),
                "participants": result.participants,
                "added": result.added,
                "changed": result.changed,
                "removed": result.removed,
            },
        )
    return result


def sources_for(ids: Sequence[int]) -> dict[int, Sources]:
    """Everything the status rule reads, for a batch of people, in a fixed number of queries."""
    found: dict[int, Sources] = defaultdict(Sources)
    for pid, opened, closed, unit in Case.objects.filter(participant_id__in=ids).values_list(
        "participant_id", "opened_on", "closed_on", "unit_id"
    ):
        found[pid].cases.append((month_index(opened), month_index(closed) if closed else None, unit))
    granted = Decision.objects.filter(kind=DecisionKind.BISTAND, amount__gt=0)
    for pid, month, unit in granted.filter(participant_id__in=ids).values_list(
        "participant_id", "month", "case__unit_id"
    ):
        found[pid].assistance.add(month_index(month))
        found[pid].assistance_units[month_index(month)] = unit
    # The medsökande is on assistance with the household, though the decision names the sökande.
    partners = HouseholdMember.objects.filter(participant_id__in=ids, relation=HouseholdRelation.MEDSOKANDE)
    spans = list(partners.values_list("household_id", "participant_id", "valid_from", "valid_to"))
    if spans:
        months_by_household: dict[int, list[tuple[date, int]]] = defaultdict(list)
        for household, month, unit in granted.filter(household_id__in={s[0] for s in spans}).values_list(
            "household_id", "month", "case__unit_id"
        ):
            months_by_household[household].append((month, unit))
        for household, pid, valid_from, valid_to in spans:
            for month, unit in months_by_household[household]:
                month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
                if valid_from <= month_end and (valid_to is None or valid_to >= month):
                    found[pid].assistance.add(month_index(month))
                    found[pid].assistance_units.setdefault(month_index(month), unit)
    placed = Enrolment.objects.filter(participant_id__in=ids, start__isnull=False).exclude(
        status=EnrolmentStatus.VANTAR
    )
    for pid, start, end, status in placed.values_list("participant_id", "start", "actual_end", "status"):
        if start is None:
            continue
        if end is None and status == EnrolmentStatus.AVSLUTAD:
            end = start  # an ended place without an end date: count its first month only, not forever
        found[pid].placements.append((month_index(start), month_index(end) if end else None))
    exits = Exit.objects.filter(participant_id__in=ids).exclude(reason=ExitReason.FELREGISTRERING)
    exit_month: dict[int, int] = {}
    for exit in exits.only("pk", "participant_id", "on", "reason", "subsidised", "municipal_employment"):
        exit_month[exit.pk] = month_index(exit.on)
        found[exit.participant_id].exits.append(exit_month[exit.pk])
        found[exit.participant_id].observations.append(
            observation(exit_month[exit.pk], 1, exit.status, exit.municipal_employment)
        )
    recorded = ExitFollowUp.objects.filter(exit_id__in=exit_month, recorded_on__isnull=False)
    for exit_id, pid, months, status, municipal in recorded.values_list(
        "exit_id", "exit__participant_id", "months_after", "status", "municipal_employment"
    ):
        found[pid].observations.append(observation(exit_month[exit_id], months, status, municipal))
    return found


def _refresh_batch(ids: Sequence[int], through: int, result: RefreshResult) -> None:
    sources = sources_for(ids)
    wanted: dict[tuple[int, int], tuple[str, bool, int | None]] = {}
    for pid in ids:
        for month, status, municipal, unit in derive(sources.get(pid, Sources()), through=through):
            wanted[(pid, month)] = (status, municipal, unit)
    stored = {
        (pid, month_index(month)): (pk, status, municipal, unit)
        for pk, pid, month, status, municipal, unit in StatusMonth.objects.filter(
            participant_id__in=ids
        ).values_list("pk", "participant_id", "month", "status", "municipal_employment", "unit_id")
    }
    removed = [row[0] for key, row in stored.items() if key not in wanted]
    changed = [
        StatusMonth(pk=stored[key][0], status=value[0], municipal_employment=value[1], unit_id=value[2])
        for key, value in wanted.items()
        if key in stored and stored[key][1:] != value
    ]
    added = [
        StatusMonth(
            participant_id=pid,
            month=month_of(month),
            status=value[0],
            municipal_employment=value[1],
            unit_id=value[2],
        )
        for (pid, month), value in wanted.items()
        if (pid, month) not in stored
    ]
    if removed:
        StatusMonth.objects.filter(pk__in=removed).delete()
    if changed:
        StatusMonth.objects.bulk_update(changed, ["status", "municipal_employment", "unit"], batch_size=1000)
    if added:
        StatusMonth.objects.bulk_create(added, batch_size=1000)
    result.added += len(added)
    result.changed += len(changed)
    result.removed += len(removed)


def latest_refresh() -> OutcomeRefresh | None:
    return OutcomeRefresh.objects.filter(finished_at__isnull=False).first()
