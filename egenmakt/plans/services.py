"""Action plans: written with the person, changed in versions, followed up on the dates that were set.

Every change to a plan (its text, a need, a goal, a step, an acknowledgement) goes through `_changed`,
which bumps the version, stores a snapshot of the whole plan with the list of changes in words, and
writes the audit row, all in the same transaction. The version history is therefore complete by
construction: there is no way to change a plan without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from egenmakt.access import policy
from egenmakt.activities.models import Activity, Enrolment
from egenmakt.audit import services as audit
from egenmakt.cases.models import Case
from egenmakt.lib.categories import DataCategory
from egenmakt.organisations.models import Organisation
from egenmakt.people.errors import PeopleError
from egenmakt.plans.models import (
    AcknowledgedHow,
    ActionPlan,
    FollowUp,
    Goal,
    GoalKind,
    GoalProgress,
    LifeArea,
    Need,
    PlanVersion,
    Progress,
    Step,
    StepStatus,
)

PLAN_FIELDS = ("own_goal", "strengths", "requirements", "consequences", "follow_up_weeks")
GOAL_FIELDS = ("kind", "description", "target_date", "achieved_on")
STEP_FIELDS = (
    "goal",
    "activity",
    "enrolment",
    "description",
    "responsible_organisation",
    "responsible_person",
    "start",
    "end",
    "status",
    "agreed_with_participant",
)


class PlanError(PeopleError):
    pass


def _check_may_edit(actor: Any, plan_or_case: ActionPlan | Case) -> None:
    if not policy.can(actor, policy.Action.EDIT, plan_or_case.participant, DataCategory.PLAN_OCH_INSATSER):
        raise PlanError(_("Bara personens egen enhet kan ändra handlingsplanen."))


def _text(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("ja") if value else _("nej"))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _label(instance: Model, field: str) -> str:
    model_field = instance._meta.get_field(field)
    return str(getattr(model_field, "verbose_name", field))


def _display(instance: Model, field: str) -> str:
    getter = getattr(instance, f"get_{field}_display", None)
    return _text(getter() if getter else getattr(instance, field))


def snapshot(plan: ActionPlan) -> dict[str, Any]:
    """The whole plan as plain data: what a version stores and what a diff compares."""
    return {
        **{field: _text(getattr(plan, field)) for field in PLAN_FIELDS},
        "needs": [
            {"id": n.pk, "life_area": n.get_life_area_display(), "description": n.description}
            for n in plan.needs.all()
        ],
        "goals": [{"id": g.pk, **{f: _display(g, f) for f in GOAL_FIELDS}} for g in plan.goals.all()],
        "steps": [
            {
                "id": s.pk,
                "title": s.title,
                **{f: _display(s, f) for f in STEP_FIELDS if f not in ("activity", "enrolment")},
            }
            for s in plan.steps.select_related("goal", "activity", "responsible_organisation")
        ],
        "acknowledged": _text(plan.acknowledged_on),
    }


def _changed(actor: Any, plan: ActionPlan, changes: list[str], action: str) -> ActionPlan:
    """Record a change: new version number, snapshot, audit row."""
    if not changes:
        return plan
    plan.version += 1
    plan.updated_at = timezone.now()
    plan.save(update_fields=["version", "updated_at"])
    PlanVersion.objects.create(
        plan=plan, number=plan.version, snapshot=snapshot(plan), changes=changes, changed_by=actor
    )
    audit.record(
        actor=actor,
        action=action,
        participant=plan.participant,
        target=plan,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose="handlingsplan",
        detail={"version": plan.version},
    )
    return plan


def _field_changes(instance: Model, values: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Set the given fields on the instance and describe each real change in words."""
    changes = []
    for field, new in values.items():
        before = _display(instance, field)
        setattr(instance, field, new)
        after = _display(instance, field)
        if before != after:
            changes.append(
                str(_("%(prefix)s%(field)s: %(after)s (var %(before)s)"))
                % {"prefix": prefix, "field": _label(instance, field), "after": after, "before": before}
            )
    return changes


def _clean_plan_values(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    cleaned = {key: (value.strip() if isinstance(value, str) else value) for key, value in values.items()}
    if "own_goal" in cleaned and not cleaned["own_goal"]:
        raise PlanError(_("Skriv personens eget mål, med personens egna ord."), field="own_goal")
    weeks = cleaned.get("follow_up_weeks")
    if weeks is not None and not 1 <= int(weeks) <= 26:
        raise PlanError(
            _("Uppföljning ska ske mellan varje vecka och var 26:e vecka."), field="follow_up_weeks"
        )
    return cleaned


@transaction.atomic
def create_plan(*, actor: Any, case: Case, own_goal: str, **values: Any) -> ActionPlan:
    """Start the plan for a case, with the first follow-up planned one interval ahead."""
    _check_may_edit(actor, case)
    if not case.is_open:
        raise PlanError(_("Ärendet är avslutat. Öppna ett nytt ärende för en ny plan."))
    if ActionPlan.objects.filter(case=case).exists():
        raise PlanError(_("Ärendet har redan en handlingsplan."))
    cleaned = _clean_plan_values({"own_goal": own_goal, **values})
    plan = ActionPlan.objects.create(
        participant=case.participant, case=case, created_by=actor, version=1, **cleaned
    )
    PlanVersion.objects.create(
        plan=plan, number=1, snapshot=snapshot(plan), changes=[str(_("Planen skapades."))], changed_by=actor
    )
    FollowUp.objects.create(
        plan=plan, planned_on=timezone.localdate() + timedelta(weeks=plan.follow_up_weeks)
    )
    audit.record(
        actor=actor,
        action="plan.created",
        participant=case.participant,
        target=plan,
        category=DataCategory.PLAN_OCH_INSATSER,
        purpose="handlingsplan",
    )
    return plan


def _locked(plan: ActionPlan) -> ActionPlan:
    return ActionPlan.objects.select_for_update().select_related("participant").get(pk=plan.pk)


@transaction.atomic
def update_plan(*, actor: Any, plan: ActionPlan, **values: Any) -> ActionPlan:
    plan = _locked(plan)
    _check_may_edit(actor, plan)
    changes = _field_changes(plan, _clean_plan_values(values))
    if changes:
        plan.save(update_fields=list(values))
    return _changed(actor, plan, changes, "plan.changed")


@transaction.atomic
def add_need(*, actor: Any, plan: ActionPlan, life_area: str, description: str) -> Need:
    plan = _locked(plan)
    _check_may_edit(actor, plan)
    if life_area not in LifeArea.values:
        raise PlanError(_("Välj ett livsområde."), field="life_area")
    if not description.strip():
        raise PlanError(_("Beskriv behovet."), field="description")
    need = Need.objects.create(plan=plan, life_area=life_area, description=description.strip())
    _changed(
        actor, plan, [str(_("Nytt behov: %(area)s")) % {"area": need.get_life_area_display()}], "plan.changed"
    )
    return need


@transaction.atomic
def remove_need(*, actor: Any, need: Need) -> None:
    plan = _locked(need.plan)
    _check_may_edit(actor, plan)
    label = need.get_life_area_display()
    need.delete()
    _changed(actor, plan, [str(_("Behov borttaget: %(area)s")) % {"area": label}], "plan.changed")


def _check_goal(values: Mapping[str, Any]) -> None:
    if "kind" in values and values["kind"] not in GoalKind.values:
        raise PlanError(_("Välj typ av mål."), field="kind")
    if "description" in values and not str(values["description"]).strip():
        raise PlanError(_("Beskriv målet."), field="description")


@transaction.atomic
def add_goal(
    *, actor: Any, plan: ActionPlan, kind: str, description: str, target_date: date | None = None
) -> Goal:
    plan = _locked(plan)
    _check_may_edit(actor, plan)
    _check_goal({"kind": kind, "description": description})
    goal = Goal.objects.create(plan=plan, kind=kind, description=description.strip(), target_date=target_date)
    _changed(actor, plan, [str(_("Nytt mål: %(goal)s")) % {"goal": goal}], "plan.changed")
    return goal


@transaction.atomic
def update_goal(*, actor: Any, goal: Goal, **values: Any) -> Goal:
    plan = _locked(goal.plan)
    _check_may_edit(actor, plan)
    unknown = set(values) - set(GOAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown goal fields: {sorted(unknown)}")
    _check_goal(values)
    if values.get("achieved_on") and values["achieved_on"] > timezone.localdate():
        raise PlanError(_("Ett mål kan inte vara uppnått i framtiden."), field="achieved_on")
    changes = _field_changes(goal, values, prefix=str(_("Mål")) + f" {goal.get_kind_display()} – ")
    if changes:
        goal.save()
    _changed(actor, plan, changes, "plan.changed")
    return goal


@transaction.atomic
def remove_goal(*, actor: Any, goal: Goal) -> None:
    plan = _locked(goal.plan)
    _check_may_edit(actor, plan)
    label = str(goal)
    goal.delete()
    _changed(actor, plan, [str(_("Mål borttaget: %(goal)s")) % {"goal": label}], "plan.changed")


def _check_step(plan: ActionPlan, values: Mapping[str, Any]) -> None:
    activity: Activity | None = values.get("activity")
    if activity is None and not str(values.get("description", "")).strip():
        raise PlanError(_("Välj en insats ur katalogen eller skriv vad som ska göras."), field="description")
    goal: Goal | None = values.get("goal")
    if goal is not None and goal.plan_id != plan.pk:
        raise PlanError(_("Välj ett av planens mål."), field="goal")
    enrolment: Enrolment | None = values.get("enrolment")
    if enrolment is not None and enrolment.participant_id != plan.participant_id:
        raise PlanError(_("Placeringen gäller en annan person."), field="enrolment")
    if values.get("status", StepStatus.PLANERAD) not in StepStatus.values:
        raise PlanError(_("Välj en status."), field="status")
    if not isinstance(values.get("responsible_organisation"), Organisation):
        raise PlanError(
            _("Välj vilken organisation som ansvarar för steget."), field="responsible_organisation"
        )
    start, end = values.get("start"), values.get("end")
    if start and end and end < start:
        raise PlanError(_("Slutdatum kan inte vara före startdatum."), field="end")


@transaction.atomic
def add_step(*, actor: Any, plan: ActionPlan, **values: Any) -> Step:
    plan = _locked(plan)
    _check_may_edit(actor, plan)
    unknown = set(values) - set(STEP_FIELDS)
    if unknown:
        raise TypeError(f"unknown step fields: {sorted(unknown)}")
    _check_step(plan, values)
    values["description"] = str(values.get("description", "")).strip()
    values["responsible_person"] = str(values.get("responsible_person", "")).strip()
    step = Step.objects.create(plan=plan, **values)
    _changed(actor, plan, [str(_("Nytt steg: %(step)s")) % {"step": step.title}], "plan.changed")
    return step


@transaction.atomic
def update_step(*, actor: Any, step: Step, **values: Any) -> Step:
    plan = _locked(step.plan)
    _check_may_edit(actor, plan)
    unknown = set(values) - set(STEP_FIELDS)
    if unknown:
        raise TypeError(f"unknown step fields: {sorted(unknown)}")
    merged = {field: getattr(step, field) for field in STEP_FIELDS} | values
    _check_step(plan, merged)
    changes = _field_changes(step, values, prefix=str(_("Steg")) + f" {step.title} – ")
    if changes:
        step.save()
    _changed(actor, plan, changes, "plan.changed")
    return step


@transaction.atomic
def remove_step(*, actor: Any, step: Step) -> None:
    plan = _locked(step.plan)
    _check_may_edit(actor, plan)
    title = step.title
    step.delete()
    _changed(actor, plan, [str(_("Steg borttaget: %(step)s")) % {"step": title}], "plan.changed")


@transaction.atomic
def acknowledge(*, actor: Any, plan: ActionPlan, on: date, how: str) -> ActionPlan:
    """The participant has taken part of this version of the plan (signed on paper or digitally)."""
    plan = _locked(plan)
    _check_may_edit(actor, plan)
    if how not in AcknowledgedHow.values:
        raise PlanError(_("Välj hur personen har tagit del av planen."), field="how")
    if on > timezone.localdate():
        raise PlanError(_("Datumet kan inte ligga i framtiden."), field="on")
    plan.acknowledged_on = on
    plan.acknowledged_how = how
    # The acknowledgement is itself a change; it covers the version it creates.
    plan.acknowledged_version = plan.version + 1
    plan.save(update_fields=["acknowledged_on", "acknowledged_how", "acknowledged_version"])
    change = str(_("Deltagaren har tagit del av planen %(on)s (%(how)s)")) % {
        "on": on.isoformat(),
        "how": plan.get_acknowledged_how_display(),
    }
    return _changed(actor, plan, [change], "plan.acknowledged")


def next_follow_up(plan: ActionPlan) -> FollowUp | None:
    return plan.follow_ups.filter(held_on__isnull=True).order_by("planned_on").first()


@transaction.atomic
def hold_follow_up(
    *,
    actor: Any,
    follow_up: FollowUp,
    held_on: date,
    summary: str,
    progress: Mapping[int, tuple[str, str]],
    participant_present: bool = True,
    next_on: date | None = None,
) -> FollowUp:
    """Record a held follow-up: progress per goal, and plan the next one (by default one interval on)."""
    plan = _locked(follow_up.plan)
    _check_may_edit(actor, plan)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.held_on is not None:
        raise PlanError(_("Uppföljningen är redan genomförd."))
    if held_on > timezone.localdate():
        raise PlanError(_("En uppföljning kan inte hållas i framtiden."), field="held_on")
    goals = {goal.pk: goal for goal in plan.goals.all()}
    for goal_id, (value, _comment) in progress.items():
        if goal_id not in goals:
            raise PlanError(_("Målet finns inte i planen."), field=f"goal_{goal_id}")
        if value not in Progress.values:
            raise PlanError(_("Välj hur det går för målet."), field=f"goal_{goal_id}")
    missing = [goal for goal in goals.values() if goal.achieved_on is None and goal.pk not in progress]
    if missing:
        raise PlanError(
            _("Skriv hur det går för varje mål som inte är uppnått: %(goal)s") % {"goal": missing[0]},
            field=f"goal_{missing[0].pk}",
        )
    next_on = next_on or held_on + timedelta(weeks=plan.follow_up_weeks)
    if next_on <= held_on:
        raise PlanError(_("Nästa uppföljning ska ligga efter den här."), field="next_on")
    follow_up.held_on = held_on
    follow_up.held_by = actor
    follow_up.summary = summary.strip()
    follow_up.participant_present = participant_present
    follow_up.save(update_fields=["held_on", "held_by", "summary", "participant_present"])
    GoalProgress.objects.bulk_create(
        GoalProgress(follow_up=follow_up, goal_id=goal_id, progress=value, comment=comment.strip())
        for goal_id, (value, comment) in progress.items()
    )
    achieved = [goals[goal_id] for goal_id, (value, _c) in progress.items() if value == Progress.UPPNATT]
    for goal in achieved:
        if goal.achieved_on is None:
            goal.achieved_on = held_on
            goal.save(update_fields=["achieved_on"])
    FollowUp.objects.create(plan=plan, planned_on=next_on)
    changes = [
        str(_("Uppföljning %(on)s genomförd. Nästa: %(next)s"))
        % {"on": held_on.isoformat(), "next": next_on.isoformat()}
    ]
    changes += [str(_("Mål uppnått: %(goal)s")) % {"goal": goal} for goal in achieved]
    _changed(actor, plan, changes, "plan.followed_up")
    return follow_up


def overdue_follow_ups(*, user: Any, on: date | None = None, managed: bool = False) -> QuerySet[FollowUp]:
    """Follow-ups whose date has passed without being held: the caseworker's own cases, or (managed=True)
    every open case in the units the user manages. Only people the user may see are listed."""
    return _visible_follow_ups(FollowUp.objects.overdue(on), user=user, managed=managed)


def follow_ups_due_soon(*, user: Any, on: date, days: int) -> QuerySet[FollowUp]:
    """Follow-ups of the caseworker's own cases planned from `on` to `days` ahead, not yet held."""
    due = FollowUp.objects.filter(
        held_on__isnull=True, planned_on__gte=on, planned_on__lte=on + timedelta(days=days)
    )
    return _visible_follow_ups(due, user=user, managed=False)


def _visible_follow_ups(follow_ups: QuerySet[FollowUp], *, user: Any, managed: bool) -> QuerySet[FollowUp]:
    follow_ups = follow_ups.filter(plan__case__closed_on__isnull=True)
    if managed:
        visible = policy.visible_participants(user, DataCategory.PLAN_OCH_INSATSER)
        follow_ups = follow_ups.filter(
            plan__case__unit_id__in=policy.managed_unit_ids(user), plan__participant__in=visible
        )
    else:
        # One caseworker's follow-ups are few: each person is looked up rather than the unit's all hashed.
        follow_ups = follow_ups.filter(
            policy.visible_filter(user, DataCategory.PLAN_OCH_INSATSER, participant="plan__participant"),
            plan__case__responsible=user,
        )
    return follow_ups.select_related("plan__participant", "plan__case__responsible").order_by(
        "planned_on", "pk"
    )


def versions(plan: ActionPlan) -> Iterable[PlanVersion]:
    return plan.versions.select_related("changed_by").order_by("-number")
