from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "egenmakt.attendance"
    verbose_name = _("Närvaro")
