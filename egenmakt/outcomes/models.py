"""What happened to people: their status month by month, their exits (avslut) and the follow-ups after.

StatusMonth rows are derived (manage.py refresh_outcomes) from what the caseworkers record elsewhere:
decisions on assistance, placements in activities, exits and follow-ups. Nobody types a StatusMonth.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.cases.models import Case
from egenmakt.organisations.models import Unit
from egenmakt.people.models import Participant

USER = settings.AUTH_USER_MODEL


class Status(models.TextChoices):
    FORSORJNINGSSTOD = "forsorjningsstod", _("Försörjningsstöd")
    INSATS = "insats", _("I insats")
    ARBETE = "arbete", _("Arbete")
    SUBVENTIONERAT_ARBETE = "subventionerat_arbete", _("Subventionerat arbete")
    STUDIER = "studier", _("Studier med studiemedel")
    ANNAN_ERSATTNING = "annan_ersattning", _("Annan ersättning")
    FLYTTAT = "flyttat", _("Flyttat")
    OKAND = "okand", _("Okänd")


class ExitReason(models.TextChoices):
    """Why the work with a person ended, on the pattern of SUS and Socialstyrelsen's statistics."""

    ARBETE = "arbete", _("Arbete")
    STUDIER = "studier", _("Studier")
    ANNAN_ERSATTNING = "annan_ersattning", _("Annan ersättning")
    FLYTT = "flytt", _("Flytt")
    OKAND = "okand", _("Okänd")
    FELREGISTRERING = "felregistrering", _("Felregistrering")


# The status an exit reason starts, until a follow-up says otherwise. A wrongly registered exit starts
# nothing: it is left out of every figure.
STATUS_AFTER_EXIT: dict[str, str] = {
    ExitReason.ARBETE: Status.ARBETE,
    ExitReason.STUDIER: Status.STUDIER,
    ExitReason.ANNAN_ERSATTNING: Status.ANNAN_ERSATTNING,
    ExitReason.FLYTT: Status.FLYTTAT,
    ExitReason.OKAND: Status.OKAND,
}
WORK_STATUSES = (Status.ARBETE, Status.SUBVENTIONERAT_ARBETE)


class Exit(models.Model):
    """An exit (avslut) from a case, with its reason. Follow-ups at 3, 6, 12 and 24 months are planned
    when it is registered."""

    case = models.OneToOneField(Case, verbose_name=_("ärende"), on_delete=models.PROTECT, related_name="exit")
    participant = models.ForeignKey(
        Participant, verbose_name=_("deltagare"), on_delete=models.PROTECT, related_name="exits"
    )
    on = models.DateField(_("avslutsdatum"))
    reason = models.CharField(_("avslutsorsak"), max_length=20, choices=ExitReason.choices)
    # For work: subsidised employment, and whether it is a municipal labour-market job, which Kolada's
    # KKiK measure does not count as work.
    subsidised = models.BooleanField(_("subventionerad anställning"), default=False)
    municipal_employment = models.BooleanField(_("kommunal arbetsmarknadsanställning"), default=False)
    note = models.TextField(_("anteckning"), blank=True)
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)
    synthetic = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("avslut")
        verbose_name_plural = _("avslut")
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["participant", "on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason="arbete") | (Q(subsidised=False) & Q(municipal_employment=False)),
                name="exit_work_details_only_for_work",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} – {self.get_reason_display()} {self.on:%Y-%m-%d}"

    @property
    def status(self) -> str:
        if self.reason == ExitReason.ARBETE and self.subsidised:
            return Status.SUBVENTIONERAT_ARBETE
        return STATUS_AFTER_EXIT.get(self.reason, Status.OKAND)


class FollowUpSource(models.TextChoices):
    SAMTAL = "samtal", _("Samtal med personen")
    ARBETSGIVARE = "arbetsgivare", _("Arbetsgivare eller skola")
    MYNDIGHET = "myndighet", _("Uppgift från annan myndighet")
    EGET_REGISTER = "eget_register", _("Kommunens egna uppgifter")
    EJ_NADD = "ej_nadd", _("Personen gick inte att nå")


class ExitFollowUp(models.Model):
    """A follow-up after an exit: where the person is 3, 6, 12 or 24 months later. Planned as a task when
    the exit is registered; recorded when someone has found out."""

    exit = models.ForeignKey(Exit, on_delete=models.CASCADE, related_name="follow_ups")
    months_after = models.PositiveSmallIntegerField(_("månader efter avslut"))
    due_on = models.DateField(_("ska göras"))
    status = models.CharField(_("status"), max_length=25, choices=Status.choices, blank=True)
    municipal_employment = models.BooleanField(_("kommunal arbetsmarknadsanställning"), default=False)
    source = models.CharField(_("källa"), max_length=20, choices=FollowUpSource.choices, blank=True)
    recorded_on = models.DateField(_("registrerad"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("uppföljning efter avslut")
        verbose_name_plural = _("uppföljningar efter avslut")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["recorded_on", "due_on"])]
        constraints = [
            models.UniqueConstraint(fields=["exit", "months_after"], name="exit_follow_up_once"),
            models.CheckConstraint(
                condition=Q(recorded_on__isnull=True) | ~Q(status=""), name="exit_follow_up_recorded_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exit.participant}: {self.months_after} mån"

    @property
    def is_recorded(self) -> bool:
        return self.recorded_on is not None


class StatusMonth(models.Model):
    """A person's status in a month (the month is its first day), derived by the outcome refresh."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="status_months")
    month = models.DateField(_("månad"))
    status = models.CharField(_("status"), max_length=25, choices=Status.choices)
    municipal_employment = models.BooleanField(default=False)
    # The unit that had the person that month (the case's unit), for comparisons of units.
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("status per månad")
        verbose_name_plural = _("status per månad")
        constraints = [
            models.UniqueConstraint(fields=["participant", "month"], name="status_month_once"),
            models.CheckConstraint(condition=Q(month__day=1), name="status_month_first_day"),
        ]
        indexes = [models.Index(fields=["month", "status"])]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.month:%Y-%m} {self.status}"


class OutcomeRefresh(models.Model):
    """One run of the refresh: when, up to which month, and what it changed (shown on the outcomes page)."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    through_month = models.DateField()
    participants = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.through_month:%Y-%m} ({self.started_at:%Y-%m-%d %H:%M})"
