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
# Latin letters that have no decomposition, so removing accents leaves them as they are (Søren,
# Bjørn, Łukasz, Yıldız). Transliterated the way ICU's Latin-ASCII does.
_UNDECOMPOSABLE = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t"}
)
_DOUBLES = re.compile(r"(.)\1+")


def fold(text: str) -> str:
    """Lower case, accents removed (å→a, ö→o, é→e, ø→o), punctuation and digits to spaces, spaces
    collapsed. Letters of other scripts are kept (محمد, Мария), so names in them stay apart."""
    # Decomposed before and after case folding: compatibility forms such as 𝐀 or Ａ become A first.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    latin = stripped.replace("ß", "ss").translate(_UNDECOMPOSABLE)
    # Letters of any script stay, and so do the vowel signs some scripts write as separate marks (राम).
    kept = (char if char.isalpha() or unicodedata.category(char)[0] == "M" else " " for char in latin)
    return " ".join("".join(kept).split())


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
