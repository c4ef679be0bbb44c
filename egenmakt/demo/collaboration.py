"""Synthetic collaboration for the demo: consents to Arbetsförmedlingen, Försäkringskassan and the
region, some expired or withdrawn; referrals and a SIP for the handläggare persona's participants.

Consents are written in bulk (thousands at the 100 000-participant size), with their audit events.
The handful of referrals and SIPs go through the real services, as a caseworker would make them.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from egenmakt.accounts.models import User
from egenmakt.audit import services as audit
from egenmakt.cases.models import Case, CaseType
from egenmakt.collaboration import referrals, sip
from egenmakt.collaboration.models import Referral, ReferralStatus
from egenmakt.consent.models import Consent, ConsentForm, ConsentScope
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation, OrganisationKind, Unit

# Share of adults with a labour-market case who have consented to sharing with Arbetsförmedlingen.
CONSENT_SHARE = 0.3
PURPOSES = (
    "Samverkan kring vägen till arbete",
    "Gemensam planering med Arbetsförmedlingen inför praktik",
    "Stöd att komma vidare till studier",
    "Samordning kring sjukskrivning och arbetsförmåga",
)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def seed_collaboration(*, seed: int, as_of: date) -> dict[str, int]:
    rng = random.Random(seed * 7919 + 17)
    by_kind = {o.kind: o for o in Organisation.objects.filter(synthetic=True)}
    af, fk, region = (
        by_kind[k]
        for k in (
            OrganisationKind.ARBETSFORMEDLINGEN,
            OrganisationKind.FORSAKRINGSKASSAN,
            OrganisationKind.REGION,
        )
    )
    cases = list(
        Case.objects.filter(
            case_type=CaseType.ARBETSMARKNADSINSATS,
            closed_on__isnull=True,
            participant__protected_identity=False,
        )
        .select_related("participant", "responsible")
        .order_by("pk")
    )
    chosen = [case for case in cases if rng.random() < CONSENT_SHARE]
    eb_responsible = dict(
        Case.objects.filter(
            case_type=CaseType.EKONOMISKT_BISTAND, participant__in=[c.participant for c in chosen]
        ).values_list("participant_id", "responsible_id")
    )
    fallback = User.objects.get(username="handlaggare").pk
    consents: list[Consent] = []
    plans: list[tuple[list[Organisation], list[str]]] = []
    for case in chosen:
        start = as_of - timedelta(days=rng.randint(0, 420))
        withdrawn = rng.random() < 0.05
        recorded_by: int = eb_responsible.get(case.participant_id) or case.responsible_id or fallback
        consent = Consent(
            participant=case.participant,
            purpose=rng.choice(PURPOSES),
            form=ConsentForm.MUNTLIGT,
            heard_by="Handläggare och tolk" if case.participant.interpreter_needed else "Handläggare",
            valid_from=start,
            valid_to=start + timedelta(days=365),
            recorded_by_id=recorded_by,
            recorded_at=_moment(start),
        )
        if withdrawn:
            consent.withdrawn_at = _moment(min(as_of, start + timedelta(days=rng.randint(10, 200))))
            consent.withdrawn_by_id = recorded_by
            consent.withdrawal_note = "Personen återkallade muntligt"
        recipients = [af] + ([fk] if rng.random() < 0.2 else []) + ([region] if rng.random() < 0.1 else [])
        categories: list[str] = [DataCategory.GRUNDUPPGIFTER, DataCategory.PLAN_OCH_INSATSER]
        if rng.random() < 0.3:
            categories.append(DataCategory.NARVARO)
        consents.append(consent)
        plans.append((recipients, categories))
    with transaction.atomic():
        Consent.objects.bulk_create(consents, batch_size=2000)
        ConsentScope.objects.bulk_create(
            [
                ConsentScope(consent=consent, organisation=organisation, category=category)
                for consent, (recipients, categories) in zip(consents, plans, strict=True)
                for organisation in recipients
                for category in categories
            ],
            batch_size=5000,
        )
        audit.record_many(
            actor=None,
            entries=[
                audit.Entry(
                    action="consent.recorded",
                    participant=consent.participant,
                    target=consent,
                    category=DataCategory.GRUNDUPPGIFTER,
                    purpose="demodata",
                    detail={"recipients": sorted(o.pk for o in recipients), "categories": sorted(categories)},
                )
                for consent, (recipients, categories) in zip(consents, plans, strict=True)
            ],
        )
    made = _persona_casework(rng, as_of, af)
    return {"consents": len(consents), **made}


def _persona_casework(rng: random.Random, as_of: date, af: Organisation) -> dict[str, int]:
    """Referrals and a SIP for the handläggare persona, through the services."""
    persona = User.objects.get(username="handlaggare")
    eb = Unit.objects.get(organisation__kind=OrganisationKind.KOMMUN, name="Ekonomiskt bistånd")
    active = Consent.objects.active().filter(
        scopes__organisation=af, scopes__category=DataCategory.PLAN_OCH_INSATSER
    )
    mine = list(
        Case.objects.open()
        .filter(responsible=persona, participant__consents__in=active)
        .select_related("participant")
        .distinct()
        .order_by("pk")[:8]
    )
    sent = 0
    for index, case in enumerate(mine):
        result = referrals.send_referral(
            actor=persona,
            participant=case.participant,
            from_unit=eb,
            to_organisation=af,
            question="Kan ni erbjuda kartläggning och en praktikplats som passar personens mål?",
            contact=f"{persona.get_full_name()}, 010-000 00 00",
        )
        sent += 1
        referral = result.referral
        # Spread the referrals over the last weeks, so some wait and some are overdue.
        sent_at = timezone.now() - timedelta(days=rng.randint(1, 20))
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=sent_at, answer_due=sent_at + timedelta(days=10)
        )
        referral.steps.update(at=sent_at)
        if index % 3 == 1:
            referrals.change_status(
                actor=User.objects.get(username="partner"),
                referral=referral,
                status=ReferralStatus.ACCEPTERAD,
            )
    sips = 0
    if mine:
        kommun = Organisation.objects.get(kind=OrganisationKind.KOMMUN, synthetic=True)
        meeting = sip.SipMeeting(
            meeting_date=as_of - timedelta(days=7),
            attendees=f"{mine[0].participant.full_name}\n{persona.get_full_name()}, Exempelkommun\nPer Palmgren, Arbetsförmedlingen",
            parties=[kommun, af],
            overall_responsible=kommun,
            next_follow_up=as_of + timedelta(days=60),
            own_words="Jag vill lära mig svenska bättre och sedan arbeta.",
        )
        plan = sip.create_sip(actor=persona, participant=mine[0].participant, meeting=meeting)
        sip.add_action(
            actor=persona,
            plan=plan,
            organisation=kommun,
            what="Försörjningsstöd och SFI-plats",
            responsible_person=persona.get_full_name(),
        )
        sip.add_action(
            actor=persona,
            plan=plan,
            organisation=af,
            what="Kartläggning och praktik",
            responsible_person="Per Palmgren",
        )
        sips = 1
    return {"referrals": sent, "sips": sips}
