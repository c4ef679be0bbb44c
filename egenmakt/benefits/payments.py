"""The monthly payment run: prepared by one person, approved by another, then paid household by household.

Payments are unique per household, month and decision (a database constraint), so running the run
again pays nothing twice. Each batch of households commits on its own: a household is paid whole or
not at all, and after a crash (even kill -9) running it again picks up where it stopped.
The payment file (ISO 20022 pain.001.001.03, by sepaxml, checked against its XSD) and a CSV are
written from the payments, so they can be written again at any time and come out the same.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable
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
from egenmakt.benefits.reads import roles_in
from egenmakt.benefits.services import ECONOMY, PURPOSE, BenefitError
from egenmakt.organisations.models import Organisation
from egenmakt.people.models import Participant

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


# Households read per query: the batches of one window are read together (see _pending).
WINDOW = 20_000


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


def _pending(run: PaymentRun, low: int, high: int) -> list[_Due]:
    """The run's unpaid decisions of the households from low to high, in household order, each with its
    payee: the account holder where the household has an account, otherwise the decision's participant.

    One query for a window of batches rather than two per batch: PostgreSQL joins the participants
    by scanning them whole, which per batch of 2 000 cost more than everything else the batch read."""
    rows = (
        Decision.objects.filter(payment_run=run, household_id__gte=low, household_id__lte=high)
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
    households = list(
        Decision.objects.filter(payment_run=run)
        .annotate(paid=_unpaid())
        .filter(paid=False)
        .order_by("household_id")
        .values_list("household_id", flat=True)
        .distinct()
    )
    done_before = run.households - len(households)
    window = max(chunk, WINDOW // chunk * chunk)
    for window_start in range(0, len(households), window):
        in_window = households[window_start : window_start + window]
        due = _pending(run, in_window[0], in_window[-1])
        at = 0
        for start in range(0, len(in_window), chunk):
            # A household's decisions are next to each other in `due`, so a batch of households is
            # one slice of it.
            last = in_window[min(start + chunk, len(in_window)) - 1]
            end = at
            while end < len(due) and due[end].household <= last:
                end += 1
            _pay_households(actor=actor, run=run, due=due[at:end])
            at = end
            if progress is not None:
                progress(done_before + window_start + min(start + chunk, len(in_window)), run.households)
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        totals = Payment.objects.filter(run=run).aggregate(
            households=Count("household", distinct=True), total=Sum("amount")
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
    write_files(run)
    return run


@transaction.atomic
def _pay_households(*, actor: Any, run: PaymentRun, due: list[_Due]) -> None:
    """Pay one batch (whole households, in household order) in one transaction: its payments and their
    audit events commit together or not at all."""
    if not due:
        return
    # The run row is locked so that two runners cannot pay the same batch at once; the one that waited
    # then skips what the other paid (read after the lock, so its commit is seen).
    PaymentRun.objects.select_for_update().filter(pk=run.pk).first()
    paid = set(
        Payment.objects.filter(
            run=run, household_id__gte=due[0].household, household_id__lte=due[-1].household
        ).values_list("decision_id", flat=True)
    )
    if paid:
        due = [d for d in due if d.decision not in paid]
        if not due:
            return
    now = timezone.now()
    _insert_payments(
        [
            (run.pk, d.household, d.month, d.decision, d.amount, d.payee, d.iban, d.bic, _end_to_end(d), now)
            for d in due
        ]
    )
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


def _end_to_end(due: _Due) -> str:
    return f"EGM-{due.month:%Y%m}-{due.decision}"


_PAYMENT_COLUMNS = (
    *("run", "household", "month", "decision", "amount"),
    *("payee", "iban", "bic", "end_to_end_id", "created_at"),
)


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


def pain001(run: PaymentRun) -> bytes:
    """The credit-transfer file for payments to an account, validated against the pain.001.001.03 XSD."""
    from sepaxml import SepaTransfer

    rules = LocalRules.objects.filter(organisation_id=run.organisation_id).first()
    if rules is None or not rules.payer_iban:
        raise BenefitError(
            _("Kommunens betalkonto (IBAN) saknas. Lägg in det under kommunens regler för bistånd.")
        )
    config: dict[str, Any] = {
        "name": rules.payer_name or run.organisation.name,
        "IBAN": rules.payer_iban,
        "batch": True,
        "currency": "SEK",
        "domestic": True,
    }
    if rules.payer_bic:
        config["BIC"] = rules.payer_bic
    transfer = SepaTransfer(config, schema="pain.001.001.03", clean=True)
    rows = (
        Payment.objects.filter(run=run)
        .exclude(iban="")
        .order_by("pk")
        .values_list("payee", "iban", "bic", "amount", "end_to_end_id", "month")
    )
    for payee, iban, bic, amount, end_to_end, month in rows.iterator(chunk_size=5000):
        payment: dict[str, Any] = {
            "name": payee,
            "IBAN": iban,
            "amount": amount * 100,  # öre
            "execution_date": run.execution_date,
            "description": f"Forsorjningsstod {month:%Y-%m}",
            "endtoend_id": end_to_end,
        }
        if bic:
            payment["BIC"] = bic
        transfer.add_payment(payment)
    xml = bytes(transfer.export(validate=False))
    _validate_pain001(xml)
    return xml


def _validate_pain001(xml: bytes) -> None:
    """The check sepaxml's `export(validate=True)` makes, against the same XSD, by libxml2 (lxml): for
    100 000 payments in under a second, where xmlschema took over half a minute. A file that is not
    even well-formed XML is refused the same way."""
    import sepaxml
    from lxml import etree
    from sepaxml.validation import ValidationError

    refused = (
        "The output SEPA file contains validation errors. This is likely due to an illegal value in one "
        "of your input fields."
    )
    xsd = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
    # The file is our own, but it is parsed as if it were not: no entities, no network, no DTD.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    schema = etree.XMLSchema(etree.parse(str(xsd), parser))
    try:
        document = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise ValidationError(f"{refused} ({exc})") from exc
    if not schema.validate(document):
        error = schema.error_log.last_error
        raise ValidationError(f"{refused} (line {error.line}: {error.message})")


def payments_csv(run: PaymentRun) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["hushall", "manad", "beslut", "belopp_kr", "mottagare", "iban", "satt", "end_to_end_id"])
    rows = (
        Payment.objects.filter(run=run)
        .order_by("pk")
        .values_list("household_id", "month", "decision_id", "amount", "payee", "iban", "end_to_end_id")
    )
    for household, month, decision, amount, payee, iban, end_to_end in rows.iterator(chunk_size=5000):
        writer.writerow(
            [
                household,
                f"{month:%Y-%m}",
                decision,
                amount,
                payee,
                iban,
                "konto" if iban else "avi",
                end_to_end,
            ]
        )
    return out.getvalue()


def write_files(run: PaymentRun) -> tuple[Path, Path]:
    xml_path, csv_path = file_paths(run)
    has_accounts = Payment.objects.filter(run=run).exclude(iban="").exists()
    if has_accounts:
        _write_atomically(xml_path, pain001(run))
    _write_atomically(csv_path, payments_csv(run).encode("utf-8"))
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
