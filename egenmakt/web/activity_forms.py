"""Forms for the catalogue, placements, anonymous places, fidelity reviews, attendance and absence tasks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.activities.models import Activity, AgeBand, EndReason, Livelihood, Method, TargetGroup
from egenmakt.activities.rules import ips25
from egenmakt.attendance.models import AbsenceReason, AttendanceStatus
from egenmakt.cases.models import Case
from egenmakt.web.forms import DateInput


class CatalogueFilterForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Metod"), required=False, choices=[("", _("Alla metoder")), *Method.choices]
    )
    target_group = forms.ChoiceField(
        label=_("Målgrupp"), required=False, choices=[("", _("Alla målgrupper")), *TargetGroup.choices]
    )
    with_free_places = forms.BooleanField(label=_("Bara insatser med lediga platser"), required=False)


class EnrolmentForm(forms.Form):
    activity = forms.ModelChoiceField(label=_("Insats"), queryset=Activity.objects.none())
    case: forms.ModelChoiceField[Case] = forms.ModelChoiceField(
        label=_("Ärende"),
        queryset=Case.objects.none(),
        help_text=_("Det ärende som placeringen hör till och följs upp i."),
    )
    start = forms.DateField(label=_("Startdatum"), widget=DateInput())
    planned_end = forms.DateField(label=_("Planerat slut"), required=False, widget=DateInput())
    override_reason = forms.CharField(
        label=_("Skäl att gå före kön eller över antalet platser"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Lämna tomt om personen ska ställas i kö när insatsen är full."),
    )

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(active=True).select_related("provider")  # type: ignore[attr-defined]
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]


class EndEnrolmentForm(forms.Form):
    actual_end = forms.DateField(label=_("Sista dag"), required=False, widget=DateInput())
    end_reason = forms.ChoiceField(label=_("Avslutsorsak"), choices=[("", "—"), *EndReason.choices])


class PlaceFromQueueForm(forms.Form):
    start = forms.DateField(label=_("Startdatum"), widget=DateInput())
    override_reason = forms.CharField(
        label=_("Skäl att gå före kön eller över antalet platser"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnonymousPlaceForm(forms.Form):
    start = forms.DateField(label=_("Startdatum"), widget=DateInput())
    age_band = forms.ChoiceField(
        label=_("Åldersgrupp"), required=False, choices=[("", _("Vill inte uppge")), *AgeBand.choices]
    )
    legal_sex = forms.ChoiceField(
        label=_("Juridiskt kön"),
        required=False,
        choices=[("", _("Vill inte uppge")), ("K", _("Kvinna")), ("M", _("Man"))],
    )
    livelihood_before = forms.ChoiceField(
        label=_("Försörjning före insatsen"), choices=Livelihood.choices, initial="okand"
    )
    override_reason = forms.CharField(
        label=_("Skäl att ta emot personen fast insatsen är full"), required=False
    )


class EndAnonymousPlaceForm(forms.Form):
    actual_end = forms.DateField(label=_("Sista dag"), widget=DateInput())
    end_reason = forms.ChoiceField(label=_("Avslutsorsak"), choices=[("", "—"), *EndReason.choices])
    livelihood_after = forms.ChoiceField(label=_("Försörjning efter insatsen"), choices=Livelihood.choices)


_SCORES = [(str(score), str(score)) for score in range(1, 6)]


class FidelityReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Granskningsdatum"), widget=DateInput())
    reviewers = forms.CharField(label=_("Granskare"), max_length=300)
    comment = forms.CharField(label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, item in enumerate(ips25().items, start=1):
            self.fields[f"item_{number}"] = forms.TypedChoiceField(
                label=f"{number}. {item}", choices=[("", "—"), *_SCORES], coerce=int
            )

    def scores(self) -> list[int]:
        return [self.cleaned_data[f"item_{number}"] for number in range(1, len(ips25().items) + 1)]


class AttendanceDayForm(forms.Form):
    day = forms.DateField(label=_("Datum"), widget=DateInput())

    def clean_day(self) -> Any:
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Närvaro kan inte registreras för en dag som inte har varit."))
        return day


STATUS_CHOICES = AttendanceStatus.choices
REASON_CHOICES = [("", "—"), *AbsenceReason.choices]


class HandleTaskForm(forms.Form):
    note = forms.CharField(
        label=_("Vad har du gjort?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Till exempel: pratat med personen, frånvaron hade giltigt skäl. Eller: kommunicering om nedsättning "
            "påbörjad. Inget dras av utan ett beslut."
        ),
    )
