"""The start page: one per role, so each user lands on what their working day needs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.views import LoginView, LogoutView
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from egenmakt.access import policy, reads
from egenmakt.accounts.models import Role
from egenmakt.activities.models import Activity
from egenmakt.attendance import services as attendance
from egenmakt.benefits import reads as benefit_reads
from egenmakt.cases.models import Case, CaseType
from egenmakt.collaboration import referrals
from egenmakt.collaboration.models import AWAITING_ANSWER
from egenmakt.lib.statistics import suppress_small
from egenmakt.outcomes import services as outcomes
from egenmakt.plans import services as plans
from egenmakt.web import startpages
from egenmakt.web.decorators import public_view, staff_view
from egenmakt.web.views import benefits

login = public_view(LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True))
logout = public_view(LogoutView.as_view())


def _with_labels(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "case_type": CaseType(row["case_type"]).label} for row in rows]


@require_GET
@staff_view
def start(request: HttpRequest) -> HttpResponse:
    user = request.user
    user_roles = policy.roles(user)
    today = timezone.localdate()
    context: dict[str, object] = {"roles": user_roles, "today": today}
    if user_roles & {Role.HANDLAGGARE, Role.ARBETSMARKNADSKONSULENT}:
        context["caseload"] = reads.my_caseload(actor=user)
    if user_roles & {Role.HANDLAGGARE, Role.ARBETSMARKNADSKONSULENT, Role.ENHETSCHEF}:
        tasks = list(attendance.open_tasks_for(user)[:100])
        context["absence_tasks"] = tasks
        # A reduction can be proposed for someone with an open case of ekonomiskt bistånd with a household.
        context["may_propose_reduction"] = benefit_reads.with_benefit_case(t.participant_id for t in tasks)
        context["overdue_follow_ups"] = plans.overdue_follow_ups(user=user)[:100]
        context["due_follow_ups"] = plans.follow_ups_due_soon(
            user=user, on=today, days=startpages.DUE_SOON_DAYS
        )[:100]
        context["due_days"] = startpages.DUE_SOON_DAYS
        context["exit_follow_ups"] = outcomes.follow_ups_due(user=user)[:100]
        context["my_activities"] = Activity.objects.filter(
            active=True, unit_id__in=policy.casework_unit_ids(user)
        ).order_by("name")
    if Role.HANDLAGGARE in user_roles:
        context["waiting_applications"] = benefits.waiting_applications(user)
        context["reductions_in_progress"] = benefits.reductions_in_progress(user)
    if Role.ARBETSMARKNADSKONSULENT in user_roles:
        context["coach"] = startpages.coach(actor=user, on=today)
    if Role.ENHETSCHEF in user_roles:
        context["manager"] = startpages.manager(actor=user, on=today)
    if Role.FORBUNDSCHEF in user_roles:
        context["forbundschef"] = startpages.forbundschef(actor=user, on=today)
    if Role.FORTROENDEVALD in user_roles:
        context["politician"] = startpages.politician(actor=user)
    if Role.ANALYTIKER in user_roles:
        rows = (
            Case.objects.open()
            .values("unit__organisation__name", "unit__name", "case_type")
            .annotate(n=Count("participant", distinct=True))
            .order_by("unit__organisation__name", "unit__name")
        )
        context["aggregates"] = suppress_small(_with_labels(rows), count_key="n")
    context["is_partner"] = Role.PARTNER in user_roles
    if context["is_partner"]:
        context["shared"] = reads.shared_with_me(actor=user)
    context["emergencies"] = reads.running_emergency_accesses(actor=user)
    visible_referrals = referrals.referrals_for(user)
    context["overdue_referrals"] = visible_referrals.overdue().filter(
        from_unit_id__in=policy.casework_unit_ids(user)
    )
    context["incoming_referrals"] = visible_referrals.filter(
        to_organisation_id__in=policy.organisation_ids(user), status__in=AWAITING_ANSWER
    )
    return render(request, "web/start.html", context)
