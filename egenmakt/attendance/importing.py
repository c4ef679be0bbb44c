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
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NamedTuple, cast

from django.db import connection, transaction
from django.db.models import Model
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
from egenmakt.attendance.services import AttendanceError, parse_hours
from egenmakt.audit import services as audit
from egenmakt.cases.models import Case, CaseType
from egenmakt.lib.categories import DataCategory
from egenmakt.lib.identity import InvalidIdentity, parse_personnummer
from egenmakt.lib.spreadsheet import safe_cell
from egenmakt.people.models import Participant

# Rows checked per lookup round, and rows written per transaction. Large enough that the fixed cost
# of the queries disappears, small enough that progress moves about once a second.
CHUNK_ROWS = 50_000
# Ids per IN (...) list: SQLite allows some 32 000 parameters per statement.
_IDS_PER_QUERY = 5_000
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


class _Row(NamedTuple):
    """A valid row, as stored. A tuple: a million of them are held until step 2."""

    line: int
    enrolment_id: int
    day: int  # date.toordinal()
    status: str
    reason: str
    hours: int  # hundredths of an hour
    planned: int


@dataclass(slots=True)
class _Placement:
    enrolment_id: int
    start: int
    end: int | None
    case_id: int


@dataclass
class _Checker:
    """Validates rows; looks each person, activity and placement up once, in bulk, per import."""

    actor: Any
    positions: dict[str, int]
    names: dict[str, str]
    today: date = field(default_factory=timezone.localdate)
    # raw personnummer -> participant id, or the reason it is rejected
    people: dict[str, int | str] = field(default_factory=dict)
    participants: dict[int, Participant] = field(default_factory=dict)
    decisions: dict[int, policy.AccessDecision] = field(default_factory=dict)
    placements: dict[tuple[int, int], list[_Placement]] = field(default_factory=dict)
    enrolment_case: dict[int, int] = field(default_factory=dict)
    activities: dict[str, tuple[int, int]] = field(default_factory=dict)  # code -> (id, planned hundredths)
    days: dict[str, int | str] = field(default_factory=dict)
    hours: dict[str, int | str | None] = field(default_factory=lambda: {"": None})
    seen: dict[int, int] = field(default_factory=dict)  # (enrolment, day) key -> line
    by_person: dict[int, list[_Row]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        exact: dict[str, tuple[int, int]] = {}
        folded: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for pk, code, planned in Activity.objects.values_list("pk", "code", "hours_per_day"):
            found = (pk, _hundredths(planned))
            exact[code] = found
            folded[code.casefold()].append(found)
        # "sfi-a1" finds "SFI-A1" as long as only one code reads the same in any case.
        self.activities = {code: ids[0] for code, ids in folded.items() if len(ids) == 1} | exact

    def cell(self, row: list[str], column: str) -> str:
        index = self.positions.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    def check(self, chunk: list[tuple[int, list[str]]]) -> list[ImportRejection]:
        """Check a chunk of rows: the valid ones are kept for step 2, the others come back as rejections.

        The loop is written for speed (a million rows): locals instead of attributes, and a fast path
        for a row that is right. A row with any problem goes to `_problems`, which says what is wrong."""
        self._look_up_people({self.cell(row, "personnummer") for _line, row in chunk} - self.people.keys())
        rejections: list[ImportRejection] = []
        at = self.positions
        i_person, i_activity, i_day, i_status = at["personnummer"], at["aktivitet"], at["datum"], at["status"]
        i_hours, i_reason = at.get("timmar"), at.get("skal")
        width = max(at.values()) + 1
        people, activities, days, hour_values = self.people, self.activities, self.days, self.hours
        placements, seen, by_person = self.placements, self.seen, self.by_person
        for line, row in chunk:
            if len(row) < width:
                row = [*row, *[""] * (width - len(row))]
            person = people[row[i_person].strip()]
            raw_activity = row[i_activity].strip()
            activity = activities.get(raw_activity) or activities.get(raw_activity.casefold())
            raw_day = row[i_day].strip()
            day = days.get(raw_day)
            if day is None:
                day = days[raw_day] = self._parse_day(raw_day)
            raw_status = row[i_status].strip()
            status = STATUSES.get(raw_status) or STATUSES.get(raw_status.casefold())
            raw_reason = row[i_reason].strip() if i_reason is not None else ""
            reason = (REASONS.get(raw_reason) or REASONS.get(raw_reason.casefold(), "")) if raw_reason else ""
            raw_hours = row[i_hours].strip() if i_hours is not None else ""
            hours = hour_values.get(raw_hours, -1)
            if hours == -1:
                hours = hour_values[raw_hours] = _parse_hours(raw_hours)
            if (
                isinstance(person, int)
                and activity is not None
                and isinstance(day, int)
                and status is not None
                and (reason != "" if status == _GILTIG else raw_reason == "")
                and not isinstance(hours, str)
                and (not hours or status == _NARVARANDE)
            ):
                placement = _covering(placements.get((person, activity[0]), ()), day)
                if placement is not None:
                    key = placement.enrolment_id << _DAY_BITS | day
                    first = seen.get(key)
                    if first is None:
                        seen[key] = line
                        planned = activity[1]
                        attended = hours if hours is not None else (planned if status == _NARVARANDE else 0)
                        by_person[person].append(
                            _Row(line, placement.enrolment_id, day, status, reason, attended, planned)
                        )
                    else:
                        why = _("Samma person, insats och datum finns redan på rad %(line)s.") % {
                            "line": first
                        }
                        rejections.append(
                            ImportRejection(line=line, field=self.names["datum"], value=raw_day, reason=why)
                        )
                    continue
            rejections.extend(
                ImportRejection(
                    line=line, field=self.names.get(column, column), value=value[:200], reason=why[:300]
                )
                for column, value, why in self._problems(row)
            )
        return rejections

    def _problems(self, row: list[str]) -> list[tuple[str, str, str]]:
        """(column, value, reason) for each thing wrong with a row, in words a provider understands."""
        problems: list[tuple[str, str, str]] = []
        raw_person = self.cell(row, "personnummer")
        person = self.people[raw_person]
        if isinstance(person, str):
            problems.append(("personnummer", raw_person, person))
        raw_activity = self.cell(row, "aktivitet")
        activity = self.activities.get(raw_activity) or self.activities.get(raw_activity.casefold())
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
        raw_day = self.cell(row, "datum")
        day = self.days.get(raw_day)
        if day is None:
            day = self.days[raw_day] = self._parse_day(raw_day)
        if isinstance(day, str):
            problems.append(("datum", raw_day, day))
        raw_status = self.cell(row, "status")
        status = STATUSES.get(raw_status) or STATUSES.get(raw_status.casefold())
        if status is None:
            problems.append(
                ("status", raw_status, _("Okänd status. Skriv närvarande, giltig eller ogiltig."))
            )
        raw_reason = self.cell(row, "skal")
        reason = (REASONS.get(raw_reason) or REASONS.get(raw_reason.casefold(), "")) if raw_reason else ""
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
        raw_hours = self.cell(row, "timmar")
        if raw_hours in self.hours:
            hours = self.hours[raw_hours]
        else:
            hours = self.hours[raw_hours] = _parse_hours(raw_hours)
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
        placements = self.placements.get((person, activity[0]))
        if not placements:
            return [("aktivitet", raw_activity, _("Personen har ingen placering i insatsen."))]
        if _covering(placements, day) is None:
            return [("datum", raw_day, _("Datumet ligger utanför personens placering i insatsen."))]
        return []

    def _parse_day(self, raw: str) -> int | str:
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
        """Parse new personnummer, find the people, decide access and load their placements."""
        values: dict[str, str] = {}
        for raw in raws:
            if not raw:
                self.people[raw] = _("Ange personnummer.")
                continue
            try:
                values[raw] = parse_personnummer(raw, today=self.today).value
            except InvalidIdentity as error:
                self.people[raw] = str(error.message)
        found: dict[str, Participant] = {}
        for part in _batches(sorted(set(values.values()))):
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
        for part in _batches(people):
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
                    _Placement(pk, start.toordinal(), end.toordinal() if end else None, case_id)
                )
                self.enrolment_case[pk] = case_id


def _covering(placements: Iterable[_Placement], day: int) -> _Placement | None:
    """The placement that had the day (`Enrolment.covers`)."""
    for placement in placements:
        if placement.start <= day and (placement.end is None or day <= placement.end):
            return placement
    return None


def _hundredths(value: Decimal) -> int:
    return int(value * 100)


def _parse_hours(raw: str) -> int | str | None:
    try:
        hours = parse_hours(raw)
    except ValueError:
        return _("Timmar ska vara ett tal från 0 till 24 med högst två decimaler, till exempel 6,5.")
    return None if hours is None else _hundredths(hours)


def _batches(items: Sequence[int] | Sequence[str], size: int = _IDS_PER_QUERY) -> Iterator[Any]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


@dataclass
class _Saver:
    actor: Any
    batch: ImportBatch
    checker: _Checker
    now: datetime = field(default_factory=timezone.now)
    day_text: dict[int, str] = field(default_factory=dict)

    def save(self, people: list[int]) -> None:
        """Save these people's rows in one transaction: new days, corrections, tasks and the audit.
        What is stored is read inside the transaction, so a day registered meanwhile is compared too."""
        rows = {p: self.checker.by_person.pop(p) for p in people}
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Each chunk is safe to lose in a crash (running the file again stores it), so the
                # commit need not wait for the disk.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            existing = self._existing(people)
            new: list[tuple[int, _Row]] = []
            corrected: list[tuple[int, _Row, tuple[int, str, str, int]]] = []
            counts: dict[int, list[int]] = {}
            for person, person_rows in rows.items():
                stored = unchanged = changed = 0
                for row in person_rows:
                    before = existing.get(row.enrolment_id << _DAY_BITS | row.day)
                    if before is None:
                        new.append((person, row))
                        stored += 1
                    elif before[1:] == (row.status, row.reason, row.hours):
                        unchanged += 1
                    else:
                        corrected.append((person, row, before))
                        changed += 1
                counts[person] = [stored, unchanged, changed]
            # Unexcused days get their ids first: their absence tasks refer to them.
            unexcused = [(person, row) for person, row in new if row.status == _OGILTIG]
            ids = _new_ids(Attendance, len(unexcused))
            self._insert_new(unexcused, ids)
            self._insert_new([(person, row) for person, row in new if row.status != _OGILTIG])
            self._correct(corrected)
            self._open_tasks(
                [(pk, person, row.enrolment_id) for pk, (person, row) in zip(ids, unexcused, strict=True)],
                [before[0] for _p, row, before in corrected if row.status == _OGILTIG],
            )
            self._audit(counts)
            batch = self.batch
            batch.stored_rows += len(new)
            batch.corrected_rows += len(corrected)
            batch.unchanged_rows += sum(c[1] for c in counts.values())
            batch.save(update_fields=["stored_rows", "corrected_rows", "unchanged_rows"])

    def _existing(self, people: list[int]) -> dict[int, tuple[int, str, str, int]]:
        """(enrolment, day) -> (id, status, reason, hours) of what these people already have stored."""
        found = {}
        for part in _batches(people):
            rows = Attendance.objects.filter(participant_id__in=part).values_list(
                "pk", "enrolment_id", "day", "status", "reason", "attended_hours"
            )
            for pk, enrolment, day, status, reason, hours in rows:
                found[enrolment << _DAY_BITS | day.toordinal()] = (pk, status, reason, _hundredths(hours))
        return found

    def _day(self, ordinal: int) -> str:
        text = self.day_text.get(ordinal)
        if text is None:
            text = self.day_text[ordinal] = date.fromordinal(ordinal).isoformat()
        return text

    def _insert_new(self, new: list[tuple[int, _Row]], ids: list[int] | None = None) -> None:
        """New attendance rows; with `ids`, under those ids (else the database numbers them)."""
        recorded_at = connection.ops.adapt_datetimefield_value(self.now)
        batch, actor, source = self.batch.pk, self.actor.pk, Source.IMPORT.value
        hours = {h: _hours_text(h) for h in {r.hours for _p, r in new} | {r.planned for _p, r in new}}
        rows = (
            (
                row.enrolment_id,
                person,
                self._day(row.day),
                row.status,
                row.reason,
                hours[row.planned],
                hours[row.hours],
                "",
                source,
                batch,
                actor,
                recorded_at,
            )
            for person, row in new
        )
        columns = (
            "enrolment",
            "participant",
            "day",
            "status",
            "reason",
            "planned_hours",
            "attended_hours",
            "note",
            "source",
            "import_batch",
            "recorded_by",
            "recorded_at",
        )
        if ids is None:
            _insert(Attendance, columns, rows)
        else:
            _insert(Attendance, ("id", *columns), ((pk, *row) for pk, row in zip(ids, rows, strict=True)))

    def _correct(self, corrected: list[tuple[int, _Row, tuple[int, str, str, int]]]) -> None:
        """The screen's correction (`services._correct`) for many rows: the previous value is kept in
        AttendanceCorrection, the row takes the file's value; the absence task follows the new status."""
        if not corrected:
            return
        ids = [before[0] for _p, _r, before in corrected]
        previous: dict[int, tuple[int, datetime]] = {}
        for part in _batches(ids):
            for pk, by, at in Attendance.objects.filter(pk__in=part).values_list(
                "pk", "recorded_by_id", "recorded_at"
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
                for _p, _r, (pk, status, reason, hours) in corrected
            ],
        )
        table = connection.ops.quote_name(Attendance._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, reason = %s, attended_hours = %s, source = %s, "  # noqa: S608 - names from the model
                "import_batch_id = %s, recorded_by_id = %s, recorded_at = %s WHERE id = %s",
                [
                    (
                        row.status,
                        row.reason,
                        _hours_text(row.hours),
                        Source.IMPORT.value,
                        self.batch.pk,
                        self.actor.pk,
                        now,
                        before[0],
                    )
                    for _p, row, before in corrected
                ],
            )
        # As `services._sync_task`: a task set aside reopens when the day is unexcused again, an open
        # task is set aside when it no longer is. A missing task is opened by `_open_tasks`.
        status_of = {before[0]: row.status for _p, row, before in corrected}
        reopen, set_aside = [], []
        for part in _batches(ids):
            for task, attendance, status in AbsenceTask.objects.filter(attendance_id__in=part).values_list(
                "pk", "attendance_id", "status"
            ):
                unexcused = status_of[attendance] == _OGILTIG
                if unexcused and status == TaskStatus.INAKTUELL:
                    reopen.append(task)
                elif not unexcused and status == TaskStatus.OPPEN:
                    set_aside.append(task)
        for tasks, status in ((reopen, TaskStatus.OPPEN), (set_aside, TaskStatus.INAKTUELL)):
            for part in _batches(tasks):
                AbsenceTask.objects.filter(pk__in=part).update(status=status)

    def _open_tasks(self, new: list[tuple[int, int, int]], corrected_to_unexcused: list[int]) -> None:
        """One task per unexcused day that has none, for the responsible handläggare
        (`services.responsible_handlaggare`, decided for all these people at once). `new` holds
        (attendance, person, placement) of new unexcused rows; a corrected row may already have one."""
        missing = list(new)
        for part in _batches(corrected_to_unexcused):
            missing += Attendance.objects.filter(pk__in=part, task__isnull=True).values_list(
                "pk", "participant_id", "enrolment_id"
            )
        if not missing:
            return
        owners = _responsible_for_many({p for _a, p, _e in missing})
        fallback_cases = {self.checker.enrolment_case[e] for _a, p, e in missing if p not in owners}
        fallback: dict[int, int | None] = {}
        for part in _batches(sorted(fallback_cases)):
            fallback |= dict(Case.objects.filter(pk__in=part).values_list("pk", "responsible_id"))
        created = connection.ops.adapt_datetimefield_value(self.now)
        tasks = []
        handlaggare: int | None
        for attendance, person, enrolment in missing:
            if person in owners:
                case_id, handlaggare = owners[person]
            else:
                case_id = self.checker.enrolment_case[enrolment]
                handlaggare = fallback[case_id]
            tasks.append((attendance, person, case_id, handlaggare, TaskStatus.OPPEN.value, created, ""))
        _insert(
            AbsenceTask,
            ("attendance", "participant", "case", "assigned_to", "status", "created_at", "handled_note"),
            tasks,
        )

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


def _responsible_for_many(people: set[int]) -> dict[int, tuple[int, int]]:
    """person -> (case, handläggare) of their newest open economic-assistance case with a responsible
    handläggare: `services.responsible_handlaggare` for many people. Those without one fall back to
    the case of the placement."""
    found: dict[int, tuple[int, int]] = {}
    for part in _batches(sorted(people)):
        rows = (
            Case.objects.filter(
                participant_id__in=part,
                case_type=CaseType.EKONOMISKT_BISTAND,
                closed_on__isnull=True,
                responsible__isnull=False,
            )
            .order_by("participant_id", "-opened_on")
            .values_list("participant_id", "pk", "responsible_id")
        )
        for person, case_id, responsible in rows:
            found.setdefault(person, (case_id, responsible))
    return found


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
    chunk: list[tuple[int, list[str]]] = []

    def flush(last: bool) -> None:
        nonlocal chunk, processed
        rejections = checker.check(chunk)
        processed += len(chunk)
        rejected_lines = len({r.line for r in rejections})
        with transaction.atomic():
            for part in _batches(rejections):  # type: ignore[arg-type]
                for rejection in part:
                    rejection.batch = batch
                ImportRejection.objects.bulk_create(part)
            batch.processed_rows = processed
            batch.rejected_rows += rejected_lines
            # The line count was an estimate (blank lines, values spanning lines); now it is known.
            batch.total_rows = processed if last else max(batch.total_rows, processed)
            batch.save(update_fields=["processed_rows", "rejected_rows", "total_rows"])
        chunk = []
        report(batch)

    for line, cells in rows:
        if not any(cells):
            continue  # blank lines are not rows
        chunk.append((line, cells))
        if len(chunk) >= CHUNK_ROWS:
            flush(last=False)
    flush(last=True)


def _save_all(actor: Any, batch: ImportBatch, checker: _Checker, report: Progress) -> None:
    saver = _Saver(actor=actor, batch=batch, checker=checker)
    people: list[int] = []
    size = 0
    for person in sorted(checker.by_person):
        people.append(person)
        size += len(checker.by_person[person])
        if size >= CHUNK_ROWS:
            saver.save(people)
            report(batch)
            people, size = [], 0
    if people:
        saver.save(people)


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
