"""Forms for economic assistance: applications, decisions, appeals, reductions, payment runs, the
municipality's rules and the what-if. They parse the input; the rules live in egenmakt.benefits, whose
errors are shown next to the field they name."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.attendance.models import AbsenceTask
from egenmakt.benefits import calculation as calc
from egenmakt.benefits.models import AppealStatus, CapKind, Channel, DecisionItem, ReductionBasis
from egenmakt.benefits.services import ItemProposal
from egenmakt.lib.money import kr
from egenmakt.organisations.models import Organisation
from egenmakt.web.forms import DateInput

# The calculation's kinds, with its own (lazy) labels.
COST_KINDS = [(kind.value, label) for kind, label in calc.COST_LABELS.items()]
INCOME_KINDS = [(kind.value, label) for kind, label in calc.INCOME_LABELS.items()]
# The riksnorm's items (Socialstyrelsen's breakdown of the personal costs).
NORM_ITEMS = {
    "livsmedel": _("Livsmedel"),
    "klader_skor": _("Kläder och skor"),
    "fritid_lek": _("Fritid och lek"),
    "halsa_hygien": _("Hälsa och hygien"),
    "forsakring": _("Barn- och ungdomsförsäkring"),
}
ROWS = 6
MAX_KRONOR = 10_000_000


def norm_item_label(key: str) -> str:
    return str(NORM_ITEMS.get(key, key))


def _text(label: Any, help_text: Any = "", *, required: bool = False, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def _kronor(label: Any, *, required: bool = True, minimum: int = 0, **extra: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=minimum,
        max_value=MAX_KRONOR,
        widget=forms.NumberInput(attrs={"min": minimum, "inputmode": "numeric"}),
        **extra,
    )


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.Field):
    """A month as YYYY-MM, cleaned to the month's first day."""

    widget = MonthInput

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value.replace(day=1)
        text = str(value or "").strip()
        if not text:
            return None
        found = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if not found or not 1 <= int(found[2]) <= 12:
            raise forms.ValidationError(_("Skriv månaden som ÅÅÅÅ-MM, till exempel 2026-03."))
        return date(int(found[1]), int(found[2]), 1)

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%Y-%m}" if isinstance(value, date) else value


def parse_month(raw: Any) -> date | None:
    """A month typed in a form, or None when it is missing or not a month."""
    try:
        return MonthField(required=False).clean(raw)
    except forms.ValidationError:
        return None


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


# --- Applications ------------------------------------------------------------------------------------


class ApplicationForm(forms.Form):
    month = MonthField(label=_("Månad som ansökan gäller"), help_text=_("ÅÅÅÅ-MM, till exempel 2026-03."))
    received_on = forms.DateField(label=_("Ansökan kom in"), widget=DateInput())

    def __init__(self, *args: Any, children: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("received_on", timezone.localdate())
        self.cost_rows: list[dict[str, Any]] = []
        self.income_rows: list[dict[str, Any]] = []
        for n in range(1, ROWS + 1):
            self.fields[f"cost_kind_{n}"] = forms.ChoiceField(
                label=_("Kostnad %(n)s: slag") % {"n": n},
                choices=[("", _("Ingen")), *COST_KINDS],
                required=False,
            )
            self.fields[f"cost_label_{n}"] = forms.CharField(
                label=_("Kostnad %(n)s: vad") % {"n": n}, max_length=120, required=False
            )
            self.fields[f"cost_amount_{n}"] = _kronor(_("Kostnad %(n)s: belopp") % {"n": n}, required=False)
            self.cost_rows.append(
                {
                    "n": n,
                    "kind": self[f"cost_kind_{n}"],
                    "label": self[f"cost_label_{n}"],
                    "amount": self[f"cost_amount_{n}"],
                }
            )
        for n in range(1, ROWS + 1):
            self.fields[f"income_kind_{n}"] = forms.ChoiceField(
                label=_("Inkomst %(n)s: slag") % {"n": n},
                choices=[("", _("Ingen")), *INCOME_KINDS],
                required=False,
            )
            self.fields[f"income_amount_{n}"] = _kronor(_("Inkomst %(n)s: belopp") % {"n": n}, required=False)
            self.income_rows.append(
                {"n": n, "kind": self[f"income_kind_{n}"], "amount": self[f"income_amount_{n}"]}
            )
        if children:
            self.fields["lunch_at_preschool"] = forms.TypedMultipleChoiceField(
                label=_("Barn som äter lunch på förskolan"),
                help_text=_(
                    "Barn 0–6 år som äter lunch på förskolan fem dagar i veckan. Normen har då ett lägre belopp."
                ),
                choices=list(children),
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for prefix in ("cost", "income"):
            for n in range(1, ROWS + 1):
                kind, amount = cleaned.get(f"{prefix}_kind_{n}"), cleaned.get(f"{prefix}_amount_{n}")
                if f"{prefix}_amount_{n}" in self.errors:
                    continue
                if kind and amount is None:
                    self.add_error(f"{prefix}_amount_{n}", _("Skriv beloppet i hela kronor."))
                elif amount is not None and not kind:
                    self.add_error(f"{prefix}_kind_{n}", _("Välj vilket slag beloppet gäller."))
        return cleaned

    def costs(self) -> list[dict[str, Any]]:
        rows = []
        for n in range(1, ROWS + 1):
            kind = self.cleaned_data.get(f"cost_kind_{n}")
            if kind:
                row: dict[str, Any] = {"kind": kind, "amount": self.cleaned_data[f"cost_amount_{n}"]}
                if self.cleaned_data.get(f"cost_label_{n}", "").strip():
                    row["label"] = self.cleaned_data[f"cost_label_{n}"].strip()
                rows.append(row)
        return rows

    def incomes(self) -> list[dict[str, Any]]:
        return [
            {"kind": self.cleaned_data[f"income_kind_{n}"], "amount": self.cleaned_data[f"income_amount_{n}"]}
            for n in range(1, ROWS + 1)
            if self.cleaned_data.get(f"income_kind_{n}")
        ]

    def lunch(self) -> list[int]:
        return list(self.cleaned_data.get("lunch_at_preschool") or [])


class DecisionForm(forms.Form):
    """One row per item of the calculation: granted (the allowed amount unless changed) and reasons."""

    calculation = forms.IntegerField(widget=forms.HiddenInput)
    reasons = _text(
        _("Motivering för beslutet som helhet"),
        _("Krävs när beslutet inte ger någon utbetalning. Skriv så att personen förstår varför."),
        rows=4,
    )

    def __init__(
        self, *args: Any, proposals: Sequence[ItemProposal], calculation_id: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.proposals = list(proposals)
        self.initial["calculation"] = calculation_id
        self.rows = []
        for i, p in enumerate(self.proposals):
            self.fields[f"granted_{i}"] = _kronor(
                _("Beviljat för %(item)s (kr)") % {"item": p.label}, initial=p.allowed
            )
            self.fields[f"reasons_{i}"] = _text(
                _("Motivering för %(item)s") % {"item": p.label},
                _("Krävs när posten inte beviljas i sin helhet."),
                rows=2,
            )
            self.rows.append(
                {"proposal": p, "granted": self[f"granted_{i}"], "reasons": self[f"reasons_{i}"]}
            )
        # The overall reasons last, after the items, in the page's order too.
        self.order_fields(
            [*(f for i in range(len(self.proposals)) for f in (f"granted_{i}", f"reasons_{i}")), "reasons"]
        )

    def granted(self) -> dict[str, int]:
        return {p.key: self.cleaned_data[f"granted_{i}"] for i, p in enumerate(self.proposals)}

    def item_reasons(self) -> dict[str, str]:
        return {p.key: self.cleaned_data.get(f"reasons_{i}", "") for i, p in enumerate(self.proposals)}

    def field_for(self, service_field: str | None) -> str | None:
        """The form field for the service's field name ('granted:<key>', 'reasons:<key>' or 'reasons')."""
        if service_field is None:
            return None
        kind, _sep, key = service_field.partition(":")
        for i, p in enumerate(self.proposals):
            if key and p.key == key and kind in ("granted", "reasons"):
                return f"{kind}_{i}"
        return service_field if service_field in self.fields else None


# --- After the decision -------------------------------------------------------------------------------


class NotifyForm(forms.Form):
    notified_on = forms.DateField(
        label=_("Delgivningsdatum"),
        help_text=_("Den dag personen fick del av beslutet. Överklagandetiden räknas från den dagen."),
        widget=DateInput(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("notified_on", timezone.localdate())


class AppealForm(forms.Form):
    item = forms.TypedChoiceField(label=_("Vad överklagas?"), coerce=int, empty_value=None, required=False)
    received_on = forms.DateField(label=_("Överklagandet kom in"), widget=DateInput())
    text = _text(_("Vad personen skriver"), _("Kort, eller med personens egna ord."))

    def __init__(self, *args: Any, items: Sequence[DecisionItem], whole: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("received_on", timezone.localdate())
        field = self.fields["item"]
        assert isinstance(field, forms.TypedChoiceField)
        choices: list[tuple[Any, Any]] = [("", _("Hela beslutet"))] if whole else []
        choices += [(item.pk, f"{item.label} ({item.get_outcome_display()})") for item in items]
        field.choices = choices
        field.required = not whole


class SettleAppealForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Vad händer med överklagandet?"),
        choices=[
            (AppealStatus.OVERLAMNAT, _("Överlämna till förvaltningsrätten")),
            (AppealStatus.ANDRAT, _("Nämnden har ändrat beslutet (omprövning)")),
            (AppealStatus.AVVISAT, _("Avvisa, eftersom det kom in för sent")),
        ],
        widget=forms.RadioSelect,
    )
    on = forms.DateField(label=_("Datum"), widget=DateInput())
    note = _text(_("Anteckning"), _("Krävs när nämnden ändrar beslutet eller avvisar överklagandet."), rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())


# --- Reductions --------------------------------------------------------------------------------------


class TaskChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        attendance = obj.attendance
        return f"{attendance.day:%Y-%m-%d}, {attendance.enrolment.activity.name}"


class ReductionForm(forms.Form):
    tasks = TaskChoiceField(
        label=_("Vilken frånvaro gäller förslaget?"),
        queryset=AbsenceTask.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    month = MonthField(
        label=_("Månad som nedsättningen ska gälla"),
        help_text=_("ÅÅÅÅ-MM. En månad vars bistånd inte redan är beslutat."),
    )
    basis = forms.ChoiceField(
        label=_("Grund för nedsättningen"), choices=ReductionBasis.choices, widget=forms.RadioSelect
    )
    days = forms.IntegerField(
        label=_("Antal dagar"),
        required=False,
        min_value=1,
        max_value=31,
        help_text=_("Fylls i när grunden är dagar."),
    )
    amount_asked = _kronor(
        _("Belopp (kr)"), required=False, minimum=1, help_text=_("Fylls i när grunden är belopp.")
    )
    items = forms.MultipleChoiceField(
        label=_("Poster i normen"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Fylls i när grunden är poster: de vuxnas poster i riksnormen."),
    )
    include_children = forms.BooleanField(label=_("Räkna med barnens del av normen"), required=False)
    children_reason = _text(
        _("Varför barnens del ska röras"),
        _("Krävs om barnens del räknas med. Barnens del rörs normalt inte."),
    )
    reasons = _text(_("Skäl för förslaget"), _("Det personen får läsa i kommuniceringen."), rows=4)

    def __init__(self, *args: Any, tasks: Any, adult_items: Mapping[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        task_field = self.fields["tasks"]
        assert isinstance(task_field, forms.ModelMultipleChoiceField)
        task_field.queryset = tasks
        items = self.fields["items"]
        assert isinstance(items, forms.MultipleChoiceField)
        items.choices = [
            (key, f"{norm_item_label(key)} ({kr(amount)})") for key, amount in adult_items.items()
        ]


class CommunicateForm(forms.Form):
    sent_on = forms.DateField(label=_("Materialet skickas eller lämnas"), widget=DateInput())
    reply_deadline = forms.DateField(
        label=_("Svara senast"), widget=DateInput(), help_text=_("Oftast två veckor. Längre med tolk.")
    )
    channel = forms.ChoiceField(label=_("Hur lämnas materialet?"), choices=Channel.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.initial.setdefault("sent_on", today)
        self.initial.setdefault("reply_deadline", today + timedelta(days=14))


class ReplyForm(forms.Form):
    received_on = forms.DateField(label=_("Svaret kom in"), widget=DateInput())
    reply_text = _text(_("Vad personen svarade"), rows=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("received_on", timezone.localdate())


class ReductionDecisionForm(forms.Form):
    amount = _kronor(_("Nedsättning (kr)"), minimum=1, help_text=_("Högst det kommunicerade beloppet."))
    reasons = _text(_("Motivering"), _("Bemöt det personen svarade."), rows=4)


class DropForm(forms.Form):
    reason = _text(_("Varför avskrivs förslaget?"), rows=2)


# --- Payment runs, local rules, what-if -------------------------------------------------------------


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PrepareRunForm(forms.Form):
    month = MonthField(label=_("Månad"), help_text=_("ÅÅÅÅ-MM. Alla beslutade utbetalningar för månaden."))
    execution_date = forms.DateField(label=_("Utbetalningsdag"), widget=DateInput())

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.initial.setdefault("execution_date", timezone.localdate() + timedelta(days=1))


class CapForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kostnad"), choices=[("", _("Välj")), *CapKind.choices])
    children = forms.IntegerField(
        label=_("Antal barn"),
        required=False,
        min_value=0,
        max_value=20,
        help_text=_("Tomt: alla hushåll. Det högsta talet gäller också fler barn."),
    )
    amount = _kronor(_("Högsta belopp (kr/månad)"), minimum=1)
    valid_from = forms.DateField(label=_("Gäller från"), widget=DateInput())
    source = forms.CharField(
        label=_("Beslut eller källa"),
        max_length=300,
        required=False,
        help_text=_("Till exempel nämndens beslut med datum och paragraf."),
    )


class RulesForm(forms.Form):
    wage_disregard_percent = forms.IntegerField(
        label=_("Del av nettolön som inte räknas (%)"), min_value=0, max_value=100, help_text=_("0 = av.")
    )
    wage_disregard_after_months = forms.IntegerField(
        label=_("Efter antal månader med bistånd"), min_value=0, max_value=120
    )
    wage_disregard_max = _kronor(_("Högst (kr/månad)"), required=False)
    decision_target_days = forms.IntegerField(
        label=_("Mål för tid till beslut (dagar)"), min_value=1, max_value=90
    )
    payer_name = forms.CharField(label=_("Betalare (namn i betalfilen)"), max_length=70, required=False)
    payer_iban = forms.CharField(label=_("Betalarens IBAN"), max_length=42, required=False)
    payer_bic = forms.CharField(label=_("Betalarens BIC"), max_length=14, required=False)


class WhatIfForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Kommun"), queryset=Organisation.objects.none(), empty_label=None
    )
    month = MonthField(label=_("Månad"), help_text=_("ÅÅÅÅ-MM. De hushåll som har en beräkning för månaden."))
    percent = forms.DecimalField(
        label=_("Ändring av normen i procent"),
        required=False,
        max_digits=5,
        decimal_places=1,
        localize=True,
        help_text=_("Till exempel 2,5 eller −3. Fyll i antingen procent eller normår."),
    )
    year = forms.IntegerField(
        label=_("Eller: ett annat års riksnorm"), required=False, min_value=2000, max_value=2100
    )

    def __init__(self, *args: Any, organisations: Sequence[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by("name")
        if len(organisations) == 1:
            field.widget = forms.HiddenInput()
            self.initial.setdefault("organisation", organisations[0].pk)

    def percent_value(self) -> Decimal | None:
        value = self.cleaned_data.get("percent")
        return Decimal(value) if value is not None else None
