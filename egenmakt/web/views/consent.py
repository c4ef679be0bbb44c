"""Consent, disclosures and emergency access pages. Thin: parse, ask the policy, call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egenmakt.access import policy
from egenmakt.access import services as emergency
from egenmakt.access.models import EmergencyAccess
from egenmakt.audit import services as audit
from egenmakt.consent import grounds
from egenmakt.consent import services as consents
from egenmakt.consent.models import Consent
from egenmakt.lib.categories import DataCategory
from egenmakt.people.errors import PeopleError
from egenmakt.people.models import Participant
from egenmakt.web.decorators import manager_view, staff_view
from egenmakt.web.forms import (
    ConsentForm,
    DisclosureForm,
    EmergencyAccessForm,
    ReviewForm,
    WithdrawConsentForm,
)
from egenmakt.web.participant_pages import participant_for_change


def _consent_of(participant: Participant, consent_id: int) -> Consent:
    return get_object_or_404(Consent, pk=consent_id, participant=participant)


def _show_errors(form: Any, error: PeopleError) -> None:
    for field, text in getattr(error, "errors", {"__all__": str(error.message)}).items():
        form.add_error(field if field in form.fields else None, text)


@require_http_methods(["GET", "POST"])
@staff_view
def consent_new(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant, _ground = participant_for_change(request, participant_id, "samtycke")
    today = timezone.localdate()
    form = ConsentForm(request.POST or None, request.FILES or None, initial={"valid_from": today})
    if request.method == "POST" and form.is_valid():
        try:
            consents.record_consent(actor=request.user, participant=participant, terms=form.terms())
        except consents.ConsentError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Samtycket är registrerat."))
            return redirect("participant", participant_id=participant.pk)
    status = 422 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "p": participant, "title": _("Registrera samtycke")}
    return render(request, "web/consent/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def consent_revise(request: HttpRequest, participant_id: int, consent_id: int) -> HttpResponse:
    participant, _ground = participant_for_change(request, participant_id, "samtycke")
    consent = _consent_of(participant, consent_id)
    if consent.status in ("withdrawn", "superseded"):
        raise Http404
    initial = {
        "recipients": [o.pk for o in consent.recipients],
        "categories": consent.categories,
        "purpose": consent.purpose,
        "form": consent.form,
        "heard_by": consent.heard_by,
        "valid_from": consent.valid_from,
        "valid_to": consent.valid_to,
    }
    form = ConsentForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            consents.revise_consent(actor=request.user, consent=consent, terms=form.terms())
        except consents.ConsentError as error:
            _show_errors(form, error)
        else:
            messages.success(
                request, _("En ny version av samtycket är sparad. Den tidigare finns kvar i historiken.")
            )
            return redirect("participant", participant_id=participant.pk)
    status = 422 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "p": participant, "consent": consent, "title": _("Ändra samtycke (ny version)")}
    return render(request, "web/consent/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def consent_withdraw(request: HttpRequest, participant_id: int, consent_id: int) -> HttpResponse:
    participant, _ground = participant_for_change(request, participant_id, "samtycke")
    consent = _consent_of(participant, consent_id)
    form = WithdrawConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consents.withdraw_consent(actor=request.user, consent=consent, note=form.cleaned_data["note"])
        except consents.ConsentError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Samtycket är återkallat. Ingen mottagare ser längre uppgifterna."))
            return redirect("participant", participant_id=participant.pk)
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "web/consent/withdraw.html",
        {"form": form, "p": participant, "consent": consent},
        status=status,
    )


@require_GET
@staff_view
def consent_document(request: HttpRequest, participant_id: int, consent_id: int) -> FileResponse:
    """The scanned form, only to the participant's own unit; every look is logged."""
    participant, decision = policy.get_participant(request.user, participant_id, action=policy.Action.EDIT)
    consent = _consent_of(participant, consent_id)
    if not consent.document:
        raise Http404
    audit.record_now(
        actor=request.user,
        action="consent.document_viewed",
        participant=participant,
        target=consent,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="samtycke",
        legal_ground=decision.legal_ground,
    )
    # The type comes from the stored name, which the service chose from the file's own bytes; the
    # sandbox keeps even a disguised file from running script in our origin.
    kind = consent.document.name.rsplit(".", 1)[-1]
    response = FileResponse(
        consent.document.open("rb"),
        content_type=DOCUMENT_CONTENT_TYPES.get(kind, "application/octet-stream"),
        as_attachment=kind not in DOCUMENT_CONTENT_TYPES,
        filename=f"samtycke-{consent.pk}.{kind}",
    )
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    return response


DOCUMENT_CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


@require_http_methods(["GET", "POST"])
@staff_view
def disclosure_new(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant, _ground = participant_for_change(request, participant_id, "utlämnande")
    today = timezone.localdate()
    form = DisclosureForm(
        request.POST or None, grounds=grounds.grounds_without_consent(today), initial={"disclosed_on": today}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consents.record_disclosure(
                actor=request.user,
                participant=participant,
                recipient=data["recipient"],
                categories=data["categories"],
                legal_ground=data["legal_ground"],
                note=data["note"],
                disclosed_on=data["disclosed_on"],
            )
        except consents.ConsentError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Utlämnandet är registrerat."))
            return redirect("participant", participant_id=participant.pk)
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/consent/disclosure.html", {"form": form, "p": participant}, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def emergency_access(request: HttpRequest) -> HttpResponse:
    if not policy.may_use_emergency_access(request.user):
        raise Http404
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant, access = emergency.start_emergency_access(
                actor=request.user, identity=form.cleaned_data["identity"], reason=form.cleaned_data["reason"]
            )
        except emergency.EmergencyAccessRefused as error:
            form.add_error(error.field, str(error.message))
        else:
            if access is None:
                messages.info(request, _("Du har redan tillgång till personen. Ingen nödåtkomst behövdes."))
            else:
                messages.warning(
                    request,
                    _("Nödåtkomst till och med %(time)s. Den loggas och granskas.")
                    % {"time": timezone.localtime(access.expires_at).strftime("%H:%M")},
                )
            return redirect("participant", participant_id=participant.pk)
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/consent/emergency.html", {"form": form}, status=status)


@require_POST
@staff_view
def emergency_access_end(request: HttpRequest, access_id: int) -> HttpResponse:
    access = get_object_or_404(EmergencyAccess, pk=access_id, user=request.user)
    emergency.end_emergency_access(actor=request.user, access=access)
    messages.success(request, _("Nödåtkomsten är avslutad."))
    return redirect("start")


@require_POST
@manager_view
def emergency_access_review(request: HttpRequest, access_id: int) -> HttpResponse:
    access = get_object_or_404(EmergencyAccess, pk=access_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            emergency.review_emergency_access(
                actor=request.user, access=access, note=form.cleaned_data["note"]
            )
        except emergency.EmergencyAccessRefused as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Granskningen är sparad."))
    else:
        messages.error(request, _("Skriv vad granskningen kom fram till."))
    return redirect("access_log")
