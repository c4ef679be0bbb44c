from __future__ import annotations

import itertools
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase

from egenmakt.accounts.models import User
from egenmakt.audit import services as audit
from egenmakt.audit.chain import event_hash
from egenmakt.audit.models import AuditEvent
from egenmakt.audit.services import AuditOutsideTransaction


def _tamper(sql: str, params: list[str | int]) -> None:
    """Change the table behind the application's back, as someone with database access could.

    On PostgreSQL the append-only trigger must be switched off first, which takes the table owner.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Foreign-key checks are deferred to commit; settle them so the table may be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_no_update_or_delete"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_no_update_or_delete")


class AuditChainTestCase(TestCase):
    def setUp(self) -> None:
        self.user = User.objects.create_user(username="anna", first_name="Anna", last_name="A")
        with transaction.atomic():
            for n in range(5):
                audit.record(actor=self.user, action="participant.viewed", purpose="test", detail={"n": n})

    def verify(self) -> str:
        out = StringIO()
        call_command("verify_audit", stdout=out)
        return out.getvalue()

    def test_it_chains_events_in_a_gap_free_sequence(self) -> None:
        events = list(AuditEvent.objects.order_by("seq"))
        self.assertEqual([e.seq for e in events], [1, 2, 3, 4, 5])
        for before, after in itertools.pairwise(events):
            self.assertEqual(after.prev_hash, before.hash)
        self.assertIn("intact: 5 events", self.verify())

    def test_it_names_the_first_edited_event(self) -> None:
        third = AuditEvent.objects.get(seq=3)
        _tamper("UPDATE audit_auditevent SET purpose = %s WHERE id = %s", ["ändrat i efterhand", third.pk])
        with self.assertRaisesMessage(CommandError, "broken at event #3"):
            self.verify()

    def test_it_names_a_deleted_event(self) -> None:
        second = AuditEvent.objects.get(seq=2)
        _tamper("DELETE FROM audit_auditevent WHERE id = %s", [second.pk])
        with self.assertRaisesMessage(CommandError, "event #2 is missing"):
            self.verify()

    def test_it_detects_a_rewritten_event_with_a_recomputed_hash(self) -> None:
        # Someone who edits a row and fixes its own hash still breaks the next event's link.
        fourth = AuditEvent.objects.get(seq=4)
        _tamper("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, fourth.pk])
        with self.assertRaisesMessage(CommandError, "broken at event #4"):
            self.verify()

    def test_it_refuses_to_write_outside_a_transaction(self) -> None:
        # TestCase wraps each test in a transaction; leave it to see the guard.
        connection.in_atomic_block, saved = False, connection.in_atomic_block
        try:
            with self.assertRaises(AuditOutsideTransaction):
                audit.record(actor=self.user, action="x")
        finally:
            connection.in_atomic_block = saved


@pytest.mark.postgres_only
class AppendOnlyTriggerTestCase(TransactionTestCase):
    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest(
                "the append-only trigger exists on PostgreSQL only (SQLite relies on the hash chain)"
            )
        with transaction.atomic():
            audit.record(actor=None, action="system.started")

    def test_it_rejects_update(self) -> None:
        from django.db.utils import ProgrammingError

        with self.assertRaisesMessage(ProgrammingError, "append-only"), transaction.atomic():
            AuditEvent.objects.update(purpose="ändrat")

    def test_it_rejects_delete(self) -> None:
        from django.db.utils import ProgrammingError

        with self.assertRaisesMessage(ProgrammingError, "append-only"), transaction.atomic():
            AuditEvent.objects.all().delete()


class CopiedBatchTestCase(TestCase):
    """On PostgreSQL a large batch is written by COPY: it must be the very rows the ORM would write."""

    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("COPY is PostgreSQL's; SQLite always writes through the ORM")
        self.user = User.objects.create_user(username="anna", first_name="Anna", last_name="Å")
        with transaction.atomic():
            audit.record(actor=self.user, action="system.started")
        self.entries = [
            audit.Entry(
                action="payment.made",
                participant=self.user if n % 3 else None,
                target=self.user if n % 2 else None,
                category="ekonomi",
                purpose="utbetalning",
                legal_ground="SoL 4 kap. 1 §" if n % 5 else "",
                detail={"amount": n * 100, "run": 7, "namn": 'Åsa "citat"\ttab\\', "lista": [n, None, True]},
            )
            for n in range(audit.COPY_FROM + 17)
        ]

    def _written(self) -> list[dict[str, object]]:
        rows = AuditEvent.objects.filter(action="payment.made").order_by("seq").values()
        return [{k: v for k, v in row.items() if k != "id"} for row in rows]

    def test_copy_writes_the_rows_the_orm_would_and_the_chain_verifies(self) -> None:
        from unittest import mock

        from django.utils import timezone

        instant = timezone.now()
        with mock.patch("egenmakt.audit.services.timezone.now", return_value=instant):
            with (
                mock.patch("egenmakt.audit.services._copy_events", wraps=audit._copy_events) as copied,
                transaction.atomic(),
            ):
                audit.record_many(actor=self.user, entries=self.entries)
                by_copy = self._written()
                transaction.set_rollback(True)
            self.assertEqual(copied.call_count, 1)
            with mock.patch.object(audit, "COPY_FROM", 10**9), transaction.atomic():
                audit.record_many(actor=self.user, entries=self.entries)
                by_orm = self._written()
                transaction.set_rollback(True)
        self.assertEqual(len(by_copy), len(self.entries))
        self.assertEqual(by_copy, by_orm)

        with transaction.atomic():
            audit.record_many(actor=self.user, entries=self.entries)
            audit.record(actor=self.user, action="after.the.batch")
        out = StringIO()
        call_command("verify_audit", stdout=out)
        self.assertIn(f"intact: {len(self.entries) + 2} events", out.getvalue())


def _fixed_event_hash(occurred_at: datetime) -> str:
    return event_hash(
        seq=7,
        occurred_at=occurred_at,
        actor_id=3,
        actor_label="Åsa Öberg (asa)",
        action="payment.made",
        target_type="benefits.decision",
        target_id="12",
        participant_id=None,
        category="ekonomi",
        purpose="utbetalning",
        legal_ground="",
        detail={"belopp": 1234, "skäl": ["ö", {"b": 1, "a": None}]},
        prev_hash="0" * 64,
    )


@pytest.mark.database_free
def test_the_hash_of_an_event_is_what_it_has_always_been() -> None:
    # Digests of events written before: a change to how the hash is computed would break every chain.
    # Non-ASCII text, a local time, nested detail in no particular key order.
    stockholm = ZoneInfo("Europe/Stockholm")
    assert _fixed_event_hash(datetime(2026, 11, 23, 20, 15, 1, 250000, tzinfo=stockholm)) == (
        "3913971da9438646f1c49e26bee995cd0de625c0eb829beb4dfdba47eee61e02"
    )
    # The autumn's repeated hour: the same wall time twice, two instants, two digests.
    assert _fixed_event_hash(datetime(2026, 10, 25, 2, 30, tzinfo=stockholm, fold=0)) == (
        "725633b990365a8ee7513cf19a2ed29bc172b039f1e27729badfe0f9a1364183"
    )
    assert _fixed_event_hash(datetime(2026, 10, 25, 2, 30, tzinfo=stockholm, fold=1)) == (
        "4e80cf71dff0dd88c7ba53abeb49c755fcd4c72da7441b2478e46579e6e6a041"
    )
