from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "egenmakt.goals"
    verbose_name = _("Mål och uppdrag")
