"""Switches the case-review rules and early-intervention signals on in the demo municipality's units, so
the queue (/arendedragning/) and the signals (/signaler/) show something after `make demo`.

Each unit's own manager sets its rules, through the service, as in use: every change is audited. The
parameters are the defaults of review/rules/review.toml; nothing is listed or read here. The queues are
then counted for the managers' start pages, as the nightly `count_review_queues` would.
"""

from __future__ import annotations

from datetime import date

from egenmakt.accounts.models import Membership, Role
from egenmakt.review import services as review
from egenmakt.review.models import RuleKind


def seed_review(*, as_of: date) -> dict[str, int]:
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
    queued = sum(count.total for count in review.count_queues(actor=None, on=as_of))
    return {"units": len(units), "rules": rules, "queued": queued}
