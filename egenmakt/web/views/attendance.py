"""The coach's attendance screen for a whole group on one day, and the handläggare's absence tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egenmakt.access import policy, reads
from egenmakt.activities.models import Activity, Enrolment
from egenmakt.attendance import services
from egenmakt.attendance.models import AbsenceTask, Attendance, AttendanceCorrection
from egenmakt.web.activity_forms import REASON_CHOICES, STATUS_CHOICES, AttendanceDayForm, HandleTaskForm
from egenmakt.web.decorators import staff_view


@dataclass
class Row:
    """One person's line on the screen: what is stored, what was typed, and the row's errors."""

    enrolment: Enrolment
    existing: Attendance | None
    status: str
    reason: str
    hours: str
    note: str
    comment: str
    corrections: list[AttendanceCorrection]
    errors: dict[str, str]


def _day(request: HttpRequest) -> tuple[date, AttendanceDayForm]:
    form = AttendanceDayForm(request.GET or {"day": timezone.localdate().isoformat()})
    return (form.cleaned_data["day"] if form.is_valid() else timezone.localdate()), form


def _rows(request: HttpRequest, activity: Activity, day: date) -> tuple[list[Row], int]:
    group = list(services.group_for_day(activity, day))
    allowed = {
        p.pk
        for p in reads.shown_in_list(
            actor=request.user,
            participants=[e.participant for e in group],
            action="participant.listed_in_attendance",
            detail={"activity_id": activity.pk, "day": day.isoformat()},
            policy_action=policy.Action.EDIT,
        )
    }
    mine = [e for e in group if e.participant_id in allowed]
    stored = {
        a.enrolment_id: a
        for a in Attendance.objects.filter(enrolment__in=mine, day=day).select_related(
            "recorded_by", "import_batch__imported_by"
        )
    }
    history = services.history(stored.values())
    rows = []
    for enrolment in mine:
        existing = stored.get(enrolment.pk)
        rows.append(
            Row(
                enrolment=enrolment,
                existing=existing,
                status=existing.status if existing else "narvarande",
                reason=existing.reason if existing else "",
                hours=f"{existing.attended_hours:g}" if existing else "",
                note=existing.note if existing else "",
                comment="",
                corrections=history.get(existing.pk, []) if existing else [],
                errors={},
            )
        )
    return rows, len(group) - len(mine)


@require_http_methods(["GET", "POST"])
@staff_view
def attendance_day(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.select_related("unit", "provider"), pk=activity_id)
    if activity.unit_id not in policy.casework_unit_ids(request.user):
        raise Http404
    day, day_form = _day(request)
    rows, hidden = _rows(request, activity, day)
    status = 200
    if request.method == "POST":
        marks = []
        for row in rows:
            pk = row.enrolment.pk
            row.status = request.POST.get(f"status-{pk}", "")
            row.reason = request.POST.get(f"reason-{pk}", "")
            row.hours = request.POST.get(f"hours-{pk}", "")
            row.note = request.POST.get(f"note-{pk}", "")[:300]
            row.comment = request.POST.get(f"comment-{pk}", "")[:300]
            try:
                hours = services.parse_hours(row.hours)
            except ValueError:
                row.errors["hours"] = _("Skriv timmar som ett tal mellan 0 och 24, till exempel 6 eller 4,5.")
                continue
            marks.append(
                services.Mark(
                    pk, row.status, hours=hours, reason=row.reason, note=row.note, comment=row.comment
                )
            )
        if not any(row.errors for row in rows):
            try:
                services.register_day(actor=request.user, activity=activity, day=day, marks=marks)
            except services.GroupErrors as error:
                by_id = {row.enrolment.pk: row for row in rows}
                for row_error in error.errors:
                    by_id[row_error.enrolment_id].errors[row_error.field] = row_error.message
            except services.AttendanceError as error:
                messages.error(request, str(error.message))
                return redirect(request.get_full_path())
            else:
                messages.success(
                    request,
                    _("Närvaron för %(day)s är sparad för %(count)s personer.")
                    % {"day": day.isoformat(), "count": len(marks)},
                )
                return redirect(request.get_full_path())
        status = 422
    context = {
        "activity": activity,
        "day": day,
        "day_form": day_form,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1) if day < timezone.localdate() else None,
        "rows": rows,
        "hidden": hidden,
        "errors": [row for row in rows if row.errors],
        "status_choices": STATUS_CHOICES,
        "reason_choices": REASON_CHOICES,
        "scheduled": activity.is_scheduled_on(day),
    }
    return render(request, "web/attendance/day.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def absence_task(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(
        AbsenceTask.objects.select_related(
            "participant",
            "attendance__enrolment__activity",
            "attendance__recorded_by",
            "attendance__import_batch__imported_by",
            "handled_by",
        ),
        pk=task_id,
    )
    participant, _decision = policy.get_participant(
        request.user, task.participant_id, action=policy.Action.EDIT
    )
    form = HandleTaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.handle_task(actor=request.user, task=task, note=form.cleaned_data["note"])
        except services.AttendanceError as error:
            form.add_error("note" if error.field == "note" else None, str(error.message))
        else:
            messages.success(request, _("Uppgiften är hanterad."))
            return redirect("start")
    if request.method == "GET":
        reads.open_participant(actor=request.user, participant_id=participant.pk, purpose="frånvaro")
    attendance = task.attendance
    context: dict[str, Any] = {
        "task": task,
        "p": participant,
        "attendance": attendance,
        "corrections": services.history([attendance])[attendance.pk],
        "form": form,
        "recent": Attendance.objects.filter(
            enrolment__participant=participant, day__gte=attendance.day - timedelta(days=30)
        )
        .select_related("enrolment__activity")
        .order_by("-day")[:30],
    }
    return render(
        request,
        "web/attendance/task.html",
        context,
        status=422 if form.is_bound and not form.is_valid() else 200,
    )
