"""Participants (deltagare), their households, and who may see a person with protected identity."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from egenmakt.lib.identity import Identity, IdentityKind
from egenmakt.people.choices import LANGUAGE_NAMES, EducationLevel, IdentityType, LegalSex, Occupation


class Participant(models.Model):
    identity_type = models.CharField(_("typ av identitet"), max_length=4, choices=IdentityType.choices)
    # Twelve characters without separators: YYYYMMDDNNNC, or a reserve number's twelve characters.
    identity_value = models.CharField(_("identitet"), max_length=12, unique=True)
    # For a national reserve number: the issuing domain (OID) that makes it globally unique.
    identity_domain = models.CharField(_("utfärdare (domän)"), max_length=100, blank=True)

    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    # A spelling-tolerant key of the full name (lib.names.search_key), indexed for search.
    name_key = models.CharField(max_length=220, db_index=True, editable=False)
    birth_date = models.DateField(_("födelsedatum"), null=True, blank=True, db_index=True)
    legal_sex = models.CharField(_("juridiskt kön"), max_length=1, choices=LegalSex.choices, blank=True)

    country_of_birth = CountryField(_("födelseland"), blank=True)
    arrival_date = models.DateField(_("ankomst till Sverige"), null=True, blank=True)
    languages = models.JSONField(_("språk"), default=list, blank=True)
    interpreter_needed = models.BooleanField(_("behöver tolk"), default=False)
    interpreter_language = models.CharField(_("tolkspråk"), max_length=10, blank=True)

    has_bankid = models.BooleanField(_("har BankID"), default=False)
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    letters_only = models.BooleanField(
        _("endast brev"), default=False, help_text=_("Personen tar bara emot information på papper.")
    )

    education_level = models.CharField(
        _("utbildningsnivå (SUN)"), max_length=1, choices=EducationLevel.choices, blank=True
    )
    occupation = models.CharField(_("sysselsättning"), max_length=30, choices=Occupation.choices, blank=True)

    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=10, blank=True)
    city = models.CharField(_("postort"), max_length=100, blank=True)
    # Skyddade personuppgifter: only named staff may see the person, and the address is never shown.
    protected_identity = models.BooleanField(_("skyddade personuppgifter"), default=False)

    # Sensitive data (GDPR art. 9): shown only to those allowed the category "hälsa".
    has_disability = models.BooleanField(_("funktionsnedsättning"), default=False)
    has_health_limitation = models.BooleanField(
        _("hälsobegränsning som påverkar arbete eller studier"), default=False
    )
    adaptation_needs = models.TextField(
        _("behov av anpassning"),
        blank=True,
        help_text=_("Till exempel lättläst, hörslinga, bildstöd eller tillgänglig lokal."),
    )

    synthetic = models.BooleanField(_("syntetisk demodata"), default=False)
    created_at = models.DateTimeField(_("registrerad"), default=timezone.now)
    updated_at = models.DateTimeField(_("senast ändrad"), default=timezone.now)

    class Meta:
        verbose_name = _("deltagare")
        verbose_name_plural = _("deltagare")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def identity(self) -> Identity:
        sex = self.legal_sex or None
        return Identity(IdentityKind(self.identity_type), self.identity_value, self.birth_date, sex)

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def language_names(self) -> list[str]:
        return [str(LANGUAGE_NAMES.get(code, code)) for code in self.languages]

    @property
    def interpreter_language_name(self) -> str:
        return str(LANGUAGE_NAMES.get(self.interpreter_language, self.interpreter_language))

    @property
    def is_digitally_excluded(self) -> bool:
        return self.letters_only or not (self.has_bankid or self.email)


class ProtectedIdentityGrant(models.Model):
    """A named staff member's access to a person with skyddade personuppgifter."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="protected_grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="protected_grants"
    )
    reason = models.CharField(_("skäl"), max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("beviljad av")
    )
    granted_at = models.DateTimeField(_("beviljad"), default=timezone.now)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)

    class Meta:
        verbose_name = _("behörighet till skyddad person")
        verbose_name_plural = _("behörigheter till skyddade personer")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "user"],
                condition=Q(revoked_at__isnull=True),
                name="one_open_protected_grant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.participant_id}"


class HouseholdRelation(models.TextChoices):
    SOKANDE = "sokande", _("Sökande")
    MEDSOKANDE = "medsokande", _("Medsökande")
    BARN = "barn", _("Barn")
    ANNAN_VUXEN = "annan_vuxen", _("Annan vuxen i hushållet")


class Household(models.Model):
    """A household as economic assistance sees it (SOSFS 2013:1): spouses/sambor and their children."""

    created_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(default=False)

    class Meta:
        verbose_name = pgettext_lazy("ental", "hushåll")
        verbose_name_plural = pgettext_lazy("flertal", "hushåll")

    def __str__(self) -> str:
        applicant = (
            self.members.filter(relation=HouseholdRelation.SOKANDE).select_related("participant").first()
        )
        return str(_("Hushåll: %(name)s") % {"name": applicant.participant if applicant else self.pk})


class HouseholdMemberQuerySet(models.QuerySet["HouseholdMember"]):
    def current(self, on: date | None = None) -> HouseholdMemberQuerySet:
        """Members on the day: from valid_from up to and including valid_to."""
        day = on or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="household_memberships"
    )
    relation = models.CharField(_("relation"), max_length=20, choices=HouseholdRelation.choices)
    # Växelvis boende: the share of the time a child lives here, in percent (children count pro rata).
    residence_share = models.PositiveSmallIntegerField(_("boendeandel (%)"), default=100)
    valid_from = models.DateField(_("från"), default=timezone.localdate)
    valid_to = models.DateField(_("till och med"), null=True, blank=True)

    objects = HouseholdMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("hushållsmedlem")
        verbose_name_plural = _("hushållsmedlemmar")
        constraints = [
            models.UniqueConstraint(fields=["household", "participant"], name="household_member_once"),
            models.CheckConstraint(
                condition=Q(residence_share__gte=1) & Q(residence_share__lte=100),
                name="residence_share_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} ({self.get_relation_display()})"
