from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    default = True
    name = "egenmakt.web"
    verbose_name = _("Webbgränssnitt")


class AdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "egenmakt.web.admin_site.AdministratorSite"
