"""Consent (samtycke) to share a participant's data with other organisations, and disclosures
(utlämnanden) made on other legal grounds.

A consent names the recipient organisations, the data categories, the purpose and the period. It is
never edited in place: a change is a new version that supersedes the old one, and a withdrawal takes
effect the moment it is recorded. Which organisation may see which category is kept as one row per
pair (ConsentScope), so the access policy can ask the database directly.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation
from egenmakt.people.models import Participant


class ConsentForm(models.TextChoices):
    SKRIFTLIGT = "skriftligt", _("Skriftligt")
    MUNTLIGT = "muntligt", _("Muntligt")


class ConsentQuerySet(models.QuerySet["Consent"]):
    def active(self, on: datetime | None = None) -> ConsentQuerySet:
        """In force now: not withdrawn, not replaced by a newer version, and within its period."""
        moment = on or timezone.now()
        day = timezone.localdate(moment)
        return self.filter(
            withdrawn_at__isnull=True,
            superseded_at__isnull=True,
            valid_from__lte=day,
            valid_to__gte=day,
        )


class Consent(models.Model):
    participant = models.ForeignKey(
        Participant, verbose_name=_("deltagare"), on_delete=models.PROTECT, related_name="consents"
    )
    purpose = models.CharField(_("syfte"), max_length=300)
    form = models.CharField(_("form"), max_length=12, choices=ConsentForm.choices)
    # A written consent: the scanned, signed form.
    document = models.FileField(_("inskannat samtycke"), upload_to="samtycken/%Y/", blank=True)
    # An oral consent: who heard the person give it (a written form is the evidence otherwise).
    heard_by = models.CharField(_("hört av"), max_length=200, blank=True)
    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till och med"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registrerat av"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("registrerat"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("ersätter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    superseded_at = models.DateTimeField(_("ersatt"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("återkallat"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("återkallande registrerat av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawal_note = models.CharField(_("anteckning om återkallelse"), max_length=300, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="consent_period"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} – {self.purpose} (v{self.version})"

    def is_active(self, on: datetime | None = None) -> bool:
        day = timezone.localdate(on or timezone.now())
        return (
            self.withdrawn_at is None
            and self.superseded_at is None
            and self.valid_from <= day <= self.valid_to
        )

    def covers(self, organisation_id: int, category: str, on: datetime | None = None) -> bool:
        return (
            self.is_active(on)
            and self.scopes.filter(organisation_id=organisation_id, category=category).exists()
        )

    @property
    def recipients(self) -> list[Organisation]:
        ids = {scope.organisation_id for scope in self.scopes.all()}
        return sorted(Organisation.objects.filter(pk__in=ids), key=lambda o: o.name)

    @property
    def categories(self) -> list[str]:
        present = {scope.category for scope in self.scopes.all()}
        return [value for value in DataCategory.values if value in present]

    @property
    def category_labels(self) -> list[str]:
        return [str(DataCategory(value).label) for value in self.categories]

    @property
    def status(self) -> str:
        if self.withdrawn_at is not None:
            return "withdrawn"
        if self.superseded_at is not None:
            return "superseded"
        today = timezone.localdate()
        if today < self.valid_from:
            return "future"
        if today > self.valid_to:
            return "expired"
        return "active"

    def days_left(self, today: date | None = None) -> int:
        return (self.valid_to - (today or timezone.localdate())).days


class ConsentScope(models.Model):
    """One recipient organisation and one data category that a consent covers."""

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="scopes")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=40, choices=DataCategory.choices)

    class Meta:
        verbose_name = _("samtyckets omfattning")
        verbose_name_plural = _("samtyckets omfattning")
        constraints = [
            models.UniqueConstraint(fields=["consent", "organisation", "category"], name="consent_scope_once")
        ]
        indexes = [models.Index(fields=["organisation", "category", "consent"])]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.category}"


class Disclosure(models.Model):
    """A disclosure to another organisation made on a ground other than consent, recorded by hand
    (for example an answer to Försäkringskassan under a statutory duty to provide information)."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("deltagare"), on_delete=models.PROTECT, related_name="disclosures"
    )
    recipient = models.ForeignKey(
        Organisation, verbose_name=_("mottagare"), on_delete=models.PROTECT, related_name="+"
    )
    categories = models.JSONField(_("uppgiftskategorier"), default=list)
    legal_ground = models.CharField(_("rättslig grund"), max_length=40)
    note = models.TextField(_("vad som lämnades ut och varför"))
    disclosed_on = models.DateField(_("utlämnat"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registrerat av"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("utlämnande")
        verbose_name_plural = _("utlämnanden")
        ordering = ["-disclosed_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.participant} → {self.recipient} ({self.legal_ground})"

    @property
    def legal_ground_label(self) -> str:
        from egenmakt.consent.grounds import ground

        try:
            return ground(self.legal_ground).label
        except KeyError:
            return self.legal_ground
