"""Registering an exit from a case, and recording the follow-ups planned after it (outcomes/rules)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egenmakt.cases.models import Case
from egenmakt.outcomes import rules, services
from egenmakt.outcomes.models import Exit, ExitFollowUp
from egenmakt.web.decorators import staff_view
from egenmakt.web.forms import form_status, show_error
from egenmakt.web.outcome_forms import ExitForm, FollowUpForm
from egenmakt.web.participant_pages import participant_for_change


@require_http_methods(["GET", "POST"])
@staff_view
def exit_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("unit", "participant"), pk=case_id)
    participant, _ground = participant_for_change(request, case.participant_id, "avslut")
    if Exit.objects.filter(case=case).exists():
        raise Http404
    form = ExitForm(request.POST or None, initial={"on": case.closed_on or timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            registered = services.register_exit(actor=request.user, case=case, **form.cleaned_data)
        except services.OutcomeError as error:
            show_error(form, error)
        else:
            planned = [f.months_after for f in registered.follow_ups.order_by("months_after")]
            messages.success(
                request,
                _("Avslutet är registrerat. Uppföljningar efter %(months)s månader är planerade.")
                % {"months": _months(planned)}
                if planned
                else _("Avslutet är registrerat."),
            )
            return redirect("participant", participant_id=participant.pk)
    schedule = rules.follow_up_schedule(timezone.localdate())
    return render(
        request,
        "web/outcomes/exit_new.html",
        {
            "form": form,
            "case": case,
            "p": participant,
            "schedule": schedule,
            "months": _months(schedule.months),
        },
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
@staff_view
def follow_up(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    item = get_object_or_404(ExitFollowUp.objects.select_related("exit__case__unit"), pk=follow_up_id)
    participant, _ground = participant_for_change(request, item.exit.participant_id, "uppföljning")
    initial = {"on": timezone.localdate(), "status": item.status, "source": item.source}
    form = FollowUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_follow_up(actor=request.user, follow_up=item, **form.cleaned_data)
        except services.OutcomeError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Uppföljningen är registrerad."))
            return redirect("participant", participant_id=participant.pk)
    return render(
        request,
        "web/outcomes/follow_up.html",
        {"form": form, "item": item, "p": participant},
        status=form_status(form),
    )


def _months(months: Sequence[int]) -> str:
    """3, 6, 12 och 24"""
    numbers = [str(m) for m in months]
    if len(numbers) < 2:
        return "".join(numbers)
    return _("%(first)s och %(last)s") % {"first": ", ".join(numbers[:-1]), "last": numbers[-1]}
