"""Computed outcome reports. A report holds aggregates only (counts per cell, curves, model estimates); it
is suppressed for small cells when it is shown or exported, never when it is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutcomeReport(models.Model):
    created_at = models.DateTimeField(_("beräknad"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    engine = models.CharField(_("motor"), max_length=20)
    data_end = models.DateField(_("uppgifter till och med"))
    payload = models.JSONField()

    class Meta:
        verbose_name = _("utfallsrapport")
        verbose_name_plural = _("utfallsrapporter")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.data_end:%Y-%m} ({self.created_at:%Y-%m-%d %H:%M})"
