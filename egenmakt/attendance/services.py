"""Registering attendance for a whole group, correcting it with history, and absence tasks.

An unexcused absence opens exactly one task for the responsible handläggare. Nothing is deducted
here: the task is the input to the economic-assistance due-process flow (kommunicering, beslut,
överklagande). A correction to excused or present sets the task aside; a correction back reopens it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.access import policy
from egenmakt.activities.models import Activity, Enrolment
from egenmakt.attendance.models import (
    AbsenceReason,
    AbsenceTask,
    Attendance,
    AttendanceCorrection,
    AttendanceStatus,
    Source,
    TaskStatus,
)
from egenmakt.audit import services as audit
from egenmakt.cases.models import Case, CaseType
from egenmakt.lib.categories import DataCategory
from egenmakt.people.errors import PeopleError

MAX_HOURS = Decimal("24")
# Ids per IN (...) list: SQLite allows some 32 000 parameters per statement.
IDS_PER_QUERY = 5_000


def in_batches(items: Sequence[Any], size: int = IDS_PER_QUERY) -> Iterator[Any]:
    """Slices of at most `size` items, for IN (...) lists of bounded length."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class AttendanceError(PeopleError):
    pass


@dataclass(frozen=True)
class Mark:
    """What the coach entered for one person on the day."""

    enrolment_id: int
    status: str
    hours: Decimal | None = None
    reason: str = ""
    note: str = ""
    comment: str = ""  # why a registered value is corrected


@dataclass(frozen=True)
class RowError:
    enrolment_id: int
    field: str
    message: str


class GroupErrors(AttendanceError):
    """Some rows of the group could not be saved; nothing was saved, and each row says why."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_("Några rader behöver rättas. Inget har sparats ännu."))
        self.errors = errors


def parse_hours(raw: str) -> Decimal | None:
    """Hours as typed: "6", "6,5" or "6.5". Blank means the planned hours. Raises ValueError otherwise."""
    text = raw.strip().replace(",", ".")
    if not text:
        return None
    try:
        hours = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(raw) from error
    if not hours.is_finite() or hours < 0 or hours > MAX_HOURS or hours != hours.quantize(Decimal("0.01")):
        raise ValueError(raw)
    return hours


def group_for_day(activity: Activity, day: date) -> QuerySet[Enrolment]:
    """Everyone who had a place in the activity on the day, in name order."""
    return (
        Enrolment.objects.placed_on(day)
        .filter(activity=activity)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


@dataclass(frozen=True)
class GroupToday:
    """An activity scheduled on a day, with how far its attendance is registered."""

    activity: Activity
    placed: int  # people with a place on the day
    registered: int  # of them, with attendance recorded for the day

    @property
    def done(self) -> bool:
        return self.registered >= self.placed


def groups_to_register(*, user: Any, on: date) -> list[GroupToday]:
    """The activities the user's units run that meet on the day: what a coach registers attendance for.
    Counts only; the names are on the group's attendance page, which logs its reads."""
    unit_ids = policy.casework_unit_ids(user)
    scheduled = [
        activity
        for activity in Activity.objects.filter(active=True, unit_id__in=unit_ids).order_by("name")
        if activity.is_scheduled_on(on)
    ]
    ids = [activity.pk for activity in scheduled]
    placed = dict(
        Enrolment.objects.placed_on(on)
        .filter(activity__in=ids)
        .values("activity_id")
        .annotate(n=Count("pk"))
        .values_list("activity_id", "n")
    )
    registered = dict(
        Attendance.objects.filter(enrolment__activity__in=ids, day=on)
        .values("enrolment__activity_id")
        .annotate(n=Count("pk"))
        .values_list("enrolment__activity_id", "n")
    )
    return [
        GroupToday(activity, placed.get(activity.pk, 0), registered.get(activity.pk, 0))
        for activity in scheduled
        if placed.get(activity.pk)
    ]


def economic_assistance_caseworkers(participant_ids: Collection[int]) -> dict[int, tuple[int, int]]:
    """Who looks into an absence, for many people at once: person -> (case, handläggare) of their newest
    open economic-assistance case that has a responsible handläggare. People without one are left out;
    their task goes to the case the placement belongs to."""
    ids = sorted(set(participant_ids))
    found: dict[int, tuple[int, int]] = {}
    for part in in_batches(ids):
        rows = (
            Case.objects.filter(
                participant_id__in=part,
                case_type=CaseType.EKONOMISKT_BISTAND,
                closed_on__isnull=True,
                responsible__isnull=False,
            )
            .order_by("participant_id", "-opened_on", "-pk")
            .values_list("participant_id", "pk", "responsible_id")
        )
        for person, case_id, responsible in rows:
            found.setdefault(person, (case_id, responsible))
    return found


def responsible_handlaggare(participant_id: int, fallback: Case) -> tuple[Case, Any]:
    """`economic_assistance_caseworkers` for one person, as the case and the caseworker."""
    found = economic_assistance_caseworkers([participant_id]).get(participant_id)
    chosen = Case.objects.select_related("responsible").get(pk=found[0]) if found else fallback
    return chosen, chosen.responsible


def _validate(mark: Mark, enrolment: Enrolment | None, day: date, allowed: set[int]) -> list[RowError]:
    errors = []
    if enrolment is None or enrolment.participant_id not in allowed:
        return [RowError(mark.enrolment_id, "status", str(_("Personen finns inte i gruppen den här dagen.")))]
    if mark.status not in AttendanceStatus.values:
        errors.append(
            RowError(mark.enrolment_id, "status", str(_("Välj närvarande, giltig eller ogiltig frånvaro.")))
        )
    if mark.status == AttendanceStatus.GILTIG_FRANVARO and mark.reason not in AbsenceReason.values:
        errors.append(RowError(mark.enrolment_id, "reason", str(_("Välj skäl för den giltiga frånvaron."))))
    if mark.status != AttendanceStatus.GILTIG_FRANVARO and mark.reason:
        errors.append(RowError(mark.enrolment_id, "reason", str(_("Bara giltig frånvaro har ett skäl."))))
    if mark.status != AttendanceStatus.NARVARANDE and mark.hours:
        errors.append(
            RowError(
                mark.enrolment_id,
                "hours",
                str(
                    _(
                        "Frånvaro har inga närvarotimmar. Var personen där en del av dagen: välj närvarande och skriv timmarna."
                    )
                ),
            )
        )
    return errors


def _hours(mark: Mark, planned: Decimal) -> Decimal:
    if mark.hours is not None:
        return mark.hours
    return planned if mark.status == AttendanceStatus.NARVARANDE else Decimal("0")


@transaction.atomic
def register_day(*, actor: Any, activity: Activity, day: date, marks: Sequence[Mark]) -> list[Attendance]:
    """Save a whole group's day in one go: all rows or none. Returns the saved rows."""
    if day > timezone.localdate():
        raise AttendanceError(_("Närvaro kan inte registreras för en dag som inte har varit."), field="day")
    group = {e.pk: e for e in group_for_day(activity, day).select_related("activity", "case")}
    decisions = policy.decide_many(
        actor, policy.Action.EDIT, [e.participant for e in group.values()], DataCategory.NARVARO
    )
    allowed = {pid for pid, decision in decisions.items() if decision}
    errors = [
        error for mark in marks for error in _validate(mark, group.get(mark.enrolment_id), day, allowed)
    ]
    if errors:
        raise GroupErrors(errors)
    existing = {
        a.enrolment_id: a
        for a in Attendance.objects.filter(enrolment_id__in=[m.enrolment_id for m in marks], day=day)
    }
    saved = []
    entries = []
    for mark in marks:
        enrolment = group[mark.enrolment_id]
        planned = activity.hours_per_day
        hours = _hours(mark, planned)
        previous = existing.get(mark.enrolment_id)
        if previous is None:
            row = Attendance.objects.create(
                enrolment=enrolment,
                day=day,
                status=mark.status,
                reason=mark.reason,
                planned_hours=planned,
                attended_hours=hours,
                note=mark.note.strip(),
                source=Source.SKARM,
                recorded_by=actor,
            )
            action = "attendance.registered"
        elif (previous.status, previous.reason, previous.attended_hours, previous.note) == (
            mark.status,
            mark.reason,
            hours,
            mark.note.strip(),
        ):
            saved.append(previous)
            continue
        else:
            row = _correct(
                actor,
                previous,
                status=mark.status,
                reason=mark.reason,
                hours=hours,
                note=mark.note,
                comment=mark.comment,
            )
            action = "attendance.corrected"
        _sync_task(row, enrolment)
        saved.append(row)
        entries.append(
            audit.Entry(
                action=action,
                participant=enrolment.participant,
                target=row,
                category=DataCategory.NARVARO,
                purpose="narvaro",
                legal_ground=decisions[enrolment.participant_id].legal_ground,
                detail={"status": row.status, "day": day.isoformat()},
            )
        )
    audit.record_many(actor=actor, entries=entries)
    return saved


def _correct(
    actor: Any, row: Attendance, *, status: str, reason: str, hours: Decimal, note: str, comment: str
) -> Attendance:
    AttendanceCorrection.objects.create(
        attendance=row,
        previous_status=row.status,
        previous_reason=row.reason,
        previous_hours=row.attended_hours,
        previous_recorded_by_id=row.registrar_id,
        previous_recorded_at=row.recorded_at,
        corrected_by=actor,
        comment=comment.strip()[:300],
    )
    row.status = status
    row.reason = reason
    row.attended_hours = hours
    row.note = note.strip()
    row.recorded_by = actor
    row.recorded_at = timezone.now()
    row.save(update_fields=["status", "reason", "attended_hours", "note", "recorded_by", "recorded_at"])
    return row


def _sync_task(row: Attendance, enrolment: Enrolment) -> None:
    """Exactly one task per unexcused absence: created once, set aside or reopened on correction."""
    task = AbsenceTask.objects.filter(attendance=row).first()
    if row.status == AttendanceStatus.OGILTIG_FRANVARO:
        if task is None:
            case, handlaggare = responsible_handlaggare(enrolment.participant_id, enrolment.case)
            AbsenceTask.objects.create(
                attendance=row, participant_id=enrolment.participant_id, case=case, assigned_to=handlaggare
            )
        elif task.status == TaskStatus.INAKTUELL:
            task.status = TaskStatus.OPPEN
            task.save(update_fields=["status"])
    elif task is not None and task.status == TaskStatus.OPPEN:
        task.status = TaskStatus.INAKTUELL
        task.save(update_fields=["status"])


def open_tasks_for(user: Any) -> QuerySet[AbsenceTask]:
    """The user's own open absence tasks, among people the user may still see."""
    # One person's tasks are few: each person is looked up rather than everyone in the unit hashed.
    tasks = AbsenceTask.objects.filter(
        policy.visible_filter(user, DataCategory.NARVARO, participant="participant"),
        assigned_to=user,
        status=TaskStatus.OPPEN,
    )
    return tasks.select_related("participant", "attendance__enrolment__activity").order_by(
        "attendance__day", "pk"
    )


@transaction.atomic
def handle_task(*, actor: Any, task: AbsenceTask, note: str) -> AbsenceTask:
    """The handläggare notes what was done (talked to the person, started kommunicering, nothing)."""
    task = AbsenceTask.objects.select_related("participant").get(pk=task.pk)
    if not policy.can(actor, policy.Action.EDIT, task.participant, DataCategory.NARVARO):
        raise AttendanceError(_("Bara personens egen enhet kan hantera uppgiften."))
    if task.status != TaskStatus.OPPEN:
        raise AttendanceError(_("Uppgiften är redan hanterad."))
    if not note.strip():
        raise AttendanceError(_("Skriv vad du har gjort med frånvaron."), field="note")
    task.status = TaskStatus.HANTERAD
    task.handled_by = actor
    task.handled_at = timezone.now()
    task.handled_note = note.strip()
    task.save(update_fields=["status", "handled_by", "handled_at", "handled_note"])
    audit.record(
        actor=actor,
        action="absence_task.handled",
        participant=task.participant,
        target=task,
        category=DataCategory.NARVARO,
        purpose="narvaro",
    )
    return task


def history(rows: Iterable[Attendance]) -> dict[int, list[AttendanceCorrection]]:
    ids = [row.pk for row in rows]
    found: dict[int, list[AttendanceCorrection]] = {pk: [] for pk in ids}
    for correction in AttendanceCorrection.objects.filter(attendance_id__in=ids).select_related(
        "corrected_by"
    ):
        found[correction.attendance_id].append(correction)
    return found
