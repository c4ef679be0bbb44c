"""The monthly payment run from the command line: prepare, approve, pay (with progress), or show status."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from egenmakt.benefits import payments
from egenmakt.benefits.models import PaymentRun, RunStatus
from egenmakt.benefits.services import BenefitError
from egenmakt.organisations.models import Organisation


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)
    except ValueError as exc:
        raise CommandError(f"--month takes YYYY-MM, not {text!r}") from exc


class Command(BaseCommand):
    help = (
        "The month's payment run. --prepare gathers the decided payments (one user), --approve approves "
        "them (another user), --pay pays them household by household and writes the pain.001 and CSV "
        "files. Paying again after an interruption finishes the run and pays nobody twice. Without an "
        "action, shows the run's status."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, type=_month, help="YYYY-MM")
        parser.add_argument(
            "--organisation", help="The municipality's organisationsnummer (if more than one)."
        )
        parser.add_argument("--user", help="Who does it (username).")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--prepare", action="store_true")
        action.add_argument("--approve", action="store_true")
        action.add_argument("--pay", action="store_true")
        parser.add_argument("--execution-date", type=date.fromisoformat, help="Payment day, YYYY-MM-DD.")
        parser.add_argument("--chunk", type=int, default=payments.CHUNK, help="Households per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        month: date = options["month"]
        organisation = self._organisation(options["organisation"])
        try:
            if options["prepare"]:
                execution = options["execution_date"] or date.today()
                run = payments.prepare_run(
                    actor=self._user(options["user"]),
                    organisation=organisation,
                    month=month,
                    execution_date=execution,
                )
                self.stdout.write(
                    f"Prepared run {run.pk}: {run.households} households, {run.total} kr. Awaiting approval."
                )
                return
            run = self._run(organisation, month)
            if options["approve"]:
                run = payments.approve_run(actor=self._user(options["user"]), run=run)
                self.stdout.write(f"Approved run {run.pk} by {options['user']}.")
            elif options["pay"]:
                run = payments.execute_run(
                    actor=self._user(options["user"]),
                    run=run,
                    chunk=options["chunk"],
                    progress=self._progress,
                )
                sys.stderr.write("\n")
                xml_path, csv_path = payments.file_paths(run)
                self.stdout.write(f"Paid {run.paid_households} households, {run.paid_total} kr.")
                self.stdout.write(
                    f"Files: {xml_path if xml_path.exists() else '(no account payments)'}, {csv_path}"
                )
            else:
                self.stdout.write(
                    f"Run {run.pk} {run.month:%Y-%m}: {run.get_status_display()}, {run.households} households, "
                    f"{run.total} kr; paid {run.paid_households} households, {run.paid_total} kr."
                )
        except BenefitError as exc:
            raise CommandError(str(exc)) from exc

    def _progress(self, done: int, total: int) -> None:
        width = 40
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} households")
        sys.stderr.flush()

    def _user(self, username: str | None) -> Any:
        if not username:
            raise CommandError("--user is required for this action")
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No active user {username!r}") from exc

    def _organisation(self, number: str | None) -> Organisation:
        found = Organisation.objects.filter(kind="kommun")
        if number:
            found = found.filter(organisationsnummer=number)
        organisations = list(found[:2])
        if len(organisations) != 1:
            raise CommandError("Name the municipality with --organisation (its organisationsnummer).")
        return organisations[0]

    def _run(self, organisation: Organisation, month: date) -> PaymentRun:
        run = (
            PaymentRun.objects.filter(organisation=organisation, month=month)
            .order_by(
                # the unfinished run if there is one, else the newest
                "-prepared_at"
            )
            .first()
        )
        unfinished = (
            PaymentRun.objects.filter(organisation=organisation, month=month)
            .exclude(status=RunStatus.KLAR)
            .first()
        )
        run = unfinished or run
        if run is None:
            raise CommandError(f"No payment run for {month:%Y-%m}. Prepare one with --prepare.")
        return run
