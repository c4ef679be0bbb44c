"""A payment's run, household and decision must exist, and cannot be deleted under it.

On PostgreSQL these are checked by triggers, once per INSERT statement (`lib.statement_references`,
migration 0004), instead of foreign keys; on SQLite by foreign keys. The rules are the same on both, and
so are these tests.
"""

from __future__ import annotations

from datetime import date
from tempfile import TemporaryDirectory
from typing import Any

from django.db import connection, transaction
from django.test import override_settings

from egenmakt.benefits import payments, services
from egenmakt.benefits.models import Decision, Payment
from egenmakt.benefits.tests import factories
from egenmakt.test import BaseTestCase, ReferenceAssertions

MONTH = date(2023, 3, 1)
MISSING = {
    "run_id": "benefits_paymentrun",
    "household_id": "people_household",
    "decision_id": "benefits_decision",
}


class PaymentReferencesTestCase(BaseTestCase, ReferenceAssertions):
    def setUp(self) -> None:
        factories.since_long_ago(self.personas)
        factories.payer(self.personas)
        factories.account(self.personas)
        application = services.register_application(
            actor=self.anna, case=self.lina_case, month=MONTH, costs=[{"kind": "boende", "amount": 5000}]
        )
        services.calculate_application(actor=self.anna, application=application)
        services.decide(actor=self.anna, application=application)
        run = payments.prepare_run(
            actor=self.anna, organisation=self.kommun, month=MONTH, execution_date=date.today()
        )
        payments.approve_run(actor=self.cecilia, run=run)
        folder = TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        with override_settings(EGENMAKT_PAYMENT_DIR=folder.name):
            payments.execute_run(actor=self.cecilia, run=run)
        self.payment = Payment.objects.get()

    def another(self, **fields: Any) -> Payment:
        values: dict[str, Any] = {
            "run_id": self.payment.run_id,
            "household_id": self.payment.household_id,
            "month": date(2023, 4, 1),
            "decision_id": self.payment.decision_id,
            "amount": 1,
            "payee": "x",
            "end_to_end_id": "EGM-test",
        }
        return Payment.objects.create(**(values | fields))

    def test_a_payment_of_a_run_household_or_decision_that_does_not_exist_is_refused(self) -> None:
        for column, table in MISSING.items():
            with self.subTest(column):
                self.assert_refused(lambda column=column: self.another(**{column: 10**9}), table)

    def test_moving_a_payment_to_a_run_household_or_decision_that_does_not_exist_is_refused(self) -> None:
        moved = Payment.objects.filter(pk=self.payment.pk)
        for column, table in MISSING.items():
            with self.subTest(column):
                self.assert_refused(lambda column=column: moved.update(**{column: 10**9}), table)

    def test_payments_written_together_are_refused_if_one_names_a_missing_decision(self) -> None:
        # Through the run's own writer (COPY on PostgreSQL): one statement, the trigger counts parents.
        def row(decision: int, end_to_end: str) -> tuple[Any, ...]:
            return (
                *(self.payment.run_id, self.payment.household_id, date(2023, 4, 1), decision, 1),
                *("x", "", "", end_to_end, self.payment.created_at),
            )

        self.assert_refused(
            lambda: payments._insert_payments([row(self.payment.decision_id, "EGM-a"), row(10**9, "EGM-b")]),
            "benefits_decision",
        )
        self.assertEqual(Payment.objects.count(), 1)

    def test_a_decision_cannot_be_truncated_from_under_its_payments(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("SQLite has no TRUNCATE")

        def truncate() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("TRUNCATE benefits_decision CASCADE")

        self.assert_refused(truncate, "benefits_payment")

    def sql(self, statement: str, *params: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    def test_a_paid_decision_cannot_be_deleted(self) -> None:
        def delete_decision() -> None:
            self.sql("DELETE FROM benefits_decisionitem WHERE decision_id = %s", self.payment.decision_id)
            self.delete_row("benefits_decision", self.payment.decision_id)

        self.assert_refused(delete_decision, "benefits_payment")

    def test_a_run_with_payments_cannot_be_deleted(self) -> None:
        def delete_run() -> None:
            self.sql(
                "UPDATE benefits_decision SET payment_run_id = NULL WHERE id = %s", self.payment.decision_id
            )
            self.delete_row("benefits_paymentrun", self.payment.run_id)

        self.assert_refused(delete_run, "benefits_payment")

    def test_a_decision_whose_payment_is_deleted_first_can_be_deleted(self) -> None:
        with transaction.atomic():
            self.delete_row("benefits_payment", self.payment.pk)
            self.sql("DELETE FROM benefits_decisionitem WHERE decision_id = %s", self.payment.decision_id)
            self.delete_row("benefits_decision", self.payment.decision_id)
            connection.check_constraints()
        self.assertFalse(Decision.objects.filter(pk=self.payment.decision_id).exists())
