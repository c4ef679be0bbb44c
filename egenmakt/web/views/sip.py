"""SIP pages: create at the meeting, see the plan, add what each party does, sign off, print."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egenmakt.access import policy
from egenmakt.audit import services as audit
from egenmakt.collaboration import sip
from egenmakt.collaboration.models import SipParty, SipPlan
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation
from egenmakt.web.decorators import staff_view
from egenmakt.web.forms import SipActionForm, SipForm, SipSignForm
from egenmakt.web.participant_pages import participant_for_change


def _plan_for(request: HttpRequest, plan_id: int) -> tuple[SipPlan, policy.AccessDecision]:
    plan = get_object_or_404(SipPlan.objects.select_related("participant", "overall_responsible"), pk=plan_id)
    decision = sip.may_see(request.user, plan)
    if not decision:
        raise Http404
    return plan, decision


@require_http_methods(["GET", "POST"])
@staff_view
def sip_new(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant, _ground = participant_for_change(request, participant_id, "SIP")
    today = timezone.localdate()
    form = SipForm(request.POST or None, initial={"meeting_date": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = sip.SipMeeting(
            meeting_date=data["meeting_date"],
            attendees=data["attendees"],
            parties=list(data["parties"]),
            overall_responsible=data["overall_responsible"],
            next_follow_up=data["next_follow_up"],
            meeting_place=data["meeting_place"],
            participant_present=data["participant_present"],
            relatives_present=data["relatives_present"],
            own_words=data["own_words"],
        )
        try:
            plan = sip.create_sip(actor=request.user, participant=participant, meeting=meeting)
        except sip.SipError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Planen är sparad. Lägg till vad varje part ska göra."))
            return redirect("sip", plan_id=plan.pk)
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/sip/new.html", {"form": form, "p": participant}, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def sip_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, decision = _plan_for(request, plan_id)
    parties = Organisation.objects.filter(pk__in=plan.parties.values("organisation_id")).order_by("name")
    form = SipActionForm(request.POST or None, parties=parties)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sip.add_action(
                actor=request.user,
                plan=plan,
                organisation=data["organisation"],
                what=data["what"],
                responsible_person=data["responsible_person"],
                due=data["due"],
            )
        except sip.SipError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Insatsen är tillagd i planen."))
            return redirect("sip", plan_id=plan.pk)
    if request.method == "GET":
        audit.record_now(
            actor=request.user,
            action="sip.viewed",
            participant=plan.participant,
            target=plan,
            category=DataCategory.PLAN_OCH_INSATSER,
            purpose="SIP",
            legal_ground=decision.legal_ground,
            detail=decision.audit_detail,
        )
    status = 422 if form.is_bound and not form.is_valid() else 200
    own_unit = bool(policy.can(request.user, policy.Action.EDIT, plan.participant))
    context = {
        "plan": plan,
        "form": form,
        "sign_form": SipSignForm(),
        "own_unit": own_unit,
        "my_organisations": policy.organisation_ids(request.user),
        "parties": plan.parties.select_related("organisation", "signed_by"),
        "actions": plan.actions.select_related("organisation"),
    }
    return render(request, "web/sip/detail.html", context, status=status)


@require_POST
@staff_view
def sip_sign(request: HttpRequest, plan_id: int, party_id: int) -> HttpResponse:
    plan, _decision = _plan_for(request, plan_id)
    party = get_object_or_404(SipParty, pk=party_id, plan=plan)
    form = SipSignForm(request.POST)
    on_paper_by = form.cleaned_data["on_paper_by"] if form.is_valid() else ""
    try:
        sip.sign_off(actor=request.user, party=party, on_paper_by=on_paper_by)
    except sip.SipError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Signaturen är registrerad för %(org)s.") % {"org": party.organisation})
    return redirect("sip", plan_id=plan.pk)


@require_GET
@staff_view
def sip_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, _decision = _plan_for(request, plan_id)
    pdf = sip.render_pdf(actor=request.user, plan=plan)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sip-{plan.meeting_date:%Y%m%d}.pdf"'
    return response
