"""Computing and storing the outcome report: read the operational data, run the pipeline, keep the result.

Views, the API and `manage.py outcome_report` call these; they never run the pipeline themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from egenmakt.access import policy, reads
from egenmakt.accounts.models import CASEWORK_ROLES
from egenmakt.analytics import engines, extract, pipeline, report
from egenmakt.analytics.models import OutcomeReport
from egenmakt.analytics.pipeline import INDICATORS
from egenmakt.audit import services as audit
from egenmakt.lib.categories import DataCategory
from egenmakt.outcomes import services as outcomes
from egenmakt.people.models import Participant


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


def may_drill_down(user: Any) -> bool:
    """Drill-down to people is for those who work with people (caseworkers and unit managers); analysts
    and politicians see aggregates only."""
    return bool(policy.roles(user) & CASEWORK_ROLES)


def people_in_cell(*, actor: Any, code: str, dimension: str, group: str) -> list[tuple[Participant, bool]]:
    """The people behind one cell of the latest data, limited to those the actor may see, each read
    logged. Returns each person with whether they are counted in the numerator."""
    if not may_drill_down(actor):
        raise AnalyticsError(_("Bara den som arbetar med personerna kan se vilka som finns bakom en siffra."))
    indicator = next((i for i in INDICATORS if i.code == code and i.kind == "share"), None)
    end = data_end_month()
    if indicator is None or dimension not in indicator.dimensions or end is None:
        raise AnalyticsError(_("Det finns ingen sådan uppdelning."))
    runner = engines.duckdb()
    f = pipeline.frames(extract.extract().tables, data_end=end, keep=runner.keep)
    periods = runner.keep(pipeline.spells(f), "periods")
    base = indicator.base(f, periods)
    if dimension == "malgrupp":
        rows = base.filter(base[f"tg_{group}"])
    elif dimension == "alla":
        rows = base
    else:
        rows = base.filter(base[dimension].cast("string").fill_null(pipeline.UNKNOWN) == group)
    found = runner.execute(rows.group_by("participant_id").aggregate(counted=rows.counted.max()))
    runner.close()
    counted = {int(r.participant_id): bool(r.counted) for r in found.itertuples()}
    people = list(Participant.objects.filter(pk__in=counted).order_by("last_name", "first_name"))
    shown = reads.shown_in_list(
        actor=actor,
        participants=people,
        action="participant.listed_in_outcome_cell",
        detail={"indicator": code, "dimension": dimension, "group": group},
    )
    return [(p, counted[p.pk]) for p in shown]
