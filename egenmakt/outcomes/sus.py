"""The participant export for reporting to the samordningsförbund, with SUS's variables: start and end of
the activity, income source and occupation before and after, and the reason for ending.

SUS registered a participant's main income and occupation at the start and end of each insats. Here they
are read from the status history (the month before the start and the month after the end), so nobody types
them twice; the columns say so. People the exporter may not see are left out, and every person exported
is logged with the purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from egenmakt.access import policy
from egenmakt.activities.models import (
    Activity,
    AgeBand,
    AnonymousPlace,
    Enrolment,
    EnrolmentStatus,
    Livelihood,
)
from egenmakt.audit import services as audit
from egenmakt.lib.categories import DataCategory
from egenmakt.outcomes.models import Status, StatusMonth
from egenmakt.outcomes.services import add_months

PURPOSE = "rapportering till samordningsförbundet"

# Main income (SUS försörjningskälla) as the status history gives it.
LIVELIHOOD: dict[str, str] = {
    Status.FORSORJNINGSSTOD: Livelihood.EKONOMISKT_BISTAND,
    Status.ARBETE: Livelihood.LON,
    Status.SUBVENTIONERAT_ARBETE: Livelihood.LON,
    Status.STUDIER: Livelihood.STUDIEMEDEL,
    Status.ANNAN_ERSATTNING: Livelihood.ANNAN,
    Status.INSATS: Livelihood.ANNAN,
    Status.FLYTTAT: Livelihood.OKAND,
    Status.OKAND: Livelihood.OKAND,
}
# Occupation (SUS sysselsättning: förvärvsarbete, studier, aktivt arbetssökande, övriga).
OCCUPATION: dict[str, str] = {
    Status.ARBETE: "forvarvsarbete",
    Status.SUBVENTIONERAT_ARBETE: "forvarvsarbete",
    Status.STUDIER: "studier",
    Status.FORSORJNINGSSTOD: "arbetssokande",
    Status.INSATS: "arbetssokande",
}
OCCUPATION_LABELS = {
    "forvarvsarbete": _("Förvärvsarbete"),
    "studier": _("Studier"),
    "arbetssokande": _("Aktivt arbetssökande"),
    "ovriga": _("Övriga"),
}


@dataclass(frozen=True)
class SusRow:
    identity: str  # personnummer, or "anonym" for an anonymous place
    sex: str
    age_band: str
    start: date | None
    end: date | None
    end_reason: str
    livelihood_before: str
    livelihood_after: str
    occupation_before: str
    occupation_after: str


def _month(day: date) -> date:
    return day.replace(day=1)


@transaction.atomic
def export_rows(*, actor: Any, activity: Activity) -> list[SusRow]:
    """One row per placement in the activity (not the queue) of people the actor may see, and one per
    anonymous place; each exported person logged."""
    enrolments = list(
        Enrolment.objects.filter(activity=activity)
        .exclude(status=EnrolmentStatus.VANTAR)
        .filter(participant__in=policy.visible_participants(actor, DataCategory.PLAN_OCH_INSATSER))
        .select_related("participant")
        .order_by("start", "pk")
    )
    ids = [e.participant_id for e in enrolments]
    months = {
        (pid, month): status
        for pid, month, status in StatusMonth.objects.filter(participant_id__in=ids).values_list(
            "participant_id", "month", "status"
        )
    }
    rows: list[SusRow] = []
    for e in enrolments:
        assert e.start is not None
        before = months.get((e.participant_id, _month(add_months(e.start, -1))))
        after = months.get((e.participant_id, _month(add_months(e.actual_end, 1)))) if e.actual_end else None
        person = e.participant
        age = person.age_on(e.start)
        rows.append(
            SusRow(
                # As in SUS, a person with skyddade personuppgifter is reported anonymously.
                identity=str(_("anonym")) if person.protected_identity else person.identity.formatted,
                sex=person.get_legal_sex_display(),
                age_band=_age_band(age),
                start=e.start,
                end=e.actual_end,
                end_reason=e.get_end_reason_display() if e.end_reason else "",
                livelihood_before=_livelihood(before),
                livelihood_after=_livelihood(after) if e.actual_end else "",
                occupation_before=_occupation(before),
                occupation_after=_occupation(after) if e.actual_end else "",
            )
        )
    for place in AnonymousPlace.objects.filter(activity=activity).order_by("start", "pk"):
        rows.append(
            SusRow(
                identity=str(_("anonym")),
                sex=place.get_legal_sex_display() if place.legal_sex else "",
                age_band=place.get_age_band_display() if place.age_band else "",
                start=place.start,
                end=place.actual_end,
                end_reason=place.get_end_reason_display() if place.end_reason else "",
                livelihood_before=place.get_livelihood_before_display() if place.livelihood_before else "",
                livelihood_after=place.get_livelihood_after_display() if place.livelihood_after else "",
                occupation_before="",
                occupation_after="",
            )
        )
    audit.record_many(
        actor=actor,
        entries=[
            audit.Entry(
                action="participant.exported_sus",
                participant=e.participant,
                target=activity,
                category=DataCategory.PLAN_OCH_INSATSER,
                purpose=PURPOSE,
            )
            for e in enrolments
        ],
    )
    return rows


def _livelihood(status: str | None) -> str:
    return str(Livelihood(LIVELIHOOD.get(status or Status.OKAND, Livelihood.OKAND)).label)


def _occupation(status: str | None) -> str:
    return str(OCCUPATION_LABELS[OCCUPATION.get(status or "", "ovriga")])


def _age_band(age: int | None) -> str:
    if age is None:
        return ""
    for band in AgeBand:
        low, _dash, high = band.value.partition("-")
        if int(low) <= age and (not high or age <= int(high)):
            return str(band.label)
    return ""


def header() -> list[str]:
    return [
        str(_("Personnummer")),
        str(_("Kön")),
        str(_("Åldersgrupp")),
        str(_("Start")),
        str(_("Slut")),
        str(_("Avslutsorsak")),
        str(_("Försörjning före (ur statushistoriken)")),
        str(_("Försörjning efter (ur statushistoriken)")),
        str(_("Sysselsättning före (ur statushistoriken)")),
        str(_("Sysselsättning efter (ur statushistoriken)")),
    ]
