"""Shared goals (mål) and commitments (vallöften, uppdrag): lists, pages, forms and the nämnd report.

Aggregates only: every figure comes through `goals.figures`, which suppresses cells under 5 people. Who
sees and who changes is decided in `goals.access`; these views only ask it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from egenmakt.analytics import presentation
from egenmakt.goals import access, chart, figures, namnd, services
from egenmakt.goals.models import Commitment, Goal, GoalSnapshot
from egenmakt.web.decorators import staff_view
from egenmakt.web.forms import form_status, show_error
from egenmakt.web.goal_forms import CommitmentForm, CommitmentStatusForm, GoalForm


def _visible_goal(request: HttpRequest, goal_id: int) -> Goal:
    goal = get_object_or_404(Goal.objects.prefetch_related("organisations", "commitments"), pk=goal_id)
    # A goal of someone else's organisation is a 404, like a missing one.
    if not access.may_see_goal(request.user, goal):
        raise Http404
    return goal


def _visible_commitment(request: HttpRequest, commitment_id: int) -> Commitment:
    commitment = get_object_or_404(namnd.commitments_for(request.user), pk=commitment_id)
    return commitment


@require_GET
@staff_view
def goal_list(request: HttpRequest) -> HttpResponse:
    goals = access.visible_goals(request.user).prefetch_related(
        "organisations", Prefetch("snapshots", GoalSnapshot.objects.all())
    )
    context = {
        "goals": [figures.figures(goal) for goal in goals],
        "may_manage": access.may_manage(request.user),
    }
    return render(request, "web/goals/list.html", context)


def _goal_details(data: dict[str, Any]) -> services.GoalDetails:
    return services.GoalDetails(
        title=data["title"],
        description=data["description"],
        organisations=list(data["organisations"]),
        indicator=data["indicator"],
        target_group=data["target_group"],
        baseline=data["baseline"],
        target=data["target"],
        deadline=data["deadline"],
        direction=data["direction"],
    )


@require_http_methods(["GET", "POST"])
@staff_view
def goal_new(request: HttpRequest) -> HttpResponse:
    if not access.may_manage(request.user):
        raise PermissionDenied
    own = list(access.organisations_to_manage(request.user)[:1])
    form = GoalForm(request.POST or None, initial={"organisations": own, "target_group": "alla"})
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.create_goal(actor=request.user, details=_goal_details(form.cleaned_data))
        except services.GoalError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Målet är sparat."))
            return redirect("goal", goal_id=goal.pk)
    return render(request, "web/goals/goal_form.html", {"form": form, "goal": None}, status=form_status(form))


@require_http_methods(["GET", "POST"])
@staff_view
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = _visible_goal(request, goal_id)
    if not access.may_change_goal(request.user, goal):
        raise PermissionDenied
    initial = {name: getattr(goal, name) for name in services.GOAL_FIELDS}
    initial["organisations"] = list(goal.organisations.all())
    form = GoalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_goal(actor=request.user, goal=goal, details=_goal_details(form.cleaned_data))
        except services.GoalError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Målet är ändrat."))
            return redirect("goal", goal_id=goal.pk)
    return render(request, "web/goals/goal_form.html", {"form": form, "goal": goal}, status=form_status(form))


@require_GET
@staff_view
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = _visible_goal(request, goal_id)
    shown = figures.figures(goal)
    context = {
        "goal": goal,
        "figures": shown,
        "indicator": presentation.indicator(goal.indicator),
        "chart": chart.progress_chart(
            chart_id="goal-chart",
            title=_("%(goal)s: uppmätt värde, utgångsläge och mål") % {"goal": goal.title},
            description=_(
                "%(indicator)s för %(group)s månad för månad, mot utgångsläget %(baseline)s och målet "
                "%(target)s senast %(deadline)s. Månader med färre än 5 personer saknar punkt. Siffrorna finns "
                "i tabellen under."
            )
            % {
                "indicator": shown.indicator_name,
                "group": shown.target_group_name,
                "baseline": shown.baseline_text,
                "target": shown.target_text,
                "deadline": f"{goal.deadline:%Y-%m-%d}",
            },
            figures=shown,
        ),
        "commitments": list(access.visible_commitments(request.user).filter(goals=goal)),
        "may_change": access.may_change_goal(request.user, goal),
    }
    return render(request, "web/goals/detail.html", context)


@require_GET
@staff_view
def commitment_list(request: HttpRequest) -> HttpResponse:
    context = {
        "rows": namnd.rows(namnd.commitments_for(request.user)),
        "may_manage": access.may_manage(request.user),
    }
    return render(request, "web/goals/commitments.html", context)


@require_http_methods(["GET", "POST"])
@staff_view
def commitment_new(request: HttpRequest) -> HttpResponse:
    if not access.may_manage(request.user):
        raise PermissionDenied
    organisations = access.organisations_to_manage(request.user)
    form = CommitmentForm(
        request.POST or None,
        organisations=organisations,
        goals=access.visible_goals(request.user),
        initial={"organisation": organisations.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            commitment = services.create_commitment(
                actor=request.user,
                details=services.CommitmentDetails(
                    kind=data["kind"],
                    text=data["text"],
                    organisation=data["organisation"],
                    responsible=data["responsible"],
                    source_title=data["source_title"],
                    source_reference=data["source_reference"],
                    goals=list(data["goals"]),
                    indicators=list(data["indicators"]),
                ),
            )
        except services.GoalError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Vallöftet eller uppdraget är registrerat."))
            return redirect("commitment", commitment_id=commitment.pk)
    return render(request, "web/goals/commitment_form.html", {"form": form}, status=form_status(form))


@require_http_methods(["GET", "POST"])
@staff_view
def commitment_detail(request: HttpRequest, commitment_id: int) -> HttpResponse:
    """The commitment with its status history, and (for its managers) the form for a new status."""
    commitment = _visible_commitment(request, commitment_id)
    may_change = access.may_change_commitment(request.user, commitment)
    form = (
        CommitmentStatusForm(request.POST or None, initial={"on": timezone.localdate()})
        if may_change
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.record_commitment_status(
                    actor=request.user, commitment=commitment, **form.cleaned_data
                )
            except services.GoalError as error:
                show_error(form, error)
            else:
                messages.success(request, _("Statusen är sparad."))
                return redirect("commitment", commitment_id=commitment.pk)
    row = namnd.rows([commitment])[0]
    return render(
        request,
        "web/goals/commitment.html",
        {"row": row, "commitment": commitment, "form": form},
        status=form_status(form),
    )


@require_GET
@staff_view
def commitments_pdf(request: HttpRequest) -> HttpResponse:
    pdf = namnd.render_pdf(actor=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="rapport-till-namnden-{timezone.localdate():%Y%m%d}.pdf"'
    )
    return response
