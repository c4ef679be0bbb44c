"""The municipality's own rules for economic assistance: cost caps, the wage rule, the decision target and
the payer's account. Only an enhetschef in the municipality changes them; every change is audited.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as NumberError

from egenmakt.audit import services as audit
from egenmakt.benefits import reads
from egenmakt.benefits.models import CapKind, LocalCap, LocalRules
from egenmakt.benefits.services import ECONOMY, BenefitError
from egenmakt.organisations.models import Organisation


def may_change(actor: Any, organisation: Organisation) -> bool:
    return organisation.pk in reads.managed_organisations(actor)


def _require(actor: Any, organisation: Organisation) -> None:
    if not may_change(actor, organisation):
        raise BenefitError(_("Bara en enhetschef i kommunen kan ändra kommunens regler för bistånd."))


@transaction.atomic
def add_cap(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    amount: int,
    valid_from: date,
    children: int | None = None,
    source: str = "",
) -> LocalCap:
    """A new highest accepted cost from a date. Earlier rows stay: a calculation uses the row in force."""
    _require(actor, organisation)
    if kind not in CapKind.values:
        raise BenefitError(_("Välj vilken kostnad taket gäller."), field="kind")
    if amount < 1:
        raise BenefitError(_("Ange ett belopp i hela kronor."), field="amount")
    try:
        with transaction.atomic():
            cap = LocalCap.objects.create(
                organisation=organisation,
                kind=kind,
                children=children,
                amount=amount,
                valid_from=valid_from,
                source=source.strip(),
                created_by=actor,
            )
    except IntegrityError:
        raise BenefitError(
            _("Det finns redan ett tak för den kostnaden och det antalet barn från samma dag."),
            field="valid_from",
        ) from None
    audit.record(
        actor=actor,
        action="benefits.cap_added",
        target=cap,
        category=ECONOMY,
        purpose="kommunens regler",
        detail={"kind": kind, "children": children, "amount": amount, "valid_from": valid_from.isoformat()},
    )
    return cap


@dataclass(frozen=True)
class RuleValues:
    wage_disregard_percent: int
    wage_disregard_after_months: int
    wage_disregard_max: int | None
    decision_target_days: int
    payer_name: str
    payer_iban: str
    payer_bic: str


def rules_of(organisation: Organisation) -> LocalRules:
    """The municipality's rules, or the defaults (not saved) when none are set."""
    return LocalRules.objects.filter(organisation=organisation).first() or LocalRules(
        organisation=organisation
    )


def _clean_account(values: RuleValues) -> RuleValues:
    iban, bic = values.payer_iban.strip(), values.payer_bic.strip()
    try:
        iban = stdnum_iban.compact(stdnum_iban.validate(iban)) if iban else ""
    except NumberError:
        raise BenefitError(
            _("IBAN-numret är inte giltigt. Kontrollera siffrorna."), field="payer_iban"
        ) from None
    try:
        bic = stdnum_bic.compact(stdnum_bic.validate(bic)) if bic else ""
    except NumberError:
        raise BenefitError(_("BIC-koden är inte giltig (8 eller 11 tecken)."), field="payer_bic") from None
    return RuleValues(
        **{**asdict(values), "payer_iban": iban, "payer_bic": bic, "payer_name": values.payer_name.strip()}
    )


@transaction.atomic
def save_rules(*, actor: Any, organisation: Organisation, values: RuleValues) -> LocalRules:
    _require(actor, organisation)
    if not 0 <= values.wage_disregard_percent <= 100:
        raise BenefitError(_("Andelen ska vara mellan 0 och 100 procent."), field="wage_disregard_percent")
    if not 1 <= values.decision_target_days <= 90:
        raise BenefitError(_("Målet ska vara mellan 1 och 90 dagar."), field="decision_target_days")
    values = _clean_account(values)
    rules = LocalRules.objects.select_for_update().filter(organisation=organisation).first()
    if rules is None:
        rules = LocalRules(organisation=organisation)
    before = {name: getattr(rules, name) for name in asdict(values)}
    for name, value in asdict(values).items():
        setattr(rules, name, value)
    rules.updated_by = actor
    rules.updated_at = timezone.now()
    rules.save()
    changed = {name: value for name, value in asdict(values).items() if before[name] != value}
    audit.record(
        actor=actor,
        action="benefits.rules_changed",
        target=rules,
        category=ECONOMY,
        purpose="kommunens regler",
        # The account numbers are the municipality's own, not a person's; logged as they are.
        detail={"changed": changed},
    )
    return rules
