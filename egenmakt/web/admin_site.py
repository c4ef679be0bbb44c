"""The admin, for reference data only, and only for system administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from egenmakt.access import policy


class AdministratorSite(admin.AdminSite):
    site_header = _("Egenmakt – administration")
    site_title = _("Egenmakt")
    index_title = _("Referensdata")

    def has_permission(self, request: HttpRequest) -> bool:
        # A systemadministratör manages organisations, units and staff; not participants' data.
        return policy.is_administrator(request.user)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # One way in: the platform's own login page (the admin's would also demand is_staff).
        return redirect_to_login(request.get_full_path())


class ReferenceDataAdmin(admin.ModelAdmin):
    """Administrators manage reference data by role, not by Django's per-model permission rows."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.is_administrator(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return policy.is_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.is_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.is_administrator(request.user)
