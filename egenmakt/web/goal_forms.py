"""Forms for shared goals (mål), commitments (vallöften, uppdrag) and a commitment's status."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from egenmakt.goals import figures
from egenmakt.goals.models import CommitmentKind, CommitmentStatusKind, Direction, Goal
from egenmakt.organisations.models import Organisation
from egenmakt.web.forms import DateInput

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _percent(label: StrOrPromise) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal(0),
        max_value=Decimal(100),
        localize=True,
        help_text=_("I procent, till exempel 38 eller 38,5."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Mål"), max_length=200)
    description = forms.CharField(
        label=_("Beskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisationer som äger målet"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Alla som arbetar i de här organisationerna ser målet. Minst en ska vara din egen."),
    )
    indicator = forms.ChoiceField(label=_("Nyckeltal"), choices=())
    target_group = forms.ChoiceField(label=_("Målgrupp"), choices=())
    direction = forms.ChoiceField(
        label=_("Vilket håll är bättre?"), choices=Direction.choices, widget=forms.RadioSelect
    )
    baseline = _percent(_("Utgångsläge"))
    target = _percent(_("Målvärde"))
    deadline = forms.DateField(label=_("Klart senast"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = self.fields["organisations"]
        assert isinstance(organisations, forms.ModelMultipleChoiceField)
        organisations.queryset = Organisation.objects.order_by("name")
        indicator = self.fields["indicator"]
        assert isinstance(indicator, forms.ChoiceField)
        indicator.choices = [("", _("Välj")), *figures.share_indicators()]
        group = self.fields["target_group"]
        assert isinstance(group, forms.ChoiceField)
        group.choices = figures.target_groups()


class CommitmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Typ"), choices=CommitmentKind.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Vad säger vallöftet eller uppdraget?"), widget=forms.Textarea(attrs={"rows": 3})
    )
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    responsible = forms.CharField(
        label=_("Ansvarig nämnd eller enhet"),
        max_length=200,
        help_text=_("Till exempel Socialnämnden eller Arbetsmarknadsenheten."),
    )
    source_title = forms.CharField(
        label=_("Källdokument"),
        max_length=300,
        help_text=_("Till exempel Mål och budget 2026 eller ett protokoll från nämnden."),
    )
    source_reference = forms.CharField(label=_("Länk eller diarienummer"), max_length=500, required=False)
    goals = forms.ModelMultipleChoiceField(
        label=_("Mål som hör till"),
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    indicators = forms.MultipleChoiceField(
        label=_("Nyckeltal att visa bredvid"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], goals: QuerySet[Goal], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = organisations.order_by("name")
        linked = self.fields["goals"]
        assert isinstance(linked, forms.ModelMultipleChoiceField)
        linked.queryset = goals
        indicators = self.fields["indicators"]
        assert isinstance(indicators, forms.MultipleChoiceField)
        indicators.choices = figures.share_indicators()


class CommitmentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Välj")), *CommitmentStatusKind.choices])
    on = forms.DateField(label=_("Datum"), widget=DateInput())
    comment = forms.CharField(
        label=_("Vad har hänt?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Det här står i rapporten till nämnden."),
    )
