from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DemoDataset(models.Model):
    """Marks a database as holding synthetic demo data: the UI then shows a DEMO banner on every page."""

    seed = models.IntegerField(_("frö"))
    participants = models.PositiveIntegerField(_("antal deltagare"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("ental", "demodataset")
        verbose_name_plural = pgettext_lazy("flertal", "demodataset")

    def __str__(self) -> str:
        return f"Exempelkommun (seed {self.seed}, {self.participants})"
