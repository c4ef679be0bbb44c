"""`manage.py demo_logins`: the demo's logins as a table, printed by `make demo` before the server starts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from egenmakt.accounts.models import Membership, Role
from egenmakt.cases.models import Case
from egenmakt.demo.generator import DEMO_PASSWORD, PERSONAS
from egenmakt.demo.models import DemoDataset


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


class Command(BaseCommand):
    help = "Visar demokontona: användarnamn, roll, enhet och lösenord."

    def handle(self, *args: Any, **options: Any) -> None:
        dataset = DemoDataset.objects.order_by("created_at").first()
        if dataset is None:
            # Not an error: `make demo` calls this on every start, and a real database has no demo logins.
            self.stdout.write("Databasen har ingen demodata (kör manage.py seed_demo).")
            return
        usernames = [persona.username for persona in PERSONAS]
        memberships = {
            membership.user.username: membership
            for membership in Membership.objects.filter(user__username__in=usernames).select_related(
                "user", "unit__organisation"
            )
        }
        open_cases = {
            username: Case.objects.open().filter(responsible__username=username).count()
            for username in ("handlaggare", "konsulent")
        }
        rows = []
        for username in usernames:
            membership = memberships.get(username)
            if membership is None:
                continue
            user = membership.user
            note = f"{open_cases[username]} pågående ärenden" if username in open_cases else ""
            if user.is_staff:
                note = "även Django-admin (/admin/)"
            rows.append(
                [
                    username,
                    user.get_full_name(),
                    str(Role(membership.role).label),
                    f"{membership.unit.name}, {membership.unit.organisation.name}",
                    DEMO_PASSWORD,
                    note,
                ]
            )
        self.stdout.write(
            f"Exempelkommun: syntetisk demodata, seed {dataset.seed}, {dataset.participants} deltagare. "
            "Inga riktiga personer.\n"
        )
        self.stdout.write(table(["Användarnamn", "Namn", "Roll", "Enhet", "Lösenord", "Övrigt"], rows))
        self.stdout.write(f"\nAlla konton har lösenordet {DEMO_PASSWORD}. Logga in på http://127.0.0.1:8000/")
