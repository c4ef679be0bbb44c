"""`manage.py refresh_outcomes [--through 2026-10]`: derive each person's status month by month.

Incremental and idempotent: only differences are written, so running it again changes nothing, and a
stopped run is resumed by running it again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from egenmakt.lib.progress import ProgressBar
from egenmakt.outcomes import services


def _month(text: str) -> date:
    return date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)


class Command(BaseCommand):
    help = "Bygger status per månad för varje deltagare från beslut, placeringar, avslut och uppföljningar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--through", type=_month, help="Till och med månad, ÅÅÅÅ-MM (denna månad).")

    def handle(self, *args: Any, **options: Any) -> None:
        bar: ProgressBar | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = ProgressBar(self.stderr, "Deltagare", total)
            bar(done)

        result = services.refresh(actor=None, through=options["through"], progress=progress)
        self.stdout.write(
            f"{result.participants} deltagare: {result.added} månader tillagda, {result.changed} ändrade, "
            f"{result.removed} borttagna."
        )
