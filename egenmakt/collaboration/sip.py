"""SIP (samordnad individuell plan): creating the plan at the meeting, adding what each party will do,
each party's sign-off, and the printable plan in plain Swedish (WeasyPrint)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from egenmakt.access import policy
from egenmakt.audit import services as audit
from egenmakt.collaboration.models import SipAction, SipParty, SipPlan
from egenmakt.consent.models import Consent
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation
from egenmakt.people.errors import PeopleError
from egenmakt.people.models import Participant


class SipError(PeopleError):
    pass


@dataclass
class SipMeeting:
    meeting_date: date
    attendees: str
    parties: list[Organisation]
    overall_responsible: Organisation
    next_follow_up: date
    meeting_place: str = ""
    participant_present: bool = True
    relatives_present: bool = False
    own_words: str = ""


def organisations_without_consent(
    participant: Participant, parties: list[Organisation], own: set[int]
) -> list[Organisation]:
    """Parties other than the actor's own organisation need the person's consent to see the plan."""
    covered = set(
        Consent.objects.active()
        .filter(participant=participant, scopes__category=DataCategory.PLAN_OCH_INSATSER)
        .values_list("scopes__organisation_id", flat=True)
    )
    return [o for o in parties if o.pk not in own and o.pk not in covered]


@transaction.atomic
def create_sip(*, actor: Any, participant: Participant, meeting: SipMeeting) -> SipPlan:
    if not policy.can(actor, policy.Action.EDIT, participant):
        raise SipError(_("Bara personens egen enhet kan upprätta en SIP här."))
    errors = []
    if len(meeting.parties) < 2:
        errors.append(str(_("En SIP har minst två parter (huvudmän).")))
    if meeting.overall_responsible not in meeting.parties:
        errors.append(str(_("Den som har det övergripande ansvaret måste vara en av parterna.")))
    if not meeting.attendees.strip():
        errors.append(str(_("Skriv vilka som deltog i mötet.")))
    if meeting.next_follow_up < meeting.meeting_date:
        errors.append(str(_("Nästa uppföljning kan inte ligga före mötet.")))
    own = {m.unit.organisation_id for m in actor.memberships.all()}
    missing = organisations_without_consent(participant, meeting.parties, own)
    if missing:
        errors.append(
            str(
                _(
                    "Personen har inte samtyckt till att %(orgs)s tar del av planen. Registrera samtycke "
                    "(plan och insatser) först."
                )
                % {"orgs": ", ".join(o.name for o in missing)}
            )
        )
    if errors:
        raise SipError(" ".join(errors))
    plan = SipPlan.objects.create(
        participant=participant,
        meeting_date=meeting.meeting_date,
        meeting_place=meeting.meeting_place.strip(),
        participant_present=meeting.participant_present,
        relatives_present=meeting.relatives_present,
        attendees=meeting.attendees.strip(),
        own_words=meeting.own_words.strip(),
        overall_responsible=meeting.overall_responsible,
        next_follow_up=meeting.next_follow_up,
        created_by=actor,
    )
    SipParty.objects.bulk_create([SipParty(plan=plan, organisation=o) for o in meeting.parties])
    audit.record(
        actor=actor,
        action="sip.created",
        participant=participant,
        target=plan,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose="SIP",
        detail={"parties": sorted(o.pk for o in meeting.parties)},
    )
    return plan


def may_see(user: Any, plan: SipPlan) -> policy.AccessDecision:
    return policy.can(user, policy.Action.VIEW, plan.participant, DataCategory.PLAN_OCH_INSATSER)


def _party_of(user: Any, plan: SipPlan) -> SipParty | None:
    organisations = policy.organisation_ids(user)
    return plan.parties.filter(organisation_id__in=organisations).first()


@transaction.atomic
def add_action(
    *,
    actor: Any,
    plan: SipPlan,
    organisation: Organisation,
    what: str,
    responsible_person: str = "",
    due: date | None = None,
) -> SipAction:
    if not may_see(actor, plan) or (
        _party_of(actor, plan) is None and not policy.can(actor, "edit", plan.participant)
    ):
        raise SipError(_("Bara parterna i planen kan lägga till insatser."))
    if not plan.parties.filter(organisation=organisation).exists():
        raise SipError(_("Den som ska göra något måste vara part i planen."))
    if not what.strip():
        raise SipError(_("Skriv vad som ska göras."))
    action = SipAction.objects.create(
        plan=plan,
        organisation=organisation,
        what=what.strip(),
        responsible_person=responsible_person.strip(),
        due=due,
    )
    audit.record(
        actor=actor,
        action="sip.action_added",
        participant=plan.participant,
        target=plan,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose="SIP",
        detail={"organisation_id": organisation.pk},
    )
    return action


@transaction.atomic
def sign_off(*, actor: Any, party: SipParty, on_paper_by: str = "") -> SipParty:
    """A party's sign-off: by its own staff in the system, or recorded by the person's own unit when the
    party signed on paper at the meeting (then the signer's name is required)."""
    plan = party.plan
    own_party = _party_of(actor, plan)
    signing_for_own = own_party is not None and own_party.pk == party.pk and may_see(actor, plan)
    own_unit = bool(policy.can(actor, policy.Action.EDIT, plan.participant))
    if not signing_for_own and own_unit and not on_paper_by.strip():
        raise SipError(_("Skriv namnet på den som signerade på papper för parten."), field="on_paper_by")
    recording_paper = bool(on_paper_by.strip()) and own_unit
    if not (signing_for_own or recording_paper):
        raise SipError(
            _("Du kan bara signera för din egen organisation, eller registrera en signatur på papper.")
        )
    if party.signed_at is not None:
        raise SipError(_("Parten har redan signerat."))
    party.signed_at = timezone.now()
    party.signed_by = actor if signing_for_own and not on_paper_by.strip() else None
    party.signed_by_name = on_paper_by.strip()
    party.save(update_fields=["signed_at", "signed_by", "signed_by_name"])
    audit.record(
        actor=actor,
        action="sip.signed",
        participant=plan.participant,
        target=plan,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose="SIP",
        detail={"organisation_id": party.organisation_id, "on_paper_by": on_paper_by.strip()},
    )
    return party


def render_pdf(*, actor: Any, plan: SipPlan) -> bytes:
    """The plan as a PDF in plain Swedish, whatever language the actor's screen is in."""
    from weasyprint import HTML  # imported here: it loads Pango, which only printing needs

    with translation.override("sv"):
        html = render_to_string("web/sip/pdf.html", {"plan": plan, "printed_at": timezone.localtime()})
    pdf: bytes = HTML(string=html).write_pdf()
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="sip.printed",
            participant=plan.participant,
            target=plan,
            category=DataCategory.PLAN_OCH_INSATSER,
            purpose="SIP utskrift",
            legal_ground=may_see(actor, plan).legal_ground,
        )
    return pdf
