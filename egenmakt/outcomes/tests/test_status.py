"""The status rule on small hand-built histories (every expected month worked out by hand in the test),
and the refresh over the real database: derived from decisions, placements, exits and follow-ups,
incremental and idempotent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from egenmakt.benefits.models import Decision, DecisionKind
from egenmakt.cases.models import Case, CaseType
from egenmakt.outcomes import rules, services
from egenmakt.outcomes.models import ExitFollowUp, ExitReason, Status, StatusMonth
from egenmakt.outcomes.services import Sources, derive, month_index, observation
from egenmakt.people.models import Household, HouseholdMember, HouseholdRelation
from egenmakt.people.services import create_participant
from egenmakt.test import Personas, details, valid_pnr

FS, INSATS, ARBETE, STUDIER, OKAND, FLYTTAT = (
    Status.FORSORJNINGSSTOD,
    Status.INSATS,
    Status.ARBETE,
    Status.STUDIER,
    Status.OKAND,
    Status.FLYTTAT,
)


def m(text: str) -> int:
    return month_index(date.fromisoformat(f"{text}-01"))


def statuses(rows: list[tuple[int, str, bool, int | None]]) -> dict[str, str]:
    return {f"{services.month_of(month):%Y-%m}": status for month, status, _m, _u in rows}


def test_assistance_then_work_then_studies_then_no_one_looked() -> None:
    # Assistance January-March 2025; exit in March to work; at 3 months still working, at 6 months studying;
    # the 12-month follow-up (March 2026) is due but nobody recorded it.
    exit_month = m("2025-03")
    sources = Sources(
        cases=[(m("2025-01"), exit_month, 7)],
        assistance={m("2025-01"), m("2025-02"), m("2025-03")},
        observations=[
            observation(exit_month, 1, ARBETE, False),
            observation(exit_month, 3, ARBETE, False),
            observation(exit_month, 6, STUDIER, False),
        ],
        exits=[exit_month],
    )
    got = statuses(derive(sources, through=m("2026-12")))
    expected = {"2025-01": FS, "2025-02": FS, "2025-03": FS}
    expected |= {"2025-04": ARBETE, "2025-05": ARBETE}  # the exit's own status, until the 3-month point
    expected |= {"2025-06": ARBETE, "2025-07": ARBETE, "2025-08": ARBETE}  # 3-month follow-up
    expected |= {f"2025-{x:02d}": STUDIER for x in range(9, 13)} | {"2026-01": STUDIER, "2026-02": STUDIER}
    expected |= {f"2026-{x:02d}": OKAND for x in range(3, 13)}  # the 12-month point was not recorded
    assert got == expected
    # Every row carries the case's unit, also after the exit.
    assert {unit for _m, _s, _x, unit in derive(sources, through=m("2026-12"))} == {7}


def test_a_person_who_comes_back_is_not_in_work_from_an_old_exit() -> None:
    exit_month = m("2025-01")
    sources = Sources(
        cases=[(m("2025-01"), exit_month, 1), (m("2025-05"), None, 2)],
        assistance={m("2025-01"), m("2025-05")},
        observations=[observation(exit_month, 1, ARBETE, False), observation(exit_month, 6, ARBETE, False)],
        exits=[exit_month],
    )
    got = statuses(derive(sources, through=m("2025-09")))
    # Feb-Mar work (exit status), Apr: the 3-month point unrecorded; May back on assistance; from June the
    # 6-month follow-up (July) says work, but it is recorded after the return only from its own month.
    assert got == {
        "2025-01": FS,
        "2025-02": ARBETE,
        "2025-03": ARBETE,
        "2025-04": OKAND,
        "2025-05": FS,
        "2025-06": OKAND,
        "2025-07": ARBETE,
        "2025-08": ARBETE,
        "2025-09": ARBETE,
    }
    units = {f"{services.month_of(x):%Y-%m}": u for x, _s, _m, u in derive(sources, through=m("2025-09"))}
    assert units["2025-03"] == 1 and units["2025-05"] == 2 and units["2025-09"] == 2


def test_placement_without_assistance_and_a_move() -> None:
    # A Finsam participant in an activity March-May 2025 without assistance, who then moves away.
    exit_month = m("2025-05")
    sources = Sources(
        cases=[(m("2025-03"), exit_month, 3)],
        placements=[(m("2025-03"), m("2025-05"))],
        observations=[observation(exit_month, 1, FLYTTAT, False)],
        exits=[exit_month],
    )
    got = statuses(derive(sources, through=m("2030-01")))
    assert [got[f"2025-{x:02d}"] for x in (3, 4, 5)] == [INSATS, INSATS, INSATS]
    # A move holds for all 24 months after the exit month, and the months end there.
    assert set(got.values()) == {INSATS, FLYTTAT}
    assert max(got) == "2027-05" and len(got) == 3 + 24


def test_months_stop_at_the_refresh_month_and_at_the_last_record() -> None:
    open_case = Sources(cases=[(m("2025-01"), None, 1)], assistance={m("2025-01")})
    assert max(statuses(derive(open_case, through=m("2025-04")))) == "2025-04"
    closed = Sources(cases=[(m("2025-01"), m("2025-02"), 1)], assistance={m("2025-01")})
    assert statuses(derive(closed, through=m("2025-12"))) == {"2025-01": FS, "2025-02": OKAND}
    assert derive(Sources(), through=m("2025-12")) == []


def test_assistance_wins_over_a_placement_in_the_same_month() -> None:
    sources = Sources(
        cases=[(m("2025-01"), None, 1)], assistance={m("2025-02")}, placements=[(m("2025-01"), m("2025-03"))]
    )
    assert statuses(derive(sources, through=m("2025-03"))) == {
        "2025-01": INSATS,
        "2025-02": FS,
        "2025-03": INSATS,
    }


# --- The refresh over the database ------------------------------------------------------------------------


def _granted(
    personas: Personas, case: Case, household: Household, month: str, amount: int = 5000
) -> Decision:
    first = date.fromisoformat(f"{month}-01")
    return Decision.objects.create(
        kind=DecisionKind.BISTAND,
        case=case,
        household=household,
        participant=case.participant,
        month=first,
        period_start=first,
        period_end=first.replace(day=28),
        law_version="SoL2001",
        amount=amount,
        decided_by=personas.anna,
    )


@pytest.fixture
def household(personas: Personas) -> Any:
    household = Household.objects.create()
    HouseholdMember.objects.create(
        household=household,
        participant=personas.lina,
        relation=HouseholdRelation.SOKANDE,
        valid_from=date(2020, 1, 1),
    )
    partner = create_participant(
        actor=personas.anna, details=details(valid_pnr("19880303", "002"), "Mira", "Lund")
    )
    HouseholdMember.objects.create(
        household=household,
        participant=partner,
        relation=HouseholdRelation.MEDSOKANDE,
        valid_from=date(2020, 1, 1),
    )
    personas.lina_case.household = household
    personas.lina_case.opened_on = date(2025, 1, 5)
    personas.lina_case.save()
    return household, partner


@pytest.mark.django_db
def test_refresh_derives_months_and_a_second_run_changes_nothing(personas: Personas, household: Any) -> None:
    home, partner = household
    case = personas.lina_case
    for month in ("2025-01", "2025-02", "2025-03"):
        _granted(personas, case, home, month)
    _granted(personas, case, home, "2025-04", amount=0)  # a full refusal is not a month on assistance
    exit = services.register_exit(
        actor=personas.anna, case=case, on=date(2025, 4, 10), reason=ExitReason.ARBETE
    )
    assert sorted(exit.follow_ups.values_list("months_after", "due_on")) == [
        (3, date(2025, 7, 10)),
        (6, date(2025, 10, 10)),
        (12, date(2026, 4, 10)),
        (24, date(2027, 4, 10)),
    ]
    case.refresh_from_db()
    assert case.closed_on == date(2025, 4, 10)

    first = services.refresh(actor=None, through=date(2025, 9, 1))
    lina = dict(StatusMonth.objects.filter(participant=personas.lina).values_list("month", "status"))
    assert [lina[date(2025, x, 1)] for x in range(1, 10)] == [
        FS,
        FS,
        FS,
        OKAND,
        ARBETE,
        ARBETE,
        OKAND,
        OKAND,
        OKAND,
    ]
    # The medsökande is on assistance with the household; she has no case or exit of her own, so her months
    # are those of the decisions only.
    mira = dict(StatusMonth.objects.filter(participant=partner).values_list("month", "status"))
    assert mira == {date(2025, x, 1): FS for x in (1, 2, 3)}
    assert first.added == 9 + 3 and first.changed == first.removed == 0

    again = services.refresh(actor=None, through=date(2025, 9, 1))
    assert (again.added, again.changed, again.removed) == (0, 0, 0)

    # The 3-month follow-up finds studies: only the months it covers change.
    follow_up = ExitFollowUp.objects.get(exit=exit, months_after=3)
    services.record_follow_up(
        actor=personas.anna, follow_up=follow_up, status=STUDIER, source="samtal", on=date(2025, 7, 15)
    )
    third = services.refresh(actor=None, through=date(2025, 9, 1))
    assert (third.added, third.changed, third.removed) == (0, 3, 0)  # July, August, September
    lina = dict(StatusMonth.objects.filter(participant=personas.lina).values_list("month", "status"))
    assert lina[date(2025, 7, 1)] == STUDIER and lina[date(2025, 9, 1)] == STUDIER


@pytest.mark.django_db
def test_a_wrong_registration_is_left_out_and_has_no_follow_ups(personas: Personas) -> None:
    case = personas.lina_case
    exit = services.register_exit(
        actor=personas.anna, case=case, on=case.opened_on, reason=ExitReason.FELREGISTRERING
    )
    assert exit.follow_ups.count() == 0
    sources = services.sources_for([personas.lina.pk])
    assert sources[personas.lina.pk].observations == []


@pytest.mark.django_db
def test_exit_is_refused_for_another_unit_and_twice(personas: Personas) -> None:
    with pytest.raises(services.OutcomeError):
        services.register_exit(
            actor=personas.gustav, case=personas.lina_case, on=date.today(), reason="arbete"
        )
    services.register_exit(actor=personas.anna, case=personas.lina_case, on=date.today(), reason="okand")
    with pytest.raises(services.OutcomeError, match="redan"):
        services.register_exit(actor=personas.anna, case=personas.lina_case, on=date.today(), reason="okand")
    with pytest.raises(services.OutcomeError, match="arbete"):
        services.register_exit(
            actor=personas.anna,
            case=Case.objects.create(
                participant=personas.lina, unit=personas.eb, case_type=CaseType.EKONOMISKT_BISTAND
            ),
            on=date.today(),
            reason="studier",
            municipal_employment=True,
        )


@pytest.mark.django_db
def test_follow_ups_due_are_listed_for_the_caseworker(personas: Personas) -> None:
    case = personas.lina_case
    case.opened_on = date(2024, 1, 1)
    case.responsible = personas.anna
    case.save()
    services.register_exit(actor=personas.anna, case=case, on=date(2024, 3, 1), reason="arbete")
    due = services.follow_ups_due(user=personas.anna, on=date(2024, 9, 5))
    assert [f.months_after for f in due] == [3, 6]
    assert list(services.follow_ups_due(user=personas.gustav, on=date(2024, 9, 5))) == []
    assert [
        f.months_after
        for f in services.follow_ups_due(user=personas.cecilia, on=date(2024, 9, 5), managed=True)
    ] == [3, 6]


def test_follow_ups_follow_the_schedule_in_force_on_the_exit_date(monkeypatch: pytest.MonkeyPatch) -> None:
    real = rules.follow_up_schedule(date(2020, 1, 1))
    later = replace(real, valid_from=date(2026, 7, 1), months=(6, 18))
    monkeypatch.setattr(rules, "_schedules", lambda: (real, later))
    assert rules.follow_up_schedule(date(2026, 6, 30)) is real
    assert rules.follow_up_schedule(date(2026, 7, 1)) is later
    # What was seen at the 6-month follow-up holds until the next one the exit's schedule plans.
    exit_month = m("2026-08")
    assert observation(exit_month, 6, ARBETE, False)[1] == exit_month + 18
    assert observation(m("2026-01"), 6, ARBETE, False)[1] == m("2026-01") + 12
    # A move holds past the exit's last follow-up.
    assert observation(exit_month, 6, FLYTTAT, False)[1] == exit_month + 19
