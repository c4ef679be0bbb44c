"""Emergency access (nödåtkomst, "break the glass"): time-limited, reasoned, logged and reviewed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.people.models import Participant

# The longest an emergency access may last (the issue's limit, as in DHIS2's break-the-glass).
EMERGENCY_MAX = timedelta(hours=3)


class EmergencyAccessQuerySet(models.QuerySet["EmergencyAccess"]):
    def active(self) -> EmergencyAccessQuerySet:
        return self.filter(expires_at__gt=timezone.now(), ended_at__isnull=True)

    def unreviewed(self) -> EmergencyAccessQuerySet:
        return self.filter(reviewed_at__isnull=True)


class EmergencyAccess(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("personal"), on_delete=models.PROTECT, related_name="+"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("deltagare"), on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    reason = models.TextField(_("skäl"))
    started_at = models.DateTimeField(_("började"), default=timezone.now)
    expires_at = models.DateTimeField(_("upphör"))
    ended_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("granskad"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granskad av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.TextField(_("granskningsanteckning"), blank=True)

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("nödåtkomst")
        verbose_name_plural = _("nödåtkomster")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "participant", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("started_at")), name="emergency_has_a_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.participant_id} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None and self.expires_at > timezone.now()
