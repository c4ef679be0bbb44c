"""Swedish person identities: personnummer, samordningsnummer and reserve numbers.

Pure functions, no Django. Every identity is stored as 12 characters without separators:
- personnummer (PNR) and samordningsnummer (SNR): YYYYMMDDNNNC, Luhn over YYMMDDNNN
  (Skatteverket). A samordningsnummer adds 60 to the day (folkbokföringslagen 18 a §).
- nationellt reservnummer (NRID, Inera): XXYYMMDDNNGC, XX = birth century + 3, 6, ... (or 00 when
  the birth date is unknown), NN two letters A-Z except I, O, Q, V, W, G a sex digit, C a check digit.
- lokalt reservnummer: YYYYMMDD + four characters, at least one a letter (Socialstyrelsen's rule).

python-stdnum rejects samordningsnummer and the `personnummer` package accepts them; neither rejects
a birth date in the future. We reject future dates: no one can be registered before they are born.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Spaces, "+" and dashes, including the typographic ones a number pasted from a document carries
# (hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign).
_SEPARATORS = re.compile(r"[\s\-+\u2010-\u2015\u2212]")
_NRID_LETTERS = frozenset("ABCDEFGHJKLMNPRSTUXYZ")  # A-Z without I, O, Q, V, W (Inera)


class IdentityKind(enum.StrEnum):
    PERSONNUMMER = "pnr"
    SAMORDNINGSNUMMER = "snr"
    RESERVNUMMER_NATIONELLT = "nrid"
    RESERVNUMMER_LOKALT = "lrid"


class InvalidIdentity(ValueError):
    """Raised with a message a caseworker can act on (Swedish source text, translated by the caller)."""

    def __init__(self, message: str | Promise, code: str) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Identity:
    kind: IdentityKind
    value: str  # 12 characters, no separators
    birth_date: date | None
    legal_sex: str | None  # "K" (kvinna), "M" (man) or None when the identity does not say

    @property
    def formatted(self) -> str:
        """Display form: YYYYMMDD-NNNN, the way caseworkers read twelve-digit numbers."""
        return f"{self.value[:8]}-{self.value[8:]}"

    @property
    def masked(self) -> str:
        """Birth date shown, the last four hidden: enough to tell people apart in a list."""
        return f"{self.value[:8]}-****"


def compact(raw: str) -> str:
    """The number without spaces, dashes or "+", in upper case: how a typed number is compared."""
    return _SEPARATORS.sub("", raw.strip()).upper()


def luhn_check_digit(nine_digits: str) -> int:
    """Skatteverket's check digit: weights 2,1,2,1,... over YYMMDDNNN, digits of products summed."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _resolve_year(yymmdd: str, *, over_hundred: bool, today: date, day_offset: int) -> int:
    """Pick the birth year for a ten-digit number (Skatteverket's separator rule).

    '+' is shown from the year a person turns 100, so the year is the latest one with these two
    digits that is at least 100 years before this year. '-' (or no separator) is the latest year with
    these two digits that does not put the birth date in the future.
    """
    yy = int(yymmdd[:2])
    if over_hundred:
        latest = today.year - 100
        return latest - (latest - yy) % 100
    year = today.year - (today.year - yy) % 100
    try:
        if date(year, int(yymmdd[2:4]), int(yymmdd[4:6]) - day_offset) > today:
            year -= 100
    except ValueError:
        pass  # an impossible date is reported later, with a clear message
    return year


def _birth_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidIdentity(
            _("Födelsedatumet i numret finns inte (kontrollera år, månad och dag)."), "invalid_date"
        ) from None


def _check_not_future(born: date, today: date) -> None:
    if born > today:
        raise InvalidIdentity(_("Födelsedatumet i numret ligger i framtiden."), "future_date")


def parse_personnummer(raw: str, *, today: date) -> Identity:
    """Parse a personnummer or samordningsnummer given with 10 or 12 digits, with or without separator."""
    text = raw.strip()
    over_hundred = "+" in text
    digits = _SEPARATORS.sub("", text)
    if not _ascii_digits(digits) or len(digits) not in (10, 12):
        raise InvalidIdentity(
            _(
                "Ange personnummer eller samordningsnummer med 10 eller 12 siffror, till exempel 19850312-1234."
            ),
            "format",
        )
    if len(digits) == 10:
        day_offset = 60 if int(digits[4:6]) > 60 else 0
        year = _resolve_year(digits[:6], over_hundred=over_hundred, today=today, day_offset=day_offset)
        digits = f"{year // 100:02d}{digits}"
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    kind = IdentityKind.PERSONNUMMER
    if day > 60:
        kind = IdentityKind.SAMORDNINGSNUMMER
        day -= 60
    born = _birth_date(year, month, day)
    _check_not_future(born, today)
    if luhn_check_digit(digits[2:11]) != int(digits[11]):
        raise InvalidIdentity(
            _("Kontrollsiffran stämmer inte. Kontrollera att numret är rätt inskrivet."), "checksum"
        )
    if digits[8:11] == "000":
        raise InvalidIdentity(_("Födelsenumret kan inte vara 000."), "birth_number")
    return Identity(kind=kind, value=digits, birth_date=born, legal_sex=_sex_from_digit(digits[10]))


def _ascii_digits(text: str) -> bool:
    # str.isdigit() alone also accepts "²" (which int() rejects) and other scripts' digits ("٦", "６"),
    # which would be stored as a different value than the same number typed with 0-9.
    return text.isascii() and text.isdigit()


def _sex_from_digit(digit: str) -> str:
    # The ninth digit of the ten: odd for men, even for women (Skatteverket).
    return "M" if int(digit) % 2 else "K"


def parse_national_reserve_number(raw: str, *, today: date) -> Identity:
    """Inera's nationellt reservnummer (NRID): XXYYMMDDNNGC.

    The check digit C must be a digit; its algorithm is in Inera's specification 1.0, which we have
    not been able to verify, so C is not recomputed here (said in the UI).
    """
    value = _SEPARATORS.sub("", raw.strip()).upper()
    if len(value) != 12:
        raise InvalidIdentity(
            _(
                "Ett nationellt reservnummer har 12 tecken: sekelkod, födelsedatum ÅÅMMDD, två bokstäver, en könssiffra och en kontrollsiffra."
            ),
            "format",
        )
    prefix, yymmdd, letters, sex_digit, check = value[:2], value[2:8], value[8:10], value[10], value[11]
    if not all(_ascii_digits(part) for part in (prefix, yymmdd, sex_digit, check)):
        raise InvalidIdentity(
            _("Ett nationellt reservnummer har siffror utom på plats 9 och 10, som är bokstäver."), "format"
        )
    if not set(letters) <= _NRID_LETTERS:
        raise InvalidIdentity(_("Plats 9 och 10 ska vara bokstäver A–Z utom I, O, Q, V och W."), "format")
    xx = int(prefix)
    sex = _sex_from_digit(sex_digit)
    if xx == 0:
        # Unknown birth date: YYMMDD is a running number with MM 20-99 and DD 40-59.
        if not (20 <= int(yymmdd[2:4]) <= 99 and 40 <= int(yymmdd[4:6]) <= 59):
            raise InvalidIdentity(
                _("Med okänt födelsedatum (00 först) ska månad vara 20–99 och dag 40–59."), "invalid_date"
            )
        return Identity(IdentityKind.RESERVNUMMER_NATIONELLT, value, None, sex)
    # 01-17 are reserved for later use and 18-21 would be mistaken for a personnummer's century.
    if xx <= 21:
        raise InvalidIdentity(_("De två första siffrorna är inte ett giltigt reservnummersekel."), "format")
    born = _nrid_birth_date(xx, yymmdd, today)
    return Identity(IdentityKind.RESERVNUMMER_NATIONELLT, value, born, sex)


def _nrid_birth_date(xx: int, yymmdd: str, today: date) -> date:
    """XX is the birth century plus 3, 6, ..., 78; try each century that the prefix can stand for."""
    candidates = [century for century in (20, 19, 18) if 3 <= xx - century <= 78 and (xx - century) % 3 == 0]
    last_error: InvalidIdentity | None = None
    for century in candidates:
        try:
            born = _birth_date(century * 100 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))
            _check_not_future(born, today)
            return born
        except InvalidIdentity as error:
            last_error = error
    raise last_error or InvalidIdentity(
        _("De två första siffrorna är inte ett giltigt reservnummersekel."), "format"
    )


def parse_local_reserve_number(raw: str, *, today: date) -> Identity:
    """A local reserve number: the real birth date YYYYMMDD and four characters, at least one a letter."""
    value = _SEPARATORS.sub("", raw.strip()).upper()
    if len(value) != 12 or not _ascii_digits(value[:8]) or not value[8:].isalnum():
        raise InvalidIdentity(
            _(
                "Ett lokalt reservnummer har födelsedatum med 8 siffror och 4 tecken, till exempel 19850312-AB12."
            ),
            "format",
        )
    if not any(char.isalpha() for char in value[8:]):
        raise InvalidIdentity(
            _("Minst ett av de fyra sista tecknen i ett reservnummer ska vara en bokstav."), "format"
        )
    if not value[8:].isascii():
        raise InvalidIdentity(_("Använd bokstäverna A–Z i reservnumret."), "format")
    born = _birth_date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    _check_not_future(born, today)
    return Identity(IdentityKind.RESERVNUMMER_LOKALT, value, born, None)


def parse_identity(raw: str, kind: IdentityKind | str, *, today: date) -> Identity:
    """Parse and validate an identity of the given kind; raises InvalidIdentity with a Swedish message."""
    kind = IdentityKind(kind)
    if kind in (IdentityKind.PERSONNUMMER, IdentityKind.SAMORDNINGSNUMMER):
        identity = parse_personnummer(raw, today=today)
        if identity.kind != kind:
            if kind == IdentityKind.PERSONNUMMER:
                raise InvalidIdentity(
                    _("Numret är ett samordningsnummer (dagen plus 60). Välj samordningsnummer som typ."),
                    "kind_mismatch",
                )
            raise InvalidIdentity(
                _(
                    "Numret är ett personnummer, inte ett samordningsnummer (i ett samordningsnummer är dagen plus 60)."
                ),
                "kind_mismatch",
            )
        return identity
    if kind == IdentityKind.RESERVNUMMER_NATIONELLT:
        return parse_national_reserve_number(raw, today=today)
    return parse_local_reserve_number(raw, today=today)


def guess_kind(raw: str) -> IdentityKind:
    """The kind a typed number most likely is, so a search box needs no type selector."""
    value = _SEPARATORS.sub("", raw.strip()).upper()
    if _ascii_digits(value):
        day = value[-6:-4] if len(value) in (10, 12) else "00"
        return IdentityKind.SAMORDNINGSNUMMER if int(day) > 60 else IdentityKind.PERSONNUMMER
    if len(value) == 12 and _ascii_digits(value[:8]):
        # Both start with eight digits; a local number with a birth year (18xx-20xx), a national one
        # with 00 or a century + 3, 6, ... (22 and up).
        prefix = int(value[:2])
        return (
            IdentityKind.RESERVNUMMER_NATIONELLT
            if prefix == 0 or prefix > 21
            else IdentityKind.RESERVNUMMER_LOKALT
        )
    return IdentityKind.RESERVNUMMER_NATIONELLT
