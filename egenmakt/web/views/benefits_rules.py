"""The municipality's rules for economic assistance, the riksnorm tables they build on, and the what-if.

Casework staff of the municipality read the rules; its enhetschef changes them (the service checks it
again, and logs every change). The what-if is for managers and analysts and shows totals only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from egenmakt.benefits import local, norm, reads, whatif
from egenmakt.benefits.models import LocalCap
from egenmakt.benefits.services import BenefitError
from egenmakt.organisations.models import Organisation
from egenmakt.web.benefit_forms import CapForm, RulesForm, WhatIfForm
from egenmakt.web.decorators import staff_view
from egenmakt.web.forms import form_status, show_error

RULE_FIELDS = list(RulesForm.base_fields)


def _chosen(request: HttpRequest, organisations: list[Organisation]) -> Organisation:
    wanted = request.POST.get("organisation") or request.GET.get("org")
    if not wanted:
        return organisations[0]
    found = next((o for o in organisations if str(o.pk) == wanted), None)
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@staff_view
def rules(request: HttpRequest) -> HttpResponse:
    organisations = reads.casework_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    organisation = _chosen(request, organisations)
    may_change = local.may_change(request.user, organisation)
    current = local.rules_of(organisation)
    cap_form = CapForm(prefix="cap")
    rules_form = RulesForm(prefix="rules", initial={name: getattr(current, name) for name in RULE_FIELDS})
    bad: forms.Form | None = None
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        here = f"{reverse('benefit_rules')}?org={organisation.pk}"
        if request.POST.get("form") == "cap":
            cap_form = CapForm(request.POST, prefix="cap")
            bad = cap_form
            if cap_form.is_valid():
                try:
                    local.add_cap(actor=request.user, organisation=organisation, **cap_form.cleaned_data)
                except BenefitError as error:
                    show_error(cap_form, error)
                else:
                    messages.success(request, _("Kostnadstaket är sparat."))
                    return redirect(here)
        else:
            rules_form = RulesForm(request.POST, prefix="rules")
            bad = rules_form
            if rules_form.is_valid():
                try:
                    local.save_rules(
                        actor=request.user,
                        organisation=organisation,
                        values=local.RuleValues(**rules_form.cleaned_data),
                    )
                except BenefitError as error:
                    show_error(rules_form, error)
                else:
                    messages.success(request, _("Kommunens regler är sparade."))
                    return redirect(here)
    context: dict[str, Any] = {
        "organisations": organisations,
        "organisation": organisation,
        "may_change": may_change,
        "caps": LocalCap.objects.filter(organisation=organisation).select_related("created_by"),
        "current": current,
        "cap_form": cap_form,
        "rules_form": rules_form,
        "bad_form": bad,
        "tables": sorted(norm.tables(), key=lambda t: t.valid_from, reverse=True),
    }
    return render(request, "web/benefits/rules.html", context, status=422 if bad is not None else 200)


@require_http_methods(["GET", "POST"])
@staff_view
def what_if(request: HttpRequest) -> HttpResponse:
    """A norm change simulated over the month's calculated households. Nothing is changed or decided."""
    organisations = reads.simulation_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    form = WhatIfForm(
        request.POST or None,
        organisations=organisations,
        initial={"month": timezone.localdate().replace(day=1), "organisation": organisations[0].pk},
    )
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = whatif.simulate(
                actor=request.user,
                organisation=data["organisation"],
                month=data["month"],
                percent=form.percent_value(),
                year=data["year"],
            )
        except BenefitError as error:
            show_error(form, error)
    status = form_status(form)
    return render(request, "web/benefits/whatif.html", {"form": form, "result": result}, status=status)
