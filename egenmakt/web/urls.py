from __future__ import annotations

from django.urls import path

from egenmakt.web.views import logreview, participants, start, system

urlpatterns = [
    path("", start.start, name="start"),
    path("logga-in/", start.login, name="login"),
    path("logga-ut/", start.logout, name="logout"),
    path("sprak/", system.set_language, name="set_language"),
    path("halsa/", system.health, name="health"),
    path("deltagare/", participants.search, name="participant_search"),
    path("deltagare/ny/", participants.register, name="participant_register"),
    path("deltagare/export/", participants.export, name="participant_export"),
    path("deltagare/<int:participant_id>/", participants.overview, name="participant"),
    path("deltagare/<int:participant_id>/andra/", participants.edit, name="participant_edit"),
    path("deltagare/<int:participant_id>/hushall/", participants.add_household_member, name="household_add"),
    path("deltagare/<int:participant_id>/skyddad/", participants.protected_access, name="protected_access"),
    path(
        "deltagare/<int:participant_id>/skyddad/<int:grant_id>/aterkalla/",
        participants.revoke_protected_access,
        name="protected_access_revoke",
    ),
    path("loggkontroll/", logreview.access_log, name="access_log"),
]
