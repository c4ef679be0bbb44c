from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from egenmakt.access import policy
from egenmakt.accounts.models import CASEWORK_ROLES, Role
from egenmakt.benefits import reads as benefits
from egenmakt.demo.models import DemoDataset


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page: the demo banner and the user's navigation."""
    user = request.user
    roles = policy.roles(user)
    return {
        "is_demo": DemoDataset.objects.exists(),
        "nav_roles": roles,
        # Only those who can ever see a person get the search: analysts, förbundschefer, politicians and
        # administrators see aggregates or reference data only.
        "nav_sees_people": bool(roles & policy.RECEIVING_ROLES),
        # Asked only of those with a role that could use it: the municipality check is a query.
        "nav_benefits": bool(roles & {*CASEWORK_ROLES, Role.ANALYTIKER})
        and benefits.may_use_benefit_pages(user),
        "nav_can_review_log": policy.can_review_access_log(user),
        "nav_outcomes": policy.can_see_aggregates(user),
        "nav_can_register": bool(policy.registration_unit_ids(user)),
        "nav_is_admin": policy.is_administrator(user),
        "nav_can_use_emergency": policy.may_use_emergency_access(user),
    }
