"""Forms for exits (avslut) and the follow-ups after them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from egenmakt.outcomes.models import ExitReason, FollowUpSource, Status
from egenmakt.web.forms import DateInput


class ExitForm(forms.Form):
    on = forms.DateField(label=_("Avslutsdatum"), widget=DateInput())
    reason = forms.ChoiceField(
        label=_("Vart går personen?"),
        choices=[("", _("Välj")), *ExitReason.choices],
        help_text=_(
            "Arbete räknas om det varar minst en månad. Studier räknas om de ger rätt till studiemedel."
        ),
    )
    subsidised = forms.BooleanField(label=_("Subventionerad anställning"), required=False)
    municipal_employment = forms.BooleanField(
        label=_("Kommunal arbetsmarknadsanställning"),
        required=False,
        help_text=_("Räknas inte som arbete i Koladas nyckeltal."),
    )
    note = forms.CharField(label=_("Anteckning"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(label=_("Var är personen nu?"), choices=[("", _("Välj")), *Status.choices])
    municipal_employment = forms.BooleanField(label=_("Kommunal arbetsmarknadsanställning"), required=False)
    source = forms.ChoiceField(label=_("Hur vet du det?"), choices=[("", _("Välj")), *FollowUpSource.choices])
    on = forms.DateField(label=_("Datum"), widget=DateInput())
