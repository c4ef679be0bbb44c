"""`manage.py verify_audit`: exit 1 and name the first broken event if the trail was tampered with."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from egenmakt.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Checks the audit trail's hash chain and names the first broken event."

    def handle(self, *args: Any, **options: Any) -> None:
        broken, count, head = verify_chain()
        if broken is not None:
            raise CommandError(
                f"Audit trail broken at event #{broken.seq} (id {broken.event_id}): {broken.problem}. "
                f"{count} events read."
            )
        # The head hash is worth copying somewhere outside the database (a daily ticket or log):
        # it is what shows that nobody cut events off the end of the chain.
        self.stdout.write(f"Audit trail intact: {count} events, head hash {head}")
