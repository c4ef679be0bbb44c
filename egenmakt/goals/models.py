"""Shared goals (mål) followed by an outcome indicator, and political commitments (vallöften, uppdrag) with
a dated status history.

A goal is about one cell of the outcome report: a share indicator (`analytics.pipeline.INDICATORS`) for
everyone or for one target group (`people/target_groups.toml`). Its snapshots keep the cell's raw counts
month by month, like the stored report they come from; they are suppressed when shown, never when stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.analytics.models import OutcomeReport
from egenmakt.organisations.models import Organisation

# The goal's group when it is about everyone (the report's "alla" cell).
EVERYONE = "alla"


class Direction(models.TextChoices):
    HIGHER = "hogre", _("Högre är bättre")
    LOWER = "lagre", _("Lägre är bättre")


class Goal(models.Model):
    title = models.CharField(_("mål"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("organisationer som äger målet"), related_name="goals"
    )
    target_group = models.CharField(_("målgrupp"), max_length=50, default=EVERYONE)
    indicator = models.CharField(_("nyckeltal"), max_length=60)
    # Percent with one decimal, as a nämnd writes it ("från 38 % till 30 %"); the report holds shares.
    baseline = models.DecimalField(_("utgångsläge (%)"), max_digits=4, decimal_places=1)
    target = models.DecimalField(_("målvärde (%)"), max_digits=4, decimal_places=1)
    deadline = models.DateField(_("klart senast"))
    direction = models.CharField(_("riktning"), max_length=10, choices=Direction.choices)
    created_at = models.DateTimeField(_("skapat"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("skapat av")
    )

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["deadline", "title", "pk"]
        constraints = [
            # The direction and the two values must agree, or progress would run backwards.
            models.CheckConstraint(
                condition=(Q(direction="hogre") & Q(target__gt=models.F("baseline")))
                | (Q(direction="lagre") & Q(target__lt=models.F("baseline"))),
                name="goal_direction_matches_values",
            ),
            models.CheckConstraint(
                condition=Q(baseline__gte=0, baseline__lte=100, target__gte=0, target__lte=100),
                name="goal_values_are_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GoalSnapshot(models.Model):
    """The goal's cell in the latest stored outcome report, once per month (`snapshot_goals`)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="snapshots")
    month = models.DateField(_("månad"))  # the first day of the month
    # The cell measured: a goal whose indicator or target group is changed later keeps its old series
    # apart, rather than drawing two different figures as one line.
    indicator = models.CharField(_("nyckeltal"), max_length=60)
    target_group = models.CharField(_("målgrupp"), max_length=50)
    numerator = models.PositiveIntegerField(_("räknade"))
    denominator = models.PositiveIntegerField(_("antal"))
    report = models.ForeignKey(
        OutcomeReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data_end = models.DateField(_("uppgifter till och med"))
    taken_at = models.DateTimeField(_("tagen"), default=timezone.now)

    class Meta:
        verbose_name = _("mätning av mål")
        verbose_name_plural = _("mätningar av mål")
        ordering = ["goal", "month"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "month"], name="goal_snapshot_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="goal_snapshot_month_first_day"),
            models.CheckConstraint(
                condition=Q(numerator__lte=models.F("denominator")),
                name="goal_snapshot_numerator_le_denominator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal} {self.month:%Y-%m}"


class CommitmentKind(models.TextChoices):
    VALLOFTE = "vallofte", _("Vallöfte")
    UPPDRAG = "uppdrag", _("Uppdrag")


class CommitmentStatusKind(models.TextChoices):
    EJ_PABORJAD = "ej_paborjad", _("Ej påbörjad")
    PAGAR = "pagar", _("Pågår")
    GENOMFORD = "genomford", _("Genomförd")
    EJ_GENOMFORD = "ej_genomford", _("Ej genomförd")


class Commitment(models.Model):
    kind = models.CharField(_("typ"), max_length=10, choices=CommitmentKind.choices)
    text = models.TextField(_("text"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("organisation")
    )
    responsible = models.CharField(_("ansvarig nämnd eller enhet"), max_length=200)
    source_title = models.CharField(_("källdokument"), max_length=300)
    source_reference = models.CharField(_("länk eller diarienummer"), max_length=500, blank=True)
    goals = models.ManyToManyField(Goal, blank=True, related_name="commitments", verbose_name=_("mål"))
    # Codes from analytics.pipeline.INDICATORS, shown for everyone next to the commitment.
    indicators = models.JSONField(_("nyckeltal"), default=list, blank=True)
    created_at = models.DateTimeField(_("registrerat"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrerat av")
    )

    class Meta:
        verbose_name = _("vallöfte eller uppdrag")
        verbose_name_plural = _("vallöften och uppdrag")
        ordering = ["organisation__name", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class CommitmentStatus(models.Model):
    """One entry of a commitment's status history. Never changed: a new status is a new row."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="statuses")
    status = models.CharField(_("status"), max_length=15, choices=CommitmentStatusKind.choices)
    on = models.DateField(_("datum"))
    comment = models.TextField(_("vad har hänt"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrerat av")
    )
    recorded_at = models.DateTimeField(_("registrerat"), default=timezone.now)

    class Meta:
        verbose_name = _("status för vallöfte eller uppdrag")
        verbose_name_plural = _("statushistorik för vallöften och uppdrag")
        ordering = ["commitment", "on", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.on:%Y-%m-%d}"
