from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from egenmakt.access import logreview
from egenmakt.access import services as emergency
from egenmakt.web.decorators import manager_view
from egenmakt.web.forms import LogReviewForm


@require_GET
@manager_view
def access_log(request: HttpRequest) -> HttpResponse:
    staff = logreview.reviewable_staff(request.user)
    form = LogReviewForm(request.GET or None, staff=staff)
    filters = form.cleaned_data if form.is_valid() else {}
    result = logreview.review(
        actor=request.user,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        staff_id=filters.get("staff"),
        only_flagged=bool(filters.get("only_flagged")),
    )
    context = {
        "form": form,
        "review": result,
        "emergencies": emergency.reviewable_emergency_accesses(request.user),
    }
    return render(request, "web/logreview.html", context)
