"""Reference data in the admin: organisations, units, staff and memberships. Participants are not here:
their data is read and changed only through the services, the access policy and the audit trail."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from egenmakt.accounts.models import Membership, User
from egenmakt.activities.models import Activity, TargetGroup, Weekday
from egenmakt.organisations.models import Organisation, Unit
from egenmakt.people.choices import LANGUAGES
from egenmakt.web.admin_site import ReferenceDataAdmin


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(ReferenceDataAdmin):
    list_display = ["name", "kind", "organisationsnummer", "synthetic"]
    list_filter = ["kind", "synthetic"]
    search_fields = ["name", "organisationsnummer"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(ReferenceDataAdmin):
    list_display = ["name", "organisation", "kind", "active"]
    list_filter = ["kind", "active", "organisation"]
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class StaffAdmin(ReferenceDataAdmin, UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]


@admin.register(Membership)
class MembershipAdmin(ReferenceDataAdmin):
    list_display = ["user", "unit", "role", "valid_from", "valid_to"]
    list_filter = ["role", "unit__organisation"]
    search_fields = ["user__username", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]


class ActivityAdminForm(forms.ModelForm):
    """Lists stored as JSON are chosen from their lists, never typed as JSON."""

    target_groups = forms.MultipleChoiceField(
        label=_("Målgrupper"),
        choices=TargetGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Veckodagar"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Inga valda dagar betyder alla dagar."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Språk"), choices=LANGUAGES, required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )

    class Meta:
        model = Activity
        fields = [
            "code",
            "name",
            "description",
            "provider",
            "unit",
            "method",
            "method_other",
            "ksi_code",
            "target_groups",
            "capacity",
            "weekdays",
            "starts_at",
            "ends_at",
            "hours_per_day",
            "languages",
            "cost_per_place",
            "finsam_funded",
            "funders",
            "active",
        ]


@admin.register(Activity)
class ActivityAdmin(ReferenceDataAdmin):
    """The activity catalogue is reference data: what is offered, by whom, with how many places. Who holds
    a place is not here; placements go through the services and the policy."""

    list_display = ["name", "code", "method", "provider", "unit", "capacity", "active"]
    list_filter = ["method", "active", "finsam_funded", "provider"]
    search_fields = ["name", "code", "ksi_code"]
    autocomplete_fields = ["provider", "unit", "funders"]
    form = ActivityAdminForm
