"""Monthly snapshots: one per goal and month, idempotent, brought up to a newer report within the month,
earlier months never touched; the command does the same."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from egenmakt.analytics.report import ShareRow
from egenmakt.audit.models import AuditEvent
from egenmakt.goals import figures, services
from egenmakt.goals.models import GoalSnapshot
from egenmakt.goals.tests.factories import BACK_IN_12, LONG_TERM, make_goal, store_report
from egenmakt.test import Personas

THIS_MONTH = timezone.localdate().replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)


@pytest.mark.django_db
def test_a_second_run_in_the_same_month_writes_nothing(personas: Personas) -> None:
    store_report([ShareRow(LONG_TERM, "alla", "alla", 35, 100)])
    make_goal(personas)
    make_goal(personas, title="Ett till")
    first = services.snapshot_goals(actor=None, month=THIS_MONTH)
    events = AuditEvent.objects.count()
    again = services.snapshot_goals(actor=None, month=THIS_MONTH + timedelta(days=14))
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert GoalSnapshot.objects.count() == 2
    assert AuditEvent.objects.count() == events  # nothing changed, nothing to log


@pytest.mark.django_db
def test_a_newer_report_updates_this_month_and_leaves_earlier_months(personas: Personas) -> None:
    store_report([ShareRow(LONG_TERM, "alla", "alla", 38, 100)], data_end=date(2025, 10, 1))
    goal = make_goal(personas)
    services.snapshot_goals(actor=None, month=LAST_MONTH)
    services.snapshot_goals(actor=None, month=THIS_MONTH)
    newer = store_report([ShareRow(LONG_TERM, "alla", "alla", 33, 100)], data_end=date(2025, 11, 1))
    result = services.snapshot_goals(actor=None, month=THIS_MONTH)
    assert (result.created, result.updated) == (0, 1)
    rows = list(goal.snapshots.order_by("month").values_list("month", "numerator", "report_id"))
    assert rows[0][:2] == (LAST_MONTH, 38)
    assert rows[1] == (THIS_MONTH, 33, newer.pk)
    assert [m.text for m in figures.figures(goal).measurements] == ["38 %", "33 %"]
    assert AuditEvent.objects.filter(action="goals.snapshot_taken").count() == 3


@pytest.mark.django_db
def test_a_changed_indicator_starts_a_new_series(personas: Personas) -> None:
    store_report(
        [ShareRow(LONG_TERM, "alla", "alla", 38, 100), ShareRow(BACK_IN_12, "alla", "alla", 20, 100)]
    )
    goal = make_goal(personas)
    services.snapshot_goals(actor=None, month=LAST_MONTH)
    services.change_goal(
        actor=personas.cecilia,
        goal=goal,
        details=services.GoalDetails(
            title=goal.title,
            organisations=[personas.kommun],
            indicator=BACK_IN_12,
            target_group="alla",
            baseline=goal.baseline,
            target=goal.target,
            deadline=goal.deadline,
            direction=goal.direction,
        ),
    )
    services.snapshot_goals(actor=None, month=THIS_MONTH)
    # Last month's snapshot measured long-term assistance: it is kept, but not drawn as the new figure.
    assert goal.snapshots.count() == 2
    assert [(m.month, m.text) for m in figures.figures(goal).measurements] == [(THIS_MONTH, "20 %")]


@pytest.mark.django_db
def test_it_refuses_a_month_that_has_not_begun_and_a_missing_report(personas: Personas) -> None:
    make_goal(personas)
    with pytest.raises(services.GoalError, match="ingen beräknad utfallsrapport"):
        services.snapshot_goals(actor=None, month=THIS_MONTH)
    store_report([])
    with pytest.raises(services.GoalError, match="inte har börjat"):
        services.snapshot_goals(actor=None, month=(THIS_MONTH + timedelta(days=40)).replace(day=1))


@pytest.mark.django_db
def test_the_command_is_idempotent_too(personas: Personas) -> None:
    store_report([ShareRow(LONG_TERM, "alla", "alla", 35, 100)])
    make_goal(personas)
    out = StringIO()
    call_command("snapshot_goals", stdout=out)
    call_command("snapshot_goals", f"--month={THIS_MONTH:%Y-%m}", stdout=out)
    lines = out.getvalue().splitlines()
    assert "1 mätningar sparade" in lines[0]
    assert "0 mätningar sparade, 0 uppdaterade, 1 oförändrade" in lines[1]
    assert GoalSnapshot.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("snapshot_goals", "--month=2999-01", stdout=out)
