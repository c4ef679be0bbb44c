"""Finding participants by name or identity, and possible duplicates. Works on a given queryset,
so the caller decides the scope (the access policy's visible set, or everyone for duplicate checks)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet
from rapidfuzz import fuzz, process

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


def find_by_name(queryset: QuerySet[Participant], query: str, *, limit: int) -> list[Hit]:
    key = search_key(query)
    if not key:
        return []
    # The database narrows the candidates to names with a word that starts like one of the query's words
    # (the key has already merged spellings such as Ch/Sh or Y/J); rapidfuzz then ranks only those.
    # No ORDER BY: the ranking is by similarity.
    starts = Q()
    for word in {word[:2] for word in key.split()}:
        starts |= Q(name_key__startswith=word) | Q(name_key__contains=f" {word}")
    candidates = queryset.filter(starts).order_by().values_list("pk", "name_key")
    choices = dict(candidates.iterator(chunk_size=20000))
    # WRatio (rapidfuzz's native scorer) ranks a whole-name match (100) above the same words in another
    # order (95) above a partial match such as "Lund" in "Lundgren" (90), so prefixes are found too.
    # name_key is already folded, so no further processing of the choices.
    matches = process.extract(
        key, choices, scorer=fuzz.WRatio, score_cutoff=settings.EGENMAKT_FUZZY_THRESHOLD, limit=limit
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
