"""What a funder follows: the activities it pays for, how many took part, what a participant cost, how the
cost is split between a samordningsförbund's members (Finsam), and where the participants went.

Aggregates only, for a förbundschef who has no case relation to anyone: counts under 5 are suppressed
through `analytics.privacy`, the same rule as every other published figure. Anonymous places (people who
did not consent to registration) are counted with the placements, as a Finsam follow-up counts them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from egenmakt.activities.models import Activity, AnonymousPlace, EndReason, Enrolment, EnrolmentStatus
from egenmakt.activities.rules import FinsamSplit, Share, finsam_split
from egenmakt.analytics import privacy
from egenmakt.organisations.models import Organisation

# Where a placement that ended counts as a step out of economic assistance.
TO_WORK_OR_STUDIES = frozenset({EndReason.ARBETE, EndReason.STUDIER})
# The cost per place is per month; a month of a place is a twelfth of a year of days.
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class ActivityFunding:
    activity: Activity
    participants: privacy.PublishedCell  # people with a place some day of the period
    placed_now: privacy.PublishedCell
    place_months: float  # months of places taken in the period, all participants together
    cost: int  # place months × cost per place and month, whole kronor
    cost_per_participant: int | None  # None when the participant count is suppressed
    to_work_or_studies: privacy.PublishedCell  # of the places that ended in the period


@dataclass(frozen=True)
class FundingOverview:
    organisations: list[Organisation]
    period_start: date
    period_end: date
    activities: list[ActivityFunding]
    cost: int
    finsam_cost: int
    split: FinsamSplit
    split_amounts: list[tuple[Share, int]]

    @property
    def participants(self) -> int:
        """Participants over all activities (a person in two activities counts twice)."""
        return sum(row.participants.denominator or 0 for row in self.activities)


def funded_activities(organisations: Collection[Organisation]) -> list[Activity]:
    """Activities that name one of the organisations as a funder."""
    funders = [o.pk for o in organisations]
    return list(
        Activity.objects.filter(funders__in=funders).distinct().select_related("provider").order_by("name")
    )


def _overlap_days(start: date | None, end: date | None, first: date, last: date) -> int:
    if start is None:
        return 0
    begins = max(start, first)
    ends = min(end or last, last)
    return max(0, (ends - begins).days + 1)


@dataclass
class _Tally:
    people: set[str]
    placed_now: int = 0
    days: int = 0
    ended: int = 0
    to_work_or_studies: int = 0


def _tally(activities: list[Activity], first: date, last: date) -> dict[int, _Tally]:
    tallies = {a.pk: _Tally(people=set()) for a in activities}
    overlapping = Q(start__lte=last) & (Q(actual_end__isnull=True) | Q(actual_end__gte=first))
    enrolments = (
        Enrolment.objects.filter(overlapping, activity__in=list(tallies))
        .exclude(status=EnrolmentStatus.VANTAR)
        .exclude(end_reason=EndReason.FELREGISTRERING)
        .values_list("activity_id", "participant_id", "start", "actual_end", "end_reason")
    )
    anonymous = AnonymousPlace.objects.filter(overlapping, activity__in=list(tallies)).values_list(
        "activity_id", "pk", "start", "actual_end", "end_reason"
    )
    for prefix, rows in (("p", enrolments), ("a", anonymous)):
        for activity_id, who, start, end, reason in rows:
            tally = tallies[activity_id]
            tally.people.add(f"{prefix}{who}")
            tally.days += _overlap_days(start, end, first, last)
            if end is None or end >= last:
                tally.placed_now += 1
            elif first <= end:
                tally.ended += 1
                tally.to_work_or_studies += reason in TO_WORK_OR_STUDIES
    return tallies


def overview(*, organisations: Collection[Organisation], on: date) -> FundingOverview:
    """The calendar year so far (1 January to `on`) for the activities the organisations fund."""
    first = date(on.year, 1, 1)
    activities = funded_activities(organisations)
    tallies = _tally(activities, first, on)
    rows = []
    for activity in activities:
        tally = tallies[activity.pk]
        people = len(tally.people)
        place_months = tally.days / DAYS_PER_MONTH
        cost = round(place_months * activity.cost_per_place)
        participants = privacy.published(privacy.Cell(activity.name, people, None, people))
        rows.append(
            ActivityFunding(
                activity=activity,
                participants=participants,
                placed_now=privacy.published(
                    privacy.Cell(activity.name, tally.placed_now, None, tally.placed_now)
                ),
                place_months=place_months,
                cost=cost,
                # Cost and cost per participant together give the count: shown only when the count is.
                cost_per_participant=None if participants.suppressed else round(cost / people),
                to_work_or_studies=privacy.published(
                    privacy.Cell(
                        activity.name,
                        tally.ended,
                        tally.to_work_or_studies,
                        tally.to_work_or_studies / tally.ended if tally.ended else None,
                    )
                ),
            )
        )
    split = finsam_split(on)
    finsam_cost = sum(row.cost for row in rows if row.activity.finsam_funded)
    return FundingOverview(
        organisations=sorted(organisations, key=lambda o: o.name),
        period_start=first,
        period_end=on,
        activities=rows,
        cost=sum(row.cost for row in rows),
        finsam_cost=finsam_cost,
        split=split,
        split_amounts=split.amounts(finsam_cost),
    )
