"""Reduction pages: unexcused absence → proposed reduction → kommunicering (with its letter) → the
person's reply, or none by the deadline → the reduction decision, or the proposal dropped.

Nothing here deducts anything: only a decided reduction reaches a calculation. As on the other economic
assistance pages, whoever may read the person's economic data sees the pages, only the person's own
unit acts (the services check it again), anyone else gets a 404, and every page and letter is logged.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egenmakt.access import policy
from egenmakt.attendance.models import AbsenceTask
from egenmakt.benefits import legal, reads, services
from egenmakt.benefits.models import Decision, Reduction, ReductionBasis, ReductionStatus
from egenmakt.benefits.services import BenefitError
from egenmakt.web.benefit_forms import (
    CommunicateForm,
    DropForm,
    ReductionDecisionForm,
    ReductionForm,
    ReplyForm,
    next_month,
    norm_item_label,
    parse_month,
)
from egenmakt.web.decorators import staff_view
from egenmakt.web.forms import form_status, show_error
from egenmakt.web.views.benefits import (
    economy_access,
    may_edit_economy,
    pdf_response,
    recipient,
    reduction_words,
)


@require_http_methods(["GET", "POST"])
@staff_view
def reduction_new(request: HttpRequest) -> HttpResponse:
    """A proposal from the person's unexcused absences. It deducts nothing; kommunicering comes next."""
    try:
        task_id = int(request.GET.get("task", ""))
    except ValueError:
        raise Http404 from None
    task = get_object_or_404(AbsenceTask.objects.select_related("participant"), pk=task_id)
    participant = task.participant
    access = economy_access(request, participant, policy.Action.EDIT)
    case = reads.open_benefit_case(participant)
    tasks = reads.open_unexcused_tasks(participant)
    today = timezone.localdate()
    chosen = parse_month(request.POST.get("month") if request.method == "POST" else request.GET.get("month"))
    month = chosen or next_month(today)
    base, base_error = None, ""
    if case is not None:
        try:
            base = services.reduction_base(case, month)
        except BenefitError as error:
            base_error = str(error.message)
    initial = {"month": month, "basis": ReductionBasis.DAGAR, "tasks": [task.pk] if task in tasks else []}
    form = ReductionForm(
        request.POST or None, initial=initial, tasks=tasks, adult_items=base.adult_items if base else {}
    )
    if case is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reduction = services.propose_reduction(
                actor=request.user,
                tasks=list(data["tasks"]),
                month=data["month"],
                basis=data["basis"],
                reasons=data["reasons"],
                days=data["days"],
                amount=data["amount_asked"],
                items=data["items"],
                include_children=data["include_children"],
                children_reason=data["children_reason"],
            )
        except BenefitError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                _("Förslaget är sparat. Inget dras av: nästa steg är att kommunicera det med personen."),
            )
            return redirect("benefit_reduction", reduction_id=reduction.pk)
    if request.method == "GET":
        reads.record_read(
            actor=request.user,
            action="reduction.form_viewed",
            participant=participant,
            target=task,
            decision=access,
        )
    context = {
        "form": form,
        "p": participant,
        "task": task,
        "case": case,
        "month": month,
        "base": base,
        "base_error": base_error,
        "adult_items": [(norm_item_label(k), v) for k, v in base.adult_items.items()] if base else [],
    }
    return render(request, "web/benefits/reduction_new.html", context, status=form_status(form))


def _reduction_for(
    request: HttpRequest, reduction_id: int, action: str = policy.Action.VIEW
) -> tuple[Reduction, policy.AccessDecision]:
    reduction = get_object_or_404(
        Reduction.objects.select_related(
            "participant", "case__unit__organisation", "proposed_by", "communicated_by"
        ).prefetch_related(
            Prefetch(
                "tasks",
                queryset=AbsenceTask.objects.select_related("attendance__enrolment__activity").order_by(
                    "attendance__day"
                ),
            )
        ),
        pk=reduction_id,
    )
    return reduction, economy_access(request, reduction.participant, action)


def _steps(reduction: Reduction) -> list[dict[str, Any]]:
    """Förslag → Kommunicering → Svar → Beslut, each with its state in words (never colour alone)."""
    done, current, waiting, stopped = _("Klart"), _("Nästa steg"), _("Inte påbörjat"), _("Avbrutet")
    dropped = reduction.status == ReductionStatus.AVSKRIVEN
    communicated = reduction.communicated_on is not None
    replied = reduction.reply_settled
    decided = reduction.status == ReductionStatus.BESLUTAD

    def state(is_done: bool, is_next: bool) -> tuple[str, bool]:
        if is_done:
            return done, False
        if dropped:
            return stopped, False
        return (current, True) if is_next else (waiting, False)

    rows = [
        (_("Förslag"), (True, False)),
        (_("Kommunicering"), (communicated, True)),
        (_("Svar"), (replied, communicated)),
        (_("Beslut"), (decided, replied)),
    ]
    return [{"name": name, "state": state(*flags)[0], "current": state(*flags)[1]} for name, flags in rows]


def _reduction_page(
    request: HttpRequest, reduction: Reduction, bad: forms.Form | None = None, **given: forms.Form
) -> HttpResponse:
    may_edit = may_edit_economy(request, reduction.participant)
    today = timezone.localdate()
    status = reduction.status
    shown: dict[str, forms.Form | None] = {"communicate": None, "reply": None, "decide": None, "drop": None}
    if may_edit:
        if status == ReductionStatus.FORSLAG:
            shown["communicate"] = given.get("communicate") or CommunicateForm(prefix="communicate")
        if status == ReductionStatus.KOMMUNICERAD and not reduction.reply_settled:
            shown["reply"] = given.get("reply") or ReplyForm(prefix="reply")
        if status == ReductionStatus.KOMMUNICERAD and reduction.reply_settled:
            shown["decide"] = given.get("decide") or ReductionDecisionForm(
                prefix="decide", initial={"amount": reduction.proposed_amount}
            )
        if status in (ReductionStatus.FORSLAG, ReductionStatus.KOMMUNICERAD):
            shown["drop"] = given.get("drop") or DropForm(prefix="drop")
    context = {
        "reduction": reduction,
        "p": reduction.participant,
        "steps": _steps(reduction),
        "basis_words": reduction_words(reduction),
        "tasks": list(reduction.tasks.all()),
        "decision": Decision.objects.filter(reduction=reduction).first(),
        "may_edit": may_edit,
        "may_note_no_reply": may_edit
        and status == ReductionStatus.KOMMUNICERAD
        and not reduction.reply_settled
        and reduction.reply_deadline is not None
        and today > reduction.reply_deadline,
        "bad_form": bad,
        "today": today,
        **{f"{name}_form": form for name, form in shown.items()},
    }
    return render(request, "web/benefits/reduction.html", context, status=422 if bad is not None else 200)


@require_GET
@staff_view
def reduction_detail(request: HttpRequest, reduction_id: int) -> HttpResponse:
    reduction, access = _reduction_for(request, reduction_id)
    reads.record_read(
        actor=request.user,
        action="reduction.viewed",
        participant=reduction.participant,
        target=reduction,
        decision=access,
    )
    return _reduction_page(request, reduction)


def _reduction_step(
    request: HttpRequest, reduction_id: int, name: str, form_class: type[forms.Form], act: Any, done: str
) -> HttpResponse:
    """One step on a reduction: a form whose valid data goes to one service; its error next to the field."""
    reduction, _access_decision = _reduction_for(request, reduction_id, policy.Action.EDIT)
    form = form_class(request.POST, prefix=name)
    if form.is_valid():
        try:
            result = act(reduction, form.cleaned_data)
        except BenefitError as error:
            show_error(form, error)
        else:
            messages.success(request, done)
            if isinstance(result, Decision):
                return redirect("benefit_decision", decision_id=result.pk)
            return redirect("benefit_reduction", reduction_id=reduction.pk)
    return _reduction_page(request, reduction, bad=form, **{name: form})


@require_POST
@staff_view
def reduction_communicate(request: HttpRequest, reduction_id: int) -> HttpResponse:
    return _reduction_step(
        request,
        reduction_id,
        "communicate",
        CommunicateForm,
        lambda reduction, data: services.communicate(actor=request.user, reduction=reduction, **data),
        _("Kommuniceringen är registrerad. Skriv ut brevet och skicka det, om du inte redan har gjort det."),
    )


@require_POST
@staff_view
def reduction_reply(request: HttpRequest, reduction_id: int) -> HttpResponse:
    return _reduction_step(
        request,
        reduction_id,
        "reply",
        ReplyForm,
        lambda reduction, data: services.record_reply(
            actor=request.user, reduction=reduction, received_on=data["received_on"], text=data["reply_text"]
        ),
        _("Svaret är sparat. Nu kan du besluta."),
    )


@require_POST
@staff_view
def reduction_no_reply(request: HttpRequest, reduction_id: int) -> HttpResponse:
    reduction, _access_decision = _reduction_for(request, reduction_id, policy.Action.EDIT)
    try:
        services.record_no_reply(actor=request.user, reduction=reduction)
    except BenefitError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Det är noterat att inget svar kom. Nu kan du besluta."))
    return redirect("benefit_reduction", reduction_id=reduction.pk)


@require_POST
@staff_view
def reduction_decide(request: HttpRequest, reduction_id: int) -> HttpResponse:
    return _reduction_step(
        request,
        reduction_id,
        "decide",
        ReductionDecisionForm,
        lambda reduction, data: services.decide_reduction(
            actor=request.user, reduction=reduction, amount=data["amount"], reasons=data["reasons"]
        ),
        _("Beslutet om nedsättning är fattat. Det räknas med i månadens beräkning."),
    )


@require_POST
@staff_view
def reduction_drop(request: HttpRequest, reduction_id: int) -> HttpResponse:
    return _reduction_step(
        request,
        reduction_id,
        "drop",
        DropForm,
        lambda reduction, data: services.drop_reduction(
            actor=request.user, reduction=reduction, reason=data["reason"]
        ),
        _("Förslaget är avskrivet."),
    )


@require_GET
@staff_view
def reduction_letter(request: HttpRequest, reduction_id: int) -> HttpResponse:
    """The kommunicering letter (FL 25 §): what is proposed and why, and how and by when to answer.
    Nothing is decided yet, and the letter says so."""
    reduction, access = _reduction_for(request, reduction_id)
    with translation.override("sv"):  # the letter's own language, whatever the screen's
        context = {
            "reduction": reduction,
            "organisation": reduction.case.unit.organisation,
            "unit": reduction.case.unit,
            "recipient": recipient(reduction.participant),
            "tasks": list(reduction.tasks.all()),
            "basis_words": reduction_words(reduction),
            "procedure": legal.procedure(),
            "contact": reduction.communicated_by or reduction.proposed_by,
            "printed_at": timezone.localtime(),
        }
        html = render_to_string("web/benefits/reduction_letter.html", context)
    response = pdf_response(html, f"kommunicering-{reduction.pk}.pdf")
    reads.record_read(
        actor=request.user,
        action="reduction.letter_printed",
        participant=reduction.participant,
        target=reduction,
        decision=access,
    )
    return response
