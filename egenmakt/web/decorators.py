"""Every view states its access rule with one of these decorators; a test checks that none is missing.

The decorator is the coarse gate (who may open this kind of page at all). Participant data inside a
view is still fetched only through `access.policy` / `access.reads`, which decide per person.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from egenmakt.access import policy

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
ACCESS_ATTRIBUTE = "egenmakt_access_rule"


def _mark(view: Any, rule: str) -> Any:
    setattr(view, ACCESS_ATTRIBUTE, rule)
    return view


def public_view(view: View) -> View:
    """No login needed (login page, language switch, health check)."""
    return _mark(view, "public")


def _gate(rule: str, allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _mark(wrapper, rule)

    return decorator


# Any member of staff with an active membership; participant data is still decided per person.
staff_view = _gate("staff", policy.is_staff_member)
# Unit managers: the access-log review.
manager_view = _gate("manager", policy.can_review_access_log)
# Analysts and managers: aggregated statistics (outcomes), never a person.
aggregates_view = _gate("aggregates", policy.can_see_aggregates)
# Staff who may register participants in at least one unit.
registrar_view = _gate("registrar", lambda user: bool(policy.registration_unit_ids(user)))
