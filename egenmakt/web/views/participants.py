"""Participant pages: search, overview, register, edit, household, export. Thin: parse, decide, call."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egenmakt.access import policy, reads
from egenmakt.accounts.models import Membership
from egenmakt.activities.models import Enrolment
from egenmakt.cases import services as cases
from egenmakt.collaboration import team
from egenmakt.collaboration.models import Referral, SipPlan
from egenmakt.consent.models import Consent, Disclosure
from egenmakt.lib.categories import DataCategory
from egenmakt.lib.identity import InvalidIdentity, guess_kind, parse_identity
from egenmakt.lib.spreadsheet import safe_cell
from egenmakt.outcomes.models import ExitFollowUp
from egenmakt.people import services as people
from egenmakt.people.errors import DuplicateIdentity, PeopleError, PossibleDuplicates
from egenmakt.people.models import Household, HouseholdMember, Participant, ProtectedIdentityGrant
from egenmakt.people.target_groups import target_groups_for
from egenmakt.plans.models import ActionPlan
from egenmakt.web.decorators import registrar_view, staff_view
from egenmakt.web.forms import (
    ExportForm,
    HouseholdMemberForm,
    ParticipantForm,
    ProtectedGrantForm,
    RegisterParticipantForm,
    SearchForm,
)
from egenmakt.web.participant_pages import participant_for_change
from egenmakt.web.views import benefits


@require_GET
@staff_view
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results: list[Participant] | None = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = reads.search_participants(actor=request.user, query=form.cleaned_data["q"])
    context = {"form": form, "results": results}
    if request.headers.get("HX-Request"):
        return render(request, "web/participants/_search_results.html", context)
    return render(request, "web/participants/search.html", context)


def _household_of(participant: Participant) -> tuple[Household | None, list[HouseholdMember]]:
    membership = (
        HouseholdMember.objects.current().filter(participant=participant).select_related("household").first()
    )
    if membership is None:
        return None, []
    members = list(
        HouseholdMember.objects.current()
        .filter(household=membership.household)
        .select_related("participant")
        .order_by("relation")
    )
    return membership.household, members


@require_GET
@staff_view
def overview(request: HttpRequest, participant_id: int) -> HttpResponse:
    view = reads.open_participant(actor=request.user, participant_id=participant_id)
    participant = view.participant
    context: dict[str, Any] = {
        "view": view,
        "p": participant,
        "target_groups": target_groups_for(participant, timezone.localdate()),
    }
    if policy.can(request.user, policy.Action.VIEW, participant, DataCategory.PLAN_OCH_INSATSER):
        context["sip_plans"] = SipPlan.objects.filter(participant=participant).select_related(
            "overall_responsible"
        )
        context["action_plans"] = ActionPlan.objects.filter(participant=participant).select_related(
            "case__unit"
        )
        context["enrolments"] = (
            Enrolment.objects.filter(participant=participant)
            .select_related("activity__provider")
            .order_by("status", "-start", "-queued_at")
        )
    context["benefits"] = benefits.overview_section(request, participant)
    if view.shared_by_consent:
        # Another organisation sees what the consent covers: the person, not the municipality's casework.
        context["basis"] = Consent.objects.prefetch_related("scopes").get(pk=view.decision.consent_id or 0)
        return render(request, "web/participants/overview.html", context)
    household, members = _household_of(participant)
    context |= {
        "cases": participant.cases.select_related("unit", "responsible", "exit").order_by("-opened_on"),
        "exit_follow_ups": ExitFollowUp.objects.filter(exit__participant=participant)
        .select_related("exit")
        .order_by("exit__on", "months_after"),
        "may_register_exit": bool(
            policy.can(request.user, policy.Action.EDIT, participant, DataCategory.PLAN_OCH_INSATSER)
        ),
        "today": timezone.localdate(),
        "household": household,
        "members": members,
        "visible_member_ids": set(
            policy.visible_participants(request.user)
            .filter(pk__in=[m.participant_id for m in members])
            .values_list("pk", flat=True)
        ),
        "grants": participant.protected_grants.filter(revoked_at__isnull=True).select_related("user")
        if participant.protected_identity
        else [],
    }
    context["team"] = team.current_team(participant)
    if view.may_edit:
        context["referrals"] = Referral.objects.filter(participant=participant).select_related(
            "to_organisation"
        )
        context["consents"] = (
            Consent.objects.filter(participant=participant)
            .prefetch_related("scopes")
            .order_by("-recorded_at")
        )
        context["disclosures"] = Disclosure.objects.filter(participant=participant).select_related(
            "recipient", "recorded_by"
        )
    return render(request, "web/participants/overview.html", context)


def _duplicate_candidates(request: HttpRequest, ids: list[int]) -> tuple[list[Participant], int]:
    """The possible duplicates the user may see, and how many others exist that they may not."""
    visible = list(policy.visible_participants(request.user).filter(pk__in=ids))
    return visible, len(ids) - len(visible)


@require_http_methods(["GET", "POST"])
@registrar_view
def register(request: HttpRequest) -> HttpResponse:
    units = policy.units_for_registration(request.user)
    form = RegisterParticipantForm(request.POST or None, units=units)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            case = cases.register_participant(
                actor=request.user,
                details=form.details(),
                unit=form.cleaned_data["unit"],
                case_type=form.cleaned_data["case_type"],
                confirmed_not_duplicate=form.cleaned_data["confirmed_not_duplicate"],
            )
        except DuplicateIdentity as error:
            _explain_duplicate(request, form, error)
        except PossibleDuplicates as error:
            context["duplicates"], context["hidden_duplicates"] = _duplicate_candidates(
                request, error.candidate_ids
            )
            form.add_error(None, str(error.message))
        except PeopleError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("%(name)s är registrerad och ärendet är aktualiserat.")
                % {"name": case.participant.full_name},
            )
            return redirect("participant", participant_id=case.participant_id)
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/participants/register.html", context, status=status)


def _explain_duplicate(request: HttpRequest, form: ParticipantForm, error: DuplicateIdentity) -> None:
    if policy.visible_participants(request.user).filter(pk=error.existing_id).exists():
        form.add_error(
            "identity_value", _("Personen finns redan. Öppna hens sida i stället för att registrera igen.")
        )
        form.existing_id = error.existing_id  # type: ignore[attr-defined]
    else:
        # Do not reveal who it is or where: only that the number is taken.
        form.add_error(
            "identity_value",
            _(
                "Personen finns redan registrerad i en annan enhet. Kontakta din enhetschef för att få tillgång."
            ),
        )


@require_http_methods(["GET", "POST"])
@staff_view
def edit(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant, legal_ground = participant_for_change(request, participant_id, "ändring av uppgifter")
    show_health = bool(policy.can(request.user, policy.Action.EDIT, participant, DataCategory.HALSA))
    current = people.ParticipantDetails.of(participant)
    initial = {**current.__dict__}
    initial["identity_value"] = participant.identity.formatted
    form = ParticipantForm(request.POST or None, initial=initial, show_health=show_health)
    context: dict[str, Any] = {"form": form, "p": participant}
    if request.method == "POST" and form.is_valid():
        try:
            changed = people.update_participant(
                actor=request.user,
                participant=participant,
                details=form.details(keep_health_from=current),
                confirmed_not_duplicate=form.cleaned_data["confirmed_not_duplicate"],
                legal_ground=legal_ground,
            )
        except DuplicateIdentity as error:
            _explain_duplicate(request, form, error)
        except PossibleDuplicates as error:
            context["duplicates"], context["hidden_duplicates"] = _duplicate_candidates(
                request, error.candidate_ids
            )
            form.add_error(None, str(error.message))
        except PeopleError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Uppgifterna är sparade.") if changed else _("Inget var ändrat."))
            return redirect("participant", participant_id=participant.pk)
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/participants/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_view
def add_household_member(request: HttpRequest, participant_id: int) -> HttpResponse:
    participant, _ground = participant_for_change(request, participant_id, "hushållets sammansättning")
    form = HouseholdMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = _visible_by_identity(request, form.cleaned_data["identity_value"])
        if member is None:
            form.add_error(
                "identity_value",
                _("Hittar ingen person med det numret som du har tillgång till. Registrera personen först."),
            )
        else:
            household, _members = _household_of(participant)
            try:
                if household is None:
                    household = people.create_household(actor=request.user, applicant=participant)
                people.add_household_member(
                    actor=request.user,
                    household=household,
                    participant=member,
                    relation=form.cleaned_data["relation"],
                    residence_share=form.cleaned_data["residence_share"],
                )
            except PeopleError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("%(name)s är tillagd i hushållet.") % {"name": member.full_name})
                return redirect("participant", participant_id=participant.pk)
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(
        request, "web/participants/household_add.html", {"form": form, "p": participant}, status=status
    )


def _visible_by_identity(request: HttpRequest, raw: str) -> Participant | None:
    try:
        identity = parse_identity(raw, guess_kind(raw), today=timezone.localdate())
    except InvalidIdentity:
        return None
    return policy.visible_participants(request.user).filter(identity_value=identity.value).first()


@require_http_methods(["GET", "POST"])
@staff_view
def protected_access(request: HttpRequest, participant_id: int) -> HttpResponse:
    """Named staff for a person with protected identity. Only someone already named may name others."""
    participant, _ground = participant_for_change(request, participant_id, "behörighet skyddad identitet")
    if not participant.protected_identity:
        raise Http404
    unit_ids = participant.cases.values_list("unit_id", flat=True)
    staff = sorted(
        {m.user for m in Membership.objects.active().filter(unit_id__in=unit_ids).select_related("user")},
        key=str,
    )
    form = ProtectedGrantForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        chosen = next(user for user in staff if user.pk == form.cleaned_data["user"])
        try:
            people.grant_protected_access(
                actor=request.user, participant=participant, user=chosen, reason=form.cleaned_data["reason"]
            )
        except PeopleError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("%(name)s har nu behörighet.") % {"name": chosen})
            return redirect("participant", participant_id=participant.pk)
    grants = participant.protected_grants.filter(revoked_at__isnull=True).select_related("user", "granted_by")
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "web/participants/protected_access.html",
        {"form": form, "p": participant, "grants": grants},
        status=status,
    )


@require_POST
@staff_view
def revoke_protected_access(request: HttpRequest, participant_id: int, grant_id: int) -> HttpResponse:
    participant, _decision = policy.get_participant(request.user, participant_id, action=policy.Action.EDIT)
    try:
        grant = participant.protected_grants.get(pk=grant_id, revoked_at__isnull=True)
    except ProtectedIdentityGrant.DoesNotExist:
        raise Http404 from None
    people.revoke_protected_access(actor=request.user, grant=grant)
    messages.success(request, _("Behörigheten är återkallad."))
    if grant.user_id == request.user.pk:
        return redirect("start")
    return redirect("protected_access", participant_id=participant.pk)


@require_http_methods(["GET", "POST"])
@staff_view
def export(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rows = reads.export_participants(actor=request.user, purpose=form.cleaned_data["purpose"])
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="deltagare-{stamp}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a byte-order mark
        writer = csv.writer(response, delimiter=";")
        writer.writerow(
            [_("Identitet"), _("Förnamn"), _("Efternamn"), _("Födelsedatum"), _("Sysselsättning")]
        )
        for p in rows:
            values = [
                p.identity.formatted,
                p.first_name,
                p.last_name,
                p.birth_date,
                p.get_occupation_display(),
            ]
            writer.writerow([safe_cell(value) for value in values])
        return response
    status = 422 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/participants/export.html", {"form": form}, status=status)
