"""Forms for case review (ärendedragning): a unit's rules, a review, and handling a signal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from egenmakt.accounts.models import User
from egenmakt.review.models import RuleKind, SignalOutcome
from egenmakt.review.rules import AGE_KINDS
from egenmakt.web.forms import DateInput

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# What the number means for each kind; kinds missing here have no parameter.
PARAMETER_LABELS: dict[str, tuple[StrOrPromise, StrOrPromise | None]] = {
    RuleKind.UNGA_UTAN_INSATS: (_("Veckor utan insats"), _("0 = så fort ingen insats pågår.")),
    RuleKind.UPPFOLJNING_FORSENAD: (
        _("Dagar efter planerad uppföljning"),
        _("0 = dagen efter det planerade datumet."),
    ),
    RuleKind.BESLUT_VANTAR: (
        _("Mål för tid till beslut (dagar)"),
        _("0 = kommunens mål i de lokala reglerna för ekonomiskt bistånd."),
    ),
    RuleKind.SIGNAL_UNGA_INAKTIVA: (_("Veckor utan aktivitet (N)"), None),
}


class RuleForm(forms.Form):
    """One rule of the unit. Each has its kind as prefix, so all of them fit on one page."""

    active = forms.BooleanField(label=_("På"), required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        kwargs["prefix"] = kind
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind in PARAMETER_LABELS:
            label, help_text = PARAMETER_LABELS[kind]
            self.fields["parameter"] = forms.IntegerField(
                label=label, help_text=help_text or "", min_value=0, max_value=365, required=False
            )
        if kind in AGE_KINDS:
            self.fields["min_age"] = forms.IntegerField(label=_("Från ålder"), min_value=0, max_value=120)
            self.fields["max_age"] = forms.IntegerField(
                label=_("Till och med ålder"), min_value=0, max_value=120
            )


def _staff_name(user: User) -> str:
    return user.get_full_name() or user.username


class ReviewForm(forms.Form):
    held_on = forms.DateField(label=_("Datum för ärendedragningen"), widget=DateInput())
    staff = forms.ModelMultipleChoiceField(
        label=_("Vilka deltog?"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    conclusions = forms.CharField(label=_("Slutsatser"), widget=forms.Textarea(attrs={"rows": 4}))
    next_step = forms.CharField(label=_("Nästa steg"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = User.objects.filter(pk__in=[user.pk for user in staff]).order_by(
            "last_name", "first_name"
        )
        field.label_from_instance = _staff_name  # type: ignore[method-assign,assignment]


class SignalForm(forms.Form):
    """Act on or dismiss one signal; the prefix names the signal, so each on the page has its own ids."""

    outcome = forms.ChoiceField(
        label=_("Vad gör du med signalen?"), choices=SignalOutcome.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Anteckning eller skäl"),
        help_text=_("Vad har gjorts, eller varför signalen avfärdas. Krävs i båda fallen."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
