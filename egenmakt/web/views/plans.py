"""Action plan pages: the plan, its text, needs, goals, steps, acknowledgement, follow-ups, versions, print.

Thin: find the plan, ask the policy, call one service. Anyone who may see the person's plans and
interventions (their own unit, or another organisation on consent) may read the plan and print it; only
the person's own unit changes it (the services check that again).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egenmakt.access import policy
from egenmakt.audit import services as audit
from egenmakt.lib.categories import DataCategory
from egenmakt.plans import services as plans
from egenmakt.plans.models import ActionPlan, FollowUp, Goal, GoalProgress, Need, Step
from egenmakt.web.decorators import staff_view
from egenmakt.web.forms import form_status, show_error
from egenmakt.web.participant_pages import participant_for_change
from egenmakt.web.plan_forms import (
    AcknowledgeForm,
    FollowUpForm,
    GoalForm,
    NeedForm,
    NewPlanForm,
    PlanForm,
    StepForm,
)

PURPOSE = "handlingsplan"


def _plans() -> QuerySet[ActionPlan]:
    return ActionPlan.objects.select_related("participant", "case__unit")


def _plan_for(request: HttpRequest, plan_id: int) -> tuple[ActionPlan, policy.AccessDecision]:
    """The plan, for someone who may see the person's plan och insatser; anyone else gets a 404."""
    plan = get_object_or_404(_plans(), pk=plan_id)
    decision = policy.can(request.user, policy.Action.VIEW, plan.participant, DataCategory.PLAN_OCH_INSATSER)
    if not decision:
        raise Http404
    return plan, decision


def _plan_for_change(request: HttpRequest, plan_id: int) -> ActionPlan:
    """The plan, for the person's own unit (a form shown is a logged read); anyone else gets a 404."""
    plan = get_object_or_404(_plans(), pk=plan_id)
    participant_for_change(request, plan.participant_id, PURPOSE)
    return plan


def _record_read(
    request: HttpRequest, plan: ActionPlan, decision: policy.AccessDecision, action: str
) -> None:
    audit.record_now(
        actor=request.user,
        action=action,
        participant=plan.participant,
        target=plan,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose=PURPOSE,
        legal_ground=decision.legal_ground,
        detail=decision.audit_detail,
    )


def _form_page(request: HttpRequest, form: Any, plan: ActionPlan, title: str, **extra: Any) -> HttpResponse:
    context = {"form": form, "plan": plan, "title": title, **extra}
    return render(request, "web/plans/form.html", context, status=form_status(form))


def _contents(plan: ActionPlan) -> dict[str, Any]:
    """What the plan page and the printout show."""
    steps = Step.objects.select_related("activity__provider", "responsible_organisation")
    return {
        "needs": plan.needs.all(),
        "goals": plan.goals.prefetch_related(Prefetch("steps", queryset=steps)),
        "loose_steps": steps.filter(plan=plan, goal__isnull=True),
        "has_steps": plan.steps.exists(),
        "next_follow_up": plans.next_follow_up(plan),
        "today": timezone.localdate(),
    }


@require_http_methods(["GET", "POST"])
@staff_view
def plan_new(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant, _ground = participant_for_change(request, participant_id, PURPOSE)
    cases = (
        policy.visible_cases(request.user)
        .open()
        .filter(participant=participant, plan__isnull=True)
        .select_related("unit")
        .order_by("-opened_on")
    )
    form = NewPlanForm(request.POST or None, cases=cases)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plans.create_plan(actor=request.user, case=form.cleaned_data["case"], **form.values())
        except plans.PlanError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Handlingsplanen är skapad. Lägg till mål och steg."))
            return redirect("plan", plan_id=plan.pk)
    context = {"form": form, "p": participant, "has_cases": cases.exists()}
    return render(request, "web/plans/new.html", context, status=form_status(form))


@require_GET
@staff_view
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, decision = _plan_for(request, plan_id)
    _record_read(request, plan, decision, "plan.viewed")
    held = (
        plan.follow_ups.filter(held_on__isnull=False)
        .select_related("held_by")
        .prefetch_related(Prefetch("progress", queryset=GoalProgress.objects.select_related("goal")))
        .order_by("-held_on", "-pk")
    )
    may_edit = bool(
        policy.can(request.user, policy.Action.EDIT, plan.participant, DataCategory.PLAN_OCH_INSATSER)
    )
    context = {"plan": plan, "may_edit": may_edit, "held_follow_ups": held, **_contents(plan)}
    return render(request, "web/plans/detail.html", context)


@require_http_methods(["GET", "POST"])
@staff_view
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    initial = {name: getattr(plan, name) for name in PlanForm.base_fields}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plans.update_plan(actor=request.user, plan=plan, **form.values())
        except plans.PlanError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Planen är sparad."))
            return redirect("plan", plan_id=plan.pk)
    return _form_page(request, form, plan, _("Ändra planens text"))


@require_http_methods(["GET", "POST"])
@staff_view
def goal_form(request: HttpRequest, plan_id: int, goal_id: int | None = None) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    goal = get_object_or_404(Goal, pk=goal_id, plan=plan) if goal_id is not None else None
    initial = {} if goal is None else {f: getattr(goal, f) for f in plans.GOAL_FIELDS}
    form = GoalForm(request.POST or None, initial=initial, editing=goal is not None)
    if request.method == "POST" and form.is_valid():
        try:
            if goal is None:
                plans.add_goal(actor=request.user, plan=plan, **form.cleaned_data)
            else:
                plans.update_goal(actor=request.user, goal=goal, **form.cleaned_data)
        except plans.PlanError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Målet är sparat."))
            return redirect("plan", plan_id=plan.pk)
    title = _("Nytt mål") if goal is None else _("Ändra mål")
    return _form_page(request, form, plan, title, goal=goal)


@require_POST
@staff_view
def goal_remove(request: HttpRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    goal = get_object_or_404(Goal, pk=goal_id, plan=plan)
    try:
        plans.remove_goal(actor=request.user, goal=goal)
    except plans.PlanError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Målet är borttaget ur planen."))
    return redirect("plan", plan_id=plan.pk)


@require_http_methods(["GET", "POST"])
@staff_view
def step_form(request: HttpRequest, plan_id: int, step_id: int | None = None) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    step = get_object_or_404(Step, pk=step_id, plan=plan) if step_id is not None else None
    initial: dict[str, Any] = {}
    if step is not None:
        initial = {f: getattr(step, f) for f in plans.STEP_FIELDS if f != "enrolment"}
    form = StepForm(
        request.POST or None,
        initial=initial,
        goals=plan.goals.all(),
        activity=step.activity if step is not None else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if step is None:
                plans.add_step(actor=request.user, plan=plan, **form.cleaned_data)
            else:
                plans.update_step(actor=request.user, step=step, **form.cleaned_data)
        except plans.PlanError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Steget är sparat."))
            return redirect("plan", plan_id=plan.pk)
    title = _("Nytt steg") if step is None else _("Ändra steg")
    return _form_page(request, form, plan, title, step=step)


@require_POST
@staff_view
def step_remove(request: HttpRequest, plan_id: int, step_id: int) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    step = get_object_or_404(Step, pk=step_id, plan=plan)
    try:
        plans.remove_step(actor=request.user, step=step)
    except plans.PlanError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Steget är borttaget ur planen."))
    return redirect("plan", plan_id=plan.pk)


@require_http_methods(["GET", "POST"])
@staff_view
def need_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plans.add_need(actor=request.user, plan=plan, **form.cleaned_data)
        except plans.PlanError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Behovet är sparat."))
            return redirect("plan", plan_id=plan.pk)
    return _form_page(request, form, plan, _("Nytt behov"))


@require_POST
@staff_view
def need_remove(request: HttpRequest, plan_id: int, need_id: int) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    need = get_object_or_404(Need, pk=need_id, plan=plan)
    try:
        plans.remove_need(actor=request.user, need=need)
    except plans.PlanError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Behovet är borttaget ur planen."))
    return redirect("plan", plan_id=plan.pk)


@require_http_methods(["GET", "POST"])
@staff_view
def acknowledge(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    form = AcknowledgeForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            plans.acknowledge(actor=request.user, plan=plan, **form.cleaned_data)
        except plans.PlanError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Det är registrerat att deltagaren har tagit del av planen."))
            return redirect("plan", plan_id=plan.pk)
    return _form_page(request, form, plan, _("Deltagaren har tagit del av planen"))


@require_http_methods(["GET", "POST"])
@staff_view
def follow_up(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_change(request, plan_id)
    upcoming: FollowUp | None = plans.next_follow_up(plan)
    goals = list(plan.goals.filter(achieved_on__isnull=True))
    form = FollowUpForm(
        request.POST or None, goals=goals, weeks=plan.follow_up_weeks, today=timezone.localdate()
    )
    if upcoming is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plans.hold_follow_up(
                actor=request.user,
                follow_up=upcoming,
                held_on=data["held_on"],
                summary=data["summary"],
                progress=form.progress(),
                participant_present=data["participant_present"],
                next_on=data["next_on"],
            )
        except plans.PlanError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Uppföljningen är sparad."))
            return redirect("plan", plan_id=plan.pk)
    context = {"form": form, "plan": plan, "upcoming": upcoming, "today": timezone.localdate()}
    return render(request, "web/plans/follow_up.html", context, status=form_status(form))


@require_GET
@staff_view
def versions(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, decision = _plan_for(request, plan_id)
    _record_read(request, plan, decision, "plan.versions_viewed")
    return render(request, "web/plans/versions.html", {"plan": plan, "versions": plans.versions(plan)})


@require_GET
@staff_view
def plan_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan to hand to the person and sign, in plain Swedish whatever the screen's language."""
    from weasyprint import HTML  # imported here: it loads Pango, which only printing needs

    plan, decision = _plan_for(request, plan_id)
    context = {"plan": plan, "printed_at": timezone.localtime(), **_contents(plan)}
    # Swedish for now; the texts are translatable so the person's own language can follow.
    with translation.override("sv"):
        html = render_to_string("web/plans/pdf.html", context)
    pdf: bytes = HTML(string=html).write_pdf()
    _record_read(request, plan, decision, "plan.printed")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="handlingsplan-{plan.pk}-v{plan.version}.pdf"'
    return response
