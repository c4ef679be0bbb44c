"""`manage.py seed_demo`: fill an empty database with Exempelkommun, a synthetic municipality.

    manage.py seed_demo --participants 3000 --seed 1 [--as-of 2025-06-30] [--if-empty]

The same seed and as-of date give the same data on every machine. `--if-empty` makes the command safe
to run again (as `make demo` does): an already seeded database is left as it is.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from egenmakt.accounts.models import User
from egenmakt.cases.models import CaseType
from egenmakt.demo.activities import seed_activities
from egenmakt.demo.benefits import seed_benefits
from egenmakt.demo.collaboration import seed_collaboration
from egenmakt.demo.generator import build_plan, save_plan
from egenmakt.demo.goals import seed_goals
from egenmakt.demo.models import DemoDataset
from egenmakt.demo.outcomes import seed_outcomes
from egenmakt.demo.review import seed_review
from egenmakt.lib.progress import ProgressBar
from egenmakt.organisations.models import Organisation
from egenmakt.people.models import Participant


class Command(BaseCommand):
    help = "Skapar Exempelkommun: syntetiska organisationer, personal, deltagare, hushåll och ärenden."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--participants", type=int, default=3000, help="Antal deltagare, barn inräknade (3000)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Frö: samma frö ger samma data (1).")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="Dagen datan beskriver, ÅÅÅÅ-MM-DD (i dag). Inga datum ligger efter den.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Gör ingenting om demodata redan finns, så att kommandot kan köras igen.",
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="Deltagare per insättning (5000).")

    def handle(self, *args: Any, **options: Any) -> None:
        participants: int = options["participants"]
        seed: int = options["seed"]
        today = timezone.localdate()
        as_of: date = options["as_of"] or today
        if participants < 1:
            raise CommandError("--participants måste vara minst 1.")
        if as_of > today:
            raise CommandError(f"--as-of {as_of} ligger i framtiden; ingen kan vara född eller ha ärende då.")

        existing = DemoDataset.objects.order_by("created_at").first()
        if existing is not None:
            message = (
                f"Demodata finns redan (seed {existing.seed}, {existing.participants} deltagare, "
                f"skapad {timezone.localtime(existing.created_at):%Y-%m-%d %H:%M})."
            )
            if options["if_empty"]:
                self.stdout.write(f"{message} Ingenting skapades.")
                return
            raise CommandError(
                f"{message} Kör med --if-empty för att låta den vara, eller börja om med en tom databas."
            )
        # Never mix synthetic people into a database that holds anything else (real people above all).
        if Participant.objects.exists() or Organisation.objects.exists() or User.objects.exists():
            raise CommandError(
                "Databasen är inte tom: den har deltagare, organisationer eller konton men ingen demodata. "
                "Demodata skapas bara i en tom databas (till exempel DATABASE_URL=sqlite:////tmp/demo.sqlite3 "
                "och sedan manage.py migrate)."
            )

        started = time.monotonic()
        self.stdout.write(
            f"Skapar Exempelkommun: {participants} deltagare, seed {seed}, per {as_of:%Y-%m-%d}."
        )
        plan = build_plan(seed=seed, participants=participants, as_of=as_of)
        planned = time.monotonic() - started
        bar = ProgressBar(self.stderr, "Deltagare", plan.participants)
        summary = save_plan(plan, batch_size=options["batch_size"], progress=bar)
        _gather_statistics()
        shared = seed_collaboration(seed=seed, as_of=as_of)
        offered = seed_activities(seed=seed, as_of=as_of)
        assistance = seed_benefits(seed=seed, as_of=as_of)
        followed = seed_outcomes(seed=seed, as_of=as_of)
        # The review queues are worked out over all that was just inserted.
        _gather_statistics()
        aimed = seed_goals(as_of=as_of)
        reviewed = seed_review(as_of=as_of)
        elapsed = time.monotonic() - started

        eb = summary.cases.get(CaseType.EKONOMISKT_BISTAND, 0)
        ame = summary.cases.get(CaseType.ARBETSMARKNADSINSATS, 0)
        self.stdout.write(
            f"Klart på {elapsed:.0f} s (planering {planned:.0f} s): {summary.participants} deltagare i "
            f"{summary.households} hushåll, {eb} ärenden om ekonomiskt bistånd och {ame} "
            f"arbetsmarknadsärenden ({summary.open_cases} pågående), {summary.staff} konton, "
            f"{summary.grants} behörigheter till personer med skyddade personuppgifter."
        )
        self.stdout.write(
            f"Samverkan: {shared['consents']} samtycken, {shared['referrals']} remisser, {shared['sips']} SIP."
        )
        self.stdout.write(
            f"Insatser: {offered['activities']} i katalogen, {offered['enrolments']} placeringar och köplatser, "
            f"{offered['attendance']} närvarorader, {offered['tasks']} frånvarouppgifter, "
            f"{offered['plans']} handlingsplaner."
        )
        self.stdout.write(
            f"Ekonomiskt bistånd: {assistance['applications']} ansökningar, {assistance['decisions']} beslut "
            f"(förra månaden, redo för utbetalning), {assistance['accounts']} utbetalningskonton, "
            f"{assistance['reductions']} nedsättningar på väg genom kommunicering."
        )
        self.stdout.write(
            f"Utfall: {followed['decisions']} tidigare månaders beslut, {followed['exits']} avslut med "
            f"{followed['follow_ups']} uppföljningar, {followed['status_months']} statusmånader; utfallen är beräknade."
        )
        self.stdout.write(
            f"Mål och uppdrag: {aimed['goals']} mål ({aimed['snapshots']} mätta), {aimed['commitments']} vallöften "
            f"och uppdrag med {aimed['statuses']} statusrader."
        )
        self.stdout.write(
            f"Ärendedragning och signaler: {reviewed['rules']} regler påslagna i {reviewed['units']} enheter, "
            f"{reviewed['queued']} personer i köerna."
        )
        self.stdout.write("Inloggningar: manage.py demo_logins")


def _gather_statistics() -> None:
    """PostgreSQL plans the seed's own later queries (counting the review queues, the outcomes) from the
    tables' statistics. Autovacuum gathers them in its own time, or never on a server where it is off;
    without them a query over a million status months was planned for 17 rows and ran for minutes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
