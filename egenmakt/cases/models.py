"""Cases (ärenden): a unit's work with a participant. A case in a unit is what gives its staff access."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.organisations.models import Unit
from egenmakt.people.models import Household, Participant


class CaseType(models.TextChoices):
    EKONOMISKT_BISTAND = "ekonomiskt_bistand", _("Ekonomiskt bistånd")
    ARBETSMARKNADSINSATS = "arbetsmarknadsinsats", _("Arbetsmarknadsinsats")
    ETABLERING = "etablering", _("Etablering")
    FINSAM = "finsam", _("Finsam-insats")


class Forsorjningshinder(models.TextChoices):
    """Why the person needs economic assistance, as Socialstyrelsen's statistics classify it
    (HSLF-FS 2015:30; categories from Socialstyrelsen/SCB, see domain-sweden.md §3.2). Recorded for
    follow-up: the outcome comparisons adjust for it, as the 2013 study of assistance duration did."""

    ARBETSLOS_UTAN_ERSATTNING = "arbetslos_utan", _("Arbetslös utan ersättning")
    ARBETSLOS_OTILLRACKLIG = "arbetslos_otillracklig", _("Arbetslös med otillräcklig ersättning")
    ARBETSLOS_VANTAR = "arbetslos_vantar", _("Arbetslös i väntan på ersättning")
    ETABLERING = "etablering", _("Arbetslös med etableringsersättning")
    ARBETSHINDER_SOCIALA = "arbetshinder", _("Arbetshinder, sociala skäl")
    SJUKSKRIVEN = "sjukskriven", _("Sjukskriven med läkarintyg")
    OHALSA = "ohalsa", _("Ohälsa utan läkarintyg")
    OVRIGT = "ovrigt", _("Annat hinder")


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(closed_on__isnull=True)


class Case(models.Model):
    participant = models.ForeignKey(
        Participant, verbose_name=_("deltagare"), on_delete=models.PROTECT, related_name="cases"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("hushåll"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("enhet"), on_delete=models.PROTECT, related_name="cases")
    case_type = models.CharField(_("ärendetyp"), max_length=30, choices=CaseType.choices)
    opened_on = models.DateField(_("aktualiserat"), default=timezone.localdate)
    closed_on = models.DateField(_("avslutat"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansvarig handläggare"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_cases",
    )
    forsorjningshinder = models.CharField(
        _("försörjningshinder"), max_length=30, choices=Forsorjningshinder.choices, blank=True
    )
    synthetic = models.BooleanField(default=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("ärende")
        verbose_name_plural = _("ärenden")
        ordering = ["-opened_on"]
        indexes = [
            models.Index(fields=["unit", "participant"]),
            models.Index(fields=["responsible", "closed_on"]),
            # The manager's start page counts a unit's open cases per caseworker and joins the unit's
            # cases to its applications, decisions and follow-ups after exit: all four read this index
            # alone (an index-only scan) instead of the whole table, which is some 1 800 pages at
            # 100 000 participants.
            models.Index(fields=["unit", "closed_on", "responsible", "id"], name="case_unit_caseload"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_case_type_display()} – {self.unit.name} ({self.opened_on:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None
