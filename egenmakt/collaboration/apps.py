from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    name = "egenmakt.collaboration"
    verbose_name = _("Samverkan")
