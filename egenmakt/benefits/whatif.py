"""What-if: a norm change simulated across the current caseload, changing no decision.

The caseload is each household's latest calculation for the month, in the municipality. Every one is
calculated twice with the vectorised rule, once with the table in force and once with the alternative
(a percentage on it, or another year's table), and only the totals are shown: a reader of the result
sees no person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from egenmakt.accounts.models import Role
from egenmakt.audit import services as audit
from egenmakt.benefits import calculation as calc
from egenmakt.benefits import norm, reads, vector
from egenmakt.benefits.models import Calculation
from egenmakt.benefits.services import ECONOMY, BenefitError
from egenmakt.organisations.models import Organisation

# Fewer households than this are not shown, as in all statistics (DESIGN §5).
SMALLEST_GROUP = 5


@dataclass(frozen=True)
class WhatIf:
    month: date
    households: int
    base_label: str
    base_official: bool
    alternative_label: str
    current_total: int
    new_total: int
    raised: int
    lowered: int

    @property
    def difference(self) -> int:
        return self.new_total - self.current_total


def may_simulate(actor: Any, organisation: Organisation) -> bool:
    return bool(reads.roles_in(actor, organisation) & {Role.ENHETSCHEF, Role.ANALYTIKER})


def _caseload(organisation: Organisation, month: date) -> list[calc.HouseholdMonth]:
    latest = (
        Calculation.objects.filter(
            application__month=month, application__case__unit__organisation=organisation
        )
        .values("application__household_id")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    inputs = Calculation.objects.filter(pk__in=list(latest)).values_list("input", flat=True)
    return [calc.parse({**data, "month": month.isoformat()}) for data in inputs.iterator(chunk_size=2000)]


@transaction.atomic
def simulate(
    *,
    actor: Any,
    organisation: Organisation,
    month: date,
    percent: Decimal | None = None,
    year: int | None = None,
) -> WhatIf:
    """Simulate `percent` on the month's table, or another year's table, for the month's caseload."""
    if not may_simulate(actor, organisation):
        raise BenefitError(_("Bara chefer och analytiker i kommunen kan simulera en normändring."))
    if (percent is None) == (year is None):
        raise BenefitError(_("Ange antingen en procentsats eller ett normår."), field="percent")
    month = month.replace(day=1)
    try:
        base = norm.table_for(month)
        if year is not None:
            alternative = norm.table_for_year(year)
            label = _("Riksnormen %(year)s") % {"year": year}
        else:
            assert percent is not None
            if not Decimal(-50) <= percent <= Decimal(100):
                raise BenefitError(_("Procentsatsen ska vara mellan −50 och 100."), field="percent")
            alternative = norm.project(base, percent=percent, year=base.year)
            label = _("Riksnormen %(year)s %(sign)s%(percent)s %%") % {
                "year": base.year,
                "sign": "+" if percent >= 0 else "",
                "percent": f"{percent:g}".replace(".", ","),
            }
    except norm.NormMissing as exc:
        raise BenefitError(str(exc)) from None
    households = _caseload(organisation, month)
    if len(households) < SMALLEST_GROUP:
        raise BenefitError(
            _("Det finns färre än %(n)s beräknade hushåll för månaden; resultatet visas inte.")
            % {"n": SMALLEST_GROUP}
        )
    try:
        batch = vector.batch_of(households, base)
        current = vector.entitlements(batch, base)
        batch_new = batch if year is None else vector.batch_of(households, alternative)
        new = vector.entitlements(batch_new, alternative)
    except norm.NormMissing as exc:
        raise BenefitError(str(exc)) from None
    result = WhatIf(
        month=month,
        households=len(households),
        base_label=_("Riksnormen %(year)s") % {"year": base.year},
        base_official=base.official,
        alternative_label=label,
        current_total=int(current.sum()),
        new_total=int(new.sum()),
        raised=int((new > current).sum()),
        lowered=int((new < current).sum()),
    )
    audit.record(
        actor=actor,
        action="benefits.whatif",
        category=ECONOMY,
        purpose="konsekvensanalys av normändring",
        detail={"month": month.isoformat(), "alternative": label, "households": result.households},
    )
    return result
