"""Reading the chain back and checking it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from egenmakt.audit.chain import ChainBreak, find_first_break
from egenmakt.audit.models import AuditEvent

_FIELDS = (
    "id",
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "participant_id",
    "category",
    "purpose",
    "legal_ground",
    "detail",
    "prev_hash",
    "hash",
)


def _rows() -> Iterator[dict[str, Any]]:
    return AuditEvent.objects.order_by("seq").values(*_FIELDS).iterator(chunk_size=5000)


def verify_chain() -> tuple[ChainBreak | None, int, str]:
    """(first break or None, events read, hash of the last intact event)."""
    return find_first_break(_rows())
