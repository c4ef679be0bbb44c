"""Synthetic activities for the demo: a catalogue run by the AME, placements with some queues, two weeks of
attendance (a few unexcused days, each with its task), and an action plan for every open AME case.

Rows are written in bulk with one audit event per person and kind of write, as the generator does; the
personas' plans get a little more content so the demo shows goals, steps and an overdue follow-up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from egenmakt.accounts.models import User
from egenmakt.activities.models import Activity, Enrolment, EnrolmentStatus, FidelityReview, Method
from egenmakt.attendance.models import AbsenceTask, Attendance, AttendanceStatus
from egenmakt.attendance.services import economic_assistance_caseworkers
from egenmakt.audit import services as audit
from egenmakt.cases.models import Case, CaseType
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation, OrganisationKind, Unit, UnitKind
from egenmakt.plans import services as plan_services
from egenmakt.plans.models import ActionPlan, FollowUp, Goal, GoalKind, PlanVersion, Step, StepStatus


@dataclass(frozen=True)
class ActivitySpec:
    code: str
    name: str
    method: str
    target_groups: tuple[str, ...]
    languages: tuple[str, ...]
    hours: str
    cost: int
    finsam: bool = False
    weight: float = 1.0


CATALOGUE = (
    ActivitySpec(
        "PRAKTIK", "Praktik i kommunens verksamheter", Method.PRAKTIK, ("alla",), ("sv",), "6", 3000, weight=2
    ),
    ActivitySpec(
        "ARBTR",
        "Arbetsträning i second hand-butiken",
        Method.ARBETSTRANING,
        ("langvarigt_bistand",),
        ("sv", "ar"),
        "5",
        4500,
    ),
    ActivitySpec(
        "SFI-FOR",
        "SFI med föräldrastöd",
        Method.SFI,
        ("utrikes_fodda_kvinnor", "nyanlanda"),
        ("sv", "ar", "so", "ti"),
        "4",
        2500,
        weight=1.5,
    ),
    ActivitySpec(
        "KOMVUX-VO", "Komvux vård och omsorg med språkstöd", Method.KOMVUX, ("nyanlanda",), ("sv",), "6", 0
    ),
    ActivitySpec(
        "IPS",
        "IPS – individuellt stöd till arbete",
        Method.IPS,
        ("psykisk_ohalsa", "funktionsnedsattning"),
        ("sv", "en"),
        "2",
        6000,
        finsam=True,
    ),
    ActivitySpec(
        "UNGA",
        "Ungdomsstödjare för unga utanför arbete och studier",
        Method.UNGDOMSSTODJARE,
        ("unga",),
        ("sv", "en", "ar"),
        "3",
        3500,
        finsam=True,
    ),
    ActivitySpec(
        "SOCFTG",
        "Socialt företag: Café Gemenskap",
        Method.SOCIALT_FORETAG,
        ("funktionsnedsattning", "langvarigt_bistand"),
        ("sv",),
        "6",
        5000,
    ),
    ActivitySpec(
        "YRK-LAGER", "Yrkesutbildning lager och logistik", Method.YRKESUTBILDNING, ("alla",), ("sv",), "7", 0
    ),
    ActivitySpec(
        "MI-VAGL", "Motiverande samtal och vägledning", Method.MI, ("alla",), ("sv", "ar", "fa"), "1.5", 1500
    ),
    ActivitySpec(
        "FONTAN",
        "Fontänhuset Exempelstad",
        Method.FONTANHUS,
        ("psykisk_ohalsa",),
        ("sv",),
        "4",
        2000,
        finsam=True,
    ),
)
# Share of open AME cases with a place or a queue place, and of those, the share still waiting.
PLACED_SHARE = 0.6
WAITING_SHARE = 0.08
EB_PLAN_SHARE = 0.35
ATTENDANCE_DAYS = 10
UNEXCUSED_SHARE = 0.03
EXCUSED_SHARE = 0.06
EXCUSE_REASONS = ("sjuk", "vard_av_barn", "lakarbesok", "annat_giltigt")
OWN_GOALS = (
    "Jag vill ha ett eget jobb och klara mig själv.",
    "Jag vill lära mig svenska så att jag kan prata med mina barns lärare.",
    "Jag vill bli undersköterska.",
    "Jag vill börja plugga igen.",
    "Jag vill jobba med något praktiskt, gärna lager eller bygg.",
    "Jag vill må bättre och orka mer, sedan jobba.",
)


def _working_days(as_of: date, count: int) -> list[date]:
    days: list[date] = []
    day = as_of - timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def seed_activities(*, seed: int, as_of: date) -> dict[str, int]:
    rng = random.Random(seed * 104_729 + 3)
    kommun = Organisation.objects.get(kind=OrganisationKind.KOMMUN, synthetic=True)
    finsam = Organisation.objects.filter(kind=OrganisationKind.SAMORDNINGSFORBUND, synthetic=True).first()
    ame = Unit.objects.get(organisation=kommun, kind=UnitKind.ARBETSMARKNADSENHET)
    konsulent = User.objects.get(username="konsulent")
    cases = list(
        Case.objects.filter(case_type=CaseType.ARBETSMARKNADSINSATS, closed_on__isnull=True, unit=ame)
        .select_related("participant")
        .order_by("pk")
    )
    weights = [spec.weight for spec in CATALOGUE]
    chosen: dict[str, list[Case]] = {spec.code: [] for spec in CATALOGUE}
    for case in cases:
        if rng.random() < PLACED_SHARE:
            chosen[rng.choices(CATALOGUE, weights)[0].code].append(case)
    with transaction.atomic():
        activities = {}
        for spec in CATALOGUE:
            placed = len(chosen[spec.code])
            activity = Activity.objects.create(
                code=spec.code,
                name=spec.name,
                provider=kommun,
                unit=ame,
                method=spec.method,
                target_groups=list(spec.target_groups),
                # Most activities have room; about one in ten of those who want a place waits for one.
                capacity=max(4, round(placed * (1 - WAITING_SHARE))),
                weekdays=[0, 1, 2, 3, 4] if spec.method != Method.MI else [1, 3],
                hours_per_day=Decimal(spec.hours),
                languages=list(spec.languages),
                cost_per_place=spec.cost,
                finsam_funded=spec.finsam,
                synthetic=True,
            )
            if spec.finsam and finsam is not None:
                activity.funders.add(finsam)
            activities[spec.code] = activity
        enrolments = _enrol(rng, as_of, activities, chosen, konsulent)
        attendance_rows, tasks = _attendance(rng, as_of, enrolments, konsulent)
        # Economic-assistance cases get plans too (about a third), so the handläggare and the unit manager
        # see follow-ups of their own.
        eb_cases = [
            case
            for case in Case.objects.filter(case_type=CaseType.EKONOMISKT_BISTAND, closed_on__isnull=True)
            .select_related("participant")
            .order_by("pk")
            if rng.random() < EB_PLAN_SHARE
        ]
        plans = _plans(rng, as_of, cases + eb_cases, activities, kommun, konsulent)
        scores = [rng.randint(3, 5) for _ in range(25)]
        FidelityReview.objects.create(
            activity=activities["IPS"],
            reviewed_on=as_of - timedelta(days=200),
            reviewers="Extern granskare, Samordningsförbundet",
            scores=scores,
            total=sum(scores),
            recorded_by=konsulent,
        )
    _persona_plan(as_of, activities, kommun)
    return {
        "activities": len(activities),
        "enrolments": len(enrolments),
        "attendance": attendance_rows,
        "tasks": tasks,
        "plans": plans,
    }


def _enrol(
    rng: random.Random, as_of: date, activities: dict[str, Activity], chosen: dict[str, list[Case]], by: User
) -> list[Enrolment]:
    rows = []
    for code, cases in chosen.items():
        activity = activities[code]
        for index, case in enumerate(cases):
            placed = index < activity.capacity
            start = as_of - timedelta(days=rng.randint(20, 200))
            rows.append(
                Enrolment(
                    participant=case.participant,
                    activity=activity,
                    case=case,
                    status=EnrolmentStatus.AKTIV if placed else EnrolmentStatus.VANTAR,
                    queued_at=timezone.now() - timedelta(days=rng.randint(1, 60), minutes=index),
                    start=start,
                    planned_end=start + timedelta(days=rng.choice((90, 180, 365))),
                    created_by=by,
                    synthetic=True,
                )
            )
    Enrolment.objects.bulk_create(rows, batch_size=2000)
    audit.record_many(
        actor=None,
        entries=[
            audit.Entry(
                action="enrolment.placed" if row.status == EnrolmentStatus.AKTIV else "enrolment.queued",
                participant=row.participant,
                target=row,
                category=DataCategory.PLAN_OCH_INSATSER,
                purpose="demodata",
            )
            for row in rows
        ],
    )
    return rows


def _attendance(rng: random.Random, as_of: date, enrolments: list[Enrolment], by: User) -> tuple[int, int]:
    rows: list[Attendance] = []
    days = _working_days(as_of, ATTENDANCE_DAYS)
    for enrolment in enrolments:
        if enrolment.status != EnrolmentStatus.AKTIV:
            continue
        activity = enrolment.activity
        for day in days:
            if enrolment.start is None or day < enrolment.start or not activity.is_scheduled_on(day):
                continue
            draw = rng.random()
            status, reason, hours = AttendanceStatus.NARVARANDE, "", activity.hours_per_day
            if draw < UNEXCUSED_SHARE:
                status, hours = AttendanceStatus.OGILTIG_FRANVARO, Decimal("0")
            elif draw < UNEXCUSED_SHARE + EXCUSED_SHARE:
                status, reason, hours = (
                    AttendanceStatus.GILTIG_FRANVARO,
                    rng.choice(EXCUSE_REASONS),
                    Decimal("0"),
                )
            rows.append(
                Attendance(
                    enrolment=enrolment,
                    day=day,
                    status=status,
                    reason=reason,
                    planned_hours=activity.hours_per_day,
                    attended_hours=hours,
                    recorded_by=by,
                )
            )
    Attendance.objects.bulk_create(rows, batch_size=5000)
    unexcused = [row for row in rows if row.status == AttendanceStatus.OGILTIG_FRANVARO]
    owners = economic_assistance_caseworkers({row.enrolment.participant_id for row in unexcused})
    tasks = []
    for row in unexcused:
        participant_id = row.enrolment.participant_id
        case_id, handlaggare_id = owners.get(participant_id) or (
            row.enrolment.case_id,
            row.enrolment.case.responsible_id,
        )
        tasks.append(
            AbsenceTask(
                attendance=row, participant_id=participant_id, case_id=case_id, assigned_to_id=handlaggare_id
            )
        )
    AbsenceTask.objects.bulk_create(tasks, batch_size=2000)
    per_person: dict[int, Enrolment] = {row.enrolment.participant_id: row.enrolment for row in rows}
    audit.record_many(
        actor=None,
        entries=[
            audit.Entry(
                action="attendance.registered",
                participant=enrolment.participant,
                target=enrolment,
                category=DataCategory.NARVARO,
                purpose="demodata",
            )
            for enrolment in per_person.values()
        ],
    )
    return len(rows), len(tasks)


def _plans(
    rng: random.Random,
    as_of: date,
    cases: list[Case],
    activities: dict[str, Activity],
    kommun: Organisation,
    by: User,
) -> int:
    enrolled = {e.case_id: e for e in Enrolment.objects.filter(case__in=cases, synthetic=True)}
    plans = []
    for case in cases:
        created = max(case.opened_on, as_of - timedelta(days=rng.randint(14, 300)))
        plans.append(
            ActionPlan(
                participant=case.participant,
                case=case,
                own_goal=rng.choice(OWN_GOALS),
                requirements="Delta i den insats vi har kommit överens om. Meddela frånvaro samma dag.",
                consequences="Om du uteblir utan giltigt skäl pratar vi om det först. Ekonomiskt bistånd kan "
                "sättas ned bara genom ett beslut som du får yttra dig över och kan överklaga.",
                follow_up_weeks=rng.choice((4, 6, 8)),
                created_by=by,
                created_at=timezone.now() - timedelta(days=(as_of - created).days),
                synthetic=True,
            )
        )
    ActionPlan.objects.bulk_create(plans, batch_size=2000)
    goals, steps, follow_ups = [], [], []
    for plan in plans:
        kind = rng.choice((GoalKind.ARBETE, GoalKind.ARBETE, GoalKind.STUDIER, GoalKind.EGEN_FORSORJNING))
        goals.append(
            Goal(
                plan=plan,
                kind=kind,
                description=plan.own_goal,
                target_date=as_of + timedelta(days=rng.randint(60, 400)),
            )
        )
        enrolment = enrolled.get(plan.case_id)
        if enrolment is not None:
            steps.append(
                Step(
                    plan=plan,
                    activity=enrolment.activity,
                    enrolment=enrolment,
                    responsible_organisation=kommun,
                    start=enrolment.start,
                    end=enrolment.planned_end,
                    status=StepStatus.PAGAR
                    if enrolment.status == EnrolmentStatus.AKTIV
                    else StepStatus.PLANERAD,
                    agreed_with_participant=True,
                )
            )
        # About one in eight follow-ups is overdue, so the start pages have something to show.
        if rng.random() < 0.12:
            planned = as_of - timedelta(days=rng.randint(1, 20))
        else:
            planned = as_of + timedelta(days=rng.randint(1, 40))
        follow_ups.append(FollowUp(plan=plan, planned_on=planned))
    Goal.objects.bulk_create(goals, batch_size=2000)
    Step.objects.bulk_create(steps, batch_size=2000)
    FollowUp.objects.bulk_create(follow_ups, batch_size=2000)
    # Snapshots of every plan one by one would dominate the seeding time at 100 000 people; the first
    # version records what the plan was created with, which is what the bulk rows hold.
    PlanVersion.objects.bulk_create(
        [
            PlanVersion(
                plan=plan,
                number=1,
                snapshot={"own_goal": plan.own_goal, "requirements": plan.requirements},
                changes=["Planen skapades."],
                changed_by=by,
            )
            for plan in plans
        ],
        batch_size=2000,
    )
    audit.record_many(
        actor=None,
        entries=[
            audit.Entry(
                action="plan.created",
                participant=plan.participant,
                target=plan,
                category=DataCategory.PLAN_OCH_INSATSER,
                purpose="demodata",
            )
            for plan in plans
        ],
    )
    return len(plans)


def _persona_plan(as_of: date, activities: dict[str, Activity], kommun: Organisation) -> None:
    """The konsulent persona's first case gets a fuller plan through the services: needs, two goals,
    a free-text step, and a follow-up that is overdue."""
    persona = User.objects.get(username="konsulent")
    plan = ActionPlan.objects.filter(case__responsible=persona, synthetic=True).order_by("pk").first()
    if plan is None:
        return
    plan_services.update_plan(
        actor=persona, plan=plan, strengths="Van vid att ta ansvar hemma. Talar tre språk."
    )
    plan_services.add_need(
        actor=persona,
        plan=plan,
        life_area="kommunikation",
        description="Behöver stärka svenskan i arbetslivet.",
    )
    goal = plan_services.add_goal(
        actor=persona,
        plan=plan,
        kind=GoalKind.STUDIER,
        description="Klara SFI kurs D",
        target_date=as_of + timedelta(days=120),
    )
    plan_services.add_step(
        actor=persona,
        plan=plan,
        goal=goal,
        description="Studiebesök på Komvux tillsammans med coachen",
        responsible_organisation=kommun,
        responsible_person=persona.get_full_name(),
        start=as_of + timedelta(days=7),
        end=as_of + timedelta(days=7),
        agreed_with_participant=True,
    )
    FollowUp.objects.filter(plan=plan, held_on__isnull=True).update(planned_on=as_of - timedelta(days=5))
