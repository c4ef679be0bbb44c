"""What each review rule and signal finds in a unit's open cases, with the facts in words.

Pure reads, no audit: the queue and the signal list (`review.services`) scope what these find by the
access policy and log each person they show. Each finding carries `since`, the day its facts first held
(a reviewed person comes back when a finding is newer than the review), and `key`, the facts it fired
for (a handled signal does not fire again for the same key).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.db.models import Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from egenmakt.activities.models import Enrolment, EnrolmentStatus
from egenmakt.benefits import local as benefit_rules
from egenmakt.benefits.models import Application, ApplicationStatus
from egenmakt.cases.models import Case
from egenmakt.organisations.models import Unit
from egenmakt.outcomes.models import Status, StatusMonth
from egenmakt.outcomes.rules import long_term_months
from egenmakt.people.models import HouseholdMember, HouseholdRelation, Participant
from egenmakt.plans.models import FollowUp
from egenmakt.review.models import RuleKind
from egenmakt.review.rules import Setting

ADULT_AGE = 18


@dataclass
class Finding:
    kind: str
    participant_id: int
    case_id: int
    since: date
    key: str
    facts: list[str] = field(default_factory=list)


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _age_filter(prefix: str, min_age: int, max_age: int, on: date) -> Q:
    """Aged min_age to max_age inclusive on the day, as a filter on the birth date."""
    return Q(**{f"{prefix}birth_date__lte": years_before(on, min_age)}) & Q(
        **{f"{prefix}birth_date__gt": years_before(on, max_age + 1)}
    )


def open_cases(unit: Unit, responsible: Any | None = None) -> Any:
    cases = Case.objects.filter(unit=unit, closed_on__isnull=True)
    if responsible is not None:
        cases = cases.filter(responsible=responsible)
    return cases


@dataclass(frozen=True)
class LongTerm:
    year: int
    months: int
    limit: int
    reached: date  # the first day of the month that made it long-term

    def fact(self, template: str | None = None) -> str:
        """In words; `template` is `long_term_template()` translated once by a caller with many."""
        return (template or long_term_template()) % {
            "months": self.months,
            "year": self.year,
            "limit": self.limit,
        }


def long_term_template() -> str:
    return _(
        "%(months)s månader med försörjningsstöd %(year)s (långvarigt från %(limit)s månader per kalenderår)."
    )


class CaseRef(NamedTuple):
    """The few fields of a case the finders need: a large unit has tens of thousands of them."""

    pk: int
    participant_id: int
    household_id: int | None


def long_term(participant_ids: Any, on: date) -> dict[int, LongTerm]:
    """People on försörjningsstöd at least the dated threshold's months of this calendar year or the last
    (the derived StatusMonth, counted with the threshold in force at the year's start)."""
    months: dict[tuple[int, int], list[date]] = defaultdict(list)
    rows = StatusMonth.objects.filter(
        participant_id__in=participant_ids,
        status=Status.FORSORJNINGSSTOD,
        month__gte=date(on.year - 1, 1, 1),
        month__lte=on,
    ).values_list("participant_id", "month")
    for participant_id, month in rows:
        months[(participant_id, month.year)].append(month)
    found: dict[int, LongTerm] = {}
    # The current year first: it is the newer fact when both years qualify.
    for year in (on.year, on.year - 1):
        limit = long_term_months(date(year, 1, 1))
        for (participant_id, counted_year), dates in months.items():
            if counted_year != year or participant_id in found or len(dates) < limit:
                continue
            found[participant_id] = LongTerm(year, len(dates), limit, sorted(dates)[limit - 1])
    return found


def _long_term_cases(unit: Unit, on: date, responsible: Any | None) -> list[tuple[CaseRef, LongTerm]]:
    cases = open_cases(unit, responsible)
    # A subquery rather than a list of ids: a large unit's cases would pass SQLite's parameter limit.
    found = long_term(cases.values("participant_id"), on)
    picked = cases.filter(participant_id__in=list(found)).values_list("pk", "participant_id", "household_id")
    return [(CaseRef(*row), found[row[1]]) for row in picked]


def find_long_term(unit: Unit, on: date, setting: Setting, responsible: Any | None = None) -> list[Finding]:
    template = long_term_template()
    return [
        Finding(
            RuleKind.LANGVARIGT,
            case.participant_id,
            case.pk,
            fact.reached,
            f"{fact.year}",
            [fact.fact(template)],
        )
        for case, fact in _long_term_cases(unit, on, responsible)
    ]


def _without_activity(
    unit: Unit, on: date, setting: Setting, weeks: int, kind: str, responsible: Any | None
) -> list[Finding]:
    """Young people (the setting's age span) with no ongoing placement for at least `weeks` weeks:
    counted from the end of their last placement, else from the case's start or their birthday at the
    span's lower age, whichever is later."""
    assert setting.min_age is not None and setting.max_age is not None
    cases = list(
        open_cases(unit, responsible)
        .filter(_age_filter("participant__", setting.min_age, setting.max_age, on))
        .select_related("participant")
        .only("pk", "opened_on", "participant_id", "participant__id", "participant__birth_date")
    )
    ids = [case.participant_id for case in cases]
    ongoing = set(
        Enrolment.objects.filter(participant_id__in=ids, status=EnrolmentStatus.AKTIV)
        .filter(Q(start__isnull=True) | Q(start__lte=on))
        .values_list("participant_id", flat=True)
    )
    last_end = dict(
        Enrolment.objects.filter(participant_id__in=ids, actual_end__isnull=False)
        .values("participant_id")
        .annotate(last=Max("actual_end"))
        .values_list("participant_id", "last")
    )
    # Translated once: a large unit has thousands of young people.
    aged, ended_on, none_since = (
        _("%(age)s år."),
        _("Senaste insatsen slutade %(on)s."),
        _("Har ingen insats i ärendet sedan %(on)s."),
    )
    found = []
    for case in cases:
        if case.participant_id in ongoing:
            continue
        born = case.participant.birth_date
        assert born is not None  # the age filter keeps only people with a birth date
        age = case.participant.age_on(on)
        ended = last_end.get(case.participant_id)
        since = max(d for d in (case.opened_on, ended, years_before(born, -setting.min_age)) if d is not None)
        days = (on - since).days
        if days < weeks * 7:
            continue
        facts = [
            aged % {"age": age},
            (ended_on if ended is not None and ended == since else none_since) % {"on": since},
        ]
        facts.append(
            ngettext(
                "Ingen pågående insats på %(n)s vecka.", "Ingen pågående insats på %(n)s veckor.", days // 7
            )
            % {"n": days // 7}
        )
        picked = since + timedelta(weeks=weeks)
        found.append(Finding(kind, case.participant_id, case.pk, picked, since.isoformat(), facts))
    return found


def find_young_without_activity(
    unit: Unit, on: date, setting: Setting, responsible: Any | None = None
) -> list[Finding]:
    return _without_activity(
        unit, on, setting, setting.parameter or 0, RuleKind.UNGA_UTAN_INSATS, responsible
    )


def find_overdue_follow_ups(unit: Unit, on: date, setting: Setting) -> list[Finding]:
    """Plans of the unit's open cases whose follow-up is past its date by the grace days (the plans
    app's rule of overdue, `FollowUp.objects.overdue`)."""
    grace = setting.parameter or 0
    follow_ups = (
        FollowUp.objects.overdue(on - timedelta(days=grace))
        .filter(plan__case__in=open_cases(unit))
        .select_related("plan")
        .only("pk", "planned_on", "plan__id", "plan__participant_id", "plan__case_id")
        .order_by("planned_on", "pk")
    )
    return [
        Finding(
            RuleKind.UPPFOLJNING_FORSENAD,
            follow_up.plan.participant_id,
            follow_up.plan.case_id,
            # The first day the rule picks it: a review on or after that day settles it.
            follow_up.planned_on + timedelta(days=grace + 1),
            f"{follow_up.pk}",
            [
                ngettext(
                    "Uppföljningen av planen var planerad till %(on)s och har inte hållits (%(n)s dag sedan).",
                    "Uppföljningen av planen var planerad till %(on)s och har inte hållits (%(n)s dagar sedan).",
                    (on - follow_up.planned_on).days,
                )
                % {"on": follow_up.planned_on, "n": (on - follow_up.planned_on).days}
            ],
        )
        for follow_up in follows_once(follow_ups)
    ]


def follows_once(follow_ups: Any) -> list[Any]:
    """The oldest overdue follow-up per plan: one reason per plan is enough."""
    seen: set[int] = set()
    kept = []
    for follow_up in follow_ups:
        if follow_up.plan_id not in seen:
            seen.add(follow_up.plan_id)
            kept.append(follow_up)
    return kept


def decision_target_days(unit: Unit, setting: Setting) -> int:
    """The unit's own target, or (0 or none) the municipality's target in its local benefit rules."""
    return setting.parameter or benefit_rules.rules_of(unit.organisation).decision_target_days


def find_waiting_decisions(
    unit: Unit, on: date, setting: Setting, responsible: Any | None = None
) -> list[Finding]:
    target = decision_target_days(unit, setting)
    applications = Application.objects.filter(
        status=ApplicationStatus.INKOMMEN,
        case__in=open_cases(unit, responsible),
        received_on__lte=on - timedelta(days=target),
    )
    # Translated once: a large unit has thousands of applications waiting.
    template = _(
        "Ansökan för %(month)s inkom %(received)s och har väntat %(days)s dagar på beslut "
        "(målet är %(target)s dagar)."
    )
    return [
        Finding(
            RuleKind.BESLUT_VANTAR,
            participant_id,
            case_id,
            received_on + timedelta(days=target),
            f"{pk}",
            [
                template
                % {
                    "month": f"{month:%Y-%m}",
                    "received": received_on,
                    "days": (on - received_on).days,
                    "target": target,
                }
            ],
        )
        for pk, case_id, participant_id, month, received_on in applications.order_by(
            "received_on", "pk"
        ).values_list("pk", "case_id", "case__participant_id", "month", "received_on")
    ]


# --- Signals -------------------------------------------------------------------------------------------


def find_children_long_term(
    unit: Unit, on: date, setting: Setting, responsible: Any | None = None
) -> list[Finding]:
    """Households with children under 18 whose applicant has long-term assistance."""
    pairs = [(case, fact) for case, fact in _long_term_cases(unit, on, responsible) if case.household_id]
    children: dict[int, int] = defaultdict(int)
    rows = (
        HouseholdMember.objects.current(on)
        .filter(
            household_id__in=[case.household_id for case, _fact in pairs],
            relation=HouseholdRelation.BARN,
            participant__birth_date__gt=years_before(on, ADULT_AGE),
        )
        .values_list("household_id", flat=True)
    )
    for household_id in rows:
        children[household_id] += 1
    found = []
    for case, fact in pairs:
        n = children.get(case.household_id or 0, 0)
        if not n:
            continue
        found.append(
            Finding(
                RuleKind.SIGNAL_BARN_LANGVARIGT,
                case.participant_id,
                case.pk,
                fact.reached,
                f"{fact.year}:{n}",
                [
                    ngettext(
                        "Hushållet har %(n)s barn under 18 år.", "Hushållet har %(n)s barn under 18 år.", n
                    )
                    % {"n": n},
                    fact.fact(),
                ],
            )
        )
    return found


def find_young_inactive(
    unit: Unit, on: date, setting: Setting, responsible: Any | None = None
) -> list[Finding]:
    return _without_activity(
        unit, on, setting, setting.parameter or 0, RuleKind.SIGNAL_UNGA_INAKTIVA, responsible
    )


def find_not_digital_without_letters(
    unit: Unit, on: date, setting: Setting, responsible: Any | None = None
) -> list[Finding]:
    """Neither BankID nor e-mail (target group "ej_digital"), and no postal address to send letters to.
    People with protected identity are left out: their address is never stored here, and their post
    goes through Skatteverket, so a missing address says nothing about them."""
    no_address = Q(participant__street_address="") | Q(participant__postal_code="") | Q(participant__city="")
    cases = (
        open_cases(unit, responsible)
        .filter(
            no_address,
            participant__has_bankid=False,
            participant__email="",
            participant__protected_identity=False,
        )
        .select_related("participant")
    )
    found = []
    for case in cases:
        person: Participant = case.participant
        facts = [
            _("Har inte BankID."),
            _("Ingen e-postadress registrerad."),
            _("Ingen fullständig postadress registrerad."),
        ]
        if person.letters_only:
            facts.append(_("Markerad för att bara ta emot brev."))
        found.append(
            Finding(
                RuleKind.SIGNAL_EJ_DIGITAL,
                case.participant_id,
                case.pk,
                person.updated_at.date(),
                # Any change to the person's record makes new facts: a dismissed signal may fire again.
                person.updated_at.isoformat(),
                facts,
            )
        )
    return found
