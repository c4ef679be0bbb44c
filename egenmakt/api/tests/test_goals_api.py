"""Shared goals in the API: the same goals, figures and suppression as the goal pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from egenmakt.analytics.report import ShareRow
from egenmakt.goals import services
from egenmakt.goals.tests.factories import LONG_TERM, make_goal, store_report
from egenmakt.goals.tests.test_access import _client
from egenmakt.test import Personas

THIS_MONTH = timezone.localdate().replace(day=1)


@pytest.fixture
def personas(db: None) -> Personas:
    return Personas()


@pytest.mark.django_db
def test_a_goal_comes_with_its_measurements_and_progress(personas: Personas) -> None:
    store_report([ShareRow(LONG_TERM, "alla", "alla", 35, 100)])
    goal = make_goal(personas, baseline="40", target="30")
    services.snapshot_goals(actor=None, month=THIS_MONTH)
    body = _client(personas.anna).get("/api/v1/goals").json()
    assert [g["id"] for g in body] == [goal.pk]
    shown = body[0]
    assert (shown["title"], shown["organisations"], shown["baseline_percent"], shown["target_percent"]) == (
        "Färre med långvarigt bistånd",
        ["Exempelkommun"],
        40.0,
        30.0,
    )
    assert shown["measurements"] == [
        {
            "month": f"{THIS_MONTH:%Y-%m}",
            "data_end": "2025-12-01",
            "numerator": 35,
            "denominator": 100,
            "share": 0.35,
            "suppressed": False,
        }
    ]
    assert shown["progress"] == pytest.approx(0.5)  # 40 % -> 35 %, half the way to 30 %
    assert _client(personas.anna).get(f"/api/v1/goals/{goal.pk}").json() == shown


@pytest.mark.django_db
def test_a_small_cell_comes_without_numbers(personas: Personas) -> None:
    store_report([ShareRow(LONG_TERM, "alla", "alla", 3, 100)])
    goal = make_goal(personas, baseline="40", target="30")
    services.snapshot_goals(actor=None, month=THIS_MONTH)
    shown = _client(personas.maja).get(f"/api/v1/goals/{goal.pk}").json()
    assert shown["measurements"][0] | {"month": None, "data_end": None} == {
        "month": None,
        "data_end": None,
        "numerator": None,
        "denominator": None,
        "share": None,
        "suppressed": True,
    }
    assert shown["progress"] is None


@pytest.mark.django_db
def test_only_the_owning_organisations_see_a_goal(personas: Personas) -> None:
    goal = make_goal(personas)
    assert _client(personas.gustav).get("/api/v1/goals").json() == []  # another municipality
    assert _client(personas.gustav).get(f"/api/v1/goals/{goal.pk}").status_code == 404
    assert Client().get("/api/v1/goals").status_code == 401
