"""Recording, revising and withdrawing consent; recording disclosures on other grounds."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.audit import services as audit
from egenmakt.consent import grounds
from egenmakt.consent.models import Consent, ConsentForm, ConsentScope, Disclosure
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation
from egenmakt.people.errors import PeopleError
from egenmakt.people.models import Participant

# Scanned forms: the formats a scanner or phone produces, recognised by their first bytes (never by the
# name or the type the browser claims, which an uploader controls), and a size no scanned form needs.
DOCUMENT_SIGNATURES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def document_kind(upload: UploadedFile) -> str | None:
    """'pdf', 'jpg' or 'png' from the file's own first bytes, or None for anything else."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return next((kind for magic, kind in DOCUMENT_SIGNATURES.items() if head.startswith(magic)), None)


class ConsentError(PeopleError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Samtycket behöver rättas."))
        self.errors = errors

    def __str__(self) -> str:
        return f"{self.message} " + " ".join(f"{name}: {text}" for name, text in self.errors.items())


@dataclass
class ConsentTerms:
    """What the person agreed to. Forms, the API and the CLI all build one."""

    recipients: list[Organisation]
    categories: list[str]
    purpose: str
    form: str
    valid_from: date
    valid_to: date
    heard_by: str = ""
    document: UploadedFile | None = None
    keep_document_from: Consent | None = field(default=None, repr=False)


def check_terms(terms: ConsentTerms, *, today: date) -> None:
    errors: dict[str, str] = {}
    if not terms.recipients:
        errors["recipients"] = str(_("Välj minst en organisation som får ta del av uppgifterna."))
    unknown = set(terms.categories) - set(DataCategory.values)
    if not terms.categories or unknown:
        errors["categories"] = str(_("Välj vilka slags uppgifter som får delas."))
    elif DataCategory.GRUNDUPPGIFTER not in terms.categories:
        # Nothing about a person can be shared without saying who the person is.
        errors["categories"] = str(_("Grunduppgifter (vem personen är) måste ingå när något delas."))
    if not terms.purpose.strip():
        errors["purpose"] = str(_("Skriv syftet med samtycket, med personens egna ord om möjligt."))
    if terms.form not in ConsentForm.values:
        errors["form"] = str(_("Välj om samtycket är skriftligt eller muntligt."))
    elif terms.form == ConsentForm.MUNTLIGT and not terms.heard_by.strip():
        errors["heard_by"] = str(_("Skriv vem som hörde personen lämna samtycket."))
    elif terms.form == ConsentForm.SKRIFTLIGT and terms.document is None and terms.keep_document_from is None:
        errors["document"] = str(_("Bifoga det inskannade, undertecknade samtycket."))
    if terms.document is not None:
        if document_kind(terms.document) is None:
            errors["document"] = str(_("Samtycket ska vara en PDF-, JPEG- eller PNG-fil."))
        elif (terms.document.size or 0) > DOCUMENT_MAX_BYTES:
            errors["document"] = str(_("Filen är för stor (högst 10 MB)."))
    if terms.valid_to < terms.valid_from:
        errors["valid_to"] = str(_("Slutdatum kan inte ligga före startdatum."))
    elif terms.valid_to < today:
        errors["valid_to"] = str(_("Slutdatum har redan passerat."))
    if errors:
        raise ConsentError(errors)


def _scope_rows(consent: Consent, terms: ConsentTerms) -> list[ConsentScope]:
    return [
        ConsentScope(consent=consent, organisation=organisation, category=category)
        for organisation in terms.recipients
        for category in terms.categories
    ]


def _describe(terms: ConsentTerms) -> dict[str, Any]:
    return {
        "recipients": sorted(o.pk for o in terms.recipients),
        "categories": sorted(terms.categories),
        "valid_from": terms.valid_from.isoformat(),
        "valid_to": terms.valid_to.isoformat(),
        "form": terms.form,
    }


def _create(actor: Any, participant: Participant, terms: ConsentTerms, previous: Consent | None) -> Consent:
    consent = Consent(
        participant=participant,
        purpose=terms.purpose.strip(),
        form=terms.form,
        heard_by=terms.heard_by.strip() if terms.form == ConsentForm.MUNTLIGT else "",
        valid_from=terms.valid_from,
        valid_to=terms.valid_to,
        recorded_by=actor,
        version=previous.version + 1 if previous else 1,
        supersedes=previous,
    )
    if terms.document is not None:
        # A name the server chooses: nothing of the uploader's file name reaches the disk or the reader.
        terms.document.name = f"{uuid.uuid4().hex}.{document_kind(terms.document)}"
        consent.document = terms.document
    elif previous is not None and terms.form == ConsentForm.SKRIFTLIGT:
        consent.document = previous.document
    consent.save()
    ConsentScope.objects.bulk_create(_scope_rows(consent, terms))
    return consent


@transaction.atomic
def record_consent(*, actor: Any, participant: Participant, terms: ConsentTerms) -> Consent:
    check_terms(terms, today=timezone.localdate())
    consent = _create(actor, participant, terms, previous=None)
    audit.record(
        actor=actor,
        action="consent.recorded",
        participant=participant,
        target=consent,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose=consent.purpose[:200],
        detail=_describe(terms),
    )
    return consent


@transaction.atomic
def revise_consent(*, actor: Any, consent: Consent, terms: ConsentTerms) -> Consent:
    """A change is a new version; the old one stays as it was, marked as superseded."""
    # Lock the row so two caseworkers cannot both replace the same version.
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.withdrawn_at is not None or current.superseded_at is not None:
        raise ConsentError(
            {"__all__": str(_("Samtycket är redan återkallat eller ersatt av en nyare version."))}
        )
    terms.keep_document_from = current
    check_terms(terms, today=timezone.localdate())
    current.superseded_at = timezone.now()
    current.save(update_fields=["superseded_at"])
    revised = _create(actor, current.participant, terms, previous=current)
    audit.record(
        actor=actor,
        action="consent.revised",
        participant=current.participant,
        target=revised,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose=revised.purpose[:200],
        detail={**_describe(terms), "supersedes": current.pk},
    )
    return revised


@transaction.atomic
def withdraw_consent(*, actor: Any, consent: Consent, note: str = "") -> Consent:
    """Takes effect at once: the policy reads withdrawn_at on every request."""
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.withdrawn_at is not None:
        return current
    if current.superseded_at is not None:
        raise ConsentError(
            {"__all__": str(_("Den här versionen är redan ersatt. Återkalla den gällande versionen."))}
        )
    current.withdrawn_at = timezone.now()
    current.withdrawn_by = actor
    current.withdrawal_note = note.strip()[:300]
    current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    audit.record(
        actor=actor,
        action="consent.withdrawn",
        participant=current.participant,
        target=current,
        category=DataCategory.GRUNDUPPGIFTER,
        purpose="återkallelse",
        detail={"note": current.withdrawal_note},
    )
    return current


@transaction.atomic
def record_disclosure(
    *,
    actor: Any,
    participant: Participant,
    recipient: Organisation,
    categories: Iterable[str],
    legal_ground: str,
    note: str,
    disclosed_on: date | None = None,
) -> Disclosure:
    """Record a disclosure made on a ground other than consent, with the ground chosen from the list."""
    today = timezone.localdate()
    disclosed_on = disclosed_on or today
    chosen = [c for c in DataCategory.values if c in set(categories)]
    errors: dict[str, str] = {}
    if legal_ground not in {g.code for g in grounds.grounds_without_consent(disclosed_on)}:
        errors["legal_ground"] = str(_("Välj den rättsliga grunden för utlämnandet."))
    if not chosen:
        errors["categories"] = str(_("Välj vilka slags uppgifter som lämnades ut."))
    if not note.strip():
        errors["note"] = str(_("Skriv vad som lämnades ut och varför."))
    if disclosed_on > today:
        errors["disclosed_on"] = str(_("Ett utlämnande kan inte registreras i förväg."))
    if errors:
        raise ConsentError(errors)
    disclosure = Disclosure.objects.create(
        participant=participant,
        recipient=recipient,
        categories=chosen,
        legal_ground=legal_ground,
        note=note.strip(),
        disclosed_on=disclosed_on,
        recorded_by=actor,
    )
    audit.record_many(
        actor=actor,
        entries=[
            audit.Entry(
                action="participant.disclosed",
                participant=participant,
                target=disclosure,
                category=category,
                purpose=note.strip()[:200],
                legal_ground=legal_ground,
                detail={"recipient_id": recipient.pk, "disclosed_on": disclosed_on.isoformat()},
            )
            for category in chosen
        ],
    )
    return disclosure
