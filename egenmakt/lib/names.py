"""Name normalisation for search and duplicate checks.

Names of people served by social services are often transliterated in several ways
(Mohammed, Muhammad, Mohamad; Jusuf, Yusuf). Normalising case, accents and a few common
transliteration pairs before fuzzy matching finds the same person under another spelling.
"""

from __future__ import annotations

import re
import unicodedata

# Applied in order, after lower-casing and removing accents. Kept small and explainable: each pair is
# a spelling variation caseworkers meet, not a general phonetic algorithm.
_VARIANTS: tuple[tuple[str, str], ...] = (
    ("chr", "kr"),
    ("ph", "f"),
    ("th", "t"),
    ("kh", "k"),
    ("dh", "d"),
    ("sch", "sj"),
    ("sh", "sj"),
    ("ch", "sj"),
    ("ck", "k"),
    ("q", "k"),
    ("w", "v"),
    ("z", "s"),
    ("c", "k"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("ie", "i"),
)
_NON_LETTERS = re.compile(r"[^a-z ]+")
_DOUBLES = re.compile(r"(.)\1+")


def fold(text: str) -> str:
    """Lower case, accents removed (å→a, ö→o, é→e), punctuation to spaces, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NON_LETTERS.sub(" ", stripped.replace("ß", "ss")).split())


def search_key(text: str) -> str:
    """A spelling-tolerant key: folded, transliteration variants merged, doubled letters single,
    vowels between consonants kept (they carry most of the difference between names)."""
    key = fold(text)
    for variant, replacement in _VARIANTS:
        key = key.replace(variant, replacement)
    key = _DOUBLES.sub(r"\1", key)
    # Mohammed/Muhammad/Mohamad differ only in vowels: o/u and e/a after the first letter are merged.
    words = []
    for word in key.split():
        head, tail = word[:1], word[1:]
        # y starts a word as a consonant (Yusuf/Jusuf) and is a vowel elsewhere (Aly/Ali).
        head = "j" if head == "y" else head
        tail = tail.replace("y", "i").replace("o", "u").replace("e", "a")
        words.append(head + tail)
    return " ".join(words)
