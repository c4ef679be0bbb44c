"""Reading the operational database: ADBC and Django's connection give the same tables; the pipeline's
target-group flags are the same rule as people/target_groups.py; and the whole chain from recorded
decisions to a stored report."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
from django.db import connection

from egenmakt.analytics import extract, pipeline, services
from egenmakt.analytics.models import OutcomeReport
from egenmakt.audit.models import AuditEvent
from egenmakt.benefits.models import Decision, DecisionKind
from egenmakt.outcomes import services as outcomes
from egenmakt.people.models import Household, Participant
from egenmakt.people.services import create_participant
from egenmakt.people.target_groups import target_groups_for
from egenmakt.test import Personas, details, valid_pnr


def _people(personas: Personas) -> list[Participant]:
    """People who fall in and out of the target groups, born and arrived on the 1st (the pipeline counts
    in whole months, the page's rule in days; on the 1st the two agree)."""
    made = []
    specs: list[tuple[str, str, dict[str, Any]]] = [
        ("20030301", "002", {"occupation": "arbetssokande"}),  # young, not working or studying
        ("19800101", "002", {"country_of_birth": "SY", "arrival_date": date(2024, 2, 1)}),  # arrived 2024
        ("19750501", "002", {"country_of_birth": "SO", "arrival_date": date(2010, 1, 1), "has_bankid": True}),
        ("19900101", "013", {"has_disability": True, "has_bankid": True, "email": "a@example.se"}),
        ("20000101", "013", {"occupation": "studier", "letters_only": True}),
    ]
    for number, (birth, serial, extra) in enumerate(specs):
        made.append(
            create_participant(
                actor=personas.anna,
                details=details(valid_pnr(birth, serial), "Test", f"Person{number}", **extra),
            )
        )
    return made


@pytest.mark.django_db
def test_target_group_flags_are_the_same_rule_as_the_pages(personas: Personas) -> None:
    people = [*_people(personas), personas.lina, personas.omar]
    on = date(2025, 6, 1)
    tables = extract.read_with_django()
    f = pipeline.frames({**tables, "months": tables["months"]}, data_end=outcomes.month_index(on))
    at = outcomes.month_index(on)
    ids = ibis.memtable(pa.table({"participant_id": pa.array([p.pk for p in people], pa.int64())}))
    flags = ibis.duckdb.connect().execute(pipeline._person_columns(f, ids, ibis.literal(at)))
    for person in people:
        row = flags[flags.participant_id == person.pk].iloc[0]
        expected = {g.code for g in target_groups_for(person, on)}
        got = {c.removeprefix("tg_") for c in flags.columns if c.startswith("tg_") and bool(row[c])}
        assert got == expected, person


def _history(personas: Personas) -> None:
    case = personas.lina_case
    case.opened_on = date(2024, 1, 3)
    case.save()
    for month in (1, 2, 3):
        first = date(2024, month, 1)
        Decision.objects.create(
            kind=DecisionKind.BISTAND,
            case=case,
            household=_household(personas),
            participant=personas.lina,
            month=first,
            period_start=first,
            period_end=first.replace(day=28),
            law_version="SoL2001",
            amount=4000,
            decided_by=personas.anna,
        )
    outcomes.register_exit(actor=personas.anna, case=case, on=date(2024, 3, 20), reason="arbete")
    outcomes.refresh(actor=None, through=date(2025, 6, 1))


def _household(personas: Personas) -> Household:
    return Household.objects.first() or Household.objects.create()


def _rows(table: pa.Table) -> list[tuple[object, ...]]:
    return sorted(tuple(row.values()) for row in table.to_pylist())


@pytest.mark.django_db(transaction=True)
def test_adbc_reads_what_django_reads(personas: Personas, tmp_path: Path) -> None:
    _people(personas)
    _history(personas)
    by_django = extract.read_with_django()
    if connection.vendor == "postgresql":
        assert extract.adbc_possible()
        found = extract.extract(reader="auto")
        assert found.reader == "adbc"
        by_adbc = found.tables
    else:
        # The test database lives in memory, where no other driver can open it: copy it to a file first.
        copy = tmp_path / "copy.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        import adbc_driver_sqlite.dbapi as adbc_sqlite

        with adbc_sqlite.connect(str(copy)) as adbc:
            by_adbc = extract.read_with_adbc(adbc, vendor="sqlite")
    assert set(by_adbc) == set(by_django)
    for name in by_django:
        assert by_adbc[name].column_names == by_django[name].column_names, name
        assert _rows(by_adbc[name]) == _rows(by_django[name]), name
    months = by_django["months"]
    assert months.num_rows == 18  # Jan 2024 to Jun 2025
    assert months.column("month").type == pa.int32()


@pytest.mark.django_db
def test_a_report_is_computed_stored_and_logged(personas: Personas) -> None:
    with pytest.raises(services.AnalyticsError):
        services.compute(actor=personas.alva)
    _history(personas)
    stored = services.compute(actor=personas.alva, models=False)
    assert stored.data_end == date(2025, 6, 1) and stored.engine == "duckdb"
    found = services.latest()
    assert found is not None and found[0] == stored
    built = found[1]
    assert (built.periods, built.people) == (1, 1)
    cell = next(
        s for s in built.shares if s.indicator == "arbete_studier_3m_efter_avslut" and s.dimension == "alla"
    )
    assert (cell.numerator, cell.denominator) == (
        0,
        1,
    )  # work from the exit, but the 3-month point is unrecorded
    assert OutcomeReport.objects.count() == 1
    assert AuditEvent.objects.filter(action="outcome_report.computed").count() == 1
