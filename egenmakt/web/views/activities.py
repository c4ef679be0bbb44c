"""The activity catalogue, an activity's places and queue, placements, anonymous places and IPS-25 reviews."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from egenmakt.access import policy, reads
from egenmakt.activities import services
from egenmakt.activities.models import (
    Activity,
    AnonymousPlace,
    Enrolment,
    EnrolmentStatus,
    Method,
    TargetGroup,
    Weekday,
)
from egenmakt.activities.rules import finsam_split, ips25
from egenmakt.lib.spreadsheet import safe_cell
from egenmakt.outcomes import sus
from egenmakt.web.activity_forms import (
    AnonymousPlaceForm,
    CatalogueFilterForm,
    EndAnonymousPlaceForm,
    EndEnrolmentForm,
    EnrolmentForm,
    FidelityReviewForm,
    PlaceFromQueueForm,
)
from egenmakt.web.decorators import staff_view
from egenmakt.web.forms import form_status, show_error
from egenmakt.web.participant_pages import participant_for_change


def _runs(user: Any, activity: Activity) -> bool:
    """Staff of the unit that runs the activity see its group and queue and register attendance."""
    return activity.unit_id in policy.casework_unit_ids(user)


@require_GET
@staff_view
def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    activities = list(Activity.objects.filter(active=True).select_related("provider", "unit"))
    if form.is_valid():
        data = form.cleaned_data
        if data["method"]:
            activities = [a for a in activities if a.method == data["method"]]
        if data["target_group"]:
            activities = [
                a for a in activities if data["target_group"] in a.target_groups or "alla" in a.target_groups
            ]
    rooms = services.occupancies(activities)
    rows = [(activity, rooms[activity.pk]) for activity in activities]
    if form.is_valid() and form.cleaned_data["with_free_places"]:
        rows = [(activity, room) for activity, room in rows if room.free > 0]
    return render(request, "web/activities/catalogue.html", {"form": form, "rows": rows})


@require_GET
@staff_view
def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.select_related("provider", "unit"), pk=activity_id)
    context: dict[str, Any] = {
        "activity": activity,
        "room": services.occupancy(activity),
        "runs": _runs(request.user, activity),
        "today": timezone.localdate(),
        "target_group_labels": [
            TargetGroup(g).label for g in activity.target_groups if g in TargetGroup.values
        ],
        "weekday_labels": [Weekday(d).label for d in sorted(activity.weekdays) if d in Weekday.values],
    }
    if activity.finsam_funded:
        split = finsam_split(timezone.localdate())
        context["finsam"] = split
        context["finsam_parts"] = split.amounts(activity.cost_per_place)
    reviews = list(activity.fidelity_reviews.select_related("recorded_by"))
    scale = ips25()
    context["reviews"] = [(review, scale.band(review.total)) for review in reviews]
    context["scale"] = scale
    context["reviewable"] = activity.method in (Method.IPS, Method.SE)
    if context["runs"]:
        placed = list(Enrolment.objects.filter(activity=activity).occupying().select_related("participant"))
        waiting = list(Enrolment.objects.filter(activity=activity).waiting().select_related("participant"))
        shown = {
            p.pk
            for p in reads.shown_in_list(
                actor=request.user,
                participants=[e.participant for e in placed + waiting],
                action="participant.listed_in_activity",
                detail={"activity_id": activity.pk},
            )
        }
        context["placed"] = [(e, e.participant_id in shown) for e in placed]
        context["queue"] = [
            (position, e, e.participant_id in shown) for position, e in enumerate(waiting, start=1)
        ]
        context["anonymous"] = AnonymousPlace.objects.filter(activity=activity).order_by(
            "actual_end", "-start"
        )
    return render(request, "web/activities/detail.html", context)


@require_http_methods(["GET", "POST"])
@staff_view
def enrolment_new(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant, _ground = participant_for_change(request, participant_id, "placering")
    cases = policy.visible_cases(request.user).open().filter(participant=participant).select_related("unit")
    initial = {"start": timezone.localdate(), "activity": request.GET.get("insats")}
    form = EnrolmentForm(request.POST or None, cases=cases, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrolment = services.enrol(
                actor=request.user,
                participant=participant,
                activity=data["activity"],
                case=data["case"],
                start=data["start"],
                planned_end=data["planned_end"],
                override_reason=data["override_reason"],
            )
        except services.ActivityError as error:
            show_error(form, error)
        else:
            if enrolment.status == EnrolmentStatus.AKTIV:
                messages.success(
                    request,
                    _("%(name)s är placerad i %(activity)s.")
                    % {"name": participant.full_name, "activity": enrolment.activity.name},
                )
            else:
                messages.info(
                    request,
                    _("Insatsen har ingen ledig plats. %(name)s står nu i kö, på plats %(position)s.")
                    % {"name": participant.full_name, "position": services.queue_position(enrolment)},
                )
            return redirect("participant", participant_id=participant.pk)
    return render(
        request, "web/activities/enrol.html", {"form": form, "p": participant}, status=form_status(form)
    )


def _enrolment_for_change(request: HttpRequest, enrolment_id: int) -> Enrolment:
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("activity", "participant"), pk=enrolment_id
    )
    participant_for_change(request, enrolment.participant_id, "placering")
    return enrolment


@require_http_methods(["GET", "POST"])
@staff_view
def enrolment_end(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _enrolment_for_change(request, enrolment_id)
    if enrolment.status == EnrolmentStatus.AVSLUTAD:
        raise Http404
    initial = {
        "actual_end": timezone.localdate(),
        "end_reason": "lamnat_kon" if enrolment.status == "vantar" else "",
    }
    form = EndEnrolmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_enrolment(
                actor=request.user,
                enrolment=enrolment,
                actual_end=form.cleaned_data["actual_end"],
                end_reason=form.cleaned_data["end_reason"],
            )
        except services.ActivityError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Placeringen är avslutad."))
            return redirect("participant", participant_id=enrolment.participant_id)
    return render(
        request,
        "web/activities/end.html",
        {"form": form, "enrolment": enrolment, "p": enrolment.participant},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@staff_view
def enrolment_place(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _enrolment_for_change(request, enrolment_id)
    if enrolment.status != EnrolmentStatus.VANTAR:
        raise Http404
    form = PlaceFromQueueForm(request.POST or None, initial={"start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.place_from_queue(
                actor=request.user,
                enrolment=enrolment,
                start=form.cleaned_data["start"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except services.ActivityError as error:
            show_error(form, error)
        else:
            messages.success(
                request, _("%(name)s har fått en plats.") % {"name": enrolment.participant.full_name}
            )
            return redirect("activity", activity_id=enrolment.activity_id)
    context = {
        "form": form,
        "enrolment": enrolment,
        "p": enrolment.participant,
        "position": services.queue_position(enrolment),
        "room": services.occupancy(enrolment.activity),
    }
    return render(request, "web/activities/place.html", context, status=form_status(form))


def _activity_run_by_user(request: HttpRequest, activity_id: int) -> Activity:
    activity = get_object_or_404(Activity.objects.select_related("unit"), pk=activity_id)
    if not _runs(request.user, activity):
        raise Http404
    return activity


@require_http_methods(["GET", "POST"])
@staff_view
def anonymous_place_new(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = _activity_run_by_user(request, activity_id)
    form = AnonymousPlaceForm(request.POST or None, initial={"start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.register_anonymous_place(actor=request.user, activity=activity, **form.cleaned_data)
        except services.ActivityError as error:
            show_error(form, error)
        else:
            messages.success(
                request, _("Den anonyma platsen är registrerad. Inga personuppgifter har sparats.")
            )
            return redirect("activity", activity_id=activity.pk)
    return render(
        request,
        "web/activities/anonymous.html",
        {"form": form, "activity": activity},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@staff_view
def anonymous_place_end(request: HttpRequest, place_id: int) -> HttpResponse:
    place = get_object_or_404(
        AnonymousPlace.objects.select_related("activity"), pk=place_id, actual_end__isnull=True
    )
    activity = _activity_run_by_user(request, place.activity_id)
    form = EndAnonymousPlaceForm(request.POST or None, initial={"actual_end": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_anonymous_place(actor=request.user, place=place, **form.cleaned_data)
        except services.ActivityError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Den anonyma platsen är avslutad."))
            return redirect("activity", activity_id=activity.pk)
    return render(
        request,
        "web/activities/anonymous_end.html",
        {"form": form, "activity": activity, "place": place},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@staff_view
def fidelity_review_new(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = _activity_run_by_user(request, activity_id)
    form = FidelityReviewForm(request.POST or None, initial={"reviewed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            review = services.record_fidelity_review(
                actor=request.user,
                activity=activity,
                reviewed_on=form.cleaned_data["reviewed_on"],
                reviewers=form.cleaned_data["reviewers"],
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except services.ActivityError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                _("Granskningen är sparad: %(total)s av %(max)s poäng.")
                % {"total": review.total, "max": ips25().max_total},
            )
            return redirect("activity", activity_id=activity.pk)
    return render(
        request,
        "web/activities/fidelity.html",
        {"form": form, "activity": activity, "scale": ips25()},
        status=form_status(form),
    )


@require_GET
@staff_view
def sus_export(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The activity's participants with SUS's variables, as CSV for the samordningsförbund. Only the
    staff who run the activity; only the people they may see; every person exported is logged."""
    activity = _activity_run_by_user(request, activity_id)
    rows = sus.export_rows(actor=request.user, activity=activity)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sus-{activity.code or activity.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(sus.header())
    for row in rows:
        writer.writerow(
            [
                safe_cell(row.identity),
                row.sex,
                row.age_band,
                row.start.isoformat() if row.start else "",
                row.end.isoformat() if row.end else "",
                safe_cell(row.end_reason),
                row.livelihood_before,
                row.livelihood_after,
                row.occupation_before,
                row.occupation_after,
            ]
        )
    return response
