"""Goals and stored outcome reports with known counts, for the goal tests and the browser tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from egenmakt.analytics.models import OutcomeReport
from egenmakt.analytics.report import Report, ShareRow
from egenmakt.goals import services
from egenmakt.goals.models import Commitment, Goal
from egenmakt.test import Personas

LONG_TERM = "langvarigt_bistand"
BACK_IN_12 = "ater_12m"


def store_report(shares: Sequence[ShareRow], *, data_end: date = date(2025, 12, 1)) -> OutcomeReport:
    """A stored outcome report with known counts, as `analytics.services.compute` would leave it."""
    report = Report(
        engine="duckdb",
        data_end=data_end.year * 12 + data_end.month - 1,
        periods=100,
        people=90,
        shares=list(shares),
    )
    return OutcomeReport.objects.create(engine="duckdb", data_end=data_end, payload=report.as_json())


def make_goal(
    personas: Personas,
    *,
    organisations: Sequence[object] | None = None,
    indicator: str = LONG_TERM,
    target_group: str = "alla",
    baseline: str = "40",
    target: str = "30",
    direction: str = "lagre",
    title: str = "Färre med långvarigt bistånd",
    deadline: date = date(2030, 12, 31),
) -> Goal:
    return services.create_goal(
        actor=personas.cecilia,
        details=services.GoalDetails(
            title=title,
            organisations=list(organisations or [personas.kommun]),  # type: ignore[arg-type]
            indicator=indicator,
            target_group=target_group,
            baseline=Decimal(baseline),
            target=Decimal(target),
            deadline=deadline,
            direction=direction,
        ),
    )


def make_commitment(personas: Personas, **extra: object) -> Commitment:
    details = {
        "kind": "vallofte",
        "text": "Alla unga som söker försörjningsstöd ska erbjudas en insats inom 30 dagar.",
        "organisation": personas.kommun,
        "responsible": "Socialnämnden",
        "source_title": "Mål och budget 2026",
        "source_reference": "KS 2025/123",
        **extra,
    }
    return services.create_commitment(
        actor=personas.cecilia,
        details=services.CommitmentDetails(**details),  # type: ignore[arg-type]
        on=timezone.localdate() - timedelta(days=100),
    )
