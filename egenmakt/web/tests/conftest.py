"""Makes the browser fixtures (browser, page, other_page, anonymous_page, personas, media_root) available
to the web tests, and runs them last."""

from __future__ import annotations

import pytest

from egenmakt.web.tests.browser import (
    anonymous_page,
    browser,
    committed_catalogue,
    compiled_locale,
    media_root,
    other_page,
    page,
    personas,
)

__all__ = [
    "anonymous_page",
    "browser",
    "committed_catalogue",
    "compiled_locale",
    "media_root",
    "other_page",
    "page",
    "personas",
    "pytest_collection_modifyitems",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run after every other test (after pytest-django has put the database tests first).

    Once the session's browser has started, Playwright's event loop runs on the test thread until the
    session ends, and DJANGO_ALLOW_ASYNC_UNSAFE stays set (see browser.py). No other test should run in
    that state: one that starts `manage.py check --deploy` would find the variable and fail.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
