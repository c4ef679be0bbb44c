"""Referral and team pages, and the public answer page for recipients without an account."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egenmakt.access import policy
from egenmakt.audit import services as audit
from egenmakt.collaboration import referrals, team
from egenmakt.collaboration.models import TRANSITIONS, ReferralStatus, TeamMember
from egenmakt.consent.models import Consent
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation, Unit
from egenmakt.people.errors import PeopleError
from egenmakt.web.decorators import public_view, staff_view
from egenmakt.web.forms import (
    ReferralAnswerForm,
    ReferralForm,
    ReferralStatusForm,
    TeamMemberForm,
    show_error,
)
from egenmakt.web.participant_pages import participant_for_change


@require_http_methods(["GET", "POST"])
@staff_view
def referral_new(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant, _ground = participant_for_change(request, participant_id, "remiss")
    consented = Organisation.objects.filter(
        pk__in=Consent.objects.active()
        .filter(participant=participant, scopes__category=DataCategory.GRUNDUPPGIFTER)
        .values("scopes__organisation")
    ).order_by("name")
    form = ReferralForm(
        request.POST or None,
        units=Unit.objects.filter(pk__in=policy.casework_unit_ids(request.user)).order_by("name"),
        organisations=consented,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = referrals.send_referral(
                actor=request.user,
                participant=participant,
                from_unit=data["from_unit"],
                to_organisation=data["to_organisation"],
                question=data["question"],
                contact=data["contact"],
                recipient_email=data["recipient_email"],
            )
        except PeopleError as error:
            form.add_error(None, str(error.message))
        else:
            if sent.answer_path:
                request.session["answer_link"] = request.build_absolute_uri(sent.answer_path)
            messages.success(request, _("Remissen är skickad."))
            return redirect("referral", referral_id=sent.referral.pk)
    status = 422 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "p": participant, "no_consent": not consented.exists()}
    return render(request, "web/referrals/new.html", context, status=status)


@require_GET
@staff_view
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = referrals.referrals_for(request.user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    sender = referral.from_unit_id in policy.casework_unit_ids(request.user)
    audit.record_now(
        actor=request.user,
        action="referral.viewed",
        participant=referral.participant,
        target=referral,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="remiss",
        legal_ground=policy.LegalGround.EGEN_ENHET if sender else policy.LegalGround.SAMTYCKE,
        detail={}
        if sender
        else {"consent_id": referral.consent_id, "disclosed_to": referral.to_organisation_id},
    )
    answer_link = request.session.pop("answer_link", None) if sender else None
    consent_lapsed = not referrals.consent_in_force(referral)
    actions = _actions(sender=sender, status=referral.status)
    return render(
        request,
        "web/referrals/detail.html",
        {
            "referral": referral,
            "sender": sender,
            "spans": referral.steps_with_time(),
            "actions": actions,
            "form": ReferralStatusForm(),
            "answer_link": answer_link,
            "consent_lapsed": consent_lapsed,
        },
    )


def _actions(*, sender: bool, status: str) -> list[tuple[str, str]]:
    """The buttons a user gets, by side and status."""
    if sender:
        wanted = [ReferralStatus.AVSLUTAD, ReferralStatus.ATERKALLAD]
    else:
        wanted = [
            ReferralStatus.MOTTAGEN,
            ReferralStatus.ACCEPTERAD,
            ReferralStatus.AVBOJD,
            ReferralStatus.AVSLUTAD,
        ]
    labels = {
        ReferralStatus.MOTTAGEN: _("Markera som mottagen"),
        ReferralStatus.ACCEPTERAD: _("Acceptera"),
        ReferralStatus.AVBOJD: _("Avböj (skriv skäl)"),
        ReferralStatus.AVSLUTAD: _("Avsluta"),
        ReferralStatus.ATERKALLAD: _("Återkalla remissen"),
    }
    return [(s.value, labels[s]) for s in wanted if s in TRANSITIONS[status]]


@require_POST
@staff_view
def referral_status(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = referrals.referrals_for(request.user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    form = ReferralStatusForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        referrals.change_status(
            actor=request.user, referral=referral, status=request.POST.get("status", ""), note=note
        )
    except PeopleError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Remissen är uppdaterad."))
    return redirect("referral", referral_id=referral.pk)


@require_http_methods(["GET", "POST"])
@public_view
def referral_answer(request: HttpRequest, token: str) -> HttpResponse:
    """For a recipient without an account. Shows only what the answer needs: who sends, about whom
    (first name and birth year), what the referral is about and whom to contact."""
    form = ReferralAnswerForm(request.POST or None)
    try:
        if request.method == "POST" and form.is_valid():
            accept = request.POST.get("answer") == "accept"
            try:
                referral = referrals.answer_by_link(
                    token=token,
                    accept=accept,
                    name=form.cleaned_data["name"],
                    reason=form.cleaned_data["reason"],
                )
            except referrals.ReferralRefused as error:
                show_error(form, error)
            else:
                return render(
                    request, "web/referrals/answered.html", {"referral": referral, "accepted": accept}
                )
        referral = referrals.open_by_link(token=token)
    except referrals.LinkInvalid as error:
        return render(request, "web/referrals/link_invalid.html", {"message": error.message}, status=410)
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/referrals/answer.html", {"referral": referral, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def team_member_new(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant, _ground = participant_for_change(request, participant_id, "team")
    form = TeamMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team.add_team_member(
                actor=request.user,
                participant=participant,
                organisation=data["organisation"],
                role=data["role"],
                contact_name=data["contact_name"],
                is_lead=data["is_lead"],
            )
        except PeopleError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Teamet är uppdaterat."))
            return redirect("participant", participant_id=participant.pk)
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/referrals/team_new.html", {"form": form, "p": participant}, status=status)


@require_POST
@staff_view
def team_member_end(request: HttpRequest, participant_id: int, member_id: int) -> HttpResponse:
    participant, _decision = policy.get_participant(request.user, participant_id, action=policy.Action.EDIT)
    member = get_object_or_404(TeamMember, pk=member_id, participant=participant, ended_at__isnull=True)
    team.end_team_member(actor=request.user, member=member)
    messages.success(request, _("Teamet är uppdaterat."))
    return redirect("participant", participant_id=participant.pk)
