"""Finding participants by name or identity, and possible duplicates. Works on a given queryset,
so the caller decides the scope (the access policy's visible set, or everyone for duplicate checks)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import QuerySet
from rapidfuzz import fuzz, process, utils

from egenmakt.lib.identity import InvalidIdentity, compact, guess_kind, parse_identity
from egenmakt.lib.names import search_key
from egenmakt.people.models import Participant

# Six or more digits (a birth date or a whole number), or a reserve number: eight digits and four
# characters, at least one a letter. Compared after lib.identity.compact removes separators.
_ID_LIKE = re.compile(r"^\d{6,}$|^\d{8}(?=[A-Z0-9]*[A-Z])[A-Z0-9]{4}$")


@dataclass(frozen=True)
class Hit:
    participant_id: int
    score: float  # 100 = exact


def looks_like_identity(query: str) -> bool:
    return bool(_ID_LIKE.match(compact(query)))


def find_by_identity(queryset: QuerySet[Participant], query: str, *, today: date) -> list[Hit]:
    """A full number matches exactly; six or eight digits match a birth date."""
    digits = compact(query)
    try:
        identity = parse_identity(query, guess_kind(query), today=today)
    except InvalidIdentity:
        identity = None
    if identity is not None:
        ids = queryset.filter(identity_value=identity.value).values_list("pk", flat=True)
        return [Hit(pk, 100.0) for pk in ids]
    if digits.isascii() and digits.isdigit() and len(digits) == 8:
        ids = queryset.filter(identity_value__startswith=digits).values_list("pk", flat=True)
        return [Hit(pk, 95.0) for pk in ids]
    if digits.isascii() and digits.isdigit() and len(digits) == 6:
        ids = queryset.filter(identity_value__regex=rf"^\d\d{digits}").values_list("pk", flat=True)
        return [Hit(pk, 90.0) for pk in ids]
    return []


def _name_score(query_key: str, candidate_key: str, **_: object) -> float:
    # Whole-name similarity, tolerant of word order (Ali Hassan / Hassan Ali), and a partial score so
    # that "Ann" finds "Anna Svensson"; partial matches rank below whole ones.
    whole = fuzz.token_sort_ratio(query_key, candidate_key)
    partial = fuzz.partial_token_set_ratio(query_key, candidate_key) * 0.9 if len(query_key) >= 3 else 0
    return max(whole, partial)


def find_by_name(queryset: QuerySet[Participant], query: str, *, limit: int) -> list[Hit]:
    key = search_key(query)
    if not key:
        return []
    choices = dict(queryset.values_list("pk", "name_key").iterator(chunk_size=20000))
    matches = process.extract(
        key,
        choices,
        scorer=_name_score,
        processor=utils.default_process,
        score_cutoff=settings.EGENMAKT_FUZZY_THRESHOLD,
        limit=limit,
    )
    return [Hit(pk, float(score)) for _key, score, pk in matches]


def find(queryset: QuerySet[Participant], query: str, *, today: date, limit: int) -> list[Hit]:
    query = query.strip()
    if not query:
        return []
    if looks_like_identity(query):
        return find_by_identity(queryset, query, today=today)[:limit]
    return find_by_name(queryset, query, limit=limit)


def possible_duplicates(
    queryset: QuerySet[Participant],
    *,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    exclude_id: int | None = None,
) -> list[int]:
    """People born the same day whose names are spelled alike: likely the same person registered twice."""
    if birth_date is None:
        return []
    same_day = queryset.filter(birth_date=birth_date)
    if exclude_id is not None:
        same_day = same_day.exclude(pk=exclude_id)
    key = search_key(f"{first_name} {last_name}")
    threshold = settings.EGENMAKT_FUZZY_THRESHOLD
    return [
        pk
        for pk, other in same_day.values_list("pk", "name_key")
        if fuzz.token_sort_ratio(key, other) >= threshold
    ]
