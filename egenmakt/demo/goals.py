"""Seeds shared goals and commitments (vallöften, uppdrag) in the demo municipality, after the outcome
report is computed: three goals measured on its indicators, this month's snapshot of each, and five
commitments with a dated status history.

Everything is synthetic and made up, the texts too. A goal's baseline is the value the report shows when
the demo is seeded, moved a few points so the goal shows some progress; the targets are round numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from egenmakt.accounts.models import User
from egenmakt.analytics import services as analytics
from egenmakt.goals import services as goals
from egenmakt.goals.figures import published, report_cell
from egenmakt.goals.models import Direction, Goal
from egenmakt.organisations.models import Organisation, OrganisationKind


@dataclass(frozen=True)
class GoalSpec:
    title: str
    description: str
    indicator: str
    target_group: str
    direction: str
    # Percentage points between the baseline and today's value, and between the baseline and the target.
    moved: Decimal
    to_target: Decimal
    with_partners: bool
    otherwise: Decimal = Decimal(25)  # where a made-up baseline starts when the cell is hidden (under 5)


GOALS = (
    GoalSpec(
        "Färre med långvarigt ekonomiskt bistånd",
        "Kommunen och samordningsförbundet arbetar tillsammans för att färre ska ha försörjningsstöd i 10 "
        "månader eller mer under ett år. (Syntetiskt exempel.)",
        "langvarigt_bistand",
        "alla",
        Direction.LOWER,
        Decimal(3),
        Decimal(10),
        True,
    ),
    GoalSpec(
        "Fler i arbete eller studier ett år efter avslut",
        "Den som lämnar försörjningsstöd eller en insats ska oftare arbeta eller studera ett år senare. "
        "(Syntetiskt exempel.)",
        "arbete_studier_12m_efter_avslut",
        "alla",
        Direction.HIGHER,
        Decimal(2),
        Decimal(10),
        True,
    ),
    GoalSpec(
        "Färre unga tillbaka till försörjningsstöd",
        "Unga som varken arbetar eller studerar ska inte komma tillbaka till försörjningsstöd inom ett år. "
        "(Syntetiskt exempel; små grupper visas som –.)",
        "ater_12m",
        "uvas",
        Direction.LOWER,
        Decimal(2),
        Decimal(8),
        False,
    ),
)


@dataclass(frozen=True)
class CommitmentSpec:
    kind: str
    text: str
    responsible: str
    source_title: str
    goals: tuple[int, ...]  # indexes into GOALS
    indicators: tuple[str, ...]
    history: tuple[tuple[str, int, str], ...]  # (status, days before as_of, what happened)


COMMITMENTS = (
    CommitmentSpec(
        "vallofte",
        "Halvera det långvariga ekonomiska biståndet under mandatperioden.",
        "Socialnämnden",
        "Valplattform 2022–2026 (syntetiskt exempel)",
        (0,),
        ("langvarigt_bistand",),
        (
            ("pagar", 330, "Handlingsplaner för alla med bistånd längre än 10 månader."),
            ("pagar", 120, "Gemensamt team med Arbetsmarknadsenheten startat."),
        ),
    ),
    CommitmentSpec(
        "vallofte",
        "Alla unga under 25 som söker försörjningsstöd ska erbjudas en aktivitet inom 30 dagar.",
        "Socialnämnden",
        "Valplattform 2022–2026 (syntetiskt exempel)",
        (2,),
        (),
        (
            ("pagar", 300, "Rutin för ungdomsärenden beslutad."),
            ("genomford", 60, "Alla unga sökande erbjöds en aktivitet inom 30 dagar under våren."),
        ),
    ),
    CommitmentSpec(
        "uppdrag",
        "Inför ärendedragning varje månad för alla ärenden med bistånd längre än 10 månader.",
        "Enhetschef, Ekonomiskt bistånd",
        "Socialnämndens protokoll § 42 (syntetiskt exempel)",
        (),
        ("langvarigt_bistand",),
        (("genomford", 200, "Ärendedragning hålls första tisdagen varje månad."),),
    ),
    CommitmentSpec(
        "uppdrag",
        "Pröva individuellt stöd till arbete (IPS) tillsammans med regionen och samordningsförbundet.",
        "Arbetsmarknadsenheten",
        "Mål och budget (syntetiskt exempel)",
        (1,),
        ("arbete_studier_12m_efter_start",),
        (
            ("pagar", 250, "Ansökan till samordningsförbundet inskickad."),
            ("ej_genomford", 40, "Regionen kunde inte avsätta en IPS-handledare i år."),
        ),
    ),
    CommitmentSpec(
        "vallofte",
        "Fler ska gå från försörjningsstöd till arbete eller studier.",
        "Socialnämnden",
        "Valplattform 2022–2026 (syntetiskt exempel)",
        (1,),
        ("arbete_studier_12m_efter_avslut", "ater_12m"),
        (),
    ),
)


def _percent(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def seed_goals(*, as_of: date) -> dict[str, int]:
    manager = User.objects.get(username="enhetschef")
    kommun = Organisation.objects.get(kind=OrganisationKind.KOMMUN, synthetic=True)
    partners = list(
        Organisation.objects.filter(
            kind__in=[OrganisationKind.SAMORDNINGSFORBUND, OrganisationKind.ARBETSFORMEDLINGEN],
            synthetic=True,
        )
    )
    found = analytics.latest()
    report = found[1] if found else None
    created: list[Goal] = []
    for spec in GOALS:
        numerator, denominator = (
            report_cell(report, indicator=spec.indicator, target_group=spec.target_group)
            if report
            else (0, 0)
        )
        shown = published(numerator=numerator, denominator=denominator, group=spec.target_group)
        # Only a value that may be shown: a baseline next to a hidden cell would give the cell away.
        now = _percent(100 * shown.value) if shown.value is not None else spec.otherwise
        # The baseline lies behind today's value, so the goal has moved towards its target.
        sign = Decimal(1) if spec.direction == Direction.LOWER else Decimal(-1)
        baseline = min(max(now + sign * spec.moved, spec.to_target), Decimal(100) - spec.to_target)
        target = baseline - sign * spec.to_target
        created.append(
            goals.create_goal(
                actor=manager,
                details=goals.GoalDetails(
                    title=spec.title,
                    description=spec.description,
                    organisations=[kommun, *partners] if spec.with_partners else [kommun],
                    indicator=spec.indicator,
                    target_group=spec.target_group,
                    baseline=baseline,
                    target=target,
                    deadline=date(as_of.year + 3, 12, 31),
                    direction=spec.direction,
                ),
            )
        )
    snapshots = goals.snapshot_goals(actor=None, month=as_of) if found else goals.SnapshotResult()
    statuses = 0
    for commitment_spec in COMMITMENTS:
        first = max((days for _s, days, _c in commitment_spec.history), default=30) + 30
        commitment = goals.create_commitment(
            actor=manager,
            details=goals.CommitmentDetails(
                kind=commitment_spec.kind,
                text=commitment_spec.text,
                organisation=kommun,
                responsible=commitment_spec.responsible,
                source_title=commitment_spec.source_title,
                goals=[created[i] for i in commitment_spec.goals],
                indicators=list(commitment_spec.indicators),
            ),
            on=as_of - timedelta(days=first),
        )
        for status, days, comment in commitment_spec.history:
            goals.record_commitment_status(
                actor=manager,
                commitment=commitment,
                status=status,
                on=as_of - timedelta(days=days),
                comment=comment,
            )
        statuses += 1 + len(commitment_spec.history)
    return {
        "goals": len(created),
        "snapshots": snapshots.created,
        "commitments": len(COMMITMENTS),
        "statuses": statuses,
    }
