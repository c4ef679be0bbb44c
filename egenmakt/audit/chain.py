"""The hash chain: each event's hash covers its content and the previous event's hash."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    participant_id: int | None,
    category: str,
    purpose: str,
    legal_ground: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    payload = {
        "seq": seq,
        "occurred_at": _utc_text(occurred_at.astimezone(UTC)),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "participant_id": participant_id,
        "category": category,
        "purpose": purpose,
        "legal_ground": legal_ground,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(_CANONICAL.encode(payload).encode("utf-8")).hexdigest()


# One encoder for every event: json.dumps with these options builds a new encoder per call, which for a
# payment run's 100 000 events was a good part of the hashing.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@functools.lru_cache(maxsize=256)
def _utc_text(instant: datetime) -> str:
    """UTC with microseconds, so SQLite and PostgreSQL give the same text for the same instant. Cached:
    the events of one batch share their instant. Only UTC datetimes come here: two local times an hour
    apart in the autumn's repeated hour compare (and hash) equal, two UTC times never do."""
    return instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: int | None
    problem: str


def find_first_break(rows: Iterator[dict[str, Any]]) -> tuple[ChainBreak | None, int, str]:
    """Walk events in seq order; return the first break (or None), the count and the head hash."""
    expected_seq = 1
    prev = GENESIS
    count = 0
    for row in rows:
        count += 1
        if row["seq"] != expected_seq:
            return (
                ChainBreak(
                    expected_seq, row["id"], f"event #{expected_seq} is missing (next is #{row['seq']})"
                ),
                count,
                prev,
            )
        if row["prev_hash"] != prev:
            return (
                ChainBreak(row["seq"], row["id"], "previous-hash does not match the event before"),
                count,
                prev,
            )
        computed = event_hash(
            seq=row["seq"],
            occurred_at=row["occurred_at"],
            actor_id=row["actor_id"],
            actor_label=row["actor_label"],
            action=row["action"],
            target_type=row["target_type"],
            target_id=row["target_id"],
            participant_id=row["participant_id"],
            category=row["category"],
            purpose=row["purpose"],
            legal_ground=row["legal_ground"],
            detail=row["detail"],
            prev_hash=prev,
        )
        if computed != row["hash"]:
            return ChainBreak(row["seq"], row["id"], "content does not match its hash (edited)"), count, prev
        prev = row["hash"]
        expected_seq += 1
    return None, count, prev
