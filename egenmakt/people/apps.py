from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "egenmakt.people"
    verbose_name = _("Deltagare och hushåll")
