"""Loggkontroll: a unit manager reviews who in their units looked at whom.

A look is flagged when the viewer has no case relation to the person: they are not the responsible
caseworker on any of the person's cases. A flag is not a verdict; it is where review starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.access import policy
from egenmakt.accounts.models import Membership, User
from egenmakt.audit import services as audit
from egenmakt.audit.models import AuditEvent
from egenmakt.cases.models import Case

READ_ACTIONS = {
    "participant.viewed": _("Öppnade personens sida"),
    "participant.listed_in_search": _("Fick personen i ett sökresultat"),
    "participant.listed_in_caseload": _("Såg personen i sin ärendelista"),
    "participant.exported": _("Exporterade personen i en lista"),
}


@dataclass(frozen=True)
class ReviewedEvent:
    event: AuditEvent
    participant_label: str
    flagged: bool

    @property
    def action_label(self) -> str:
        return str(READ_ACTIONS.get(self.event.action, self.event.action))

    @property
    def legal_ground_label(self) -> str:
        ground = self.event.legal_ground
        return str(policy.LegalGround(ground).label) if ground in policy.LegalGround.values else ground


@dataclass(frozen=True)
class LogReview:
    rows: list[ReviewedEvent]
    staff: list[User]
    total: int
    flagged_total: int
    date_from: date
    date_to: date


def reviewable_staff(manager: Any) -> list[User]:
    unit_ids = policy.managed_unit_ids(manager)
    staff_ids = Membership.objects.filter(unit_id__in=unit_ids).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=staff_ids).order_by("last_name", "first_name"))


def _reads(staff_ids: Any, date_from: date, date_to: date) -> QuerySet[AuditEvent]:
    """The staff's reads of people's data from `date_from` to `date_to`, whole days in local time."""
    tz = timezone.get_current_timezone()
    return AuditEvent.objects.filter(
        actor_id__in=staff_ids,
        action__in=list(READ_ACTIONS),
        participant_id__isnull=False,
        occurred_at__gte=datetime.combine(date_from, time.min, tz),
        occurred_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tz),
    )


def _relations(pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which (viewer, person) pairs have a case relation: the viewer is the responsible caseworker on a case
    of the person. Checked in chunks, so two IN lists stay far below SQLite's limit on parameters."""
    related: set[tuple[int, int]] = set()
    for start in range(0, len(pairs), _PAIRS_PER_QUERY):
        chunk = pairs[start : start + _PAIRS_PER_QUERY]
        related |= {
            (int(viewer), int(person))
            for viewer, person in Case.objects.filter(
                participant_id__in={person for _viewer, person in chunk},
                responsible_id__in={viewer for viewer, _person in chunk},
            ).values_list("responsible_id", "participant_id")
        }
    return related


# Pairs checked per query.
_PAIRS_PER_QUERY = 5000


def _labels(manager: Any, events: list[AuditEvent]) -> dict[int, str]:
    ids = {e.participant_id for e in events if e.participant_id is not None}
    visible = policy.visible_participants(manager).filter(pk__in=ids)
    return {p.pk: f"{p.full_name} ({p.identity.masked})" for p in visible}


@transaction.atomic
def review(
    *,
    actor: Any,
    date_from: date | None = None,
    date_to: date | None = None,
    staff_id: int | None = None,
    only_flagged: bool = False,
    limit: int = 200,
) -> LogReview:
    if not policy.can_review_access_log(actor):
        raise PermissionError("only a unit manager reviews the access log")
    today = timezone.localdate()
    date_to = date_to or today
    date_from = date_from or date_to - timedelta(days=30)
    staff = reviewable_staff(actor)
    staff_ids = {user.pk for user in staff}
    if staff_id is not None:
        staff_ids &= {staff_id}
    events_qs = _reads(staff_ids, date_from, date_to).order_by("-seq")
    candidates = list(events_qs[: limit * 5 if only_flagged else limit])
    relations = _relations(
        [(e.actor_id, e.participant_id) for e in candidates if e.actor_id and e.participant_id]
    )
    labels = _labels(actor, candidates)
    rows = []
    flagged_total = 0
    for event in candidates:
        assert event.participant_id is not None and event.actor_id is not None
        flagged = (event.actor_id, event.participant_id) not in relations
        flagged_total += flagged
        if only_flagged and not flagged:
            continue
        rows.append(
            ReviewedEvent(event, labels.get(event.participant_id, f"#{event.participant_id}"), flagged)
        )
    audit.record(
        actor=actor,
        action="audit.reviewed",
        purpose="loggkontroll",
        detail={"from": date_from.isoformat(), "to": date_to.isoformat(), "staff_id": staff_id},
    )
    return LogReview(rows[:limit], staff, events_qs.count(), flagged_total, date_from, date_to)


def flagged_count(*, actor: Any, date_from: date, date_to: date) -> int:
    """How many looks in the period the review would flag, for the manager's start page: a count only,
    so nothing is read about anyone and no review is recorded. The same rule as `review`.

    Counted per (viewer, person) pair: one anti-join over the whole period let PostgreSQL walk every case
    of a busy caseworker for each of her reads."""
    if not policy.can_review_access_log(actor):
        raise PermissionError("only a unit manager reviews the access log")
    staff_ids = Membership.objects.filter(unit_id__in=policy.managed_unit_ids(actor)).values("user_id")
    counted = list(
        _reads(staff_ids, date_from, date_to)
        .values_list("actor_id", "participant_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    related = _relations([(viewer, person) for viewer, person, _n in counted])
    return sum(n for viewer, person, n in counted if (viewer, person) not in related)
