"""The monthly payment run: prepare, approve (someone else), pay, and fetch the payment files.

A run belongs to a municipality; its pages are for the municipality's casework staff, and to anyone else
a run does not exist (404). The run itself shows totals, never a person; the files name payees and
accounts, so fetching one is a logged read. Paying runs while the request waits when the run is small,
otherwise in a background thread with its own database connection, and the page follows it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connections, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egenmakt.accounts.models import User
from egenmakt.audit import services as audit
from egenmakt.benefits import payments, reads
from egenmakt.benefits.models import PaymentRun, RunStatus
from egenmakt.benefits.services import BenefitError
from egenmakt.organisations.models import Organisation
from egenmakt.web.benefit_forms import PrepareRunForm
from egenmakt.web.decorators import staff_view
from egenmakt.web.forms import show_error

logger = logging.getLogger(__name__)

# Runs up to this many households are paid while the request waits (well under a second); larger ones in
# a background thread, so the request returns at once and the page shows the progress.
INLINE_MAX_HOUSEHOLDS = 200
# Runs being paid by a thread of this process: households paid so far (from the service's progress
# callback, so the page need not count payments while they are being written), and why a thread stopped.
_running: dict[int, int] = {}
# Tries of a read or a background payment that meets a lock (SQLite) before giving up.
LOCK_RETRIES = 5
T = TypeVar("T")
_failed: dict[int, str] = {}


def _organisations(request: HttpRequest) -> list[Organisation]:
    organisations = reads.casework_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    return organisations


def _run_for(request: HttpRequest, run_id: int) -> PaymentRun:
    """The run, for casework staff of its municipality; for anyone else it does not exist."""
    run = get_object_or_404(
        PaymentRun.objects.select_related("organisation", "prepared_by", "approved_by"), pk=run_id
    )
    if run.organisation_id not in {o.pk for o in reads.casework_organisations(request.user)}:
        raise Http404
    return run


@require_http_methods(["GET", "POST"])
@staff_view
def payment_runs(request: HttpRequest) -> HttpResponse:
    organisations = _organisations(request)
    forms = {
        o.pk: PrepareRunForm(prefix=f"org-{o.pk}", organisation=o)
        for o in organisations
        if payments.may_prepare(request.user, o)
    }
    status = 200
    bad = None
    if request.method == "POST":
        organisation = next((o for o in organisations if str(o.pk) == request.POST.get("organisation")), None)
        if organisation is None or organisation.pk not in forms:
            raise Http404
        form = PrepareRunForm(request.POST, prefix=f"org-{organisation.pk}", organisation=organisation)
        if form.is_valid():
            try:
                run = payments.prepare_run(
                    actor=request.user,
                    organisation=organisation,
                    month=form.cleaned_data["month"],
                    execution_date=form.cleaned_data["execution_date"],
                )
            except BenefitError as error:
                show_error(form, error)
            else:
                messages.success(
                    request,
                    _("Körningen är förberedd. En enhetschef som inte förberett den ska godkänna den."),
                )
                return redirect("payment_run", run_id=run.pk)
        forms[organisation.pk] = form
        bad, status = form, 422
    sections = [
        {"organisation": o, "runs": reads.runs_for(o), "form": forms.get(o.pk)} for o in organisations
    ]
    return render(
        request, "web/benefits/payment_runs.html", {"sections": sections, "bad_form": bad}, status=status
    )


def _files(run: PaymentRun) -> dict[str, bool]:
    xml_path, csv_path = payments.file_paths(run)
    return {"xml": xml_path.exists(), "csv": csv_path.exists()}


def _while_locked(read: Callable[[], T]) -> T:
    """`read`, tried again if SQLite answers "locked" while the background run writes: an in-memory
    database shared between threads (the test server's) locks whole tables until the writer commits,
    where a file database in WAL mode lets readers go on. The run's thread does the same the other way."""
    for attempt in range(LOCK_RETRIES + 1):
        try:
            return read()
        except OperationalError as error:
            if "locked" not in str(error) or attempt == LOCK_RETRIES:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")  # the loop returns or raises


@require_GET
@staff_view
def payment_run(request: HttpRequest, run_id: int) -> HttpResponse:
    # Ask the thread before reading the run: a thread that ends in between has committed the run's final
    # status before it leaves _running, so the read then sees it. The other order could read the run as
    # not yet paid and then miss the thread, and the page would stop following a finished run.
    in_thread = _running.get(run_id)
    return _while_locked(lambda: _run_page(request, run_id, in_thread))


def _run_page(request: HttpRequest, run_id: int, in_thread: int | None) -> HttpResponse:
    run = _run_for(request, run_id)
    running = run.status == RunStatus.PAGAR or (in_thread is not None and run.status != RunStatus.KLAR)
    paid = in_thread if in_thread is not None else reads.paid_so_far(run)
    context: dict[str, Any] = {
        "run": run,
        "summary": payments.summary(run),
        "running": running,
        "paid": paid,
        "percent": (100 * paid // run.households) if run.households else 100,
        "failed": _failed.get(run.pk, ""),
        "files": _files(run) if run.status == RunStatus.KLAR else {},
        "may_approve": run.status == RunStatus.FORBEREDD and payments.may_approve(request.user, run),
        "prepared_by_me": run.prepared_by_id == request.user.pk,
        "may_withdraw": run.status == RunStatus.FORBEREDD
        and payments.may_prepare(request.user, run.organisation),
        "may_pay": not running
        and run.status in (RunStatus.GODKAND, RunStatus.PAGAR)
        and payments.may_prepare(request.user, run.organisation),
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/benefits/_run_status.html", context)
    return render(request, "web/benefits/payment_run.html", context)


@require_POST
@staff_view
def payment_run_approve(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_for(request, run_id)
    try:
        payments.approve_run(actor=request.user, run=run)
    except BenefitError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Körningen är godkänd och kan betalas ut."))
    return redirect("payment_run", run_id=run.pk)


@require_POST
@staff_view
def payment_run_withdraw(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_for(request, run_id)
    try:
        payments.withdraw_run(actor=request.user, run=run)
    except BenefitError as error:
        messages.error(request, str(error.message))
        return redirect("payment_run", run_id=run.pk)
    messages.success(request, _("Körningen är borttagen. Besluten kan tas med i en ny körning."))
    return redirect("payment_runs")


@require_POST
@staff_view
def payment_run_execute(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_for(request, run_id)
    if not payments.may_prepare(request.user, run.organisation):
        raise PermissionDenied
    if run.pk in _running:
        return redirect("payment_run", run_id=run.pk)
    if run.status not in (RunStatus.GODKAND, RunStatus.PAGAR):
        messages.error(request, _("Körningen måste godkännas av en annan person innan den betalas ut."))
    elif run.households <= INLINE_MAX_HOUSEHOLDS:
        try:
            payments.execute_run(actor=request.user, run=run)
        except BenefitError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Utbetalningen är klar."))
    else:
        _failed.pop(run.pk, None)
        _running[run.pk] = 0
        threading.Thread(target=_pay_in_background, args=(run.pk, request.user.pk), daemon=True).start()
    return redirect("payment_run", run_id=run.pk)


def _pay_in_background(run_id: int, user_id: int) -> None:
    """A thread with its own database connection; closed at the end, since no request cycle does it.
    A run that stops half-way is resumed by pressing the button again: paid households are skipped."""
    try:

        def progress(done: int, _total: int) -> None:
            _running[run_id] = done

        actor = User.objects.get(pk=user_id)
        # SQLite may answer "locked" while the page reads the run; the batch that failed was rolled back
        # and paid households are skipped, so paying again (the run read afresh) is safe.
        _while_locked(
            lambda: payments.execute_run(
                actor=actor, run=PaymentRun.objects.get(pk=run_id), progress=progress
            )
        )
    except BenefitError as error:
        _failed[run_id] = str(error.message)
    except Exception:
        logger.exception("Payment run %s stopped", run_id)
        _failed[run_id] = _(
            "Utbetalningen avbröts av ett tekniskt fel. Tryck på knappen igen för att fortsätta."
        )
    finally:
        _running.pop(run_id, None)
        connections.close_all()


@require_POST
@staff_view
def payment_run_write_files(request: HttpRequest, run_id: int) -> HttpResponse:
    """Write the files again (they come out the same), for example after the payer's account is added."""
    run = _run_for(request, run_id)
    if run.status != RunStatus.KLAR:
        raise Http404
    try:
        payments.write_files(run)
    except BenefitError as error:
        messages.error(request, str(error.message))
    else:
        _failed.pop(run.pk, None)
        messages.success(request, _("Betalfilerna är skrivna."))
    return redirect("payment_run", run_id=run.pk)


@require_GET
@staff_view
def payment_run_file(request: HttpRequest, run_id: int, kind: str) -> FileResponse:
    """The pain.001 file or the CSV. They name payees and accounts: fetching one is logged."""
    run = _run_for(request, run_id)
    xml_path, csv_path = payments.file_paths(run)
    path = xml_path if kind == "xml" else csv_path
    if run.status != RunStatus.KLAR or not path.exists():
        raise Http404
    with transaction.atomic():
        audit.record(
            actor=request.user,
            action="payment_run.file_fetched",
            target=run,
            category=reads.ECONOMY,
            purpose=reads.PURPOSE,
            detail={"file": path.name},
        )
    content_type = "application/xml" if kind == "xml" else "text/csv; charset=utf-8"
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type=content_type)
