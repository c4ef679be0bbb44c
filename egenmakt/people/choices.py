"""Code lists for participant details."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from egenmakt.lib.identity import IdentityKind


class IdentityType(models.TextChoices):
    PERSONNUMMER = IdentityKind.PERSONNUMMER.value, _("Personnummer")
    SAMORDNINGSNUMMER = IdentityKind.SAMORDNINGSNUMMER.value, _("Samordningsnummer")
    RESERVNUMMER_NATIONELLT = (
        IdentityKind.RESERVNUMMER_NATIONELLT.value,
        _("Reservnummer (nationellt, Inera)"),
    )
    RESERVNUMMER_LOKALT = IdentityKind.RESERVNUMMER_LOKALT.value, _("Reservnummer (lokalt)")


class LegalSex(models.TextChoices):
    # Legal sex as registered (folkbokföring); used for statistics, never shown as a judgement.
    KVINNA = "K", _("Kvinna")
    MAN = "M", _("Man")
    OKANT = "", _("Okänt")


class EducationLevel(models.TextChoices):
    # SCB's aggregated levels of the Svensk utbildningsnomenklatur (SUN), as used in register statistics.
    FORGYMNASIAL_KORTARE_AN_9 = "1", _("Förgymnasial utbildning kortare än 9 år")
    FORGYMNASIAL_9 = "2", _("Förgymnasial utbildning 9 (10) år")
    GYMNASIAL_HOGST_2 = "3", _("Gymnasial utbildning högst 2 år")
    GYMNASIAL_3 = "4", _("Gymnasial utbildning 3 år")
    EFTERGYMNASIAL_KORTARE_AN_3 = "5", _("Eftergymnasial utbildning kortare än 3 år")
    EFTERGYMNASIAL_3_ELLER_MER = "6", _("Eftergymnasial utbildning 3 år eller längre")
    FORSKARUTBILDNING = "7", _("Forskarutbildning")
    OKAND = "", _("Okänd")


class Occupation(models.TextChoices):
    """What the person does now (sysselsättning), as the caseworker last recorded it."""

    ARBETE = "arbete", _("Arbetar")
    SUBVENTIONERAT_ARBETE = "subventionerat_arbete", _("Subventionerad anställning")
    STUDIER = "studier", _("Studerar")
    ARBETSSOKANDE = "arbetssokande", _("Arbetssökande")
    INSATS = "insats", _("I arbetsmarknadsinsats")
    SJUKSKRIVEN = "sjukskriven", _("Sjukskriven")
    FORALDRALEDIG = "foraldraledig", _("Föräldraledig")
    ANNAT = "annat", _("Annat")
    OKANT = "", _("Okänt")


# Languages most often needed in Swedish municipal work, ISO 639-1 where it exists, else 639-3.
LANGUAGES: list[tuple[str, str | Promise]] = [
    ("sv", _("svenska")),
    ("en", _("engelska")),
    ("ar", _("arabiska")),
    ("so", _("somaliska")),
    ("ti", _("tigrinja")),
    ("prs", _("dari")),
    ("fa", _("persiska")),
    ("ps", _("pashto")),
    ("uk", _("ukrainska")),
    ("ru", _("ryska")),
    ("ku", _("kurdiska")),
    ("bs", _("bosniska/kroatiska/serbiska")),
    ("pl", _("polska")),
    ("tr", _("turkiska")),
    ("es", _("spanska")),
    ("am", _("amhariska")),
    ("th", _("thailändska")),
    ("fi", _("finska")),
    ("smi", _("samiska")),
    ("rom", _("romani")),
    ("yi", _("jiddisch")),
    ("sgn-SE", _("svenskt teckenspråk")),
]
LANGUAGE_NAMES = dict(LANGUAGES)
