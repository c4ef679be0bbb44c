"""Forms for action plans (handlingsplaner) and their follow-ups. Rules live in egenmakt.plans.services:
a form parses the input, and a PlanError from the service is shown next to the field it names."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from egenmakt.activities.models import Activity
from egenmakt.cases.models import Case
from egenmakt.organisations.models import Organisation
from egenmakt.plans.models import AcknowledgedHow, Goal, GoalKind, LifeArea, Progress, StepStatus
from egenmakt.web.forms import DateInput


def _text(label: Any, help_text: Any = "", *, required: bool = False, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PlanForm(forms.Form):
    own_goal = _text(_("Personens eget mål"), _("Med personens egna ord."), required=True)
    strengths = _text(
        _("Personens styrkor"), _("Det personen är bra på och har med sig, med personens egna ord.")
    )
    requirements = _text(
        _("Vad som krävs av personen"),
        _("Med enkla ord, till exempel: Du är med på praktiken tre dagar i veckan."),
    )
    consequences = _text(
        _("Vad som händer om det inte blir av"),
        _(
            "Med enkla ord: vad det kan betyda för det ekonomiska biståndet, och att personen först "
            "får berätta."
        ),
    )
    # The range is the service's rule (1–26 weeks); its message is shown next to the field.
    follow_up_weeks = forms.IntegerField(
        label=_("Uppföljning, antal veckor mellan varje"),
        initial=4,
        widget=forms.NumberInput(attrs={"min": 1, "max": 26}),
        help_text=_("Mellan 1 och 26 veckor."),
    )

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PlanForm.base_fields}


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(
            _("%(type)s, %(unit)s, aktualiserat %(day)s")
            % {"type": obj.get_case_type_display(), "unit": obj.unit.name, "day": obj.opened_on.isoformat()}
        )


class NewPlanForm(PlanForm):
    case = CaseChoiceField(
        label=_("Ärende"),
        queryset=Case.objects.none(),
        help_text=_("Ett öppet ärende i din enhet som inte har någon handlingsplan."),
    )
    field_order = ["case"]

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = cases
        if len(cases) == 1:
            field.empty_label = None


class GoalForm(forms.Form):
    # Not required here: the service says "Välj typ av mål." next to the group.
    kind = forms.ChoiceField(
        label=_("Typ av mål"), choices=GoalKind.choices, required=False, widget=forms.RadioSelect
    )
    description = _text(
        _("Målet"), _("Vad personen vill uppnå, gärna med personens egna ord."), required=True
    )
    target_date = forms.DateField(label=_("Måldatum"), required=False, widget=DateInput())
    achieved_on = forms.DateField(
        label=_("Uppnått den"),
        required=False,
        widget=DateInput(),
        help_text=_("Fyll i när målet är nått."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["achieved_on"]


class StepForm(forms.Form):
    goal = forms.ModelChoiceField(
        label=_("Mål"), queryset=Goal.objects.none(), required=False, empty_label=_("Inget särskilt mål")
    )
    activity = forms.ModelChoiceField(
        label=_("Insats ur katalogen"),
        queryset=Activity.objects.none(),
        required=False,
        empty_label=_("Ingen insats ur katalogen"),
        help_text=_("Välj en insats, eller skriv vad som ska göras i fältet nedan."),
    )
    description = _text(
        _("Vad ska göras?"),
        _("Fritext när steget inte är en insats ur katalogen. Med en insats: det som gäller för personen."),
    )
    responsible_organisation = forms.ModelChoiceField(
        label=_("Ansvarig organisation"), queryset=Organisation.objects.none()
    )
    responsible_person = forms.CharField(label=_("Ansvarig person"), max_length=200, required=False)
    start = forms.DateField(label=_("Från"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Till"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=StepStatus.choices, initial=StepStatus.PLANERAD)
    agreed_with_participant = forms.BooleanField(label=_("Överenskommet med deltagaren"), required=False)

    def __init__(
        self, *args: Any, goals: QuerySet[Goal], activity: Activity | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        assert isinstance(fields["goal"], forms.ModelChoiceField)
        assert isinstance(fields["activity"], forms.ModelChoiceField)
        assert isinstance(fields["responsible_organisation"], forms.ModelChoiceField)
        fields["goal"].queryset = goals
        # Active activities, and the step's own even if it has ended since.
        current = Q(pk=activity.pk) if activity is not None else Q(pk__in=[])
        fields["activity"].queryset = Activity.objects.filter(Q(active=True) | current).order_by("name")
        fields["responsible_organisation"].queryset = Organisation.objects.order_by("name")


class NeedForm(forms.Form):
    life_area = forms.ChoiceField(label=_("Livsområde"), choices=[("", "—"), *LifeArea.choices])
    description = _text(_("Behov"), _("Vad personen behöver stöd med inom livsområdet."), required=True)


class AcknowledgeForm(forms.Form):
    # The names are the service's (acknowledge(on=, how=)), so its errors land next to these fields.
    on = forms.DateField(label=_("Datum"), widget=DateInput())
    how = forms.ChoiceField(
        label=_("Hur tog deltagaren del av planen?"),
        choices=AcknowledgedHow.choices,
        required=False,
        widget=forms.RadioSelect,
    )


class FollowUpForm(forms.Form):
    """A held follow-up: how each goal not yet reached is going, a summary, and the next date."""

    held_on = forms.DateField(label=_("Uppföljningen hölls"), widget=DateInput())
    participant_present = forms.BooleanField(label=_("Deltagaren var med"), required=False, initial=True)

    def __init__(self, *args: Any, goals: list[Goal], weeks: int, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        self.initial.setdefault("held_on", today)
        for goal in goals:
            # Not required here: the service names the goal that has no answer, next to its group.
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=str(goal), choices=Progress.choices, required=False, widget=forms.RadioSelect
            )
            self.fields[f"comment_{goal.pk}"] = _text(
                _("Kommentar om målet: %(goal)s") % {"goal": Truncator(goal.description).chars(60)}, rows=2
            )
        self.fields["summary"] = _text(_("Sammanfattning"), _("Vad ni kom fram till."), rows=4)
        self.fields["next_on"] = forms.DateField(
            label=_("Nästa uppföljning"),
            required=False,
            widget=DateInput(),
            initial=today + timedelta(weeks=weeks),
            help_text=_(
                "Planens intervall är %(weeks)s veckor. Lämnas fältet tomt blir det %(weeks)s veckor efter "
                "dagen för uppföljningen."
            )
            % {"weeks": weeks},
        )

    def progress(self) -> dict[int, tuple[str, str]]:
        """Goal id -> (progress, comment), for the goals that got an answer."""
        return {
            goal.pk: (self.cleaned_data[f"goal_{goal.pk}"], self.cleaned_data[f"comment_{goal.pk}"])
            for goal in self.goals
            if self.cleaned_data.get(f"goal_{goal.pk}")
        }
