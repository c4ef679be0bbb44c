from __future__ import annotations

from django.urls import path

from egenmakt.web.views import consent, logreview, participants, referrals, sip, start, system

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
    path("deltagare/<int:participant_id>/samtycke/ny/", consent.consent_new, name="consent_new"),
    path(
        "deltagare/<int:participant_id>/samtycke/<int:consent_id>/andra/",
        consent.consent_revise,
        name="consent_revise",
    ),
    path(
        "deltagare/<int:participant_id>/samtycke/<int:consent_id>/aterkalla/",
        consent.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "deltagare/<int:participant_id>/samtycke/<int:consent_id>/dokument/",
        consent.consent_document,
        name="consent_document",
    ),
    path("deltagare/<int:participant_id>/utlamnande/ny/", consent.disclosure_new, name="disclosure_new"),
    path("nodatkomst/", consent.emergency_access, name="emergency_access"),
    path("nodatkomst/<int:access_id>/avsluta/", consent.emergency_access_end, name="emergency_access_end"),
    path(
        "nodatkomst/<int:access_id>/granska/", consent.emergency_access_review, name="emergency_access_review"
    ),
    path("deltagare/<int:participant_id>/remiss/ny/", referrals.referral_new, name="referral_new"),
    path("deltagare/<int:participant_id>/team/ny/", referrals.team_member_new, name="team_member_new"),
    path(
        "deltagare/<int:participant_id>/team/<int:member_id>/avsluta/",
        referrals.team_member_end,
        name="team_member_end",
    ),
    path("remiss/<int:referral_id>/", referrals.referral_detail, name="referral"),
    path("remiss/<int:referral_id>/status/", referrals.referral_status, name="referral_status"),
    path("remiss/svar/<str:token>/", referrals.referral_answer, name="referral_answer"),
    path("deltagare/<int:participant_id>/sip/ny/", sip.sip_new, name="sip_new"),
    path("sip/<int:plan_id>/", sip.sip_detail, name="sip"),
    path("sip/<int:plan_id>/signera/<int:party_id>/", sip.sip_sign, name="sip_sign"),
    path("sip/<int:plan_id>/pdf/", sip.sip_pdf, name="sip_pdf"),
    path("loggkontroll/", logreview.access_log, name="access_log"),
]
