"""The payment run's files built in another process while it pays (payment_files.BuiltApart): the same
files as those built from the payments afterwards, and that road taken whenever the other is not safe."""

from __future__ import annotations

import signal
from datetime import date, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from unittest import mock

from django.test import TestCase, override_settings

from egenmakt.benefits import payment_files, payments
from egenmakt.benefits.models import LocalRules, Payment, PaymentRun
from egenmakt.benefits.payment_files import BuiltApart, FileRow, Payer
from egenmakt.benefits.tests import factories
from egenmakt.test import Personas

HOUSEHOLDS = 40
OTHER_PAYER_IBAN = "SE7280000810340009783242"
PAYER = Payer(
    name="Exempelkommun", iban=factories.PAYER_IBAN, bic="ESSESESS", execution_date=date(2023, 3, 24)
)


def _rows(count: int) -> list[FileRow]:
    return [
        FileRow(
            household=n,
            month=factories.MONTH,
            decision=1000 + n,
            amount=2000 + n,
            payee=f"Åsa Öberg {n}",
            iban=factories.IBAN if n % 4 else "",
            bic="",
            end_to_end_id=f"EGM-202303-{1000 + n}",
        )
        for n in range(count)
    ]


class BuiltApartTestCase(TestCase):
    """The other process on its own: what it answers, and what it says when it fails."""

    def test_the_child_builds_what_build_builds_here(self) -> None:
        rows = _rows(25)
        apart = BuiltApart(rows, PAYER).result()
        here = payment_files.build(rows, PAYER)
        assert apart is not None and apart.xml is not None and here.xml is not None
        self.assertEqual(apart.csv, here.csv)
        self.assertEqual(factories.comparable(apart.xml), factories.comparable(here.xml))
        self.assertIn("Åsa Öberg 1".encode(), apart.csv)  # the CSV keeps the name as written
        self.assertIn(b"<Nm>Asa Oberg 1</Nm>", apart.xml)  # the bank's file gets the Latin letters it allows

    def test_a_child_that_fails_answers_none_and_says_why(self) -> None:
        apart = BuiltApart(_rows(3), None)  # payments to accounts, and no account to pay from
        self.assertIsNone(apart.result())
        self.assertIn("NoPayerAccount", apart.failure)

    def test_a_child_no_longer_wanted_is_stopped(self) -> None:
        apart = BuiltApart(_rows(3), PAYER)
        apart.abandon()
        self.assertTrue(apart.ended)
        self.assertEqual(apart._child.returncode, -signal.SIGKILL)  # gone, and reaped
        apart.abandon()  # twice is harmless (execute_run's finally after a failure)


@override_settings(EGENMAKT_PAYMENT_FILES_APART_FROM=1)
class RunWithFilesBuiltApartTestCase(TestCase):
    def setUp(self) -> None:
        self.personas = Personas()
        factories.payer(self.personas)
        factories.decided_households(self.personas, HOUSEHOLDS)
        folder = TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        files = override_settings(EGENMAKT_PAYMENT_DIR=folder.name)
        files.enable()
        self.addCleanup(files.disable)
        self.run_ = payments.prepare_run(
            actor=self.personas.anna,
            organisation=self.personas.kommun,
            month=factories.MONTH,
            execution_date=date.today() + timedelta(days=1),
        )
        payments.approve_run(actor=self.personas.cecilia, run=self.run_)

    def pay(self) -> tuple[PaymentRun, int]:
        """Pay the run; how many times it built the files from the database after paying."""
        with mock.patch.object(payments, "write_files", wraps=payments.write_files) as afterwards:
            run = payments.execute_run(actor=self.personas.cecilia, run=self.run_, chunk=7)
        return run, afterwards.call_count

    def assert_files_of_the_payments(self, run: PaymentRun) -> None:
        xml_path, csv_path = payments.file_paths(run)
        files = payments.build_files(run)
        assert files.xml is not None
        self.assertEqual(csv_path.read_bytes(), files.csv)
        self.assertEqual(factories.comparable(xml_path.read_bytes()), factories.comparable(files.xml))
        self.assertEqual(len(files.csv.splitlines()), Payment.objects.count() + 1)

    def test_a_run_puts_the_files_built_while_it_paid_in_place(self) -> None:
        run, afterwards = self.pay()
        self.assertEqual(afterwards, 0)
        self.assertEqual(Payment.objects.count(), HOUSEHOLDS)
        self.assertEqual(run.paid_households, HOUSEHOLDS)
        self.assert_files_of_the_payments(run)
        self.assertFalse(list(Path(payments.payment_dir()).glob("*.part")))

    def test_a_run_picked_up_again_builds_the_files_of_what_was_paid_before_too(self) -> None:
        # Households from the middle were paid first: the files list payments in the order they were
        # made, which is then not the households' order.
        due = payments._pending(self.run_)
        payments._pay_households(actor=self.personas.cecilia, run=self.run_, due=due[20:30])
        run, afterwards = self.pay()
        self.assertEqual(afterwards, 0)
        self.assertEqual(Payment.objects.count(), HOUSEHOLDS)
        self.assert_files_of_the_payments(run)
        first = payments.file_paths(run)[1].read_text().splitlines()[1]
        self.assertTrue(first.startswith(f"{due[20].household};"), first)

    def test_files_made_out_from_an_account_the_municipality_no_longer_pays_from_are_not_used(self) -> None:
        pay = payments._pay

        def the_account_changes_first(**kwargs: Any) -> int:
            # The files built apart have the account as it was when the run began.
            LocalRules.objects.update(payer_iban=OTHER_PAYER_IBAN)
            return pay(**kwargs)

        with mock.patch.object(payments, "_pay", the_account_changes_first):
            run, afterwards = self.pay()
        self.assertEqual(afterwards, 1)
        self.assertIn(OTHER_PAYER_IBAN, payments.file_paths(run)[0].read_text())
        self.assert_files_of_the_payments(run)

    def test_a_payment_made_between_reading_what_is_left_and_what_was_paid_makes_the_run_build_afterwards(
        self,
    ) -> None:
        file_rows = payments._file_rows

        def another_runner_pays_some_first(run: PaymentRun) -> list[FileRow]:
            # After this runner read what is left, before it reads what was paid: in both.
            payments._pay_households(actor=self.personas.cecilia, run=run, due=payments._pending(run)[:5])
            return file_rows(run)

        with mock.patch.object(payments, "_file_rows", another_runner_pays_some_first):
            run, afterwards = self.pay()
        self.assertEqual(afterwards, 1)
        self.assertEqual(Payment.objects.count(), HOUSEHOLDS)
        self.assert_files_of_the_payments(run)

    def test_payments_another_runner_made_while_this_one_paid_make_the_run_build_the_files_afterwards(
        self,
    ) -> None:
        pay = payments._pay

        def and_another_runner_pays_some(*, due: list[payments._Due], **kwargs: Any) -> int:
            # After both reads: the files built apart hold these rows once, as the database will, but
            # the other runner made them, in its own order.
            payments._pay_households(actor=self.personas.cecilia, run=self.run_, due=due[30:35])
            return pay(due=due, **kwargs)

        with mock.patch.object(payments, "_pay", and_another_runner_pays_some):
            run, afterwards = self.pay()
        self.assertEqual(afterwards, 1)
        self.assertEqual(Payment.objects.count(), HOUSEHOLDS)
        self.assert_files_of_the_payments(run)
