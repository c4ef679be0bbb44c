"""Every URL has an access decision: Kiwi's lint idea, done as a test over the URL resolver.

A new view without one of the decorators in egenmakt.web.decorators (or an API operation without
authentication) fails here, before it can leak anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

from egenmakt.api.endpoints import api
from egenmakt.test import BaseTestCase
from egenmakt.web.admin_site import AdministratorSite
from egenmakt.web.decorators import ACCESS_ATTRIBUTE

KNOWN_RULES = {"public", "staff", "manager", "registrar", "aggregates"}
# The referral answer page is public on purpose: a signed, single-use link for recipients without an
# account (collaboration.referrals checks the signature, expiry, use and consent).
PUBLIC_ROUTES = {"logga-in/", "logga-ut/", "sprak/", "halsa/", "remiss/svar/<str:token>/"}
# django-ninja's root view only raises 404; it exists so ninja can reverse its own paths.
NINJA_ROOT = "api/v1/"
# The norm calculation is a public service on purpose (like OpenFisca's API): its input identifies
# nobody, nothing is stored, and the rule is public law.
PUBLIC_API = {"/calculate"}


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str | None = None
) -> Iterator[tuple[str, str | None, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(
                pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern.callback


def _example_path(route: str) -> str:
    """A concrete path for a route, with made-up ids: the checks below expect no access anyway."""
    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<(?:path|str|slug):?\w*>", "x", path)
    path = re.sub(r"<\w+>", "1", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path).replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


ROUTES = list(_walk(get_resolver().url_patterns))


class EveryViewDecidesAccessTestCase(BaseTestCase):
    def test_every_view_declares_its_access_rule(self) -> None:
        self.assertIsInstance(admin.site, AdministratorSite)
        api_operations = {
            id(op)
            for _prefix, router in api._routers
            for view in router.path_operations.values()
            for op in view.operations
        }
        self.assertTrue(api_operations)
        missing = []
        for route, namespace, callback in ROUTES:
            if namespace == "admin":
                continue  # AdministratorSite.has_permission decides (checked below)
            if callback.__module__ == "ninja.operation" or route == NINJA_ROOT:
                continue  # API operations are checked through the API object below
            rule = getattr(callback, ACCESS_ATTRIBUTE, None)
            if rule not in KNOWN_RULES:
                missing.append(route)
            elif rule == "public" and route not in PUBLIC_ROUTES:
                missing.append(f"{route} (public, but not on the list of public pages)")
        self.assertEqual(missing, [], "views without an access decision")

    def test_every_api_operation_requires_authentication(self) -> None:
        for _prefix, router in api._routers:
            for path, view in router.path_operations.items():
                for operation in view.operations:
                    if path in PUBLIC_API:
                        self.assertFalse(operation.auth_callbacks, f"{path} is meant to be public")
                        continue
                    self.assertTrue(operation.auth_callbacks, f"API operation {path} has no authentication")

    def test_no_route_answers_an_anonymous_visitor_with_content(self) -> None:
        for route, _namespace, _callback in ROUTES:
            if route in PUBLIC_ROUTES:
                continue
            path = _example_path(route)
            response = self.client.get(path, follow=True)
            if response.status_code == 200:
                # Redirected, in the end, to the login page: that is the only content allowed.
                self.assertEqual(response.request["PATH_INFO"], "/logga-in/", path)
            else:
                self.assertIn(response.status_code, {401, 403, 404, 405}, path)

    def test_no_route_shows_another_units_participant(self) -> None:
        """Gustav (another municipality) walks every participant route with Lina's id: nothing but 404/403/405."""
        self.client.force_login(self.gustav)
        for route, _namespace, _callback in ROUTES:
            if "participant_id" not in route and "<participant_id>" not in route:
                continue
            path = re.sub(r"<int:participant_id>|<participant_id>", str(self.lina.pk), route)
            path = _example_path(path)
            for method in (self.client.get, self.client.post):
                response = method(path)
                self.assertIn(response.status_code, {403, 404, 405}, f"{method.__name__} {path}")

    def test_the_admin_is_for_administrators_only(self) -> None:
        self.client.force_login(self.cecilia)
        self.assertEqual(self.client.get("/admin/").status_code, 302)
        self.client.force_login(self.sam)
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        self.assertEqual(self.client.get("/admin/organisations/organisation/").status_code, 200)
