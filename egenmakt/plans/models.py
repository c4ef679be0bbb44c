"""Individual action plans (handlingsplaner), their versions, and follow-ups (uppföljningar)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.activities.models import Activity, Enrolment
from egenmakt.cases.models import Case
from egenmakt.organisations.models import Organisation
from egenmakt.people.models import Participant


class LifeArea(models.TextChoices):
    """IBIC's life areas (ICF Aktivitet och delaktighet) and its two further categories (domain §4)."""

    LARANDE = "larande", _("Lärande och att tillämpa kunskap")
    ALLMANNA_UPPGIFTER = "allmanna_uppgifter", _("Allmänna uppgifter och krav")
    KOMMUNIKATION = "kommunikation", _("Kommunikation")
    FORFLYTTNING = "forflyttning", _("Förflyttning")
    PERSONLIG_VARD = "personlig_vard", _("Personlig vård")
    HEMLIV = "hemliv", _("Hemliv")
    RELATIONER = "relationer", _("Mellanmänskliga interaktioner och relationer")
    UTBILDNING_ARBETE = "utbildning_arbete", _("Utbildning, arbete, sysselsättning och ekonomiskt liv")
    SAMHALLSGEMENSKAP = "samhallsgemenskap", _("Samhällsgemenskap, socialt och medborgerligt liv")
    TRYGGHET = "trygghet", _("Känsla av trygghet")
    NARSTAENDE = "narstaende", _("Personligt stöd från närstående")


class GoalKind(models.TextChoices):
    ARBETE = "arbete", _("Arbete")
    STUDIER = "studier", _("Studier")
    EGEN_FORSORJNING = "egen_forsorjning", _("Egen försörjning")
    ANNAT = "annat", _("Annat mål")


class StepStatus(models.TextChoices):
    PLANERAD = "planerad", _("Planerad")
    PAGAR = "pagar", _("Pågår")
    KLAR = "klar", _("Klar")
    AVBRUTEN = "avbruten", _("Avbruten")


class AcknowledgedHow(models.TextChoices):
    PAPPER = "papper", _("Undertecknad på papper")
    DIGITALT = "digitalt", _("Bekräftad digitalt")


class ActionPlan(models.Model):
    """One plan per participant and case, built around the person's own goal and strengths."""

    participant = models.ForeignKey(
        Participant, verbose_name=_("deltagare"), on_delete=models.PROTECT, related_name="plans"
    )
    case = models.OneToOneField(Case, verbose_name=_("ärende"), on_delete=models.PROTECT, related_name="plan")
    own_goal = models.TextField(_("mitt mål, med mina egna ord"))
    strengths = models.TextField(_("mina styrkor"), blank=True)
    requirements = models.TextField(_("vad som krävs av mig"), blank=True)
    consequences = models.TextField(_("vad som händer om jag inte gör det"), blank=True)
    follow_up_weeks = models.PositiveSmallIntegerField(
        _("uppföljning var … vecka"), default=4, validators=[MinValueValidator(1), MaxValueValidator(26)]
    )
    # The version the plan is at: every change adds a PlanVersion with this number.
    version = models.PositiveIntegerField(default=1)
    acknowledged_on = models.DateField(_("deltagaren har tagit del"), null=True, blank=True)
    acknowledged_how = models.CharField(_("hur"), max_length=10, choices=AcknowledgedHow.choices, blank=True)
    # The version the participant acknowledged; a later change asks for a new acknowledgement.
    acknowledged_version = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("handlingsplan")
        verbose_name_plural = _("handlingsplaner")
        indexes = [
            # Plan to case without the table (wide with the plan's texts): the manager's start page counts
            # a unit's overdue follow-ups per caseworker through it (an index-only scan; ~50 -> ~33 ms at
            # 100 000 participants).
            models.Index(fields=["id", "case"], name="plan_case"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_on__isnull=True, acknowledged_how="")
                | Q(acknowledged_on__isnull=False, acknowledged_how__gt=""),
                name="plan_acknowledgement_complete",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Handlingsplan för %(name)s") % {"name": self.participant.full_name})

    @property
    def acknowledgement_is_current(self) -> bool:
        return self.acknowledged_version == self.version


class Need(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="needs")
    life_area = models.CharField(_("livsområde"), max_length=20, choices=LifeArea.choices)
    description = models.TextField(_("behov"))

    class Meta:
        ordering = ["life_area", "pk"]

    def __str__(self) -> str:
        return f"{self.get_life_area_display()}: {self.description}"


class Goal(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="goals")
    kind = models.CharField(_("typ av mål"), max_length=20, choices=GoalKind.choices)
    description = models.TextField(_("målet"))
    target_date = models.DateField(_("måldatum"), null=True, blank=True)
    achieved_on = models.DateField(_("uppnått"), null=True, blank=True)

    class Meta:
        ordering = ["target_date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"


class Step(models.Model):
    """A step towards a goal: an activity from the catalogue or something written freely."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="steps")
    goal = models.ForeignKey(
        Goal, verbose_name=_("mål"), null=True, blank=True, on_delete=models.SET_NULL, related_name="steps"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("insats"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("placering"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.TextField(_("vad ska göras"), blank=True)
    responsible_organisation = models.ForeignKey(
        Organisation, verbose_name=_("ansvarig organisation"), on_delete=models.PROTECT, related_name="+"
    )
    responsible_person = models.CharField(_("ansvarig person"), max_length=200, blank=True)
    start = models.DateField(_("från"), null=True, blank=True)
    end = models.DateField(_("till"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=StepStatus.choices, default=StepStatus.PLANERAD
    )
    agreed_with_participant = models.BooleanField(_("överenskommet med deltagaren"), default=False)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=False) | ~Q(description=""), name="step_has_activity_or_text"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=models.F("start")),
                name="step_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.activity is not None:
            return f"{self.activity.name}. {self.description}" if self.description else self.activity.name
        return self.description


class PlanVersion(models.Model):
    """The whole plan as it was after each change, and who made the change: the version history."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    # What changed, in words: e.g. ["Mål: Arbete – måldatum 2027-03-01 (var 2027-01-01)"].
    changes = models.JSONField(default=list)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"


class FollowUpQuerySet(models.QuerySet["FollowUp"]):
    def overdue(self, on: object = None) -> FollowUpQuerySet:
        return self.filter(held_on__isnull=True, planned_on__lt=on or timezone.localdate())


class FollowUp(models.Model):
    """A follow-up of the plan: planned from the interval, then held, recording progress per goal."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="follow_ups")
    planned_on = models.DateField(_("planerad"))
    held_on = models.DateField(_("hölls"), null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    participant_present = models.BooleanField(_("deltagaren var med"), default=True)
    summary = models.TextField(_("sammanfattning"), blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on"]
        indexes = [models.Index(fields=["held_on", "planned_on"])]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.planned_on:%Y-%m-%d}"


class Progress(models.TextChoices):
    FRAMSTEG = "framsteg", _("Framsteg")
    OFORANDRAT = "oforandrat", _("Oförändrat")
    BAKSLAG = "bakslag", _("Bakslag")
    UPPNATT = "uppnatt", _("Målet är uppnått")


class GoalProgress(models.Model):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="progress")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress")
    progress = models.CharField(_("hur går det"), max_length=12, choices=Progress.choices)
    comment = models.TextField(_("kommentar"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["follow_up", "goal"], name="progress_once_per_goal")]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.get_progress_display()}"
