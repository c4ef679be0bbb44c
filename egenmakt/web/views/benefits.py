"""Economic assistance pages: application → calculation → decision → notification → appeal, and the
decision letter (for a reduction decision too); the "Ekonomi" page and the section on a person's page.
Reductions are in benefits_reductions, payment runs in benefits_payments, local rules in benefits_rules.

Thin: find the thing, ask the policy about the person's economic data (ekonomi), call one service.
Whoever may read the person's economic data sees the pages; only the person's own unit changes anything
(the services check that again). Anyone else gets a 404. Every page and letter is a logged read.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egenmakt.access import policy
from egenmakt.benefits import calculation as calc
from egenmakt.benefits import legal, reads, services
from egenmakt.benefits.models import (
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    Decision,
    DecisionKind,
    Outcome,
    Reduction,
    ReductionBasis,
)
from egenmakt.benefits.services import BenefitError
from egenmakt.cases.models import Case, CaseType
from egenmakt.lib.categories import DataCategory
from egenmakt.lib.money import kr
from egenmakt.people.models import HouseholdMember, HouseholdRelation, Participant
from egenmakt.web.benefit_forms import (
    AppealForm,
    ApplicationForm,
    DecisionForm,
    NotifyForm,
    SettleAppealForm,
    norm_item_label,
    parse_month,
)
from egenmakt.web.decorators import staff_view
from egenmakt.web.forms import form_status, show_error

ECONOMY = DataCategory.EKONOMI


def economy_access(
    request: HttpRequest, participant: Participant, action: str = policy.Action.VIEW
) -> policy.AccessDecision:
    """The policy's decision on the person's economic data; a person the user may not see is a 404."""
    decision = policy.can(request.user, action, participant, ECONOMY)
    if not decision:
        raise Http404
    return decision


def may_edit_economy(request: HttpRequest, participant: Participant) -> bool:
    return bool(policy.can(request.user, policy.Action.EDIT, participant, ECONOMY))


# --- Hub ---------------------------------------------------------------------------------------------


@require_GET
@staff_view
def hub(request: HttpRequest) -> HttpResponse:
    """The "Ekonomi" page: the user's waiting applications and reductions, and the municipality's pages."""
    user = request.user
    if not reads.may_use_benefit_pages(user):
        raise PermissionDenied
    casework = bool(reads.casework_organisations(user))
    context = {
        # An analyst has no caseload: the lists are for casework staff.
        "waiting_applications": waiting_applications(user) if casework else None,
        "reductions_in_progress": reductions_in_progress(user) if casework else None,
        "casework": casework,
        "may_simulate": bool(reads.simulation_organisations(user)),
        "today": timezone.localdate(),
    }
    return render(request, "web/benefits/hub.html", context)


def waiting_applications(user: Any) -> list[Application]:
    """Applications waiting for the user's decision, each applicant logged as a read (start page, hub)."""
    rows = list(services.applications_waiting(actor=user)[:100])
    return reads.listed(
        actor=user, rows=rows, person=lambda a: a.applicant, action="application.listed_waiting"
    )


def reductions_in_progress(user: Any) -> list[Reduction]:
    rows = list(services.reductions_in_progress(actor=user)[:100])
    return reads.listed(actor=user, rows=rows, person=lambda r: r.participant, action="reduction.listed")


# --- Applications ------------------------------------------------------------------------------------


def _children(case: Case, month: Any) -> list[tuple[int, str]]:
    """Children of the household who are 0–6 years in the month (or today): who may eat lunch at preschool."""
    day = month or timezone.localdate()
    if case.household_id is None:
        return []
    members = (
        HouseholdMember.objects.current()
        .filter(household_id=case.household_id, relation=HouseholdRelation.BARN)
        .select_related("participant")
        .order_by("participant__birth_date", "pk")
    )
    children = []
    for member in members:
        age = member.participant.age_on(day)
        if age is not None and 0 <= age <= 6:
            children.append((member.participant_id, member.participant.full_name))
    return children


@require_http_methods(["GET", "POST"])
@staff_view
def application_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(
        Case.objects.select_related("participant", "unit__organisation"),
        pk=case_id,
        case_type=CaseType.EKONOMISKT_BISTAND,
    )
    participant = case.participant
    decision = economy_access(request, participant, policy.Action.EDIT)
    ready = case.is_open and case.household_id is not None
    month = parse_month(request.POST.get("month")) if request.method == "POST" else None
    form = ApplicationForm(request.POST or None, children=_children(case, month) if ready else [])
    if ready and request.method == "POST" and form.is_valid():
        try:
            application = services.register_application(
                actor=request.user,
                case=case,
                month=form.cleaned_data["month"],
                received_on=form.cleaned_data["received_on"],
                costs=form.costs(),
                incomes=form.incomes(),
                lunch_at_preschool=form.lunch(),
            )
        except BenefitError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Ansökan är registrerad. Räkna fram den när uppgifterna stämmer."))
            return redirect("benefit_application", application_id=application.pk)
    if request.method == "GET":
        reads.record_read(
            actor=request.user,
            action="application.form_viewed",
            participant=participant,
            target=case,
            decision=decision,
        )
    members = (
        HouseholdMember.objects.current()
        .filter(household_id=case.household_id)
        .select_related("participant")
        .order_by("relation", "participant__birth_date")
        if case.household_id
        else []
    )
    context = {"form": form, "case": case, "p": participant, "ready": ready, "members": members}
    return render(request, "web/benefits/application_new.html", context, status=form_status(form))


def _application_for(
    request: HttpRequest, application_id: int, action: str = policy.Action.VIEW
) -> tuple[Application, policy.AccessDecision]:
    application = get_object_or_404(
        Application.objects.select_related("applicant", "case__unit__organisation", "created_by"),
        pk=application_id,
    )
    return application, economy_access(request, application.applicant, action)


def _applied(application: Application) -> dict[str, Any]:
    """What the application says, in words: the members, the costs and the incomes."""
    data = application.input
    names = reads.household_names(application)
    members = [
        {
            "name": names.get(str(m["id"]), ""),
            "role": HouseholdRelation(m["role"]).label,
            "birth_date": m["birth_date"],
            "lunch": m.get("lunch_at_preschool", False),
            "days": m.get("days"),
        }
        for m in data.get("members", [])
    ]
    costs = [
        {"kind": calc.cost_label(c["kind"]), "label": c.get("label", ""), "amount": c["amount"]}
        for c in data.get("costs", [])
    ]
    incomes = [{"kind": calc.income_label(i["kind"]), "amount": i["amount"]} for i in data.get("incomes", [])]
    return {
        "members": members,
        "others_in_dwelling": data.get("others_in_dwelling", 0),
        "costs": costs,
        "incomes": incomes,
    }


def _application_page(
    request: HttpRequest, application: Application, decision_form: DecisionForm | None = None
) -> HttpResponse:
    calculation = services.latest_calculation(application)
    may_edit = may_edit_economy(request, application.applicant)
    decided = Decision.objects.filter(application=application).first()
    proposals: list[services.ItemProposal] = []
    deducted = 0
    if calculation is not None:
        proposals, deducted = services.decision_items(calculation)
    projection = calculation is not None and not calculation.norm_official
    may_decide = (
        may_edit
        and application.status == ApplicationStatus.INKOMMEN
        and calculation is not None
        and (not projection or application.case.synthetic)
    )
    if may_decide and decision_form is None:
        assert calculation is not None
        decision_form = DecisionForm(proposals=proposals, calculation_id=calculation.pk)
    context = {
        "application": application,
        "p": application.applicant,
        "applied": _applied(application),
        "calculation": calculation,
        "result": calculation.result if calculation else None,
        "projection": projection,
        "deducted": deducted,
        "may_edit": may_edit,
        "may_decide": may_decide,
        "form": decision_form if may_decide else None,
        "decided": decided,
    }
    return render(request, "web/benefits/application.html", context, status=form_status(decision_form))


@require_GET
@staff_view
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application, decision = _application_for(request, application_id)
    reads.record_read(
        actor=request.user,
        action="application.viewed",
        participant=application.applicant,
        target=application,
        decision=decision,
    )
    return _application_page(request, application)


@require_POST
@staff_view
def application_calculate(request: HttpRequest, application_id: int) -> HttpResponse:
    application, _decision = _application_for(request, application_id, policy.Action.EDIT)
    if application.status != ApplicationStatus.INKOMMEN:
        messages.error(request, _("Ansökan är redan beslutad."))
    else:
        try:
            services.calculate_application(actor=request.user, application=application)
        except BenefitError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Ansökan är beräknad."))
    return redirect("benefit_application", application_id=application.pk)


@require_POST
@staff_view
def application_decide(request: HttpRequest, application_id: int) -> HttpResponse:
    application, _decision = _application_for(request, application_id, policy.Action.EDIT)
    calculation = services.latest_calculation(application)
    if calculation is None or application.status != ApplicationStatus.INKOMMEN:
        messages.error(request, _("Ansökan kan inte beslutas: den är inte beräknad, eller redan beslutad."))
        return redirect("benefit_application", application_id=application.pk)
    proposals, _deducted = services.decision_items(calculation)
    form = DecisionForm(request.POST, proposals=proposals, calculation_id=calculation.pk)
    if form.is_valid():
        if form.cleaned_data["calculation"] != calculation.pk:
            messages.error(
                request,
                _("Ansökan har räknats om sedan sidan visades. Kontrollera beloppen och besluta igen."),
            )
            return redirect("benefit_application", application_id=application.pk)
        try:
            decided = services.decide(
                actor=request.user,
                application=application,
                granted=form.granted(),
                item_reasons=form.item_reasons(),
                reasons=form.cleaned_data["reasons"],
            )
        except BenefitError as error:
            form.add_error(form.field_for(error.field), str(error.message))
        else:
            messages.success(request, _("Beslutet är fattat. Delge personen beslutet med beslutsbrevet."))
            return redirect("benefit_decision", decision_id=decided.pk)
    return _application_page(request, application, decision_form=form)


# --- Decisions ---------------------------------------------------------------------------------------


def _decision_for(
    request: HttpRequest, decision_id: int, action: str = policy.Action.VIEW
) -> tuple[Decision, policy.AccessDecision]:
    decision = get_object_or_404(
        Decision.objects.select_related(
            "participant", "case__unit__organisation", "decided_by", "application", "reduction", "calculation"
        ).prefetch_related("items"),
        pk=decision_id,
    )
    return decision, economy_access(request, decision.participant, action)


def _appeal_choices(decision: Decision) -> tuple[list[Any], bool]:
    """The items that can be appealed, and whether the decision as a whole can (not a full bifall)."""
    items = [item for item in decision.items.all() if item.appealable]
    whole = not (
        decision.kind == DecisionKind.BISTAND and services.decision_outcome(decision) == Outcome.BIFALL
    )
    return items, whole


def _decision_page(
    request: HttpRequest,
    decision: Decision,
    *,
    notify_form: NotifyForm | None = None,
    appeal_form: AppealForm | None = None,
    settle_form: tuple[int, SettleAppealForm] | None = None,
) -> HttpResponse:
    may_edit = may_edit_economy(request, decision.participant)
    items = list(decision.items.all())
    appealable, whole = _appeal_choices(decision)
    appeals = list(
        decision.appeals.select_related("item", "registered_by", "settled_by").order_by("received_on", "pk")
    )
    settle_forms = []
    for appeal in appeals:
        form = None
        if may_edit and appeal.status == AppealStatus.MOTTAGET:
            if settle_form is not None and settle_form[0] == appeal.pk:
                form = settle_form[1]
            else:
                form = SettleAppealForm(prefix=f"settle-{appeal.pk}")
        settle_forms.append((appeal, form))
    if may_edit and decision.notified_on is None and notify_form is None:
        notify_form = NotifyForm()
    if may_edit and (appealable or whole) and appeal_form is None:
        appeal_form = AppealForm(prefix="appeal", items=appealable, whole=whole)
    bad = [
        f
        for f in (notify_form, appeal_form, settle_form[1] if settle_form else None)
        if f is not None and f.errors
    ]
    context = {
        "decision": decision,
        "p": decision.participant,
        "outcome": Outcome(services.decision_outcome(decision)).label,
        "items": items,
        "appeals": settle_forms,
        "notify_form": notify_form if may_edit and decision.notified_on is None else None,
        "appeal_form": appeal_form if may_edit else None,
        "bad_form": bad[0] if bad else None,
        "may_edit": may_edit,
        "procedure": legal.procedure(),
        "today": timezone.localdate(),
    }
    status = 422 if bad else 200
    return render(request, "web/benefits/decision.html", context, status=status)


@require_GET
@staff_view
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision, access = _decision_for(request, decision_id)
    reads.record_read(
        actor=request.user,
        action="decision.viewed",
        participant=decision.participant,
        target=decision,
        decision=access,
    )
    return _decision_page(request, decision)


@require_POST
@staff_view
def decision_notify(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision, _access_decision = _decision_for(request, decision_id, policy.Action.EDIT)
    form = NotifyForm(request.POST)
    if form.is_valid():
        try:
            services.notify(
                actor=request.user, decision=decision, notified_on=form.cleaned_data["notified_on"]
            )
        except BenefitError as error:
            show_error(form, error)
        else:
            decision.refresh_from_db()
            messages.success(
                request,
                _("Delgivningen är registrerad. Sista dag att överklaga är %(day)s.")
                % {"day": f"{decision.appeal_deadline:%Y-%m-%d}"},
            )
            return redirect("benefit_decision", decision_id=decision.pk)
    return _decision_page(request, decision, notify_form=form)


@require_POST
@staff_view
def decision_appeal(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision, _access_decision = _decision_for(request, decision_id, policy.Action.EDIT)
    items, whole = _appeal_choices(decision)
    form = AppealForm(request.POST, prefix="appeal", items=items, whole=whole)
    if form.is_valid():
        item = next((i for i in items if i.pk == form.cleaned_data["item"]), None)
        try:
            appeal = services.register_appeal(
                actor=request.user,
                decision=decision,
                received_on=form.cleaned_data["received_on"],
                text=form.cleaned_data["text"],
                item=item,
            )
        except BenefitError as error:
            show_error(form, error)
        else:
            if appeal.in_time:
                messages.success(request, _("Överklagandet är registrerat. Det kom in i rätt tid."))
            else:
                messages.success(
                    request, _("Överklagandet är registrerat. Det kom in för sent och kan avvisas.")
                )
            return redirect("benefit_decision", decision_id=decision.pk)
    return _decision_page(request, decision, appeal_form=form)


@require_POST
@staff_view
def appeal_settle(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal.objects.select_related("decision"), pk=appeal_id)
    decision, _access_decision = _decision_for(request, appeal.decision_id, policy.Action.EDIT)
    form = SettleAppealForm(request.POST, prefix=f"settle-{appeal.pk}")
    if form.is_valid():
        try:
            services.settle_appeal(
                actor=request.user,
                appeal=appeal,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        except BenefitError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Överklagandet är hanterat."))
            return redirect("benefit_decision", decision_id=decision.pk)
    return _decision_page(request, decision, settle_form=(appeal.pk, form))


def pdf_response(html: str, filename: str) -> HttpResponse:
    from weasyprint import HTML  # imported here: it loads Pango, which only printing needs

    pdf: bytes = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def recipient(participant: Participant) -> dict[str, Any]:
    """Who a letter goes to. A protected address is never printed: the post goes through Skatteverket."""
    return {
        "name": participant.full_name,
        "identity": participant.identity.formatted,
        "protected": participant.protected_identity,
        "address": ""
        if participant.protected_identity
        else ", ".join(
            x
            for x in [participant.street_address, f"{participant.postal_code} {participant.city}".strip()]
            if x
        ),
    }


def reduction_words(reduction: Reduction) -> str:
    """The proposal's basis in words, for the pages and the letters."""
    if reduction.basis == ReductionBasis.DAGAR:
        return _("%(days)s dagar av normens del för de vuxna") % {"days": reduction.days}
    if reduction.basis == ReductionBasis.BELOPP:
        return _("ett belopp, %(amount)s") % {"amount": kr(reduction.amount_asked or 0)}
    return _("poster i normen: %(items)s") % {"items": ", ".join(norm_item_label(i) for i in reduction.items)}


@require_GET
@staff_view
def decision_letter(request: HttpRequest, decision_id: int) -> HttpResponse:
    """The decision letter: every item with its outcome, and for each one not granted in full its reasons,
    legal basis and how to appeal. In Swedish whatever the screen's language (the texts are translatable)."""
    decision, access = _decision_for(request, decision_id)
    items = list(decision.items.all())
    with translation.override("sv"):  # the letter's own language, whatever the screen's
        html = render_to_string("web/benefits/decision_letter.html", _decision_letter(decision, items))
    response = pdf_response(html, f"beslut-{decision.pk}.pdf")
    reads.record_read(
        actor=request.user,
        action="decision.letter_printed",
        participant=decision.participant,
        target=decision,
        decision=access,
    )
    return response


def _decision_letter(decision: Decision, items: list[Any]) -> dict[str, Any]:
    return {
        "decision": decision,
        "organisation": decision.case.unit.organisation,
        "unit": decision.case.unit,
        "recipient": recipient(decision.participant),
        "outcome": Outcome(services.decision_outcome(decision)).label,
        "items": items,
        "refused": [item for item in items if item.appealable],
        "result": decision.calculation.result if decision.calculation else None,
        "reduction": decision.reduction,
        "reduction_words": reduction_words(decision.reduction) if decision.reduction else "",
        "procedure": legal.procedure(),
        "printed_at": timezone.localtime(),
    }


# --- The participant overview -------------------------------------------------------------------------


def overview_section(request: HttpRequest, participant: Participant) -> dict[str, Any] | None:
    """The "Ekonomiskt bistånd" section of a person's page, for those who may read their economic data.

    The page's one read event (participant.viewed, written by access.reads) covers it, as it covers the
    plan and placement sections: a page view is one event.
    """
    if not policy.can(request.user, policy.Action.VIEW, participant, ECONOMY):
        return None
    found = reads.for_participant(participant)
    case = reads.open_benefit_case(participant) if may_edit_economy(request, participant) else None
    return {
        "applications": found.applications,
        "decisions": [(d, Outcome(services.decision_outcome(d)).label) for d in found.decisions],
        "reductions": found.reductions,
        "case": case,
    }
