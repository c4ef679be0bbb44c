"""Writing to the audit trail. Call `record` inside the transaction of the service that acts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from egenmakt.audit.chain import GENESIS, event_hash
from egenmakt.audit.models import AuditEvent

# Arbitrary, fixed key for PostgreSQL's advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 7_351_244_019


class AuditOutsideTransaction(RuntimeError):
    """The audit row must commit or roll back together with what it records."""


@dataclass(frozen=True)
class Entry:
    """One event to append. `participant` and `target` are model instances (or None)."""

    action: str
    participant: models.Model | None = None
    target: models.Model | None = None
    category: str = ""
    purpose: str = ""
    legal_ground: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return f"{full_name} ({actor.get_username()})" if full_name else str(actor.get_username())


def _lock_chain() -> tuple[int, str]:
    """Take the chain lock for this transaction and return the last seq and hash.

    PostgreSQL: an advisory lock held until commit, so concurrent appends queue instead of forking
    the chain. SQLite: transactions start IMMEDIATE (settings), which already serialises writers.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last is not None else (0, GENESIS)


def record_many(*, actor: Any, entries: Sequence[Entry]) -> list[AuditEvent]:
    """Append events in order, chained. Must run inside the acting service's transaction."""
    if not entries:
        return []
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction("audit.record must be called inside transaction.atomic()")
    seq, prev = _lock_chain()
    now = timezone.now()
    label = _actor_label(actor)
    actor_id = actor.pk if actor is not None else None
    events = []
    for entry in entries:
        seq += 1
        fields: dict[str, Any] = {
            "seq": seq,
            "occurred_at": now,
            "actor_id": actor_id,
            "actor_label": label,
            "action": entry.action,
            "target_type": entry.target._meta.label_lower if entry.target is not None else "",
            "target_id": str(entry.target.pk) if entry.target is not None else "",
            "participant_id": entry.participant.pk if entry.participant is not None else None,
            "category": str(entry.category),
            "purpose": str(entry.purpose),
            "legal_ground": str(entry.legal_ground),
            "detail": entry.detail,
        }
        digest = event_hash(**fields, prev_hash=prev)
        events.append(AuditEvent(**fields, prev_hash=prev, hash=digest))
        prev = digest
    return AuditEvent.objects.bulk_create(events, batch_size=2000)


def record(
    *,
    actor: Any,
    action: str,
    participant: models.Model | None = None,
    target: models.Model | None = None,
    category: str = "",
    purpose: str = "",
    legal_ground: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit trail, inside the caller's transaction."""
    entry = Entry(
        action=action,
        participant=participant,
        target=target,
        category=category,
        purpose=purpose,
        legal_ground=legal_ground,
        detail=detail or {},
    )
    return record_many(actor=actor, entries=[entry])[0]


@transaction.atomic
def record_now(**kwargs: Any) -> AuditEvent:
    """For reads that change nothing else (a page view): its own small transaction."""
    return record(**kwargs)
