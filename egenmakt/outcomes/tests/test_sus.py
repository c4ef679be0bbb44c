"""The SUS-like participant export: the variables before and after from the status history, anonymous
places as anonymous rows, people with protected identity anonymous, others' people left out, each logged."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from egenmakt.activities import services as activities
from egenmakt.activities.models import AnonymousPlace
from egenmakt.activities.tests.factories import make_activity, open_case
from egenmakt.audit.models import AuditEvent
from egenmakt.outcomes import sus
from egenmakt.outcomes.models import StatusMonth
from egenmakt.test import Personas


@pytest.mark.django_db
def test_the_export_reads_before_and_after_from_the_status_history(personas: Personas) -> None:
    activity = make_activity(unit=personas.ame, capacity=5)
    # Lina has a case at the labour-market unit that runs the activity, so its coach may see her.
    case = open_case(personas.lina, personas.ame, personas.bertil)
    case.opened_on = date(2024, 1, 1)
    case.save()
    enrolment = activities.enrol(
        actor=personas.bertil, participant=personas.lina, activity=activity, case=case, start=date(2024, 3, 4)
    )
    activities.end_enrolment(
        actor=personas.bertil, enrolment=enrolment, actual_end=date(2024, 6, 20), end_reason="arbete"
    )
    StatusMonth.objects.create(participant=personas.lina, month=date(2024, 2, 1), status="forsorjningsstod")
    StatusMonth.objects.create(participant=personas.lina, month=date(2024, 7, 1), status="arbete")
    AnonymousPlace.objects.create(
        activity=activity,
        start=date(2024, 5, 1),
        livelihood_before="ekonomiskt_bistand",
        created_by=personas.bertil,
    )
    rows = sus.export_rows(actor=personas.bertil, activity=activity)
    assert len(rows) == 2
    lina, anonymous = rows
    assert lina.identity == personas.lina.identity.formatted
    assert (lina.livelihood_before, lina.livelihood_after) == ("Ekonomiskt bistånd", "Lön")
    assert (lina.occupation_before, lina.occupation_after) == ("Aktivt arbetssökande", "Förvärvsarbete")
    assert lina.end_reason == "Fått arbete" and lina.age_band == "30–39"
    assert anonymous.identity == "anonym" and anonymous.livelihood_before == "Ekonomiskt bistånd"
    assert (
        AuditEvent.objects.filter(action="participant.exported_sus", participant_id=personas.lina.pk).count()
        == 1
    )

    # Someone from another municipality's unit, who may not see Lina, exports nothing about her.
    assert [r.identity for r in sus.export_rows(actor=personas.gustav, activity=activity)] == ["anonym"]

    # With protected identity, the person is reported anonymously (as in SUS).
    personas.lina.protected_identity = True
    personas.lina.save()
    from egenmakt.people.models import ProtectedIdentityGrant

    ProtectedIdentityGrant.objects.create(
        participant=personas.lina, user=personas.bertil, granted_by=personas.anna
    )
    assert [r.identity for r in sus.export_rows(actor=personas.bertil, activity=activity)] == [
        "anonym",
        "anonym",
    ]


@pytest.mark.django_db
def test_the_csv_is_for_the_staff_who_run_the_activity(personas: Personas) -> None:
    activity = make_activity(unit=personas.ame, capacity=5)
    coach, caseworker = Client(), Client()
    coach.force_login(personas.bertil)
    caseworker.force_login(personas.gustav)
    response = coach.get(f"/insatser/{activity.pk}/sus.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").startswith("Personnummer;Kön;Åldersgrupp")
    assert caseworker.get(f"/insatser/{activity.pk}/sus.csv").status_code == 404
