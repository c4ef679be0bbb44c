"""Switches the case-review rules and early-intervention signals on in the demo municipality's units, so
the queue (/arendedragning/) and the signals (/signaler/) show something after `make demo`.

Each unit's own manager sets its rules, through the service, as in use: every change is audited. The
parameters are the defaults of review/rules/review.toml; nothing is listed or read here.
"""

from __future__ import annotations

from egenmakt.accounts.models import Membership, Role
from egenmakt.review import services as review
from egenmakt.review.models import RuleKind


def seed_review() -> dict[str, int]:
    managers = (
        Membership.objects.active()
        .filter(role=Role.ENHETSCHEF, unit__active=True, unit__organisation__synthetic=True)
        .select_related("user", "unit")
        .order_by("unit_id", "pk")
    )
    units: set[int] = set()
    rules = 0
    for membership in managers:
        if membership.unit_id in units:
            continue
        units.add(membership.unit_id)
        for kind in RuleKind.values:
            review.set_rule(actor=membership.user, unit=membership.unit, kind=kind, active=True)
            rules += 1
    return {"units": len(units), "rules": rules}
