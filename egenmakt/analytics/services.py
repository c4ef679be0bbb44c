"""Computing and storing the outcome report: read the operational data, run the pipeline, keep the result.

Views, the API and `manage.py outcome_report` call these; they never run the pipeline themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from egenmakt.analytics import engines, extract, report
from egenmakt.analytics.models import OutcomeReport
from egenmakt.audit import services as audit
from egenmakt.lib.categories import DataCategory
from egenmakt.outcomes import services as outcomes


class AnalyticsError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def data_end_month() -> int | None:
    """The last month the status history covers: the latest refresh's month."""
    latest = outcomes.latest_refresh()
    return outcomes.month_index(latest.through_month) if latest else None


def compute(
    *,
    actor: Any,
    engine: str = "duckdb",
    models: bool = True,
    progress: Callable[[str], None] | None = None,
) -> OutcomeReport:
    """Compute the report over everything refreshed so far and store it. Run `refresh_outcomes` first."""
    end = data_end_month()
    if end is None:
        raise AnalyticsError(_("Statushistoriken är inte uppdaterad. Kör uppdateringen av utfall först."))
    tables = extract.extract().tables
    runner = engines.spark() if engine == "spark" else engines.duckdb()
    built = report.build(tables=tables, data_end=end, engine=runner, models=models, progress=progress)
    with transaction.atomic():
        stored = OutcomeReport.objects.create(
            created_by=actor if getattr(actor, "pk", None) else None,
            engine=built.engine,
            data_end=outcomes.month_of(end),
            payload=built.as_json(),
        )
        audit.record(
            actor=actor,
            action="outcome_report.computed",
            target=stored,
            category=DataCategory.PLAN_OCH_INSATSER,
            purpose="uppföljning",
            detail={"periods": built.periods, "people": built.people, "engine": built.engine},
        )
    return stored


def latest() -> tuple[OutcomeReport, report.Report] | None:
    stored = OutcomeReport.objects.first()
    if stored is None:
        return None
    return stored, report.Report.from_json(stored.payload)


def month_label(month: int) -> str:
    return f"{outcomes.month_of(month):%Y-%m}"


def as_date(month: int) -> date:
    return outcomes.month_of(month)
