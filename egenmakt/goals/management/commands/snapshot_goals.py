"""`manage.py snapshot_goals [--month 2026-03]`: store every goal's figure from the latest outcome report.

Run it monthly, after `outcome_report`. Idempotent per goal and month: running it again in the same month
writes nothing, unless a newer report has been computed since.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from egenmakt.goals import services


def _month(text: str) -> date:
    return date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)


class Command(BaseCommand):
    help = "Sparar varje måls värde för månaden ur den senast beräknade utfallsrapporten."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", type=_month, help="Månad, ÅÅÅÅ-MM (denna månad).")

    def handle(self, *args: Any, **options: Any) -> None:
        month: date = options["month"] or timezone.localdate()
        try:
            result = services.snapshot_goals(actor=None, month=month)
        except services.GoalError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            f"{month:%Y-%m}: {result.created} mätningar sparade, {result.updated} uppdaterade, "
            f"{result.unchanged} oförändrade (utfallsrapport {result.report_id})."
        )
