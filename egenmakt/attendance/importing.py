"""Importing a provider's attendance file (CSV or Excel): every row checked, the valid ones stored.

A provider (utförare) sends one row per person, activity and day. The import runs in two steps:

1. Check: the file is streamed in chunks; the people, activities and placements a chunk names are
   looked up in bulk (each once per import) and every row is validated in plain Python. Rejected rows
   are stored with their line and a reason the provider understands; progress is committed per chunk.
2. Save: the valid rows, grouped by person, are written in large chunks, each in one transaction with
   its corrections, absence tasks and one audit event per person changed. Grouping by person is what
   lets the audit say, once per person and import, how many days were stored and corrected.

Re-importing a file adds nothing: a row equal to the stored one counts as unchanged, a different one is
a correction with the old value kept (as on the screen). A run that stops half-way leaves the chunks
it committed; running the file again stores the rest.

The rules are the screen's (`attendance.services`): planned hours by default, a reason only for excused
absence, no hours on absence, one absence task per unexcused day for the responsible handläggare. They
are applied here set-at-a-time, since a million rows one by one would take hours.
"""

from __future__ import annotations

import csv
import hashlib
import io
import queue
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, cast

from django.db import connection, transaction
from django.db.models import F, Model
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from egenmakt.access import policy
from egenmakt.activities.models import Activity, Enrolment, EnrolmentStatus
from egenmakt.attendance.models import (
    AbsenceReason,
    AbsenceTask,
    Attendance,
    AttendanceCorrection,
    AttendanceStatus,
    ImportBatch,
    ImportRejection,
    ImportStatus,
    Source,
    TaskStatus,
)
from egenmakt.attendance.services import (
    AttendanceError,
    economic_assistance_caseworkers,
    in_batches,
    parse_hours,
)
from egenmakt.audit import services as audit
from egenmakt.cases.models import Case
from egenmakt.lib.categories import DataCategory
from egenmakt.lib.identity import InvalidIdentity, guess_kind, parse_identity
from egenmakt.lib.spreadsheet import safe_cell
from egenmakt.people.models import Participant

# Rows checked per lookup round, and rows written per transaction. Large enough that the fixed cost
# of the queries disappears, small enough that progress moves about once a second.
CHUNK_ROWS = 50_000
# Connections that save chunks side by side on PostgreSQL: with two cores, one chunk is written while
# another commits.
SAVING_CONNECTIONS = 2
_DAY_BITS = 20  # date.toordinal() is below 2**20 until the year 2870

Progress = Callable[[ImportBatch], None]


class ImportFileError(AttendanceError):
    """The file as a whole cannot be read (format, encoding, a missing column). Nothing is stored."""


# Column -> the header names accepted for it (compared case-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    "personnummer": ("personnummer", "personal_identity_number"),
    "aktivitet": ("aktivitet", "activity"),
    "datum": ("datum", "date"),
    "status": ("status",),
    "timmar": ("timmar", "hours"),
    "skal": ("skäl", "skal", "reason"),
}
REQUIRED = ("personnummer", "aktivitet", "datum", "status")

STATUSES = {
    "närvarande": AttendanceStatus.NARVARANDE.value,
    "narvarande": AttendanceStatus.NARVARANDE.value,
    "present": AttendanceStatus.NARVARANDE.value,
    "giltig": AttendanceStatus.GILTIG_FRANVARO.value,
    "giltig frånvaro": AttendanceStatus.GILTIG_FRANVARO.value,
    "excused": AttendanceStatus.GILTIG_FRANVARO.value,
    "ogiltig": AttendanceStatus.OGILTIG_FRANVARO.value,
    "ogiltig frånvaro": AttendanceStatus.OGILTIG_FRANVARO.value,
    "unexcused": AttendanceStatus.OGILTIG_FRANVARO.value,
}
REASONS = {
    "sjuk": AbsenceReason.SJUK.value,
    "vård av barn": AbsenceReason.VARD_AV_BARN.value,
    "vard_av_barn": AbsenceReason.VARD_AV_BARN.value,
    "läkarbesök": AbsenceReason.LAKARBESOK.value,
    "lakarbesok": AbsenceReason.LAKARBESOK.value,
    "annat giltigt skäl": AbsenceReason.ANNAT_GILTIGT.value,
    "annat_giltigt": AbsenceReason.ANNAT_GILTIGT.value,
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NARVARANDE = AttendanceStatus.NARVARANDE.value
_GILTIG = AttendanceStatus.GILTIG_FRANVARO.value
_OGILTIG = AttendanceStatus.OGILTIG_FRANVARO.value


def unknown_person_message() -> str:
    # The same words whether the person is missing or the importer may not register for them: the
    # answer must not tell a provider that someone is known to the municipality.
    return _("Personen finns inte, eller så får du inte registrera närvaro för personen.")


@dataclass(frozen=True)
class Step:
    """Where a running import is, for the progress bar: step 1 checks the rows, step 2 saves them."""

    number: int
    done: int
    total: int

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


def step_of(batch: ImportBatch) -> Step:
    if batch.status == ImportStatus.PAGAR and batch.processed_rows < batch.total_rows:
        return Step(1, batch.processed_rows, batch.total_rows)
    saved = batch.stored_rows + batch.unchanged_rows + batch.corrected_rows
    return Step(2, saved, max(0, batch.total_rows - batch.rejected_rows))


# --- Reading the file ---------------------------------------------------------------------------------

Rows = Iterator[tuple[int, list[str]]]


def _digest_and_lines(stream: IO[bytes]) -> tuple[str, int]:
    """SHA-256 of the content and its number of lines (the rows to come, for the progress bar)."""
    digest = hashlib.sha256()
    lines = 0
    last = b""
    while block := stream.read(1 << 20):
        digest.update(block)
        lines += block.count(b"\n")
        last = block
    if last and not last.endswith(b"\n"):
        lines += 1
    return digest.hexdigest(), lines


def _cell(value: Any) -> str:
    """An Excel cell as the text a CSV would have: dates as ISO, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(stream: IO[bytes]) -> tuple[list[str], Rows, Callable[[], object]]:
    from openpyxl import load_workbook  # only Excel files need it; CSV imports never load it

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or non-Excel file
        raise ImportFileError(
            _("Excelfilen går inte att läsa. Spara den som .xlsx och försök igen.")
        ) from error
    sheet = book.worksheets[0]
    rows = enumerate(sheet.iter_rows(values_only=True), start=1)
    for _line, values in rows:
        header = [_cell(value) for value in values]
        if any(text.strip() for text in header):
            break
    else:
        book.close()
        raise ImportFileError(_("Filen är tom, eller så saknar den rubrikrad."))

    def body() -> Rows:
        for number, cells in rows:
            yield number, [_cell(value) for value in cells]

    return header, body(), book.close


def _csv_rows(stream: IO[bytes]) -> tuple[list[str], Rows, Callable[[], object]]:
    # utf-8-sig drops the byte-order mark Excel writes at the start of a "CSV UTF-8" file.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError as error:
        raise ImportFileError(_not_utf8()) from error
    if not first.strip():
        raise ImportFileError(_("Filen är tom, eller så saknar den rubrikrad."))
    # The header decides the delimiter: hours may be written "6,5", so data rows are no guide.
    delimiter = max((";", ",", "\t"), key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))
    reader = csv.reader(text, delimiter=delimiter)

    def body() -> Rows:
        previous = 1
        try:
            for cells in reader:
                # A quoted value may span lines: a row is numbered by the line it starts on.
                yield previous + 1, cells
                previous = reader.line_num + 1
        except UnicodeDecodeError as error:
            raise ImportFileError(_not_utf8()) from error
        except csv.Error as error:
            raise ImportFileError(
                _("Rad %(line)s går inte att läsa som CSV: %(error)s")
                % {"line": previous + 1, "error": error}
            ) from error

    return header, body(), text.detach


def _not_utf8() -> str:
    return _("Filen är inte sparad som UTF-8. Spara den som ”CSV UTF-8” och försök igen.")


def _columns(header: Sequence[str]) -> tuple[dict[str, int], dict[str, str]]:
    """Column -> position, and column -> the name the file uses (rejections name the file's column)."""
    wanted = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    names: dict[str, str] = {}
    for index, raw in enumerate(header):
        column = wanted.get(raw.strip().lstrip("\ufeff").casefold())
        if column is None:
            continue  # other columns (a name, a comment) are the provider's own business
        if column in positions:
            raise ImportFileError(_("Kolumnen %(column)s finns två gånger.") % {"column": raw.strip()})
        positions[column] = index
        names[column] = raw.strip()
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        raise ImportFileError(
            _("Kolumnen %(columns)s saknas. Första raden ska ha rubrikerna %(required)s.")
            % {
                "columns": ", ".join(COLUMNS[column][0] for column in missing),
                "required": ", ".join(COLUMNS[column][0] for column in (*REQUIRED, "timmar", "skal")),
            }
        )
    return positions, names


# --- Step 1: checking the rows ------------------------------------------------------------------------


# A valid row as stored: (placement, day as date.toordinal(), status, reason, hours, planned hours),
# hours in hundredths. Plain tuples, made in the check loop: a million of them are held until step 2.
_Row = tuple[int, int, str, str, int, int]
# A row's status, reason and hours, valid together; hours None means "the planned hours".
_Value = tuple[str, str, int | None]
# What a (personnummer, activity) pair in the file leads to: the person's list of valid rows, their
# placements in the activity as (start, end, id) by start, and the activity's planned hours.
_Placed = tuple[list[_Row], list[tuple[int, int, int]], int]
_NO_END = date.max.toordinal()
# The raw cells a row is checked on, in this order.
_CHECKED = ("personnummer", "aktivitet", "datum", "status", "skal", "timmar")


@dataclass
class _Checker:
    """Validates rows; looks each person, activity and placement up once, in bulk, per import.

    Every check is remembered per distinct raw value (a person's personnummer and activity come back
    on every day, a day on every person, and the status, reason and hours take few values), so a row
    that is right costs a few dictionary look-ups."""

    actor: Any
    positions: dict[str, int]
    names: dict[str, str]
    today: date = field(default_factory=timezone.localdate)
    # raw personnummer -> participant id, or the reason it is rejected
    people: dict[str, int | str] = field(default_factory=dict)
    participants: dict[int, Participant] = field(default_factory=dict)
    decisions: dict[int, policy.AccessDecision] = field(default_factory=dict)
    # (person, activity) -> placements as (start, end, id), by start
    placements: dict[tuple[int, int], list[tuple[int, int, int]]] = field(default_factory=dict)
    enrolment_case: dict[int, int] = field(default_factory=dict)
    activities: dict[str, tuple[int, int]] = field(default_factory=dict)  # code -> (id, planned hundredths)
    # raw personnummer and activity -> where that pair's rows go; None if they cannot be stored
    placed: dict[tuple[str, str], _Placed | None] = field(default_factory=dict)
    days: dict[str, int | str] = field(default_factory=dict)  # raw date -> ordinal, or why not
    # raw status, reason and hours -> as stored; None if they do not go together
    values: dict[tuple[str, str, str], _Value | None] = field(default_factory=dict)
    hours: dict[str, int | str | None] = field(default_factory=lambda: {"": None})
    seen: dict[int, int] = field(default_factory=dict)  # (enrolment, day) key -> line
    by_person: dict[int, list[_Row]] = field(default_factory=lambda: defaultdict(list))
    width: int = field(init=False)  # cells a row needs: `_check_all` fills a shorter one up
    pick: Callable[[Sequence[str]], tuple[str, ...]] = field(init=False)  # a row's `_CHECKED` cells

    def __post_init__(self) -> None:
        exact: dict[str, tuple[int, int]] = {}
        folded: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for pk, code, planned in Activity.objects.values_list("pk", "code", "hours_per_day"):
            found = (pk, _hundredths(planned))
            exact[code] = found
            folded[code.casefold()].append(found)
        # "sfi-a1" finds "SFI-A1" as long as only one code reads the same in any case.
        self.activities = {code: ids[0] for code, ids in folded.items() if len(ids) == 1} | exact
        # An optional column the file lacks reads as an empty cell just past the row's end.
        at = dict(self.positions)
        self.width = max(at.values()) + 1
        for column in _CHECKED:
            if column not in at:
                at[column] = self.width
                self.width += 1
        self.pick = itemgetter(*(at[column] for column in _CHECKED))

    def check(self, chunk: list[tuple[int, tuple[str, ...]]]) -> list[ImportRejection]:
        """Check a chunk of rows: the valid ones are kept for step 2, the others come back as rejections.

        The loop is written for speed (a million rows): locals instead of attributes, and a fast path
        for a row that is right. A row with any problem goes to `_problems`, which says what is wrong.
        Each row has at least `width` cells (`_check_all` fills a short one up)."""
        pick = self.pick
        i_person = self.positions["personnummer"]
        self._look_up_people({row[i_person] for _line, row in chunk} - self.people.keys())
        rejections: list[ImportRejection] = []
        placed_of, days, values, seen = self.placed, self.days, self.values, self.seen
        for line, row in chunk:
            raw_person, raw_activity, raw_day, raw_status, raw_reason, raw_hours = pick(row)
            pair = (raw_person, raw_activity)
            placed = placed_of.get(pair)
            if placed is None and pair not in placed_of:
                placed = placed_of[pair] = self._placed(raw_person, raw_activity)
            day = days.get(raw_day)
            if day is None:
                day = days[raw_day] = self._parse_day(raw_day)
            given = (raw_status, raw_reason, raw_hours)
            value = values.get(given)
            if value is None and given not in values:
                value = values[given] = self._value(raw_status, raw_reason, raw_hours)
            if placed is not None and value is not None and isinstance(day, int):
                rows, spans, planned = placed
                for start, end, enrolment in spans:
                    if start <= day <= end:  # the placement had the day (`Enrolment.covers`)
                        first = seen.setdefault(enrolment << _DAY_BITS | day, line)
                        if first == line:
                            status, reason, hours = value
                            rows.append(
                                (enrolment, day, status, reason, planned if hours is None else hours, planned)
                            )
                        else:
                            why = _("Samma person, insats och datum finns redan på rad %(line)s.") % {
                                "line": first
                            }
                            rejections.append(self._rejection(line, "datum", raw_day, why))
                        break
                else:
                    rejections.append(self._rejection(line, "datum", raw_day, _outside_placement()))
                continue
            rejections.extend(
                self._rejection(line, column, value, why) for column, value, why in self._problems(pick(row))
            )
        return rejections

    def _rejection(self, line: int, column: str, value: str, why: str) -> ImportRejection:
        return ImportRejection(
            line=line, field=self.names.get(column, column), value=value.strip()[:200], reason=why[:300]
        )

    def _activity(self, raw: str) -> tuple[int, int] | None:
        code = raw.strip()
        return self.activities.get(code) or self.activities.get(code.casefold())

    def _placed(self, raw_person: str, raw_activity: str) -> _Placed | None:
        person = self.people[raw_person]
        activity = self._activity(raw_activity)
        if isinstance(person, str) or activity is None:
            return None
        spans = self.placements.get((person, activity[0]))
        return (self.by_person[person], spans, activity[1]) if spans else None

    def _value(self, raw_status: str, raw_reason: str, raw_hours: str) -> _Value | None:
        """Status, reason and hours as stored, if they go together (`_problems` says why not)."""
        status = _status(raw_status.strip())
        reason_text = raw_reason.strip()
        reason = _reason(reason_text)
        hours = self._hours(raw_hours.strip())
        if status is None or isinstance(hours, str):
            return None
        if (reason == "") if status == _GILTIG else (reason_text != ""):
            return None
        if status != _NARVARANDE:
            return None if hours else (status, reason, 0)
        return (status, reason, hours)

    def _hours(self, raw: str) -> int | str | None:
        if raw in self.hours:
            return self.hours[raw]
        hours = self.hours[raw] = _parse_hours(raw)
        return hours

    def _problems(self, cells: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """(column, value, reason) for each thing wrong with a row, in words a provider understands."""
        raw_person, raw_activity, raw_day, raw_status, raw_reason, raw_hours = (c.strip() for c in cells)
        problems: list[tuple[str, str, str]] = []
        person = self.people[cells[0]]
        if isinstance(person, str):
            problems.append(("personnummer", raw_person, person))
        activity = self._activity(raw_activity)
        if activity is None:
            problems.append(
                (
                    "aktivitet",
                    raw_activity,
                    _("Det finns ingen insats med koden %(code)s.") % {"code": raw_activity}
                    if raw_activity
                    else _("Ange insatsens kod."),
                )
            )
        day = self.days.get(cells[2])
        if day is None:
            day = self.days[cells[2]] = self._parse_day(raw_day)
        if isinstance(day, str):
            problems.append(("datum", raw_day, day))
        status = _status(raw_status)
        if status is None:
            problems.append(
                ("status", raw_status, _("Okänd status. Skriv närvarande, giltig eller ogiltig."))
            )
        reason = _reason(raw_reason)
        if raw_reason and not reason:
            problems.append(
                (
                    "skal",
                    raw_reason,
                    _("Okänt skäl. Skriv sjuk, vård av barn, läkarbesök eller annat giltigt skäl."),
                )
            )
        elif status == _GILTIG and not reason:
            problems.append(("skal", raw_reason, _("Giltig frånvaro behöver ett skäl.")))
        elif status is not None and status != _GILTIG and reason:
            problems.append(("skal", raw_reason, _("Bara giltig frånvaro har ett skäl.")))
        hours = self._hours(raw_hours)
        if isinstance(hours, str):
            problems.append(("timmar", raw_hours, hours))
        elif hours and status is not None and status != _NARVARANDE:
            problems.append(
                (
                    "timmar",
                    raw_hours,
                    _(
                        "Frånvaro har inga närvarotimmar. Var personen där en del av dagen: välj närvarande och skriv timmarna."
                    ),
                )
            )
        if problems or isinstance(person, str) or activity is None or isinstance(day, str) or status is None:
            return problems
        spans = self.placements.get((person, activity[0]))
        if not spans:
            return [("aktivitet", raw_activity, _("Personen har ingen placering i insatsen."))]
        if not any(start <= day <= end for start, end, _pk in spans):
            return [("datum", raw_day, _outside_placement())]
        return []

    def _parse_day(self, raw: str) -> int | str:
        raw = raw.strip()
        if not _ISO_DATE.fullmatch(raw):
            return _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2025-03-14.")
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return _("Datumet finns inte.")
        if day > self.today:
            return _("Datumet har inte varit än. Närvaro kan bara rapporteras för dagar som har varit.")
        return day.toordinal()

    def _look_up_people(self, raws: set[str]) -> None:
        """Parse new identity numbers, find the people, decide access and load their placements."""
        values: dict[str, str] = {}
        for raw in raws:
            text = raw.strip()
            if not text:
                self.people[raw] = _("Ange personnummer.")
                continue
            try:
                # Personnummer and samordningsnummer, or a reserve number (which has letters in it)
                # for someone without either: the same guess as the search box makes.
                values[raw] = parse_identity(text, guess_kind(text), today=self.today).value
            except InvalidIdentity as error:
                self.people[raw] = str(error.message)
        found: dict[str, Participant] = {}
        for part in in_batches(sorted(set(values.values()))):
            for person in Participant.objects.filter(identity_value__in=part).only(
                "pk", "identity_value", "protected_identity"
            ):
                found[person.identity_value] = person
        new = [p for p in found.values() if p.pk not in self.decisions]
        if new:
            self.decisions |= policy.decide_many(self.actor, policy.Action.EDIT, new, DataCategory.NARVARO)
            allowed = [p.pk for p in new if self.decisions[p.pk]]
            self.participants |= {p.pk: p for p in new}
            self._load_placements(allowed)
        for raw, value in values.items():
            match = found.get(value)
            self.people[raw] = (
                match.pk if match is not None and self.decisions[match.pk] else unknown_person_message()
            )

    def _load_placements(self, people: list[int]) -> None:
        for part in in_batches(people):
            rows = (
                Enrolment.objects.filter(participant_id__in=part)
                .exclude(status=EnrolmentStatus.VANTAR)
                .exclude(start__isnull=True)
                .order_by("start", "pk")
                .values_list("pk", "participant_id", "activity_id", "start", "actual_end", "case_id")
            )
            for pk, person, activity, start, end, case_id in rows:
                assert start is not None  # excluded above
                self.placements.setdefault((person, activity), []).append(
                    (start.toordinal(), end.toordinal() if end else _NO_END, pk)
                )
                self.enrolment_case[pk] = case_id


def _status(text: str) -> str | None:
    return STATUSES.get(text) or STATUSES.get(text.casefold())


def _reason(text: str) -> str:
    return (REASONS.get(text) or REASONS.get(text.casefold(), "")) if text else ""


def _outside_placement() -> str:
    return _("Datumet ligger utanför personens placering i insatsen.")


def _hundredths(value: Decimal) -> int:
    return int(value * 100)


def _parse_hours(raw: str) -> int | str | None:
    try:
        hours = parse_hours(raw)
    except ValueError:
        return _("Timmar ska vara ett tal från 0 till 24 med högst två decimaler, till exempel 6,5.")
    return None if hours is None else _hundredths(hours)


# --- Step 2: saving -----------------------------------------------------------------------------------


def _insert(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Plain inserts of many rows, values already in the database's form. PostgreSQL gets COPY,
    several times faster than INSERT for a million rows; SQLite one prepared statement, run many times."""
    column_of = {f.name: f.column for f in model._meta.concrete_fields}
    names = ", ".join(connection.ops.quote_name(column_of[c]) for c in columns)
    quoted = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.connection.cursor() as raw, raw.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            # sqlite3 takes any iterable here, so a million rows are never all in memory at once.
            sql = f"INSERT INTO {quoted} ({names}) VALUES ({placeholders})"  # noqa: S608 - names from the model
            cursor.executemany(sql, cast(Any, rows))


def _copy_lines(model: type[Model], columns: Sequence[str], lines: Iterable[str]) -> None:
    """PostgreSQL's COPY of rows already in its text form (tab between values, a line each), sent in
    blocks: for values that need no escaping, several times faster than `_insert`'s row by row."""
    column_of = {f.name: f.column for f in model._meta.concrete_fields}
    names = ", ".join(connection.ops.quote_name(column_of[c]) for c in columns)
    quoted = connection.ops.quote_name(model._meta.db_table)
    lines = iter(lines)
    sql = f"COPY {quoted} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.connection.cursor() as raw, raw.copy(sql) as copy:
        while block := "".join(islice(lines, 10_000)):
            copy.write(block)


def _new_ids(model: type[Model], count: int) -> list[int]:
    """Ids for rows about to be inserted, so that what refers to them (absence tasks) needs no query back.
    PostgreSQL hands them out from the table's sequence. On SQLite this transaction holds the write
    lock, so the ids after the highest ever used (AUTOINCREMENT's sqlite_sequence) are free."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [pk for (pk,) in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608 - name from the model
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        used = cursor.fetchone()
        start = max(highest, used[0] if used else 0) + 1
    return list(range(start, start + count))


def _hours_text(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


class _Texts(dict[int, str]):
    """Numbers (days, hours) as the database's text, each made once."""

    def __init__(self, make: Callable[[int], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: int) -> str:
        text = self[key] = self.make(key)
        return text


@dataclass(frozen=True)
class _Saved:
    stored: int
    corrected: int
    unchanged: int


@dataclass
class _Saver:
    actor: Any
    batch: ImportBatch
    checker: _Checker
    now: datetime = field(default_factory=timezone.now)
    day_text: dict[int, str] = field(
        default_factory=lambda: _Texts(lambda day: date.fromordinal(day).isoformat())
    )
    hours_text: dict[int, str] = field(default_factory=lambda: _Texts(_hours_text))

    def save(self, rows: dict[int, list[_Row]]) -> _Saved:
        """Save these people's rows in one transaction: new days, corrections, tasks and the audit.
        What is stored is read inside the transaction, so a day registered meanwhile is compared too.
        Safe to call from several threads at once, each on its own connection."""
        # Inside a caller's transaction (a test's) the settings below would outlive this chunk's savepoint.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    # Each chunk is safe to lose in a crash (running the file again stores it), so the
                    # commit need not wait for the disk.
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                    # The foreign keys are checked as each statement ends, not at the commit: by then
                    # this chunk holds the audit trail's lock, and a parallel saver would wait for
                    # checks that need no lock.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            existing = self._existing({row[0] for person_rows in rows.values() for row in person_rows})
            new: list[_Row] = []
            unexcused: list[tuple[int, _Row]] = []  # (person, row) of the new rows that are unexcused
            corrected: list[tuple[_Row, tuple[int, str, str, int]]] = []
            counts: dict[int, list[int]] = {}
            for person, person_rows in rows.items():
                stored = unchanged = changed = 0
                for row in person_rows:
                    before = existing.get(row[0] << _DAY_BITS | row[1]) if existing else None
                    if before is None:
                        if row[2] == _OGILTIG:
                            unexcused.append((person, row))
                        else:
                            new.append(row)
                        stored += 1
                    elif before[1:] == row[2:5]:
                        unchanged += 1
                    else:
                        corrected.append((row, before))
                        changed += 1
                counts[person] = [stored, unchanged, changed]
            # Unexcused days get their ids first: their absence tasks refer to them.
            ids = _new_ids(Attendance, len(unexcused))
            self._insert_new([row for _p, row in unexcused], ids)
            self._insert_new(new)
            self._correct(corrected)
            self._open_tasks(
                [(pk, person, row[0]) for pk, (person, row) in zip(ids, unexcused, strict=True)],
                [before[0] for row, before in corrected if row[2] == _OGILTIG],
            )
            self._audit(counts)
            saved = _Saved(
                stored=len(new) + len(unexcused),
                corrected=len(corrected),
                unchanged=sum(c[1] for c in counts.values()),
            )
            # Added in the database: savers on other connections add theirs to the same row.
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                stored_rows=F("stored_rows") + saved.stored,
                corrected_rows=F("corrected_rows") + saved.corrected,
                unchanged_rows=F("unchanged_rows") + saved.unchanged,
                progressed_at=timezone.now(),
            )
        return saved

    def _existing(self, enrolments: set[int]) -> dict[int, tuple[int, str, str, int]]:
        """(enrolment, day) -> (id, status, reason, hours) of what these placements already have stored."""
        found = {}
        for part in in_batches(sorted(enrolments)):
            rows = Attendance.objects.filter(enrolment_id__in=part).values_list(
                "pk", "enrolment_id", "day", "status", "reason", "attended_hours"
            )
            for pk, enrolment, day, status, reason, hours in rows:
                found[enrolment << _DAY_BITS | day.toordinal()] = (pk, status, reason, _hundredths(hours))
        return found

    def _insert_new(self, new: list[_Row], ids: list[int] | None = None) -> None:
        """New attendance rows; with `ids`, under those ids (else the database numbers them)."""
        days, hours = self.day_text, self.hours_text
        source, batch = Source.IMPORT.value, self.batch.pk
        # No `recorded_by`: the batch's importer registered these rows (see the model).
        columns = ["enrolment", "day", "status", "reason", "planned_hours", "attended_hours"]
        columns += ["note", "source", "import_batch", "recorded_at"]
        if ids is not None:
            columns.insert(0, "id")
        if connection.vendor == "postgresql":
            # Every value is a number, a date or a code: nothing COPY would need escaped.
            tail = f"\t\t{source}\t{batch}\t{self.now.isoformat()}\n"
            lines = (
                f"{enrolment}\t{days[day]}\t{status}\t{reason}\t{hours[planned]}\t{hours[attended]}{tail}"
                for enrolment, day, status, reason, attended, planned in new
            )
            if ids is not None:
                lines = (f"{pk}\t{line}" for pk, line in zip(ids, lines, strict=True))
            _copy_lines(Attendance, columns, lines)
            return
        at = connection.ops.adapt_datetimefield_value(self.now)
        rows: Iterable[tuple[Any, ...]] = (
            (
                enrolment,
                days[day],
                status,
                reason,
                hours[planned],
                hours[attended],
                "",
                source,
                batch,
                at,
            )
            for enrolment, day, status, reason, attended, planned in new
        )
        if ids is not None:
            rows = ((pk, *row) for pk, row in zip(ids, rows, strict=True))
        _insert(Attendance, columns, rows)

    def _correct(self, corrected: list[tuple[_Row, tuple[int, str, str, int]]]) -> None:
        """The screen's correction (`services._correct`) for many rows: the previous value is kept in
        AttendanceCorrection, the row takes the file's value; the absence task follows the new status."""
        if not corrected:
            return
        ids = [before[0] for _row, before in corrected]
        previous: dict[int, tuple[int, datetime]] = {}
        for part in in_batches(ids):
            for pk, by, at in Attendance.objects.filter(pk__in=part).values_list(
                "pk", Coalesce("recorded_by_id", "import_batch__imported_by_id"), "recorded_at"
            ):
                previous[pk] = (by, at)
        adapt = connection.ops.adapt_datetimefield_value
        now = adapt(self.now)
        comment = _("Ändrad av utförarens fil %(file)s (import %(batch)s).") % {
            "file": self.batch.file_name,
            "batch": self.batch.pk,
        }
        _insert(
            AttendanceCorrection,
            (
                "attendance",
                "previous_status",
                "previous_reason",
                "previous_hours",
                "previous_recorded_by",
                "previous_recorded_at",
                "corrected_by",
                "corrected_at",
                "comment",
            ),
            [
                (
                    pk,
                    status,
                    reason,
                    _hours_text(hours),
                    previous[pk][0],
                    adapt(previous[pk][1]),
                    self.actor.pk,
                    now,
                    comment[:300],
                )
                for _row, (pk, status, reason, hours) in corrected
            ],
        )
        table = connection.ops.quote_name(Attendance._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, reason = %s, attended_hours = %s, source = %s, "  # noqa: S608 - names from the model
                "import_batch_id = %s, recorded_by_id = NULL, recorded_at = %s WHERE id = %s",
                [
                    (
                        status,
                        reason,
                        _hours_text(hours),
                        Source.IMPORT.value,
                        self.batch.pk,
                        now,
                        before[0],
                    )
                    for (_e, _d, status, reason, hours, _planned), before in corrected
                ],
            )
        # As `services._sync_task`: a task set aside reopens when the day is unexcused again, an open
        # task is set aside when it no longer is. A missing task is opened by `_open_tasks`.
        status_of = {before[0]: row[2] for row, before in corrected}
        reopen, set_aside = [], []
        for part in in_batches(ids):
            for task, attendance, status in AbsenceTask.objects.filter(attendance_id__in=part).values_list(
                "pk", "attendance_id", "status"
            ):
                unexcused = status_of[attendance] == _OGILTIG
                if unexcused and status == TaskStatus.INAKTUELL:
                    reopen.append(task)
                elif not unexcused and status == TaskStatus.OPPEN:
                    set_aside.append(task)
        for tasks, status in ((reopen, TaskStatus.OPPEN), (set_aside, TaskStatus.INAKTUELL)):
            for part in in_batches(tasks):
                AbsenceTask.objects.filter(pk__in=part).update(status=status)

    def _open_tasks(self, new: list[tuple[int, int, int]], corrected_to_unexcused: list[int]) -> None:
        """One task per unexcused day that has none, for the responsible handläggare
        (`services.economic_assistance_caseworkers`, decided for all these people at once). `new` holds
        (attendance, person, placement) of new unexcused rows; a corrected row may already have one."""
        missing = list(new)
        for part in in_batches(corrected_to_unexcused):
            missing += Attendance.objects.filter(pk__in=part, task__isnull=True).values_list(
                "pk", "enrolment__participant_id", "enrolment_id"
            )
        if not missing:
            return
        owners = economic_assistance_caseworkers({p for _a, p, _e in missing})
        fallback_cases = {self.checker.enrolment_case[e] for _a, p, e in missing if p not in owners}
        fallback: dict[int, int | None] = {}
        for part in in_batches(sorted(fallback_cases)):
            fallback |= dict(Case.objects.filter(pk__in=part).values_list("pk", "responsible_id"))
        tasks: list[tuple[int, int, int, int | None]] = []  # (attendance, person, case, handläggare)
        for attendance, person, enrolment in missing:
            if person in owners:
                tasks.append((attendance, person, *owners[person]))
            else:
                case_id = self.checker.enrolment_case[enrolment]
                tasks.append((attendance, person, case_id, fallback[case_id]))
        columns = ("attendance", "participant", "case", "assigned_to", "status", "created_at", "handled_note")
        opened = TaskStatus.OPPEN.value
        if connection.vendor == "postgresql":
            # Numbers, a code and a time: nothing COPY would need escaped (\N is its empty value).
            tail, nobody = f"\t{opened}\t{self.now.isoformat()}\t\n", "\\N"
            lines = (
                f"{attendance}\t{person}\t{case_id}\t{nobody if handlaggare is None else handlaggare}{tail}"
                for attendance, person, case_id, handlaggare in tasks
            )
            _copy_lines(AbsenceTask, columns, lines)
            return
        created = connection.ops.adapt_datetimefield_value(self.now)
        _insert(AbsenceTask, columns, [(*task, opened, created, "") for task in tasks])

    def _audit(self, counts: dict[int, list[int]]) -> None:
        """One event per person whose attendance this import changed, with the number of days."""
        entries = [
            audit.Entry(
                action="attendance.imported",
                participant=self.checker.participants[person],
                target=self.batch,
                category=DataCategory.NARVARO,
                purpose="narvaro",
                legal_ground=self.checker.decisions[person].legal_ground,
                detail={
                    "batch": self.batch.pk,
                    "stored": stored,
                    "unchanged": unchanged,
                    "corrected": changed,
                },
            )
            for person, (stored, unchanged, changed) in counts.items()
            if stored or changed
        ]
        audit.record_many(actor=self.actor, entries=entries)


# --- The import ---------------------------------------------------------------------------------------


def import_attendance(
    *, actor: Any, path_or_file: str | Path | IO[bytes], file_name: str, progress: Progress | None = None
) -> ImportBatch:
    """Import a provider's attendance file. Returns the batch: `klar` with its counts and rejections,
    or `misslyckades` with `error` saying what is wrong with the file."""
    batch = begin_import(actor=actor, path_or_file=path_or_file, file_name=file_name)
    return run_import(batch=batch, path_or_file=path_or_file, progress=progress)


def begin_import(*, actor: Any, path_or_file: str | Path | IO[bytes], file_name: str) -> ImportBatch:
    """The batch row, created at once so that a page can show it while `run_import` works."""
    with _opened(path_or_file) as stream:
        digest, lines = _digest_and_lines(stream)
    return ImportBatch.objects.create(
        file_name=file_name[:255], file_sha256=digest, imported_by=actor, total_rows=max(0, lines - 1)
    )


def run_import(
    *, batch: ImportBatch, path_or_file: str | Path | IO[bytes], progress: Progress | None = None
) -> ImportBatch:
    """Check and save the file's rows as the batch's importer, with that user's access."""
    actor = batch.imported_by
    report = progress or (lambda batch: None)
    with _opened(path_or_file) as stream:
        close: Callable[[], object] = lambda: None  # noqa: E731
        try:
            head = stream.read(8)
            stream.seek(0)
            if head.startswith(b"PK\x03\x04"):
                header, rows, close = _xlsx_rows(stream)
            elif head.startswith(b"\xd0\xcf\x11\xe0"):
                raise ImportFileError(
                    _("Filen är i det gamla Excelformatet (.xls). Spara den som .xlsx eller CSV.")
                )
            else:
                header, rows, close = _csv_rows(stream)
            positions, names = _columns(header)
            checker = _Checker(actor=actor, positions=positions, names=names)
            _check_all(batch, checker, rows, report)
            _save_all(actor, batch, checker, report)
        except ImportFileError as error:
            _fail(batch, str(error.message))
            report(batch)
            return batch
        except Exception:
            _fail(
                batch,
                _("Importen avbröts av ett fel i systemet. Det som hann sparas finns kvar; kör filen igen."),
            )
            raise
        finally:
            close()
    batch.status = ImportStatus.KLAR
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "finished_at"])
    report(batch)
    return batch


@contextmanager
def _opened(path_or_file: str | Path | IO[bytes]) -> Iterator[IO[bytes]]:
    if isinstance(path_or_file, (str, Path)):
        with open(path_or_file, "rb") as stream:
            yield stream
    else:
        path_or_file.seek(0)
        yield path_or_file


def _fail(batch: ImportBatch, message: str) -> None:
    batch.status = ImportStatus.MISSLYCKADES
    batch.error = message
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "error", "finished_at"])


def _check_all(batch: ImportBatch, checker: _Checker, rows: Rows, report: Progress) -> None:
    processed = 0
    chunk: list[tuple[int, tuple[str, ...]]] = []
    width = checker.width

    def flush(last: bool) -> None:
        nonlocal chunk, processed
        rejections = checker.check(chunk)
        processed += len(chunk)
        rejected_lines = len({r.line for r in rejections})
        with transaction.atomic():
            for part in in_batches(rejections):
                for rejection in part:
                    rejection.batch = batch
                ImportRejection.objects.bulk_create(part)
            batch.processed_rows = processed
            batch.progressed_at = timezone.now()
            batch.rejected_rows += rejected_lines
            # The line count was an estimate (blank lines, values spanning lines); now it is known.
            batch.total_rows = processed if last else max(batch.total_rows, processed)
            batch.save(update_fields=["processed_rows", "progressed_at", "rejected_rows", "total_rows"])
        chunk = []
        report(batch)

    for line, cells in rows:
        if not any(cells):
            continue  # blank lines are not rows
        if len(cells) < width:
            cells += [""] * (width - len(cells))
        # As a tuple of strings the row is soon no business of Python's cycle collector: lists held
        # until the chunk is checked would each be scanned again and again (seconds per million).
        chunk.append((line, tuple(cells)))
        if len(chunk) >= CHUNK_ROWS:
            flush(last=False)
    flush(last=True)


def _save_all(actor: Any, batch: ImportBatch, checker: _Checker, report: Progress) -> None:
    saver = _Saver(actor=actor, batch=batch, checker=checker)
    chunks = _chunks_by_person(checker)

    def saved(counts: _Saved) -> None:
        batch.stored_rows += counts.stored
        batch.corrected_rows += counts.corrected
        batch.unchanged_rows += counts.unchanged
        report(batch)

    # Only PostgreSQL takes writers side by side; inside a caller's transaction (a test's, say) other
    # connections would not see its rows.
    if connection.vendor != "postgresql" or connection.in_atomic_block or len(chunks) < 2:
        for rows in chunks:
            saved(saver.save(rows))
        return
    _save_side_by_side(saver, chunks, saved)


def _chunks_by_person(checker: _Checker) -> list[dict[int, list[_Row]]]:
    """The checked rows in chunks of about CHUNK_ROWS, each person's rows whole in one chunk (a person's
    audit event and counts are per chunk)."""
    chunks: list[dict[int, list[_Row]]] = []
    chunk: dict[int, list[_Row]] = {}
    size = 0
    for person in sorted(checker.by_person):
        rows = chunk[person] = checker.by_person.pop(person)
        size += len(rows)
        if size >= CHUNK_ROWS:
            chunks.append(chunk)
            chunk, size = {}, 0
    if chunk:
        chunks.append(chunk)
    return chunks


def _save_side_by_side(
    saver: _Saver, chunks: list[dict[int, list[_Row]]], saved: Callable[[_Saved], None]
) -> None:
    """The chunks saved by SAVING_CONNECTIONS threads, each on its own connection, so that one chunk's
    rows are checked and written while another's transaction commits. Progress is reported here, in
    the calling thread. A failure stops the others after their current chunk and is raised here: what
    was committed stays, and running the file again stores the rest."""
    waiting: queue.SimpleQueue[dict[int, list[_Row]]] = queue.SimpleQueue()
    for chunk in chunks:
        waiting.put(chunk)
    done: queue.SimpleQueue[_Saved | BaseException] = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        try:
            while not stop.is_set():
                try:
                    chunk = waiting.get_nowait()
                except queue.Empty:
                    return
                done.put(saver.save(chunk))
        except BaseException as error:  # handed to the calling thread, which raises it
            stop.set()
            done.put(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(SAVING_CONNECTIONS)]
    for thread in threads:
        thread.start()
    failure: BaseException | None = None
    try:
        for _chunk in chunks:
            outcome = done.get()
            if isinstance(outcome, BaseException):
                failure = outcome
                break
            saved(outcome)
    finally:
        stop.set()  # also when this thread is interrupted (Ctrl-C in the command)
        for thread in threads:
            thread.join()
    if failure is not None:
        raise failure


# --- The rejected rows as a file ----------------------------------------------------------------------


class _Line:
    """A file-like object that hands back what csv.writer writes, one row at a time."""

    def write(self, text: str) -> str:
        return text


def rejections_csv(batch: ImportBatch) -> Iterator[str]:
    """The rejected rows as CSV for Excel (UTF-8 with BOM, ";"): line, column, value, reason."""
    writer = csv.writer(_Line(), delimiter=";")
    yield "\ufeff" + writer.writerow([_("rad"), _("fält"), _("värde"), _("skäl")])
    rows = batch.rejections.order_by("line", "pk").values_list("line", "field", "value", "reason")
    for row in rows.iterator(chunk_size=5000):
        yield writer.writerow([safe_cell(value) for value in row])
