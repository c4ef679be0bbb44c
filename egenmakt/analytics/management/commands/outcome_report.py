"""`manage.py outcome_report --out report.xlsx [--csv report.csv] [--engine duckdb|spark] [--no-refresh]`

The outcomes page's report without the web: refresh the status history, compute the report on the chosen
engine, store it (the page then shows it) and write the same suppressed tables as the page's downloads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egenmakt.analytics import presentation, services
from egenmakt.analytics.report import STEPS, Report
from egenmakt.lib.progress import ProgressBar
from egenmakt.outcomes import services as outcomes


class Command(BaseCommand):
    help = (
        "Beräknar utfallsrapporten (nyckeltal, överlevnadskurvor, jämförelse av enheter) och skriver Excel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="Excel-fil att skriva (.xlsx).")
        parser.add_argument("--csv", type=Path, help="Skriv också tabellen som CSV.")
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument(
            "--no-refresh", action="store_true", help="Uppdatera inte statushistoriken först."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.suffix.lower() != ".xlsx":
            raise CommandError("--out ska vara en .xlsx-fil.")
        if not options["no_refresh"]:
            people: ProgressBar | None = None

            def refreshed(done: int, total: int) -> None:
                nonlocal people
                people = people or ProgressBar(self.stderr, "Statushistorik", total)
                people(done)

            outcomes.refresh(actor=None, progress=refreshed)
        bar = ProgressBar(self.stderr, "Rapport", len(STEPS))
        done = 0

        def step(_name: str) -> None:
            nonlocal done
            done += 1
            bar(done)

        try:
            stored = services.compute(actor=None, engine=options["engine"], progress=step)
        except services.AnalyticsError as error:
            raise CommandError(error.message) from error
        report = Report.from_json(stored.payload)
        month = f"{stored.data_end:%Y-%m}"
        out.write_bytes(presentation.as_workbook(report, data_end=month))
        if options["csv"]:
            options["csv"].write_text(presentation.as_csv(report), encoding="utf-8-sig")
        self.stdout.write(
            f"{report.periods} perioder för {report.people} personer, uppgifter till och med {month}: {out}"
        )
        for name, seconds in report.seconds.items():
            self.stdout.write(f"  {name}: {seconds:.2f} s")
