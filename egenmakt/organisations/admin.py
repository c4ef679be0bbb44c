from __future__ import annotations

from django.contrib import admin

from egenmakt.organisations.models import Organisation, Unit


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organisationsnummer", "synthetic"]
    list_filter = ["kind", "synthetic"]
    search_fields = ["name", "organisationsnummer"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "active"]
    list_filter = ["kind", "active", "organisation"]
    search_fields = ["name"]
