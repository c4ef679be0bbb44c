"""The admin, for reference data only, and only for system administrators."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from egenmakt.access import policy


class AdministratorSite(admin.AdminSite):
    site_header = _("Egenmakt – administration")
    site_title = _("Egenmakt")
    index_title = _("Referensdata")

    def has_permission(self, request: HttpRequest) -> bool:
        # A systemadministratör manages organisations, units and staff; not participants' data.
        return policy.is_administrator(request.user)
