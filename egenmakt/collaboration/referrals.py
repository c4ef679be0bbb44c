"""Referrals (remisser): sending one on consent, answering it in the app or through a signed link,
and the status history that shows how long it waited at each step."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.access import policy
from egenmakt.audit import services as audit
from egenmakt.collaboration.models import (
    TRANSITIONS,
    Referral,
    ReferralLink,
    ReferralQuerySet,
    ReferralStatus,
    ReferralStep,
)
from egenmakt.consent.models import Consent, ConsentScope
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation, Unit
from egenmakt.people.errors import PeopleError
from egenmakt.people.models import Participant

LINK_LIFETIME = timedelta(days=14)
_LINK_SALT = "egenmakt.referral-answer"


class ReferralRefused(PeopleError):
    pass


@dataclass(frozen=True)
class SentReferral:
    referral: Referral
    # The answer link's path, shown once to the sender; only its hash is stored.
    answer_path: str | None


def covering_consent(participant: Participant, organisation: Organisation) -> Consent | None:
    """The active consent that lets the organisation see who the person is, if any."""
    return (
        Consent.objects.active()
        .filter(
            participant=participant,
            scopes__organisation=organisation,
            scopes__category=DataCategory.GRUNDUPPGIFTER,
        )
        .order_by("-recorded_at")
        .first()
    )


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_link(referral: Referral) -> str:
    secret = secrets.token_urlsafe(32)
    ReferralLink.objects.create(
        referral=referral, secret_hash=_hash(secret), expires_at=timezone.now() + LINK_LIFETIME
    )
    token = signing.dumps({"r": referral.pk, "s": secret}, salt=_LINK_SALT, compress=True)
    return f"/remiss/svar/{token}/"


def _step(referral: Referral, status: str, *, by: Any = None, by_name: str = "", note: str = "") -> None:
    if status not in TRANSITIONS[referral.status] and not (
        status == referral.status == ReferralStatus.SKICKAD
    ):
        raise ReferralRefused(
            _("Remissen kan inte gå från %(old)s till %(new)s.")
            % {"old": ReferralStatus(referral.status).label, "new": ReferralStatus(status).label}
        )
    referral.status = status
    referral.save(update_fields=["status", "decline_reason"])
    ReferralStep.objects.create(referral=referral, status=status, by=by, by_name=by_name, note=note)


@transaction.atomic
def send_referral(
    *,
    actor: Any,
    participant: Participant,
    from_unit: Unit,
    to_organisation: Organisation,
    question: str,
    contact: str,
    to_unit: Unit | None = None,
    recipient_email: str = "",
) -> SentReferral:
    """Send a referral. Refused unless an active consent lets the recipient see the person."""
    if not policy.can(actor, policy.Action.EDIT, participant):
        raise ReferralRefused(_("Du kan bara skicka remisser för personer med ärende i din enhet."))
    if from_unit.pk not in policy.casework_unit_ids(actor):
        raise ReferralRefused(_("Välj en av dina egna enheter som avsändare."))
    if to_unit is not None and to_unit.organisation_id != to_organisation.pk:
        raise ReferralRefused(_("Enheten hör inte till den valda organisationen."))
    if not question.strip() or not contact.strip():
        raise ReferralRefused(_("Skriv vad remissen gäller och vem mottagaren kan kontakta."))
    consent = covering_consent(participant, to_organisation)
    if consent is None:
        raise ReferralRefused(
            _(
                "Det finns inget gällande samtycke som låter %(org)s ta del av uppgifter om personen. "
                "Registrera samtycke först."
            )
            % {"org": to_organisation.name}
        )
    now = timezone.now()
    referral = Referral.objects.create(
        participant=participant,
        from_unit=from_unit,
        to_organisation=to_organisation,
        to_unit=to_unit,
        consent=consent,
        question=question.strip(),
        contact=contact.strip(),
        recipient_email=recipient_email.strip(),
        sent_by=actor,
        sent_at=now,
        answer_due=now + timedelta(days=settings.EGENMAKT_REFERRAL_ANSWER_DAYS),
    )
    ReferralStep.objects.create(referral=referral, status=ReferralStatus.SKICKAD, at=now, by=actor)
    path = _new_link(referral) if referral.recipient_email else None
    # Sending the referral discloses who the person is to the recipient, on the consent.
    audit.record(
        actor=actor,
        action="referral.sent",
        participant=participant,
        target=referral,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose=referral.question[:200],
        legal_ground=policy.LegalGround.SAMTYCKE,
        detail={
            "consent_id": consent.pk,
            "disclosed_to": to_organisation.pk,
            "answer_link": path is not None,
        },
    )
    if path is not None:
        address = referral.recipient_email
        url = settings.EGENMAKT_BASE_URL.rstrip("/") + path
        # The e-mail names no one: only that a referral waits, and the link.
        transaction.on_commit(
            lambda: send_mail(
                subject=str(_("Remiss från %(unit)s") % {"unit": from_unit.name}),
                message=str(
                    _(
                        "Du har fått en remiss. Öppna länken för att läsa och svara (giltig i 14 dagar, "
                        "kan användas en gång):\n\n%(url)s"
                    )
                    % {"url": url}
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[address],
            )
        )
    return SentReferral(referral, path)


def _consent_in_force() -> Exists:
    """A referral's recipient may see it while some version of the person's consent covers them; a new
    version that still names the recipient keeps the referral open."""
    return Exists(
        ConsentScope.objects.filter(
            consent__in=Consent.objects.active(),
            consent__participant=OuterRef("participant"),
            organisation=OuterRef("to_organisation"),
            category=DataCategory.GRUNDUPPGIFTER,
        )
    )


def referrals_for(user: Any) -> ReferralQuerySet:
    """Referrals the user may see: sent from their units, or to their organisation while consent lasts."""
    incoming = Q(to_organisation_id__in=policy.organisation_ids(user)) & Q(_consent_in_force())
    sent = Q(from_unit_id__in=policy.casework_unit_ids(user))
    return Referral.objects.filter(sent | incoming).select_related(
        "participant", "from_unit", "to_organisation"
    )


def _is_sender(user: Any, referral: Referral) -> bool:
    return referral.from_unit_id in policy.casework_unit_ids(user)


def _is_recipient(user: Any, referral: Referral) -> bool:
    return referral.to_organisation_id in policy.organisation_ids(user) and consent_in_force(referral)


def consent_in_force(referral: Referral) -> bool:
    return covering_consent(referral.participant, referral.to_organisation) is not None


@transaction.atomic
def change_status(*, actor: Any, referral: Referral, status: str, note: str = "") -> Referral:
    """Move a referral on, as sender (withdraw, close) or recipient (receive, accept, decline, close)."""
    referral = Referral.objects.select_for_update().select_related("consent").get(pk=referral.pk)
    sender, recipient = _is_sender(actor, referral), _is_recipient(actor, referral)
    allowed: dict[str, bool] = {
        ReferralStatus.ATERKALLAD: sender,
        ReferralStatus.AVSLUTAD: sender or recipient,
        ReferralStatus.MOTTAGEN: recipient,
        ReferralStatus.ACCEPTERAD: recipient,
        ReferralStatus.AVBOJD: recipient,
    }
    if not allowed.get(status, False):
        raise ReferralRefused(_("Du kan inte göra den ändringen av remissen."))
    if status == ReferralStatus.AVBOJD:
        if not note.strip():
            raise ReferralRefused(_("Skriv varför remissen avböjs."), field="note")
        referral.decline_reason = note.strip()
    _step(referral, status, by=actor, note=note.strip())
    audit.record(
        actor=actor,
        action=f"referral.{status}",
        participant=referral.participant,
        target=referral,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="remiss",
        legal_ground=policy.LegalGround.SAMTYCKE
        if recipient and not sender
        else policy.LegalGround.EGEN_ENHET,
        detail={"note": note.strip()[:300]},
    )
    return referral


# --- Answering through the link ------------------------------------------------------------------


class LinkInvalid(PeopleError):
    pass


def _link_for(token: str) -> ReferralLink:
    invalid = LinkInvalid(_("Länken är ogiltig, har gått ut eller har redan använts. Kontakta avsändaren."))
    try:
        data = signing.loads(token, salt=_LINK_SALT, max_age=LINK_LIFETIME)
    except signing.BadSignature:
        raise invalid from None
    link = (
        ReferralLink.objects.select_related(
            "referral__participant", "referral__from_unit", "referral__to_organisation"
        )
        .filter(referral_id=data.get("r"), secret_hash=_hash(str(data.get("s"))))
        .first()
    )
    if (
        link is None
        or not link.is_usable
        or link.referral.status not in (ReferralStatus.SKICKAD, ReferralStatus.MOTTAGEN)
        or not consent_in_force(link.referral)
    ):
        raise invalid
    return link


@transaction.atomic
def open_by_link(*, token: str) -> Referral:
    """The recipient opens the link: the referral counts as received (once)."""
    link = _link_for(token)
    referral = Referral.objects.select_for_update().get(pk=link.referral_id)
    if referral.status == ReferralStatus.SKICKAD:
        _step(referral, ReferralStatus.MOTTAGEN, by_name=str(_("Mottagaren via svarslänk")))
    audit.record(
        actor=None,
        action="referral.opened_by_link",
        participant=referral.participant,
        target=referral,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="remiss",
        legal_ground=policy.LegalGround.SAMTYCKE,
        detail={"consent_id": referral.consent_id, "disclosed_to": referral.to_organisation_id},
    )
    return link.referral


@transaction.atomic
def answer_by_link(*, token: str, accept: bool, name: str, reason: str = "") -> Referral:
    """Accept or decline through the link. The link is used up by the answer."""
    link = _link_for(token)
    link = ReferralLink.objects.select_for_update().get(pk=link.pk)
    if not link.is_usable:
        raise LinkInvalid(_("Länken är ogiltig, har gått ut eller har redan använts. Kontakta avsändaren."))
    if not name.strip():
        raise ReferralRefused(_("Skriv ditt namn, så att avsändaren vet vem som svarade."), field="name")
    referral = Referral.objects.select_for_update().get(pk=link.referral_id)
    status = ReferralStatus.ACCEPTERAD if accept else ReferralStatus.AVBOJD
    if not accept:
        if not reason.strip():
            raise ReferralRefused(_("Skriv varför remissen avböjs."), field="reason")
        referral.decline_reason = reason.strip()
    _step(referral, status, by_name=name.strip()[:200], note=reason.strip())
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    audit.record(
        actor=None,
        action=f"referral.{status}_by_link",
        participant=referral.participant,
        target=referral,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="remiss",
        legal_ground=policy.LegalGround.SAMTYCKE,
        detail={"answered_by": name.strip()[:200], "reason": reason.strip()[:300]},
    )
    return referral
