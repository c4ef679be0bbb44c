from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "egenmakt.benefits"
    verbose_name = _("Ekonomiskt bistånd")
