"""Forms: parse and validate input, then hand the services a typed value. Rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from egenmakt.cases.models import CaseType
from egenmakt.consent.models import ConsentForm as ConsentFormChoice
from egenmakt.consent.services import ConsentTerms
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation, Unit
from egenmakt.people.choices import LANGUAGES, EducationLevel, IdentityType, LegalSex, Occupation
from egenmakt.people.errors import PeopleError
from egenmakt.people.models import HouseholdRelation
from egenmakt.people.services import HEALTH_FIELDS, InvalidDetails, ParticipantDetails, check_details


def form_status(form: forms.Form | None) -> int:
    """422 for a form sent back with errors, so tests and assistive tools see the failure; else 200."""
    return 422 if form is not None and form.is_bound and form.errors else 200


def show_error(form: forms.Form, error: PeopleError) -> None:
    """A service's error, next to the field it is about (or above the form)."""
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ParticipantForm(forms.Form):
    identity_type = forms.ChoiceField(label=_("Typ av identitet"), choices=IdentityType.choices)
    identity_value = forms.CharField(
        label=_("Personnummer, samordningsnummer eller reservnummer"),
        max_length=20,
        help_text=_("12 siffror, till exempel 19850312-1234. Ett reservnummer kan innehålla bokstäver."),
    )
    identity_domain = forms.CharField(
        label=_("Utfärdare av reservnummer (domän)"),
        max_length=100,
        required=False,
        help_text=_(
            "Bara för nationellt reservnummer. Kontrollsiffran i reservnummer kontrolleras inte ännu."
        ),
    )
    first_name = forms.CharField(label=_("Förnamn"), max_length=100)
    last_name = forms.CharField(label=_("Efternamn"), max_length=100)
    birth_date = forms.DateField(
        label=_("Födelsedatum"),
        required=False,
        widget=DateInput(),
        help_text=_("Behövs bara när numret inte visar födelsedatum."),
    )
    legal_sex = forms.ChoiceField(
        label=_("Juridiskt kön"),
        choices=LegalSex.choices,
        required=False,
        help_text=_("Hämtas från personnumret när det går."),
    )
    country_of_birth = forms.ChoiceField(label=_("Födelseland"), required=False)
    arrival_date = forms.DateField(label=_("Ankomst till Sverige"), required=False, widget=DateInput())
    languages = forms.MultipleChoiceField(
        label=_("Språk"), choices=LANGUAGES, required=False, widget=forms.CheckboxSelectMultiple
    )
    interpreter_needed = forms.BooleanField(label=_("Behöver tolk"), required=False)
    interpreter_language = forms.ChoiceField(
        label=_("Tolkspråk"), choices=[("", "—"), *LANGUAGES], required=False
    )
    has_bankid = forms.BooleanField(label=_("Har BankID"), required=False)
    email = forms.EmailField(label=_("E-post"), required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=40, required=False)
    letters_only = forms.BooleanField(
        label=_("Vill bara ha brev på papper"),
        required=False,
        help_text=_("Personen saknar dator eller e-legitimation, eller vill ha papper."),
    )
    education_level = forms.ChoiceField(
        label=_("Utbildningsnivå"), choices=EducationLevel.choices, required=False
    )
    occupation = forms.ChoiceField(
        label=_("Sysselsättning just nu"), choices=Occupation.choices, required=False
    )
    street_address = forms.CharField(label=_("Gatuadress"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postnummer"), max_length=10, required=False)
    city = forms.CharField(label=_("Postort"), max_length=100, required=False)
    protected_identity = forms.BooleanField(
        label=_("Skyddade personuppgifter"),
        required=False,
        help_text=_("Adressen sparas inte och bara namngiven personal får se personen."),
    )
    has_disability = forms.BooleanField(label=_("Funktionsnedsättning"), required=False)
    has_health_limitation = forms.BooleanField(
        label=_("Hälsobegränsning som påverkar arbete eller studier"), required=False
    )
    adaptation_needs = forms.CharField(
        label=_("Behov av anpassning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Till exempel lättläst, hörslinga, bildstöd eller tillgänglig lokal."),
    )
    confirmed_not_duplicate = forms.BooleanField(
        label=_("Jag har kontrollerat att det inte är samma person"), required=False
    )

    identity_fields = ("identity_type", "identity_value", "identity_domain")
    name_fields = ("first_name", "last_name", "birth_date", "legal_sex")
    background_fields = ("country_of_birth", "arrival_date", "education_level", "occupation")
    language_fields = ("languages", "interpreter_needed", "interpreter_language")
    contact_fields = ("has_bankid", "letters_only", "email", "phone", "street_address", "postal_code", "city")
    health_fields = ("has_disability", "has_health_limitation", "adaptation_needs")

    def __init__(self, *args: Any, show_health: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.show_health = show_health
        country_field = self.fields["country_of_birth"]
        assert isinstance(country_field, forms.ChoiceField)
        country_field.choices = [("", "—"), *[(code, name) for code, name in countries]]
        if not show_health:
            for name in HEALTH_FIELDS:
                del self.fields[name]

    def details(self, keep_health_from: ParticipantDetails | None = None) -> ParticipantDetails:
        data = {
            key: value
            for key, value in self.cleaned_data.items()
            if key in ParticipantDetails.__dataclass_fields__
        }
        if not self.show_health and keep_health_from is not None:
            # A user who may not see health data must not be able to erase it either.
            for name in HEALTH_FIELDS:
                data[name] = getattr(keep_health_from, name)
        return ParticipantDetails(**data)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            check_details(self.details(), today=timezone.localdate())
        except InvalidDetails as error:
            for field, message in error.errors.items():
                self.add_error(field if field in self.fields else None, message)
        return cleaned


class RegisterParticipantForm(ParticipantForm):
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none(), empty_label=None)
    case_type = forms.ChoiceField(label=_("Ärendetyp"), choices=CaseType.choices)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Sök på namn eller personnummer"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class ExportForm(forms.Form):
    purpose = forms.CharField(
        label=_("Ändamål med exporten"),
        max_length=200,
        help_text=_("Skriv varför du behöver listan. Ändamålet sparas i loggen."),
    )


class LogReviewForm(forms.Form):
    date_from = forms.DateField(label=_("Från och med"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Till och med"), required=False, widget=DateInput())
    staff = forms.TypedChoiceField(label=_("Personal"), required=False, coerce=int, empty_value=None)
    only_flagged = forms.BooleanField(label=_("Visa bara flaggade"), required=False)

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Alla")), *[(user.pk, str(user)) for user in staff]]


class HouseholdMemberForm(forms.Form):
    identity_value = forms.CharField(
        label=_("Hushållsmedlemmens personnummer"),
        max_length=20,
        help_text=_("Personen ska redan vara registrerad och synlig för dig."),
    )
    relation = forms.ChoiceField(label=_("Relation"), choices=HouseholdRelation.choices)
    residence_share = forms.IntegerField(
        label=_("Boendeandel i procent"),
        min_value=1,
        max_value=100,
        initial=100,
        help_text=_("Under 100 för barn som bor växelvis."),
    )


class ProtectedGrantForm(forms.Form):
    user = forms.TypedChoiceField(label=_("Personal"), coerce=int)
    reason = forms.CharField(label=_("Skäl"), max_length=300)

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(user.pk, str(user)) for user in staff]


class ConsentForm(forms.Form):
    recipients = forms.ModelMultipleChoiceField(
        label=_("Vilka organisationer får ta del av uppgifterna?"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    categories = forms.MultipleChoiceField(
        label=_("Vilka slags uppgifter?"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Grunduppgifter (vem personen är) ingår alltid när något delas."),
    )
    purpose = forms.CharField(
        label=_("Syfte"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Varför uppgifterna delas, gärna med personens egna ord."),
    )
    form = forms.ChoiceField(
        label=_("Hur lämnades samtycket?"), choices=ConsentFormChoice.choices, widget=forms.RadioSelect
    )
    document = forms.FileField(
        label=_("Inskannat samtycke (PDF, JPEG eller PNG)"),
        required=False,
        help_text=_(
            "Krävs för skriftligt samtycke. Vid en ny version behålls den tidigare filen om du inte väljer en ny."
        ),
    )
    heard_by = forms.CharField(
        label=_("Vem hörde samtycket?"),
        max_length=200,
        required=False,
        help_text=_("Krävs för muntligt samtycke."),
    )
    valid_from = forms.DateField(label=_("Gäller från"), widget=DateInput())
    valid_to = forms.DateField(label=_("Gäller till och med"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recipients = self.fields["recipients"]
        assert isinstance(recipients, forms.ModelMultipleChoiceField)
        recipients.queryset = Organisation.objects.order_by("name")
        if not self.is_bound and "categories" not in self.initial:
            self.initial["categories"] = [DataCategory.GRUNDUPPGIFTER]

    def terms(self) -> ConsentTerms:
        data = self.cleaned_data
        return ConsentTerms(
            recipients=list(data["recipients"]),
            categories=list(data["categories"]),
            purpose=data["purpose"],
            form=data["form"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            heard_by=data.get("heard_by") or "",
            document=data.get("document"),
        )


class WithdrawConsentForm(forms.Form):
    note = forms.CharField(
        label=_("Anteckning"),
        max_length=300,
        required=False,
        help_text=_("Till exempel hur personen återkallade samtycket (muntligt, brev)."),
    )


class DisclosureForm(forms.Form):
    recipient = forms.ModelChoiceField(label=_("Mottagare"), queryset=Organisation.objects.none())
    categories = forms.MultipleChoiceField(
        label=_("Vilka slags uppgifter lämnades ut?"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    legal_ground = forms.ChoiceField(label=_("Rättslig grund"))
    note = forms.CharField(label=_("Vad lämnades ut och varför?"), widget=forms.Textarea(attrs={"rows": 3}))
    disclosed_on = forms.DateField(label=_("Datum för utlämnandet"), widget=DateInput())

    def __init__(self, *args: Any, grounds: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recipient = self.fields["recipient"]
        assert isinstance(recipient, forms.ModelChoiceField)
        recipient.queryset = Organisation.objects.order_by("name")
        ground_field = self.fields["legal_ground"]
        assert isinstance(ground_field, forms.ChoiceField)
        ground_field.choices = [
            (g.code, g.label if g.verified else f"{g.label} – {_('paragrafhänvisningen är inte verifierad')}")
            for g in grounds
        ]


class EmergencyAccessForm(forms.Form):
    identity = forms.CharField(
        label=_("Personens personnummer eller samordningsnummer"), max_length=20, help_text=_("12 siffror.")
    )
    reason = forms.CharField(
        label=_("Skäl till nödåtkomst"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Skälet sparas och granskas av din enhetschef. Åtkomsten upphör efter högst 3 timmar."),
    )


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Granskning"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReferralForm(forms.Form):
    from_unit = forms.ModelChoiceField(label=_("Från enhet"), queryset=Unit.objects.none(), empty_label=None)
    to_organisation = forms.ModelChoiceField(
        label=_("Till organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("Bara organisationer som personen har gett samtycke till syns här."),
    )
    question = forms.CharField(
        label=_("Vad gäller remissen?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Skriv bara det mottagaren behöver för att kunna svara."),
    )
    contact = forms.CharField(label=_("Kontaktperson hos er"), max_length=200)
    recipient_email = forms.EmailField(
        label=_("Mottagarens e-post"),
        required=False,
        help_text=_("Om mottagaren saknar konto i Egenmakt: en svarslänk som gäller i 14 dagar skickas hit."),
    )

    def __init__(self, *args: Any, units: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from_unit = self.fields["from_unit"]
        to_organisation = self.fields["to_organisation"]
        assert isinstance(from_unit, forms.ModelChoiceField) and isinstance(
            to_organisation, forms.ModelChoiceField
        )
        from_unit.queryset = units
        to_organisation.queryset = organisations


class ReferralAnswerForm(forms.Form):
    name = forms.CharField(label=_("Ditt namn"), max_length=200)
    reason = forms.CharField(
        label=_("Skäl (krävs om du avböjer)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReferralStatusForm(forms.Form):
    note = forms.CharField(label=_("Anteckning"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TeamMemberForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    contact_name = forms.CharField(label=_("Kontaktperson"), max_length=200, required=False)
    role = forms.CharField(
        label=_("Roll i teamet"), max_length=200, help_text=_("Till exempel arbetsförmedlare eller kurator.")
    )
    is_lead = forms.BooleanField(label=_("Huvudansvarig"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = Organisation.objects.order_by("name")


class SipForm(forms.Form):
    meeting_date = forms.DateField(label=_("Mötesdatum"), widget=DateInput())
    meeting_place = forms.CharField(label=_("Plats"), max_length=200, required=False)
    participant_present = forms.BooleanField(label=_("Personen deltog i mötet"), required=False, initial=True)
    relatives_present = forms.BooleanField(label=_("Närstående deltog i mötet"), required=False)
    attendees = forms.CharField(
        label=_("Vilka deltog?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Namn och organisation, en per rad."),
    )
    own_words = forms.CharField(
        label=_("Personens egna mål och önskemål"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Med personens egna ord."),
    )
    parties = forms.ModelMultipleChoiceField(
        label=_("Parter (huvudmän) i planen"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Andra organisationer än din egen måste omfattas av personens samtycke till plan och insatser."
        ),
    )
    overall_responsible = forms.ModelChoiceField(
        label=_("Vem har det övergripande ansvaret?"), queryset=Organisation.objects.none()
    )
    next_follow_up = forms.DateField(label=_("Nästa uppföljning"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("parties", "overall_responsible"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Organisation.objects.order_by("name")


class SipActionForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Vem gör det?"), queryset=Organisation.objects.none())
    what = forms.CharField(label=_("Vad ska göras?"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible_person = forms.CharField(label=_("Ansvarig person"), max_length=200, required=False)
    due = forms.DateField(label=_("Klart senast"), required=False, widget=DateInput())

    def __init__(self, *args: Any, parties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = parties


class SipSignForm(forms.Form):
    on_paper_by = forms.CharField(
        label=_("Signerat på papper av"),
        max_length=200,
        required=False,
        help_text=_("Fyll bara i om parten signerade på papper vid mötet och du registrerar det åt dem."),
    )
