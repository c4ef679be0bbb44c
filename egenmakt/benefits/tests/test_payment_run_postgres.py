"""The payment run on PostgreSQL through the real command (`manage.py payment_run --pay`) in a child
process: killed with SIGKILL in the middle of a batch and run again, run again once it is done, and run
twice at once. The data is committed (TransactionTestCase) so that the child sees it.

The child is steered through the audit chain's advisory lock, which every batch takes after inserting
its payments and before it commits: the test holds that lock on a connection of its own, and lets the
batches through one at a time. So the kill falls where it hurts, inside a batch whose payments are
written but not committed, and never by luck of timing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count, Sum
from django.test import TransactionTestCase, override_settings

from egenmakt.audit.models import AuditEvent
from egenmakt.audit.services import _CHAIN_LOCK_KEY
from egenmakt.audit.verify import verify_chain
from egenmakt.benefits import payments
from egenmakt.benefits.models import Decision, Payment, PaymentRun, PayoutAccount, RunStatus
from egenmakt.benefits.tests import factories
from egenmakt.test import Personas

pytestmark = pytest.mark.postgres_only

HOUSEHOLDS = 300
CHUNK = 10
MONTH = factories.MONTH
WAIT_SECONDS = 60


def _conninfo() -> dict[str, Any]:
    db = connection.settings_dict
    info = {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"]}
    info |= {"host": db["HOST"], "port": db["PORT"]}
    return {k: v for k, v in info.items() if v}


def _database_url() -> str:
    info = _conninfo()
    password = f":{info['password']}" if "password" in info else ""
    host = info.get("host", "localhost")
    port = f":{info['port']}" if "port" in info else ""
    return f"postgres://{info['user']}{password}@{host}{port}/{info['dbname']}"


class _Gate:
    """The audit chain's lock, held on a connection of the test's own; batches pass one at a time."""

    def __init__(self) -> None:
        self.db = psycopg.connect(**_conninfo(), autocommit=True)
        self.db.execute("SELECT pg_advisory_lock(%s)", [_CHAIN_LOCK_KEY])

    def waiting(self) -> int:
        """Sessions queued for the chain lock: a batch with its payments inserted, not yet committed."""
        row = self.db.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted "
            "AND l.classid = %s AND l.objid = %s",
            [_CHAIN_LOCK_KEY >> 32, _CHAIN_LOCK_KEY & 0xFFFFFFFF],
        ).fetchone()
        assert row is not None
        return int(row[0])

    def wait_for_batch(self, *children: subprocess.Popen[str]) -> None:
        _wait(lambda: self.waiting() > 0, "a batch waiting for the audit chain", *children)

    def let_one_batch_through(self, *children: subprocess.Popen[str]) -> None:
        """Release the lock to the waiting batch and queue for it again: it is ours once that batch
        committed, before the next batch asks for it."""
        self.wait_for_batch(*children)
        self.db.execute("SELECT pg_advisory_unlock(%s)", [_CHAIN_LOCK_KEY])
        self.db.execute("SELECT pg_advisory_lock(%s)", [_CHAIN_LOCK_KEY])

    def close(self) -> None:
        self.db.close()


def _wait(condition: Any, what: str, *children: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        for child in children:
            if child.poll() is not None:
                out, err = child.communicate()
                raise AssertionError(f"the child ended (exit {child.returncode}) before {what}:\n{out}{err}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} after {WAIT_SECONDS} s")
        time.sleep(0.02)


class PaymentRunPostgresTestCase(TransactionTestCase):
    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("SIGKILL of a child process and real concurrency need PostgreSQL")
        self.personas = Personas()
        factories.payer(self.personas)
        factories.decided_households(self.personas, HOUSEHOLDS)
        folder = TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.var = Path(folder.name)
        # The child writes to EGENMAKT_VAR_DIR/payments; this process reads from the same folder.
        files = override_settings(EGENMAKT_PAYMENT_DIR=str(self.var / "payments"))
        files.enable()
        self.addCleanup(files.disable)
        self.expected_total = sum(Decision.objects.values_list("amount", flat=True))
        self.run_ = payments.prepare_run(
            actor=self.personas.anna,
            organisation=self.personas.kommun,
            month=MONTH,
            execution_date=date.today() + timedelta(days=1),
        )
        payments.approve_run(actor=self.personas.cecilia, run=self.run_)

    def pay(self) -> subprocess.Popen[str]:
        """`manage.py payment_run --pay` in a child process against the test database."""
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": _database_url(), "EGENMAKT_VAR_DIR": str(self.var)}
        # The files are built in another process while the run pays, as for a large run.
        env["EGENMAKT_PAYMENT_FILES_APART_FROM"] = "1"
        command = [sys.executable, "manage.py", "payment_run", "--pay", "--month", f"{MONTH:%Y-%m}"]
        command += ["--organisation", self.personas.kommun.organisationsnummer]
        command += ["--user", "cecilia", "--chunk", str(CHUNK)]
        return subprocess.Popen(  # noqa: S603 - our own manage.py
            command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def pay_to_the_end(self) -> str:
        child = self.pay()
        out, err = child.communicate(timeout=120)
        self.assertEqual(child.returncode, 0, f"{out}{err}")
        return out

    @contextmanager
    def gate(self) -> Iterator[_Gate]:
        gate = _Gate()
        try:
            yield gate
        finally:
            gate.close()

    def assert_paid_once(self) -> None:
        """Every decision of the run paid exactly once, the sums right, the run done, the chain intact."""
        decisions = set(Decision.objects.filter(payment_run=self.run_).values_list("pk", flat=True))
        self.assertEqual(len(decisions), HOUSEHOLDS)
        paid = list(Payment.objects.values_list("decision_id", flat=True))
        self.assertEqual(len(paid), HOUSEHOLDS)
        self.assertEqual(set(paid), decisions)
        self.assertFalse(Payment.objects.values("decision").annotate(n=Count("pk")).filter(n__gt=1).exists())
        self.assertEqual(Payment.objects.aggregate(total=Sum("amount"))["total"], self.expected_total)
        run = PaymentRun.objects.get(pk=self.run_.pk)
        self.assertEqual(run.status, RunStatus.KLAR)
        self.assertEqual((run.households, run.total), (HOUSEHOLDS, self.expected_total))
        self.assertEqual((run.paid_households, run.paid_total), (HOUSEHOLDS, self.expected_total))
        # One audit event per payment: the batch that was killed left none behind.
        self.assertEqual(AuditEvent.objects.filter(action="payment.made").count(), HOUSEHOLDS)
        broken, events, _head = verify_chain()
        self.assertIsNone(broken)
        self.assertEqual(events, AuditEvent.objects.count())
        xml_path, csv_path = payments.file_paths(run)
        self.assertEqual(len(csv_path.read_text().splitlines()), HOUSEHOLDS + 1)
        with_account = PayoutAccount.objects.count()
        self.assertIn(f"<NbOfTxs>{with_account}</NbOfTxs>", xml_path.read_text())
        # Whichever way the files were built (apart while paying, or from the payments afterwards when
        # another runner paid some), they are the files of the payments made.
        files = payments.build_files(run)
        assert files.xml is not None
        self.assertEqual(csv_path.read_bytes(), files.csv)
        self.assertEqual(factories.comparable(xml_path.read_bytes()), factories.comparable(files.xml))

    def test_killed_inside_a_batch_then_run_again_pays_every_decision_once(self) -> None:
        batches = 3
        with self.gate() as gate:
            child = self.pay()
            try:
                for _ in range(batches):
                    gate.let_one_batch_through(child)
                # The next batch has inserted its payments and waits to write its audit events.
                gate.wait_for_batch(child)
                self.assertEqual(Payment.objects.count(), batches * CHUNK)
                self.assertEqual(PaymentRun.objects.get(pk=self.run_.pk).status, RunStatus.PAGAR)
            finally:
                if child.poll() is None:
                    os.kill(child.pid, signal.SIGKILL)
                child.communicate()
            self.assertEqual(child.returncode, -signal.SIGKILL)
        # Killed: what the batches before committed is paid, the batch it was in is not.
        self.assertEqual(Payment.objects.count(), batches * CHUNK)
        self.assertEqual(AuditEvent.objects.filter(action="payment.made").count(), batches * CHUNK)
        run = PaymentRun.objects.get(pk=self.run_.pk)
        self.assertEqual((run.status, run.paid_households), (RunStatus.PAGAR, 0))
        self.assertFalse(payments.file_paths(run)[1].exists())

        out = self.pay_to_the_end()
        self.assertIn(f"Paid {HOUSEHOLDS} households, {self.expected_total} kr.", out)
        self.assert_paid_once()

    def test_run_again_when_done_pays_nothing_more(self) -> None:
        self.pay_to_the_end()
        self.assert_paid_once()
        events = AuditEvent.objects.filter(action="payment.made").count()

        out = self.pay_to_the_end()
        self.assertIn(f"Paid {HOUSEHOLDS} households, {self.expected_total} kr.", out)
        self.assert_paid_once()
        self.assertEqual(AuditEvent.objects.filter(action="payment.made").count(), events)

    def test_two_runs_at_once_pay_every_decision_once(self) -> None:
        with self.gate() as gate:
            children = [self.pay(), self.pay()]
            # One child waits in its first batch for the chain, the other for the run that batch locked;
            # from there on they take the batches between them.
            gate.wait_for_batch(*children)
            _wait(lambda: self._waiting_for_a_lock() >= 2, "both children waiting", *children)
        results = [child.communicate(timeout=120) for child in children]
        for child, (out, err) in zip(children, results, strict=True):
            self.assertEqual(child.returncode, 0, f"{out}{err}")
        self.assert_paid_once()

    def _waiting_for_a_lock(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return int(cursor.fetchone()[0])
