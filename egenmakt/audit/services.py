"""Writing to the audit trail. Call `record` inside the transaction of the service that acts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db import connection, models, transaction
from django.utils import timezone

from egenmakt.audit.chain import GENESIS, event_hash
from egenmakt.audit.models import AuditEvent

# Arbitrary, fixed key for PostgreSQL's advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 7_351_244_019
# From this many events on, PostgreSQL gets them by COPY (see _copy_events); fewer go through the ORM.
# Low enough that the payment run's kill -9 tests, with batches of 10, go through COPY too.
COPY_FROM = 10


class AuditOutsideTransaction(RuntimeError):
    """The audit row must commit or roll back together with what it records."""


class Ref(NamedTuple):
    """A row the trail mentions, by its model's label and its pk: for a large batch whose rows were
    never loaded as model instances (the payment run). The event is the same as for the instance."""

    label_lower: str
    pk: Any

    @classmethod
    def to(cls, model: type[models.Model], pk: Any) -> Ref:
        return cls(model._meta.label_lower, pk)


class Entry(NamedTuple):
    """One event to append. `participant` and `target` are model instances or Refs (or None).

    Tuples rather than frozen dataclasses: as immutable, and a payment run makes 100 000 of each, which
    a frozen dataclass's __init__ (a setattr per field) made a noticeable part of paying."""

    action: str
    participant: models.Model | Ref | None = None
    target: models.Model | Ref | None = None
    category: str = ""
    purpose: str = ""
    legal_ground: str = ""
    detail: dict[str, Any] | None = None  # None: no detail ({})


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


def _label(target: models.Model | Ref) -> str:
    return target.label_lower if isinstance(target, Ref) else target._meta.label_lower


def _chained(actor: Any, entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """The events' field values (by attname), numbered and hashed after the chain's current head."""
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
            "target_type": _label(entry.target) if entry.target is not None else "",
            "target_id": str(entry.target.pk) if entry.target is not None else "",
            "participant_id": entry.participant.pk if entry.participant is not None else None,
            "category": str(entry.category),
            "purpose": str(entry.purpose),
            "legal_ground": str(entry.legal_ground),
            "detail": entry.detail if entry.detail is not None else {},
        }
        digest = event_hash(**fields, prev_hash=prev)
        fields["prev_hash"] = prev
        fields["hash"] = digest
        events.append(fields)
        prev = digest
    return events


def record_many(*, actor: Any, entries: Sequence[Entry]) -> None:
    """Append events in order, chained. Must run inside the acting service's transaction."""
    if not entries:
        return
    events = _chained(actor, entries)
    if connection.vendor == "postgresql" and len(events) >= COPY_FROM:
        _copy_events(events)
    else:
        AuditEvent.objects.bulk_create([AuditEvent(**fields) for fields in events], batch_size=2000)


def _copy_events(events: list[dict[str, Any]]) -> None:
    """The rows bulk_create would insert, by COPY: for a payment run's 2 000 events per batch several
    times faster, no model instances built. The ids come from the column's default as with INSERT;
    seq, the hashes and every other value are the ones computed in _chained, the same either way."""
    meta = AuditEvent._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    names = [field.attname for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    # Only the JSON needs preparing: as text, which the jsonb column parses, by one encoder (the field's
    # own way, json.dumps, makes an encoder and an adapter object per row). The rest COPY as they are.
    detail = meta.get_field("detail")
    at_detail = names.index(detail.attname)
    encode = (getattr(detail, "encoder", None) or json.JSONEncoder)().encode
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.connection.cursor() as raw,
        raw.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for event in events:
            row = [event[name] for name in names]
            row[at_detail] = encode(event["detail"])
            copy.write_row(row)


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
    return AuditEvent.objects.create(**_chained(actor, [entry])[0])


@transaction.atomic
def record_now(**kwargs: Any) -> AuditEvent:
    """For reads that change nothing else (a page view): its own small transaction."""
    return record(**kwargs)
