from __future__ import annotations

from django.urls import path

from egenmakt.web.views import (
    activities,
    attendance,
    attendance_import,
    benefits,
    benefits_payments,
    benefits_reductions,
    benefits_rules,
    consent,
    logreview,
    outcomes,
    participants,
    plans,
    referrals,
    sip,
    start,
    system,
)

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
    # Action plans (handlingsplaner) and their follow-ups.
    path("deltagare/<int:participant_id>/plan/ny/", plans.plan_new, name="plan_new"),
    path("plan/<int:plan_id>/", plans.plan_detail, name="plan"),
    path("plan/<int:plan_id>/andra/", plans.plan_edit, name="plan_edit"),
    path("plan/<int:plan_id>/mal/ny/", plans.goal_form, name="plan_goal_new"),
    path("plan/<int:plan_id>/mal/<int:goal_id>/andra/", plans.goal_form, name="plan_goal_edit"),
    path("plan/<int:plan_id>/mal/<int:goal_id>/ta-bort/", plans.goal_remove, name="plan_goal_remove"),
    path("plan/<int:plan_id>/steg/ny/", plans.step_form, name="plan_step_new"),
    path("plan/<int:plan_id>/steg/<int:step_id>/andra/", plans.step_form, name="plan_step_edit"),
    path("plan/<int:plan_id>/steg/<int:step_id>/ta-bort/", plans.step_remove, name="plan_step_remove"),
    path("plan/<int:plan_id>/behov/ny/", plans.need_new, name="plan_need_new"),
    path("plan/<int:plan_id>/behov/<int:need_id>/ta-bort/", plans.need_remove, name="plan_need_remove"),
    path("plan/<int:plan_id>/tagit-del/", plans.acknowledge, name="plan_acknowledge"),
    path("plan/<int:plan_id>/uppfoljning/", plans.follow_up, name="plan_follow_up"),
    path("plan/<int:plan_id>/versioner/", plans.versions, name="plan_versions"),
    path("plan/<int:plan_id>/pdf/", plans.plan_pdf, name="plan_pdf"),
    path("loggkontroll/", logreview.access_log, name="access_log"),
    # Activities, placements and attendance.
    path("insatser/", activities.catalogue, name="activity_catalogue"),
    path("insatser/<int:activity_id>/", activities.activity_detail, name="activity"),
    path("insatser/<int:activity_id>/narvaro/", attendance.attendance_day, name="attendance_day"),
    path("insatser/<int:activity_id>/anonym/ny/", activities.anonymous_place_new, name="anonymous_place_new"),
    path("insatser/<int:activity_id>/trohet/ny/", activities.fidelity_review_new, name="fidelity_review_new"),
    path("anonym-plats/<int:place_id>/avsluta/", activities.anonymous_place_end, name="anonymous_place_end"),
    path("deltagare/<int:participant_id>/placering/ny/", activities.enrolment_new, name="enrolment_new"),
    path("placering/<int:enrolment_id>/avsluta/", activities.enrolment_end, name="enrolment_end"),
    path("placering/<int:enrolment_id>/ge-plats/", activities.enrolment_place, name="enrolment_place"),
    path("franvaro/<int:task_id>/", attendance.absence_task, name="absence_task"),
    # Attendance files from providers.
    path("narvaro/import/", attendance_import.import_upload, name="attendance_import"),
    path("narvaro/import/<int:batch_id>/", attendance_import.import_batch, name="attendance_import_batch"),
    path(
        "narvaro/import/<int:batch_id>/avvisade.csv",
        attendance_import.import_rejections,
        name="attendance_import_rejections",
    ),
    # Economic assistance: applications, decisions, appeals, reductions, payment runs, local rules.
    path("ekonomi/", benefits.hub, name="benefits"),
    path(
        "ekonomi/arenden/<int:case_id>/ansokan/ny/", benefits.application_new, name="benefit_application_new"
    ),
    path(
        "ekonomi/ansokningar/<int:application_id>/", benefits.application_detail, name="benefit_application"
    ),
    path(
        "ekonomi/ansokningar/<int:application_id>/rakna/",
        benefits.application_calculate,
        name="benefit_application_calculate",
    ),
    path(
        "ekonomi/ansokningar/<int:application_id>/beslut/",
        benefits.application_decide,
        name="benefit_application_decide",
    ),
    path("ekonomi/beslut/<int:decision_id>/", benefits.decision_detail, name="benefit_decision"),
    path(
        "ekonomi/beslut/<int:decision_id>/delgivning/",
        benefits.decision_notify,
        name="benefit_decision_notify",
    ),
    path(
        "ekonomi/beslut/<int:decision_id>/overklagande/",
        benefits.decision_appeal,
        name="benefit_decision_appeal",
    ),
    path(
        "ekonomi/beslut/<int:decision_id>/brev.pdf", benefits.decision_letter, name="benefit_decision_letter"
    ),
    path("ekonomi/overklaganden/<int:appeal_id>/", benefits.appeal_settle, name="benefit_appeal_settle"),
    path("ekonomi/nedsattningar/ny/", benefits_reductions.reduction_new, name="benefit_reduction_new"),
    path(
        "ekonomi/nedsattningar/<int:reduction_id>/",
        benefits_reductions.reduction_detail,
        name="benefit_reduction",
    ),
    path(
        "ekonomi/nedsattningar/<int:reduction_id>/kommunicera/",
        benefits_reductions.reduction_communicate,
        name="benefit_reduction_communicate",
    ),
    path(
        "ekonomi/nedsattningar/<int:reduction_id>/svar/",
        benefits_reductions.reduction_reply,
        name="benefit_reduction_reply",
    ),
    path(
        "ekonomi/nedsattningar/<int:reduction_id>/inget-svar/",
        benefits_reductions.reduction_no_reply,
        name="benefit_reduction_no_reply",
    ),
    path(
        "ekonomi/nedsattningar/<int:reduction_id>/beslut/",
        benefits_reductions.reduction_decide,
        name="benefit_reduction_decide",
    ),
    path(
        "ekonomi/nedsattningar/<int:reduction_id>/avskriv/",
        benefits_reductions.reduction_drop,
        name="benefit_reduction_drop",
    ),
    path(
        "ekonomi/nedsattningar/<int:reduction_id>/brev.pdf",
        benefits_reductions.reduction_letter,
        name="benefit_reduction_letter",
    ),
    path("utfall/", outcomes.overview, name="outcomes"),
    path("utfall/berakna/", outcomes.recompute, name="outcomes_recompute"),
    path("utfall/utfall.xlsx", outcomes.export_excel, name="outcomes_xlsx"),
    path("utfall/utfall.csv", outcomes.export_csv, name="outcomes_csv"),
    path("ekonomi/utbetalningar/", benefits_payments.payment_runs, name="payment_runs"),
    path("ekonomi/utbetalningar/<int:run_id>/", benefits_payments.payment_run, name="payment_run"),
    path(
        "ekonomi/utbetalningar/<int:run_id>/godkann/",
        benefits_payments.payment_run_approve,
        name="payment_run_approve",
    ),
    path(
        "ekonomi/utbetalningar/<int:run_id>/ta-bort/",
        benefits_payments.payment_run_withdraw,
        name="payment_run_withdraw",
    ),
    path(
        "ekonomi/utbetalningar/<int:run_id>/betala/",
        benefits_payments.payment_run_execute,
        name="payment_run_execute",
    ),
    path(
        "ekonomi/utbetalningar/<int:run_id>/skriv-filer/",
        benefits_payments.payment_run_write_files,
        name="payment_run_write_files",
    ),
    path(
        "ekonomi/utbetalningar/<int:run_id>/pain001.xml",
        benefits_payments.payment_run_file,
        {"kind": "xml"},
        name="payment_run_xml",
    ),
    path(
        "ekonomi/utbetalningar/<int:run_id>/utbetalningar.csv",
        benefits_payments.payment_run_file,
        {"kind": "csv"},
        name="payment_run_csv",
    ),
    path("ekonomi/regler/", benefits_rules.rules, name="benefit_rules"),
    path("ekonomi/vad-om/", benefits_rules.what_if, name="benefit_whatif"),
]
