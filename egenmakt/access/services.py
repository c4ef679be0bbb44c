"""Emergency access (nödåtkomst): starting one, ending it, and a manager's review of it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.access import policy
from egenmakt.access.models import EMERGENCY_MAX, EmergencyAccess
from egenmakt.accounts.models import Membership
from egenmakt.audit import services as audit
from egenmakt.cases.models import Case
from egenmakt.lib.categories import DataCategory
from egenmakt.lib.identity import InvalidIdentity, guess_kind, parse_identity
from egenmakt.people.errors import PeopleError
from egenmakt.people.models import Participant

# A reason must say something a reviewer can judge, not just "akut".
MIN_REASON_LENGTH = 15


class EmergencyAccessRefused(PeopleError):
    pass


@transaction.atomic
def start_emergency_access(
    *, actor: Any, identity: str, reason: str, duration: timedelta = EMERGENCY_MAX
) -> tuple[Participant, EmergencyAccess | None]:
    """Open a person's page in an emergency. Returns the person and the new access, or None when the
    actor may already see the person (no emergency access needed)."""
    if not policy.may_use_emergency_access(actor):
        raise EmergencyAccessRefused(_("Din roll kan inte använda nödåtkomst."))
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise EmergencyAccessRefused(
            _("Beskriv skälet så att den som granskar förstår varför det var nödvändigt (minst 15 tecken)."),
            field="reason",
        )
    # The same answer whether the number is unknown or belongs to someone with protected identity:
    # emergency access must not reveal that a protected person exists.
    refused = EmergencyAccessRefused(_("Det går inte att ge nödåtkomst till en person med det numret."))
    try:
        value = parse_identity(identity, guess_kind(identity), today=timezone.localdate()).value
    except InvalidIdentity as error:
        raise EmergencyAccessRefused(error.message, field="identity") from None
    participant = Participant.objects.filter(identity_value=value).first()
    if participant is None or participant.protected_identity:
        raise refused
    decision = policy.can(actor, policy.Action.VIEW, participant)
    if decision and decision.legal_ground != policy.LegalGround.NODATKOMST:
        return participant, None  # the actor may see the person anyway
    running = EmergencyAccess.objects.active().filter(user=actor, participant=participant).first()
    if running is not None:
        return participant, running
    now = timezone.now()
    access = EmergencyAccess.objects.create(
        user=actor,
        participant=participant,
        reason=reason.strip(),
        started_at=now,
        expires_at=now + min(duration, EMERGENCY_MAX),
    )
    audit.record(
        actor=actor,
        action="emergency_access.started",
        participant=participant,
        target=access,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose=reason.strip()[:200],
        legal_ground=policy.LegalGround.NODATKOMST,
        detail={"expires_at": access.expires_at.isoformat()},
    )
    return participant, access


@transaction.atomic
def end_emergency_access(*, actor: Any, access: EmergencyAccess) -> None:
    if access.user_id != actor.pk or not access.is_active:
        return
    access.ended_at = timezone.now()
    access.save(update_fields=["ended_at"])
    audit.record(
        actor=actor,
        action="emergency_access.ended",
        participant=access.participant,
        target=access,
        legal_ground=policy.LegalGround.NODATKOMST,
    )


def reviewable_emergency_accesses(manager: Any) -> list[EmergencyAccess]:
    """Emergency accesses a manager reviews: by staff of the manager's units, and to people whose cases
    those units hold (the unit responsible for the data sees who broke the glass on it). Unreviewed
    first on both databases (PostgreSQL would sort empty dates last)."""
    units = policy.managed_unit_ids(manager)
    staff_ids = Membership.objects.filter(unit_id__in=units).values("user_id")
    their_people = Case.objects.filter(unit_id__in=units).values("participant_id")
    return list(
        EmergencyAccess.objects.filter(Q(user_id__in=staff_ids) | Q(participant_id__in=their_people))
        .select_related("user", "participant", "reviewed_by")
        .order_by(F("reviewed_at").asc(nulls_first=True), "-started_at")[:200]
    )


@transaction.atomic
def review_emergency_access(*, actor: Any, access: EmergencyAccess, note: str) -> EmergencyAccess:
    if access not in reviewable_emergency_accesses(actor):
        raise EmergencyAccessRefused(_("Du kan bara granska nödåtkomst för personal i dina enheter."))
    if not note.strip():
        raise EmergencyAccessRefused(_("Skriv vad granskningen kom fram till."))
    access.reviewed_at = timezone.now()
    access.reviewed_by = actor
    access.review_note = note.strip()
    access.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    audit.record(
        actor=actor,
        action="emergency_access.reviewed",
        participant=access.participant,
        target=access,
        purpose="loggkontroll",
        detail={"note": access.review_note[:300]},
    )
    return access
