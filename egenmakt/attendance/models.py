"""Attendance (närvaro) per placement and day, its corrections, absence tasks and provider imports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.activities.models import Enrolment
from egenmakt.cases.models import Case
from egenmakt.people.models import Participant


class AttendanceStatus(models.TextChoices):
    NARVARANDE = "narvarande", _("Närvarande")
    GILTIG_FRANVARO = "giltig", _("Giltig frånvaro")
    OGILTIG_FRANVARO = "ogiltig", _("Ogiltig frånvaro")


class AbsenceReason(models.TextChoices):
    """Why an absence is excused. Only an excused absence has a reason."""

    SJUK = "sjuk", _("Sjuk")
    VARD_AV_BARN = "vard_av_barn", _("Vård av barn")
    LAKARBESOK = "lakarbesok", _("Läkarbesök")
    ANNAT_GILTIGT = "annat_giltigt", _("Annat giltigt skäl")


class Source(models.TextChoices):
    SKARM = "skarm", _("Registrerad i Egenmakt")
    IMPORT = "import", _("Importerad från utföraren")


class Attendance(models.Model):
    """One person's attendance on one day of one placement. Corrected in place, with the old value kept."""

    # The single-column indexes Django would add to these foreign keys are left out: the unique
    # (enrolment, day) constraint serves the same lookups, and every extra index slows the provider
    # import (a million rows) noticeably. The person is the placement's (`enrolment__participant`):
    # a copy here would cost a foreign-key check and an index per row.
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("placering"),
        on_delete=models.PROTECT,
        related_name="attendance",
        db_index=False,
    )
    day = models.DateField(_("datum"))
    status = models.CharField(_("närvaro"), max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(_("skäl"), max_length=20, choices=AbsenceReason.choices, blank=True)
    planned_hours = models.DecimalField(
        _("planerade timmar"), max_digits=4, decimal_places=2, validators=[MinValueValidator(0)]
    )
    attended_hours = models.DecimalField(
        _("närvarotimmar"), max_digits=4, decimal_places=2, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("anteckning"), max_length=300, blank=True)
    source = models.CharField(_("källa"), max_length=10, choices=Source.choices, default=Source.SKARM)
    # Never looked up by these two; batches and staff accounts are kept, not deleted.
    import_batch = models.ForeignKey(
        "ImportBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attendance",
        db_index=False,
    )
    # Empty on a row an import wrote: the file's importer (`import_batch.imported_by`) registered it. Held
    # once per file rather than on each of its million rows, because every foreign key on a row is
    # checked row by row when PostgreSQL commits, and that check was a third of the import's time.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrerad av"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        null=True,
        blank=True,
    )
    recorded_at = models.DateTimeField(_("registrerad"), default=timezone.now)

    class Meta:
        verbose_name = _("närvaro")
        verbose_name_plural = _("närvaro")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="attendance_one_per_day"),
            models.CheckConstraint(
                condition=Q(status="giltig", reason__gt="") | (~Q(status="giltig") & Q(reason="")),
                name="attendance_reason_only_for_excused",
            ),
            models.CheckConstraint(
                condition=Q(recorded_by__isnull=False) | Q(import_batch__isnull=False),
                name="attendance_recorded_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.participant} {self.day:%Y-%m-%d}: {self.get_status_display()}"

    @property
    def registrar(self) -> Any:
        """Who registered the day as it stands: the user on the screen, or the importer of the file."""
        if self.recorded_by_id is not None:
            return self.recorded_by
        assert self.import_batch is not None  # the check constraint holds one or the other
        return self.import_batch.imported_by

    @property
    def registrar_id(self) -> int:
        if self.recorded_by_id is not None:
            return self.recorded_by_id
        assert self.import_batch is not None  # the check constraint holds one or the other
        return self.import_batch.imported_by_id


class AttendanceCorrection(models.Model):
    """The value an attendance had before a correction, who changed it and why."""

    attendance = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="corrections")
    previous_status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    previous_reason = models.CharField(max_length=20, choices=AbsenceReason.choices, blank=True)
    previous_hours = models.DecimalField(max_digits=4, decimal_places=2)
    previous_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    previous_recorded_at = models.DateTimeField()
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(default=timezone.now)
    comment = models.CharField(_("varför rättas uppgiften"), max_length=300, blank=True)

    class Meta:
        ordering = ["corrected_at", "pk"]

    def __str__(self) -> str:
        return f"{self.attendance} (rättad {self.corrected_at:%Y-%m-%d %H:%M})"


class TaskStatus(models.TextChoices):
    OPPEN = "oppen", _("Att hantera")
    HANTERAD = "hanterad", _("Hanterad")
    INAKTUELL = "inaktuell", _("Inte längre aktuell")


class AbsenceTask(models.Model):
    """A task for the responsible handläggare: an unexcused absence to look into.

    Nothing is deducted here. The task is the input to the due-process flow of economic assistance
    (kommunicering, decision, appeal). One task per absence day, reopened rather than duplicated.
    """

    # No index of its own for the handläggare (the (assigned_to, status) index below serves) nor for who
    # handled a task (accounts are kept, never deleted): a provider's file opens tens of thousands of
    # tasks at a time, and each index is written for each.
    attendance = models.OneToOneField(Attendance, on_delete=models.PROTECT, related_name="task")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, verbose_name=_("ärende"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handläggare"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="absence_tasks",
        db_index=False,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_note = models.TextField(_("vad gjordes"), blank=True)

    class Meta:
        verbose_name = _("frånvarouppgift")
        verbose_name_plural = _("frånvarouppgifter")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["assigned_to", "status"])]

    def __str__(self) -> str:
        return f"{self.attendance} – {self.get_status_display()}"


class ImportStatus(models.TextChoices):
    PAGAR = "pagar", _("Pågår")
    KLAR = "klar", _("Klar")
    MISSLYCKADES = "misslyckades", _("Misslyckades")


# A running import moves on about once a second; this long without progress means it has stopped.
STALLED_AFTER = timedelta(minutes=10)


class ImportBatch(models.Model):
    """One run of a provider's attendance file: progress while it runs, the counts and rejections after."""

    file_name = models.CharField(_("fil"), max_length=255)
    # Re-importing a file with the same content is recognised and adds nothing new.
    file_sha256 = models.CharField(max_length=64, db_index=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("importerad av"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=15, choices=ImportStatus.choices, default=ImportStatus.PAGAR
    )
    total_rows = models.PositiveIntegerField(_("rader"), default=0)
    processed_rows = models.PositiveIntegerField(_("behandlade rader"), default=0)
    stored_rows = models.PositiveIntegerField(_("sparade rader"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("redan registrerade"), default=0)
    corrected_rows = models.PositiveIntegerField(_("rättade rader"), default=0)
    rejected_rows = models.PositiveIntegerField(_("avvisade rader"), default=0)
    error = models.TextField(_("fel"), blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    # Moved on with every chunk checked or saved (about once a second); see `interrupted`.
    progressed_at = models.DateTimeField(_("senast framsteg"), default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("närvaroimport")
        verbose_name_plural = _("närvaroimporter")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def interrupted(self) -> bool:
        """Still "pågår" but not moved on for STALLED_AFTER: the process that ran it has most likely
        stopped (a server restart, say). What it saved stays; running the file again stores the rest, and
        should the first run still be alive, the one-row-per-day constraint stops either from storing a
        day twice."""
        return self.status == ImportStatus.PAGAR and self.progressed_at < timezone.now() - STALLED_AFTER

    @property
    def status_label(self) -> str:
        return str(_("Avbruten")) if self.interrupted else self.get_status_display()


class ImportRejection(models.Model):
    """A row the import did not store: its line number, the field, and why, in words a provider understands."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField(_("rad"))
    field = models.CharField(_("fält"), max_length=40)
    value = models.CharField(_("värde"), max_length=200, blank=True)
    reason = models.CharField(_("skäl"), max_length=300)

    class Meta:
        ordering = ["line", "pk"]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line} {self.field}: {self.reason}"
