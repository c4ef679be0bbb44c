"""The norm calculation as a public service: a household description in JSON, the result in JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egenmakt.benefits.calculation import InputError, calculate_json, json_schema
from egenmakt.benefits.norm import NormMissing


class Command(BaseCommand):
    help = (
        "Calculate försörjningsstöd for one household and month. FILE is JSON as described by "
        "docs/calculate-input.schema.json ('-' reads standard input). Prints the entitlement and the explained lines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="The household as JSON, or - for standard input.")
        parser.add_argument(
            "--schema", choices=["input", "output"], help="Print the JSON Schema of the input or the output."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schema"]:
            self.stdout.write(json.dumps(json_schema(options["schema"]), ensure_ascii=False, indent=2))
            return
        name = options["file"]
        if not name:
            raise CommandError("Name the household file (or - for standard input), or use --schema.")
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
            data = json.loads(text)
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{name} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from exc
        try:
            result = calculate_json(data)
        except InputError as exc:
            raise CommandError("; ".join(f"{e['field']}: {e['message']}" for e in exc.errors)) from exc
        except NormMissing as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
