"""`manage.py count_review_queues [--date 2026-11-23]`: work out every unit's case-review queue and keep
its size for the managers' start pages.

Run it nightly (after `refresh_outcomes`, whose status months the long-term rule reads). Opening the
queue counts that unit again, so a manager who works the queue sees the start page follow.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from egenmakt.review import services


class Command(BaseCommand):
    help = "Räknar ut kön för ärendedragning i varje enhet med en påslagen regel och sparar antalet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, help="Dag, ÅÅÅÅ-MM-DD (i dag).")

    def handle(self, *args: Any, **options: Any) -> None:
        day: date = options["date"] or timezone.localdate()
        for count in services.count_queues(actor=None, on=day):
            self.stdout.write(f"{count.unit}: {count.total} personer i kön ({day:%Y-%m-%d}).")
