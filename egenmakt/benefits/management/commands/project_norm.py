"""Write a projected riksnorm table (official = false) from an earlier year's, for planning only."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egenmakt.benefits import norm


class Command(BaseCommand):
    help = (
        "Project a riksnorm table: every item of --from raised by --percent and rounded to the nearest ten. "
        "The result is marked official = false: no real decision can rest on it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="base", type=int, required=True, help="The year to start from.")
        parser.add_argument("--percent", required=True, help="The raise in percent, e.g. 8.7")
        parser.add_argument("--year", type=int, required=True, help="The year of the projection.")
        parser.add_argument("--source", default="", help="Where the percentage comes from.")
        parser.add_argument("--write", action="store_true", help="Save it in rules/norm/ (else print it).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            percent = Decimal(options["percent"])
            base = norm.table_for_year(options["base"])
        except (InvalidOperation, norm.NormMissing) as exc:
            raise CommandError(str(exc)) from exc
        target = norm.NORM_DIR / f"{options['year']}.toml"
        existing = next((t for t in norm.tables() if t.year == options["year"]), None)
        if existing is not None and existing.official:
            raise CommandError(f"{target.name} holds the official table; a projection will not replace it.")
        projected = norm.project(base, percent=percent, year=options["year"], source=options["source"])
        if options["write"]:
            target.write_text(projected.to_toml(), encoding="utf-8")
            self.stdout.write(f"Wrote {target}")
        else:
            self.stdout.write(projected.to_toml())
