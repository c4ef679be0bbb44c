"""A goal's progress from known outcomes: a real report computed from hand-built history, and stored
reports with known counts; small cells hidden in the figures, the progress, the table and the chart."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from egenmakt.activities.tests.factories import people_with_cases
from egenmakt.analytics import presentation
from egenmakt.analytics import services as analytics
from egenmakt.analytics.report import Report, ShareRow
from egenmakt.benefits.models import Decision, DecisionKind
from egenmakt.cases.models import CaseType
from egenmakt.goals import chart, figures, services
from egenmakt.goals.tests.factories import BACK_IN_12, LONG_TERM, make_goal, store_report
from egenmakt.outcomes import services as outcomes
from egenmakt.people.models import Household
from egenmakt.test import Personas

THIS_MONTH = timezone.localdate().replace(day=1)


def _assistance(personas: Personas, months_each: list[int]) -> None:
    """One person per entry, on försörjningsstöd for that many months of 2023 (from January)."""
    for (person, case), months in zip(
        people_with_cases(actor=personas.anna, unit=personas.eb, count=len(months_each)),
        months_each,
        strict=True,
    ):
        case.case_type = CaseType.EKONOMISKT_BISTAND
        case.opened_on = date(2023, 1, 2)
        case.household = Household.objects.create()
        case.save()
        for month in range(1, months + 1):
            first = date(2023, month, 1)
            Decision.objects.create(
                kind=DecisionKind.BISTAND,
                case=case,
                household=case.household,
                participant=person,
                month=first,
                period_start=first,
                period_end=first.replace(day=28),
                law_version="SoL2001",
                amount=4000,
                decided_by=personas.anna,
            )


@pytest.mark.django_db
def test_progress_comes_from_a_report_computed_on_hand_built_history(personas: Personas) -> None:
    # Seven people had försörjningsstöd in 2023: five for all twelve months, two for three. Long-term
    # assistance (10 months or more) is 5 of 7, 71.4 %; from a baseline of 80 % towards 60 %, that is
    # (71.4 - 80) / (60 - 80) = 43 % of the way.
    _assistance(personas, [12, 12, 12, 12, 12, 3, 3])
    outcomes.refresh(actor=None, through=date(2025, 3, 1))
    analytics.compute(actor=None, models=False)
    goal = make_goal(personas, baseline="80", target="60")
    result = services.snapshot_goals(actor=None, month=THIS_MONTH)
    assert (result.created, result.updated) == (1, 0)
    snapshot = goal.snapshots.get()
    assert (snapshot.numerator, snapshot.denominator) == (5, 7)
    shown = figures.figures(goal)
    assert shown.latest is not None and shown.latest.text == "71 %"
    assert shown.progress.share == pytest.approx((500 / 7 - 80) / (60 - 80))
    assert shown.progress.text == "43 % av vägen"
    assert shown.progress.state == "På väg mot målet"


def _report_with(numerator: int, denominator: int, *, group: str = "alla") -> None:
    dimension = "alla" if group == "alla" else "malgrupp"
    store_report([ShareRow(LONG_TERM, dimension, group, numerator, denominator)])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("direction", "baseline", "target", "counted", "of", "share", "state"),
    [
        ("lagre", "40", "30", 35, 100, 0.5, "På väg mot målet"),
        ("lagre", "40", "30", 28, 100, 1.2, "Målet är nått"),
        ("lagre", "40", "30", 45, 100, -0.5, "Längre från målet än vid utgångsläget"),
        ("hogre", "20", "60", 40, 100, 0.5, "På väg mot målet"),
    ],
)
def test_progress_runs_from_baseline_to_target_in_the_goal_s_direction(
    personas: Personas,
    direction: str,
    baseline: str,
    target: str,
    counted: int,
    of: int,
    share: float,
    state: str,
) -> None:
    _report_with(counted, of)
    goal = make_goal(personas, direction=direction, baseline=baseline, target=target)
    services.snapshot_goals(actor=None, month=THIS_MONTH)
    progress = figures.figures(goal).progress
    assert progress.share == pytest.approx(share)
    assert progress.state == state
    assert 0 <= progress.bar <= 100


@pytest.mark.django_db
def test_a_target_group_s_cell_is_the_one_measured(personas: Personas) -> None:
    store_report(
        [
            ShareRow(LONG_TERM, "alla", "alla", 40, 100),
            ShareRow(LONG_TERM, "malgrupp", "uvas", 9, 30),
            ShareRow(BACK_IN_12, "malgrupp", "uvas", 12, 30),
        ]
    )
    goal = make_goal(personas, target_group="uvas", baseline="40", target="20")
    services.snapshot_goals(actor=None, month=THIS_MONTH)
    assert (goal.snapshots.get().numerator, goal.snapshots.get().denominator) == (9, 30)
    assert figures.figures(goal).target_group_name == "Unga som varken arbetar eller studerar"


@pytest.mark.django_db
@pytest.mark.parametrize(("counted", "of"), [(4, 100), (3, 4), (0, 50)])
def test_a_small_cell_is_hidden_in_the_figures_progress_table_and_chart(
    personas: Personas, counted: int, of: int
) -> None:
    # Under 5 counted (zero included) or under 5 in all: nothing of the cell may show.
    _report_with(counted, of)
    goal = make_goal(personas, direction="hogre", baseline="1", target="10")
    services.snapshot_goals(actor=None, month=THIS_MONTH)
    shown = figures.figures(goal)
    assert shown.latest is not None and shown.latest.suppressed
    assert (shown.latest.cell.numerator, shown.latest.cell.denominator, shown.latest.cell.value) == (
        None,
        None,
        None,
    )
    assert shown.latest.text == "–"
    assert shown.progress.share is None and shown.progress.text == "–"
    svg = chart.progress_chart(chart_id="c", title="t", description="d", figures=shown)
    assert 'class="point"' not in svg and 'class="series"' not in svg
    client = Client()
    client.force_login(personas.anna)
    page = client.get(f"/mal/{goal.pk}/").content.decode()
    table = page.split('id="measurements"')[1].split("</table>")[0]
    assert f">{counted}<" not in table and f">{of}<" not in table
    assert '<td class="amount">–</td>' in table


@pytest.mark.django_db
def test_the_goal_shows_the_same_figure_as_the_outcomes_page(personas: Personas) -> None:
    shares = [
        ShareRow(LONG_TERM, "alla", "alla", 37, 100),
        ShareRow(LONG_TERM, "malgrupp", "uvas", 3, 12),
        ShareRow(LONG_TERM, "malgrupp", "nyanland", 9, 20),
    ]
    store_report(shares)
    report = Report(engine="duckdb", data_end=0, shares=shares)
    for group in ("alla", "uvas", "nyanland"):
        goal = make_goal(personas, target_group=group, title=f"Mål {group}")
        services.snapshot_goals(actor=None, month=THIS_MONTH)
        dimension = "alla" if group == "alla" else "malgrupp"
        rows, _total = presentation.breakdown(report, LONG_TERM, dimension)
        outcomes_page = next(r for r in rows if r.cell.group == group)
        latest = figures.figures(goal).latest
        assert latest is not None
        assert (latest.text, latest.cell) == (outcomes_page.text, outcomes_page.cell)


@pytest.mark.django_db
def test_the_chart_draws_the_measured_line_target_and_deadline(personas: Personas) -> None:
    _report_with(35, 100)
    goal = make_goal(personas)
    services.snapshot_goals(actor=None, month=THIS_MONTH)
    svg = chart.progress_chart(
        chart_id="goal-chart", title="Mål", description="Beskrivning", figures=figures.figures(goal)
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert svg.count('class="point"') == 1
    for part in ('class="target"', 'class="baseline"', 'class="deadline"', "Mål 30 %", "Utgångsläge 40 %"):
        assert part in svg
