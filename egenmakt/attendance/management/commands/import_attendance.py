"""`manage.py import_attendance FILE --user USERNAME`: a provider's attendance file, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _

from egenmakt.attendance.importing import import_attendance, rejections_csv, step_of
from egenmakt.attendance.models import ImportBatch, ImportStatus

BAR_WIDTH = 30


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")  # 1 000 000, as Swedish text writes it


class Command(BaseCommand):
    help = "Imports a provider's attendance file (CSV or .xlsx) as the given user, with that user's access."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="The staff member the import is made as.")
        parser.add_argument("--rejections", type=Path, help="Write the rejected rows to this CSV file.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            user = get_user_model().objects.get(username=options["user"], is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(
                _("Det finns ingen aktiv användare %(user)s.") % {"user": options["user"]}
            ) from None
        if not path.is_file():
            raise CommandError(_("Filen %(file)s finns inte.") % {"file": path})
        self._shown = ""
        batch = import_attendance(actor=user, path_or_file=path, file_name=path.name, progress=self._draw)
        self.stderr.write("")
        if batch.status == ImportStatus.MISSLYCKADES:
            raise CommandError(batch.error)
        self.stdout.write(
            _(
                "Import %(batch)s klar: %(total)s rader, %(stored)s sparade, %(unchanged)s redan registrerade, "
                "%(corrected)s rättade, %(rejected)s avvisade."
            )
            % {
                "batch": batch.pk,
                "total": _number(batch.total_rows),
                "stored": _number(batch.stored_rows),
                "unchanged": _number(batch.unchanged_rows),
                "corrected": _number(batch.corrected_rows),
                "rejected": _number(batch.rejected_rows),
            }
        )
        if batch.rejected_rows:
            out = options["rejections"]
            self._report_rejections(batch, Path(out) if out else None)

    def _report_rejections(self, batch: ImportBatch, out: Path | None) -> None:
        if out is None:
            self.stdout.write(
                _("Skriv ut de avvisade raderna med --rejections FIL.csv, eller hämta dem på sidan %(url)s.")
                % {"url": reverse("attendance_import_batch", args=[batch.pk])}
            )
            return
        with out.open("w", encoding="utf-8", newline="") as file:
            file.writelines(rejections_csv(batch))
        self.stdout.write(_("De avvisade raderna finns i %(file)s.") % {"file": out})

    def _draw(self, batch: ImportBatch) -> None:
        """One line on stderr, redrawn in place: [#####.....] 52 % 520 000/1 000 000 rader."""
        step = step_of(batch)
        filled = BAR_WIDTH * step.percent // 100
        label = _("kontrollerar") if step.number == 1 else _("sparar")
        text = (
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {step.percent:3d} % "
            f"{_number(step.done)}/{_number(step.total)} {_('rader')} ({label})"
        )
        if text != self._shown:
            self.stderr.write(text.ljust(len(self._shown)), ending="")
            self.stderr.flush()
            self._shown = text
