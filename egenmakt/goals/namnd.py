"""The report to the nämnd: every commitment, its status now and its history, what has happened, and the
measured indicators next to it. The commitments page and the PDF are built from the same rows, and the
figures come from `goals.figures`, as on the goal pages, so all three show the same suppressed numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from egenmakt.analytics import services as analytics
from egenmakt.audit import services as audit
from egenmakt.goals import access, figures
from egenmakt.goals.models import Commitment, CommitmentStatus, Goal, GoalSnapshot
from egenmakt.goals.services import PURPOSE, current_status


@dataclass(frozen=True)
class CommitmentRow:
    commitment: Commitment
    current: CommitmentStatus | None
    history: list[CommitmentStatus]  # oldest first
    goals: list[figures.GoalFigures]
    indicators: list[figures.IndicatorFigure]


def commitments_for(user: Any) -> QuerySet[Commitment]:
    return (
        access.visible_commitments(user)
        .select_related("organisation")
        .prefetch_related(
            "statuses__recorded_by",
            Prefetch(
                "goals",
                queryset=Goal.objects.prefetch_related(Prefetch("snapshots", GoalSnapshot.objects.all())),
            ),
        )
    )


def rows(commitments: QuerySet[Commitment] | list[Commitment]) -> list[CommitmentRow]:
    found = analytics.latest()
    report = found[1] if found else None
    built = []
    for commitment in commitments:
        history = sorted(commitment.statuses.all(), key=lambda s: (s.on, s.recorded_at, s.pk))
        built.append(
            CommitmentRow(
                commitment=commitment,
                current=current_status(commitment),
                history=history,
                goals=[figures.figures(goal) for goal in commitment.goals.all()],
                indicators=figures.indicator_figures(report, commitment.indicators),
            )
        )
    return built


def render_pdf(*, actor: Any) -> bytes:
    """Every commitment the actor may see, as a PDF for the nämnd, in Swedish (the nämnd's language)."""
    from weasyprint import HTML  # imported here: it loads Pango, which only printing needs

    found = analytics.latest()
    with translation.override("sv"):
        # The rows inside too: their texts ("45 % av vägen") are translated when they are built.
        shown = rows(commitments_for(actor))
        context = {
            "rows": shown,
            "printed_at": timezone.localtime(),
            "data_end": f"{found[0].data_end:%Y-%m}" if found else None,
        }
        html = render_to_string("web/goals/namnd_report.html", context)
    pdf: bytes = HTML(string=html).write_pdf()
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="commitments.report_printed",
            purpose=PURPOSE,
            detail={"commitments": [row.commitment.pk for row in shown]},
        )
    return pdf
