"""The monthly payment run: prepared by one person, approved by another, then paid household by household.

Payments are unique per household, month and decision (a database constraint), so running the run
again pays nothing twice. Each batch of households commits on its own: a household is paid whole or
not at all, and after a crash (even kill -9) running it again picks up where it stopped.
The payment file (ISO 20022 pain.001.001.03, by sepaxml, checked against its XSD) and a CSV are a
function of the payments (payment_files.build), so they can be written again at any time and come out
the same; a large run has them built in another process while it pays.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from egenmakt.accounts.models import CASEWORK_ROLES, Role
from egenmakt.audit import services as audit
from egenmakt.benefits.models import (
    Decision,
    DecisionKind,
    LocalRules,
    Payment,
    PaymentRun,
    RunStatus,
)
from egenmakt.benefits.payment_files import BuiltApart, FileRow, Files, NoPayerAccount, Payer, build
from egenmakt.benefits.reads import roles_in
from egenmakt.benefits.services import ECONOMY, PURPOSE, BenefitError
from egenmakt.organisations.models import Organisation
from egenmakt.people.models import Participant

logger = logging.getLogger(__name__)

CHUNK = 2000
Progress = Callable[[int, int], None]


def _unpaid() -> Exists:
    return Exists(Payment.objects.filter(decision=OuterRef("pk")))


def payable(organisation: Organisation, month: date) -> Any:
    """Bistånd decisions of the month with something to pay, not in a run and not paid."""
    return (
        Decision.objects.filter(
            kind=DecisionKind.BISTAND,
            month=month,
            amount__gt=0,
            payment_run__isnull=True,
            case__unit__organisation=organisation,
        )
        .annotate(paid=_unpaid())
        .filter(paid=False)
    )


@transaction.atomic
def prepare_run(*, actor: Any, organisation: Organisation, month: date, execution_date: date) -> PaymentRun:
    """Gather the month's decided payments into a run for someone else to approve."""
    if not roles_in(actor, organisation) & CASEWORK_ROLES:
        raise BenefitError(_("Bara handläggare och chefer i kommunen kan förbereda en utbetalning."))
    month = month.replace(day=1)
    open_run = PaymentRun.objects.filter(organisation=organisation, month=month).exclude(
        status=RunStatus.KLAR
    )
    if open_run.exists():
        raise BenefitError(_("Det finns redan en körning för månaden som inte är klar."))
    if execution_date < timezone.localdate():
        raise BenefitError(_("Utbetalningsdagen har redan passerat."), field="execution_date")
    rules = LocalRules.objects.filter(organisation=organisation).first()
    if rules is None or not rules.payer_iban:
        # Caught here rather than after paying, when the bank file could not be written.
        raise BenefitError(
            _("Kommunens betalkonto (IBAN) saknas. Lägg in det under kommunens regler för bistånd.")
        )
    run = PaymentRun.objects.create(
        organisation=organisation, month=month, prepared_by=actor, execution_date=execution_date
    )
    chosen = payable(organisation, month).values("pk")
    Decision.objects.filter(pk__in=chosen).update(payment_run=run)
    totals = Decision.objects.filter(payment_run=run).aggregate(
        households=Count("household", distinct=True), total=Sum("amount")
    )
    if not totals["households"]:
        raise BenefitError(_("Det finns inga beslutade utbetalningar för månaden."))
    run.households = totals["households"]
    run.total = totals["total"] or 0
    run.save(update_fields=["households", "total"])
    audit.record(
        actor=actor,
        action="payment_run.prepared",
        target=run,
        category=ECONOMY,
        purpose=PURPOSE,
        detail={"households": run.households, "total": run.total},
    )
    return run


@transaction.atomic
def approve_run(*, actor: Any, run: PaymentRun) -> PaymentRun:
    """The second pair of eyes: a manager who did not prepare the run."""
    run = PaymentRun.objects.select_for_update().get(pk=run.pk)
    if Role.ENHETSCHEF not in roles_in(actor, run.organisation):
        raise BenefitError(_("Bara en enhetschef i kommunen kan godkänna en utbetalning."))
    if actor.pk == run.prepared_by_id:
        raise BenefitError(_("Den som förberett körningen kan inte också godkänna den."))
    if run.status != RunStatus.FORBEREDD:
        raise BenefitError(_("Körningen är redan godkänd."))
    run.status = RunStatus.GODKAND
    run.approved_by = actor
    run.approved_at = timezone.now()
    run.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(actor=actor, action="payment_run.approved", target=run, category=ECONOMY, purpose=PURPOSE)
    return run


@transaction.atomic
def withdraw_run(*, actor: Any, run: PaymentRun) -> None:
    """A prepared run that is not yet approved can be withdrawn; its decisions are free again."""
    run = PaymentRun.objects.select_for_update().get(pk=run.pk)
    if not roles_in(actor, run.organisation) & CASEWORK_ROLES:
        raise BenefitError(_("Bara handläggare och chefer i kommunen kan ta bort en körning."))
    if run.status != RunStatus.FORBEREDD:
        raise BenefitError(_("Bara en körning som inte är godkänd kan tas bort."))
    Decision.objects.filter(payment_run=run).update(payment_run=None)
    audit.record(actor=actor, action="payment_run.withdrawn", target=run, category=ECONOMY, purpose=PURPOSE)
    run.delete()


class _Due(NamedTuple):
    """A decision still to pay, with what its payment needs. A tuple: a run builds 100 000 of them."""

    decision: int
    household: int
    month: date
    amount: int
    participant: int
    payee: str
    iban: str
    bic: str

    def file_row(self) -> FileRow:
        """The payment it is to become: what _pay_households inserts, and what the files show."""
        end_to_end = f"EGM-{self.month:%Y%m}-{self.decision}"
        return FileRow(
            self.household,
            self.month,
            self.decision,
            self.amount,
            self.payee,
            self.iban,
            self.bic,
            end_to_end,
        )


def _pending(run: PaymentRun) -> list[_Due]:
    """The run's unpaid decisions in household order, each with its payee: the account holder where the
    household has an account, otherwise the decision's participant.

    One query for the whole run rather than two per batch: PostgreSQL joins the participants by
    scanning them whole, which per batch of 2 000 cost more than everything else the batch read."""
    rows = (
        Decision.objects.filter(payment_run=run)
        .annotate(paid=_unpaid())
        .filter(paid=False)
        .order_by("household_id", "pk")
        .values_list(
            "pk",
            "household_id",
            "month",
            "amount",
            "participant_id",
            "participant__first_name",
            "participant__last_name",
            "household__payout_account__holder__first_name",
            "household__payout_account__holder__last_name",
            "household__payout_account__iban",
            "household__payout_account__bic",
        )
    )
    due = []
    for pk, household, month, amount, participant, first, last, holder_first, holder_last, iban, bic in rows:
        if iban is None:  # no account: a paper avi to the person the decision is for
            payee, iban, bic = f"{first} {last}".strip(), "", ""
        else:
            payee = f"{holder_first} {holder_last}".strip()
        due.append(_Due(pk, household, month, amount, participant, payee[:140], iban, bic))
    return due


def _by_households(due: list[_Due], chunk: int) -> Iterator[tuple[list[_Due], int]]:
    """`due` cut into batches of `chunk` whole households (a household's decisions are next to each
    other in it), each with its number of households."""
    start, households, previous = 0, 0, None
    for at, entry in enumerate(due):
        if entry.household != previous:
            if households == chunk:
                yield due[start:at], households
                start, households = at, 0
            households += 1
            previous = entry.household
    if households:
        yield due[start:], households


def execute_run(
    *, actor: Any, run: PaymentRun, chunk: int = CHUNK, progress: Progress | None = None
) -> PaymentRun:
    """Pay an approved run. Idempotent and resumable: households already paid are skipped."""
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if not roles_in(actor, run.organisation) & CASEWORK_ROLES:
            raise BenefitError(_("Du har ingen roll i kommunen som får betala ut."))
        if run.status not in (RunStatus.GODKAND, RunStatus.PAGAR, RunStatus.KLAR):
            raise BenefitError(_("Körningen måste godkännas av en annan person innan den betalas ut."))
        if run.status == RunStatus.GODKAND:
            run.status = RunStatus.PAGAR
            run.started_at = timezone.now()
            run.save(update_fields=["status", "started_at"])
    due = _pending(run)
    apart = expected = None
    try:
        if due and len(due) >= settings.EGENMAKT_PAYMENT_FILES_APART_FROM:
            # What an earlier, interrupted attempt paid, and what is left. A payment another runner
            # makes between the two reads is in both, and this runner skips it (below).
            expected = _file_rows(run) + [entry.file_row() for entry in due]
            apart = _build_apart(run, expected)
        skipped = _pay(actor=actor, run=run, due=due, chunk=chunk, progress=progress)
        run, payments = _finish(actor=actor, run=run)
        # The files built apart hold `expected`. With nothing skipped, every row of it is a payment now
        # (paid before, or by this runner), so when the counts agree they are the run's payments; and
        # they were made out from the account the municipality still pays from.
        files = None
        if (
            apart is not None
            and expected is not None
            and skipped == 0
            and payments == len(expected)
            and apart.payer == _payer(run)
        ):
            files = apart.result()
            if files is None:
                logger.warning("Payment run %s: files built again after paying (%s)", run.pk, apart.failure)
    finally:
        if apart is not None:
            apart.abandon()  # not wanted, or something above failed; once result() is in, a no-op
    if files is not None:
        _put_in_place(run, files)
    else:
        write_files(run)
    return run


def _pay(*, actor: Any, run: PaymentRun, due: list[_Due], chunk: int, progress: Progress | None) -> int:
    """Pay `due` batch by batch; how many of its decisions another runner paid meanwhile."""
    done = run.households - len({entry.household for entry in due})
    skipped = 0
    for batch, households in _by_households(due, chunk):
        skipped += _pay_households(actor=actor, run=run, due=batch)
        done += households
        if progress is not None:
            progress(done, run.households)
    return skipped


@transaction.atomic
def _finish(*, actor: Any, run: PaymentRun) -> tuple[PaymentRun, int]:
    """The run done, with what it paid (also when another runner paid some of it); its number of
    payments."""
    run = PaymentRun.objects.select_for_update().get(pk=run.pk)
    totals = Payment.objects.filter(run=run).aggregate(
        payments=Count("pk"), households=Count("household", distinct=True), total=Sum("amount")
    )
    run.paid_households = totals["households"] or 0
    run.paid_total = totals["total"] or 0
    if run.status != RunStatus.KLAR:
        run.status = RunStatus.KLAR
        run.finished_at = timezone.now()
    run.save(update_fields=["paid_households", "paid_total", "status", "finished_at"])
    audit.record(
        actor=actor,
        action="payment_run.paid",
        target=run,
        category=ECONOMY,
        purpose=PURPOSE,
        detail={"households": run.paid_households, "total": run.paid_total},
    )
    return run, int(totals["payments"])


@transaction.atomic
def _pay_households(*, actor: Any, run: PaymentRun, due: list[_Due]) -> int:
    """Pay one batch (whole households, in household order) in one transaction: its payments and their
    audit events commit together or not at all. Returns how many of them another runner had paid."""
    if not due:
        return 0
    # The run row is locked so that two runners cannot pay the same batch at once; the one that waited
    # then skips what the other paid (read after the lock, so its commit is seen).
    PaymentRun.objects.select_for_update().filter(pk=run.pk).first()
    paid = set(
        Payment.objects.filter(
            run=run, household_id__gte=due[0].household, household_id__lte=due[-1].household
        ).values_list("decision_id", flat=True)
    )
    skipped = 0
    if paid:
        left = [d for d in due if d.decision not in paid]
        skipped, due = len(due) - len(left), left
        if not due:
            return skipped
    now = timezone.now()
    _insert_payments([(run.pk, *d.file_row(), now) for d in due])
    decision, participant = Decision._meta.label_lower, Participant._meta.label_lower
    audit.record_many(
        actor=actor,
        entries=[
            audit.Entry(
                action="payment.made",
                participant=audit.Ref(participant, d.participant),
                target=audit.Ref(decision, d.decision),
                category=ECONOMY,
                purpose=PURPOSE,
                legal_ground="",
                detail={"amount": d.amount, "run": run.pk},
            )
            for d in due
        ],
    )
    return skipped


# A payment's columns: its run, the row the files show (named as the model's fields), and when.
_PAYMENT_COLUMNS = ("run", *FileRow._fields, "created_at")


def _insert_payments(rows: list[tuple[Any, ...]]) -> None:
    """New payments, values in _PAYMENT_COLUMNS' order. PostgreSQL gets COPY: for a batch of 2 000
    several times faster than bulk_create, which spent more on preparing the values than the database
    on storing them. The constraints hold the same, and a violation is an IntegrityError as before."""
    by_name = {field.name: field for field in Payment._meta.concrete_fields}
    fields = [by_name[name] for name in _PAYMENT_COLUMNS]
    if connection.vendor != "postgresql":
        names = [field.attname for field in fields]
        Payment.objects.bulk_create(
            [Payment(**dict(zip(names, row, strict=True))) for row in rows], batch_size=1000
        )
        return
    quote = connection.ops.quote_name
    sql = f"COPY {quote(Payment._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.connection.cursor() as raw,
        raw.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)


# --- Files ------------------------------------------------------------------------------------------


def payment_dir() -> Path:
    folder = Path(settings.EGENMAKT_PAYMENT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_paths(run: PaymentRun) -> tuple[Path, Path]:
    base = payment_dir() / f"utbetalning-{run.organisation_id}-{run.month:%Y-%m}-{run.pk}"
    return base.with_suffix(".xml"), base.with_suffix(".csv")


def _payer(run: PaymentRun) -> Payer | None:
    rules = LocalRules.objects.filter(organisation_id=run.organisation_id).first()
    if rules is None or not rules.payer_iban:
        return None
    return Payer(
        name=rules.payer_name or run.organisation.name,
        iban=rules.payer_iban,
        bic=rules.payer_bic,
        execution_date=run.execution_date,
    )


def _file_rows(run: PaymentRun) -> list[FileRow]:
    """The run's payments as the files show them, in the order they were made."""
    return [
        FileRow(*row)
        for row in Payment.objects.filter(run=run)
        .order_by("pk")
        .values_list(*FileRow._fields)
        .iterator(chunk_size=5000)
    ]


def _build_apart(run: PaymentRun, rows: list[FileRow]) -> BuiltApart | None:
    """The files of `rows`, built in another process while the run pays; None where that cannot help:
    no account to pay from (write_files then says so), or no process to be had."""
    payer = _payer(run)
    if payer is None and any(row.iban for row in rows):
        return None
    try:
        return BuiltApart(rows, payer)
    except OSError:
        return None


def build_files(run: PaymentRun) -> Files:
    """The run's files from its payments in the database, the credit-transfer file checked against its
    XSD (a file that breaks it raises sepaxml's ValidationError)."""
    try:
        return build(_file_rows(run), _payer(run))
    except NoPayerAccount:
        raise BenefitError(
            _("Kommunens betalkonto (IBAN) saknas. Lägg in det under kommunens regler för bistånd.")
        ) from None


def write_files(run: PaymentRun) -> tuple[Path, Path]:
    return _put_in_place(run, build_files(run))


def _put_in_place(run: PaymentRun, files: Files) -> tuple[Path, Path]:
    xml_path, csv_path = file_paths(run)
    if files.xml is not None:
        _write_atomically(xml_path, files.xml)
    _write_atomically(csv_path, files.csv)
    return xml_path, csv_path


def _write_atomically(path: Path, content: bytes) -> None:
    """Readers see the old file or the new one, never half of one; two writers do not share a temp file."""
    with tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=path.name, suffix=".part", delete=False
    ) as handle:
        handle.write(content)
        partial = Path(handle.name)
    partial.replace(path)


@dataclass(frozen=True)
class RunSummary:
    run: PaymentRun
    without_account: int


def summary(run: PaymentRun) -> RunSummary:
    without = (
        Decision.objects.filter(payment_run=run)
        .exclude(household__payout_account__isnull=False)
        .values("household")
        .distinct()
        .count()
    )
    return RunSummary(run=run, without_account=without)


def may_prepare(actor: Any, organisation: Organisation) -> bool:
    return bool(roles_in(actor, organisation) & CASEWORK_ROLES)


def may_approve(actor: Any, run: PaymentRun) -> bool:
    return Role.ENHETSCHEF in roles_in(actor, run.organisation) and actor.pk != run.prepared_by_id
