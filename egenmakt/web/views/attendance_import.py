"""Provider attendance files: upload, follow the import, download the rejected rows.

Thin: the form checks the upload, `attendance.importing` does the work. A batch is shown only to the
person who ran it and to the managers of their units; to anyone else it does not exist (404).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from egenmakt.access import policy
from egenmakt.accounts.models import Membership
from egenmakt.attendance import importing
from egenmakt.attendance.models import ImportBatch, ImportStatus
from egenmakt.audit import services as audit
from egenmakt.lib.categories import DataCategory
from egenmakt.web.decorators import staff_view

logger = logging.getLogger(__name__)

# Files up to this size are imported while the upload request waits (a few seconds at most); larger
# ones in a background thread, so that the request returns at once and the page follows the progress.
INLINE_MAX_BYTES = 2 * 1024 * 1024
SHOWN_REJECTIONS = 200


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fil från utföraren"),
        help_text=gettext_lazy("CSV (UTF-8) eller Excel (.xlsx), med rubrikrad."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Välj en CSV-fil eller en Excelfil (.xlsx)."))
        limit = settings.EGENMAKT_ATTENDANCE_IMPORT_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("Filen är större än %(limit)s MB. Dela upp den.") % {"limit": limit}
            )
        return upload


def _batch_for(user: Any, batch_id: int) -> ImportBatch:
    """The batch if the user ran it or manages a unit of the one who did; otherwise 404."""
    batch = get_object_or_404(ImportBatch.objects.select_related("imported_by"), pk=batch_id)
    if batch.imported_by_id == user.pk:
        return batch
    managed = policy.managed_unit_ids(user)
    if (
        managed
        and Membership.objects.active().filter(user_id=batch.imported_by_id, unit_id__in=managed).exists()
    ):
        return batch
    raise Http404


@require_http_methods(["GET", "POST"])
@staff_view
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size <= INLINE_MAX_BYTES:
            batch = importing.import_attendance(
                actor=request.user, path_or_file=upload, file_name=upload.name
            )
        else:
            batch = _start_in_background(request.user, upload)
        return redirect("attendance_import_batch", batch_id=batch.pk)
    status = 422 if form.is_bound and not form.is_valid() else 200
    recent = ImportBatch.objects.filter(imported_by_id=request.user.pk)[:10]
    context = {"form": form, "recent": recent, "columns": importing.COLUMNS}
    return render(request, "web/attendance/import.html", context, status=status)


def _start_in_background(user: Any, upload: Any) -> ImportBatch:
    # Django deletes an uploaded temporary file when the request ends, so the thread gets its own copy.
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix, delete=False) as copy:
        upload.seek(0)
        shutil.copyfileobj(upload, copy)
    path = Path(copy.name)
    batch = importing.begin_import(actor=user, path_or_file=path, file_name=upload.name)
    threading.Thread(target=_run_in_background, args=(batch.pk, path), daemon=True).start()
    return batch


def _run_in_background(batch_id: int, path: Path) -> None:
    """A thread with its own database connection; closed at the end, since no request cycle does it."""
    try:
        batch = ImportBatch.objects.select_related("imported_by").get(pk=batch_id)
        importing.run_import(batch=batch, path_or_file=path)
    except Exception:
        logger.exception("Attendance import %s failed", batch_id)
    finally:
        path.unlink(missing_ok=True)  # the file holds personal identity numbers
        connections.close_all()


@require_GET
@staff_view
def import_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_for(request.user, batch_id)
    context = {
        "batch": batch,
        "step": importing.step_of(batch),
        "running": batch.status == ImportStatus.PAGAR and not batch.interrupted,
        "rejections": batch.rejections.all()[:SHOWN_REJECTIONS],
        "shown": SHOWN_REJECTIONS,
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/attendance/import_status.html", context)
    if batch.rejected_rows:
        _record_rejections_read(request.user, batch, "attendance.import_rejections_viewed")
    return render(request, "web/attendance/import_batch.html", context)


def _record_rejections_read(user: Any, batch: ImportBatch, action: str) -> None:
    """Rejected rows show the file's raw cells (identity numbers among them), so reading them is logged.
    No person is named: a rejected row is one the import could not tie to anyone."""
    audit.record_now(
        actor=user,
        action=action,
        target=batch,
        category=DataCategory.NARVARO,
        purpose="narvaro",
        detail={"rejected_rows": batch.rejected_rows},
    )


@require_GET
@staff_view
def import_rejections(request: HttpRequest, batch_id: int) -> StreamingHttpResponse:
    batch = _batch_for(request.user, batch_id)
    _record_rejections_read(request.user, batch, "attendance.import_rejections_exported")
    response = StreamingHttpResponse(importing.rejections_csv(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="avvisade-rader-{batch.pk}.csv"'
    return response
