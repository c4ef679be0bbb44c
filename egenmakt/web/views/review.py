"""Case review (ärendedragning): the unit's queue with its rules, the review form, and the signals page.

Everything here calls `review.services`, which decides who sees whom with the access policy and logs each
person listed; these views only parse input and shape the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egenmakt.access import policy, reads
from egenmakt.organisations.models import Unit
from egenmakt.people.models import Participant
from egenmakt.review import services
from egenmakt.review.models import QUEUE_KINDS, SIGNAL_KINDS, RuleKind
from egenmakt.review.rules import settings_for
from egenmakt.web.decorators import manager_view, staff_view
from egenmakt.web.forms import form_status, show_error
from egenmakt.web.review_forms import ReviewForm, RuleForm, SignalForm


def _unit(request: HttpRequest, value: Any) -> Unit:
    """One of the units the user manages: the one asked for, or the first (a foreign unit is a 404)."""
    units = services.managed_units(request.user)
    if value in (None, ""):
        if not units:
            raise PermissionDenied
        return units[0]
    for unit in units:
        if str(unit.pk) == str(value):
            return unit
    raise Http404


def _rule_forms(unit: Unit, bound: RuleForm | None) -> list[tuple[str, list[tuple[Any, RuleForm]]]]:
    settings = settings_for(unit)
    labels = dict(RuleKind.choices)
    groups = []
    for title, kinds in (
        (_("Regler för kön"), QUEUE_KINDS),
        (_("Signaler om tidiga insatser"), SIGNAL_KINDS),
    ):
        rows = []
        for kind in kinds:
            setting = settings[kind]
            form = (
                bound
                if bound is not None and bound.kind == kind
                else RuleForm(
                    kind=kind,
                    initial={
                        "active": setting.active,
                        "parameter": setting.parameter,
                        "min_age": setting.min_age,
                        "max_age": setting.max_age,
                    },
                )
            )
            rows.append(({"label": labels[kind], "setting": setting}, form))
        groups.append((title, rows))
    return groups


def _queue_page(request: HttpRequest, unit: Unit, bound: RuleForm | None = None) -> HttpResponse:
    context = {
        "unit": unit,
        "units": services.managed_units(request.user),
        "queue": services.review_queue(actor=request.user, unit=unit),
        "rule_groups": _rule_forms(unit, bound),
    }
    return render(request, "web/review/queue.html", context, status=form_status(bound))


@require_GET
@manager_view
def review_queue(request: HttpRequest) -> HttpResponse:
    return _queue_page(request, _unit(request, request.GET.get("enhet")))


@require_POST
@manager_view
def review_rule(request: HttpRequest) -> HttpResponse:
    unit = _unit(request, request.POST.get("enhet"))
    kind = request.POST.get("kind", "")
    if kind not in RuleKind.values:
        raise Http404
    form = RuleForm(request.POST, kind=kind)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_rule(
                actor=request.user,
                unit=unit,
                kind=kind,
                active=data["active"],
                parameter=data.get("parameter"),
                min_age=data.get("min_age"),
                max_age=data.get("max_age"),
            )
        except services.ReviewError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Regeln är sparad."))
            return redirect(f"{reverse('review_queue')}?enhet={unit.pk}#rules")
    return _queue_page(request, unit, form)


@require_http_methods(["GET", "POST"])
@manager_view
def review_new(request: HttpRequest, participant_id: int) -> HttpResponse:
    """The review of one person: why the queue lists them, earlier reviews, and the form."""
    unit = _unit(request, request.GET.get("enhet") or request.POST.get("enhet"))
    shown = reads.open_participant(
        actor=request.user, participant_id=participant_id, action=policy.Action.EDIT, purpose=services.PURPOSE
    )
    participant: Participant = shown.participant
    staff = services.staff_of(unit)
    form = ReviewForm(
        request.POST or None,
        staff=staff,
        initial={"held_on": timezone.localdate(), "staff": [request.user.pk]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_review(
                actor=request.user, unit=unit, participant=participant, **form.cleaned_data
            )
        except services.ReviewError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Ärendedragningen är sparad i ärendets journal."))
            return redirect(f"{reverse('review_queue')}?enhet={unit.pk}")
    context = {
        "unit": unit,
        "participant": participant,
        "reasons": services.reasons_for(actor=request.user, unit=unit, participant=participant),
        "reviews": services.reviews_of(unit=unit, participant=participant),
        "form": form,
    }
    return render(request, "web/review/review_form.html", context, status=form_status(form))


def _prefix(signal: services.Signal) -> str:
    return f"{signal.kind}-{signal.participant.pk}-{signal.unit.pk}"


def _signals_page(request: HttpRequest, bound: SignalForm | None = None) -> HttpResponse:
    rows = []
    page = services.signals(actor=request.user)
    for signal in page.signals:
        prefix = _prefix(signal)
        form = bound if bound is not None and bound.prefix == prefix else SignalForm(prefix=prefix)
        rows.append((signal, form, prefix))
    context = {"rows": rows, "total": page.total}
    return render(request, "web/review/signals.html", context, status=form_status(bound))


@require_GET
@staff_view
def signal_list(request: HttpRequest) -> HttpResponse:
    if not services.may_see_signals(request.user):
        raise PermissionDenied
    return _signals_page(request)


@require_POST
@staff_view
def signal_handle(request: HttpRequest) -> HttpResponse:
    if not services.may_see_signals(request.user):
        raise PermissionDenied
    prefix = request.POST.get("signal", "")
    try:
        kind, participant_id, unit_id = prefix.rsplit("-", 2)
        participant, _decision = policy.get_participant(
            request.user, participant_id, action=policy.Action.EDIT
        )
        unit = Unit.objects.get(pk=int(unit_id))
    except (ValueError, Unit.DoesNotExist):
        raise Http404 from None
    form = SignalForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            services.handle_signal(
                actor=request.user,
                participant=participant,
                kind=kind,
                unit=unit,
                key=request.POST.get("key", ""),
                outcome=form.cleaned_data["outcome"],
                text=form.cleaned_data["text"],
            )
        except services.ReviewError as error:
            if error.field is None:
                # The signal is gone (handled by someone else, or its facts changed): nothing to show it on.
                messages.error(request, str(error.message))
                return redirect("signals")
            show_error(form, error)
        else:
            messages.success(request, _("Signalen är hanterad."))
            return redirect("signals")
    return _signals_page(request, form)
