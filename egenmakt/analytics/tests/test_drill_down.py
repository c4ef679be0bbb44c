"""Drill-down from a cell to the people behind it: for those who work with people only, limited to whom
they may see, and logged; analysts get aggregates only."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from egenmakt.analytics import services
from egenmakt.audit.models import AuditEvent
from egenmakt.benefits.models import Decision, DecisionKind
from egenmakt.outcomes import services as outcomes
from egenmakt.people.models import Household
from egenmakt.test import Personas


def _months_on_assistance(personas: Personas) -> None:
    for case, actor in ((personas.lina_case, personas.anna), (personas.omar_case, personas.gustav)):
        case.opened_on = date(2024, 1, 2)
        case.save()
        household = Household.objects.create()
        for month in (1, 2):
            first = date(2024, month, 1)
            Decision.objects.create(
                kind=DecisionKind.BISTAND,
                case=case,
                household=household,
                participant=case.participant,
                month=first,
                period_start=first,
                period_end=first.replace(day=28),
                law_version="SoL2001",
                amount=3000,
                decided_by=actor,
            )
        outcomes.register_exit(actor=actor, case=case, on=date(2024, 2, 20), reason="arbete")
    outcomes.refresh(actor=None, through=date(2025, 3, 1))


@pytest.mark.django_db
def test_a_manager_sees_only_their_own_people_and_the_read_is_logged(personas: Personas) -> None:
    _months_on_assistance(personas)
    cell = {"code": "ater_12m", "dimension": "alla", "group": "alla"}
    # Both Lina (Anna's unit) and Omar (the neighbouring municipality) are in the cell; Cecilia manages
    # Anna's unit and sees Lina only.
    found = services.people_in_cell(actor=personas.cecilia, **cell)
    assert [(p.pk, counted) for p, counted in found] == [(personas.lina.pk, False)]
    assert AuditEvent.objects.filter(
        action="participant.listed_in_outcome_cell", participant_id=personas.lina.pk
    ).exists()
    assert not AuditEvent.objects.filter(
        action="participant.listed_in_outcome_cell", participant_id=personas.omar.pk
    ).exists()
    with pytest.raises(services.AnalyticsError):
        services.people_in_cell(actor=personas.alva, **cell)


@pytest.mark.django_db
def test_the_page_is_refused_to_an_analyst(personas: Personas) -> None:
    _months_on_assistance(personas)
    analyst, manager = Client(), Client()
    analyst.force_login(personas.alva)
    manager.force_login(personas.cecilia)
    query = "?indicator=ater_12m&dimension=alla&group=alla"
    assert analyst.get(f"/utfall/personer/{query}").status_code == 403
    response = manager.get(f"/utfall/personer/{query}")
    assert response.status_code == 200 and "Lina" in response.content.decode()
    assert manager.get("/utfall/personer/?indicator=nothing&dimension=alla&group=alla").status_code == 404
