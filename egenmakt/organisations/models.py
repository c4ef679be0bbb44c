"""Organisations that work together around a participant, and their units (enheter)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr


class OrganisationKind(models.TextChoices):
    KOMMUN = "kommun", _("Kommun")
    ARBETSFORMEDLINGEN = "arbetsformedlingen", _("Arbetsförmedlingen")
    FORSAKRINGSKASSAN = "forsakringskassan", _("Försäkringskassan")
    REGION = "region", _("Region")
    SAMORDNINGSFORBUND = "samordningsforbund", _("Samordningsförbund")
    UTFORARE = "utforare", _("Utförare")
    CIVILSAMHALLE = "civilsamhalle", _("Civilsamhälle")


def normalise_organisationsnummer(value: str) -> str:
    """Validate with python-stdnum and return the ten digits; raise ValidationError in plain words."""
    try:
        return str(orgnr.validate(value))
    except StdnumError:
        raise ValidationError(
            _(
                "%(value)s är inte ett giltigt organisationsnummer. Det har tio siffror, till exempel "
                "212000-0142, och den sista är en kontrollsiffra."
            ),
            code="invalid_organisationsnummer",
            params={"value": value},
        ) from None


def validate_organisationsnummer(value: str) -> None:
    normalise_organisationsnummer(value)


class Organisation(models.Model):
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=30, choices=OrganisationKind.choices)
    organisationsnummer = models.CharField(
        _("organisationsnummer"),
        max_length=11,
        unique=True,
        validators=[validate_organisationsnummer],
        help_text=_("Tio siffror, med eller utan bindestreck."),
    )
    synthetic = models.BooleanField(_("syntetisk demodata"), default=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Store the ten digits without a dash. An invalid number is left as typed: the field's own
        # validator reports it, once.
        if self.organisationsnummer and orgnr.is_valid(self.organisationsnummer):
            self.organisationsnummer = normalise_organisationsnummer(self.organisationsnummer)

    @property
    def organisationsnummer_formatted(self) -> str:
        return f"{self.organisationsnummer[:6]}-{self.organisationsnummer[6:]}"


class UnitKind(models.TextChoices):
    EKONOMISKT_BISTAND = "ekonomiskt_bistand", _("Ekonomiskt bistånd")
    ARBETSMARKNADSENHET = "arbetsmarknadsenhet", _("Arbetsmarknadsenhet (AME)")
    VUXENUTBILDNING = "vuxenutbildning", _("Vuxenutbildning")
    SAMORDNING = "samordning", _("Samordning och finansiering")
    NAMND = "namnd", _("Nämnd (förtroendevalda)")
    PARTNER = "partner", pgettext_lazy("enhetstyp", "Samverkanspartner")
    OVRIG = "ovrig", _("Övrig")


class Unit(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="units"
    )
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(
        _("typ av enhet"), max_length=30, choices=UnitKind.choices, default=UnitKind.OVRIG
    )
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unit_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}, {self.organisation.name}"
