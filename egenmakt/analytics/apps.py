from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "egenmakt.analytics"
    verbose_name = _("Analys av utfall")
