"""Commitments (vallöften, uppdrag): a dated status history that is added to and never overwritten, each
entry with who and what happened; the pages to list, create and change status; who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from egenmakt.audit.models import AuditEvent
from egenmakt.goals import access, services
from egenmakt.goals.models import Commitment, CommitmentStatus
from egenmakt.goals.tests.factories import LONG_TERM, make_commitment, make_goal
from egenmakt.test import Personas

TODAY = timezone.localdate()


@pytest.mark.django_db
def test_the_history_grows_and_keeps_every_entry_with_date_comment_and_who(personas: Personas) -> None:
    commitment = make_commitment(personas)
    services.record_commitment_status(
        actor=personas.cecilia,
        commitment=commitment,
        status="pagar",
        on=TODAY - timedelta(days=60),
        comment="Rutin för snabb insats beslutad.",
    )
    services.record_commitment_status(
        actor=personas.sam,
        commitment=commitment,
        status="genomford",
        on=TODAY,
        comment="Alla fick en insats.",
    )
    history = list(
        CommitmentStatus.objects.filter(commitment=commitment).values_list(
            "status", "on", "comment", "recorded_by"
        )
    )
    assert history == [
        ("ej_paborjad", TODAY - timedelta(days=100), "Registrerat.", personas.cecilia.pk),
        ("pagar", TODAY - timedelta(days=60), "Rutin för snabb insats beslutad.", personas.cecilia.pk),
        ("genomford", TODAY, "Alla fick en insats.", personas.sam.pk),
    ]
    current = services.current_status(commitment)
    assert current is not None and current.status == "genomford"
    assert (
        AuditEvent.objects.filter(action="commitment.status_recorded", target_id=str(commitment.pk)).count()
        == 3
    )


@pytest.mark.django_db
def test_a_late_entry_for_an_earlier_date_does_not_become_the_current_status(personas: Personas) -> None:
    commitment = make_commitment(personas)
    services.record_commitment_status(
        actor=personas.cecilia,
        commitment=commitment,
        status="ej_genomford",
        on=TODAY,
        comment="Pengarna räckte inte.",
    )
    services.record_commitment_status(
        actor=personas.cecilia,
        commitment=commitment,
        status="pagar",
        on=TODAY - timedelta(days=30),
        comment="Arbetet startade (registrerat i efterhand).",
    )
    current = services.current_status(commitment)
    assert current is not None and current.status == "ej_genomford"
    assert commitment.statuses.count() == 3


@pytest.mark.django_db
def test_it_refuses_a_future_date_an_empty_comment_and_someone_outside(personas: Personas) -> None:
    commitment = make_commitment(personas)
    for status, on, comment, field in (
        ("pagar", TODAY + timedelta(days=1), "Något", "on"),
        ("pagar", TODAY, "  ", "comment"),
        ("kanske", TODAY, "Något", "status"),
    ):
        with pytest.raises(services.GoalError) as error:
            services.record_commitment_status(
                actor=personas.cecilia, commitment=commitment, status=status, on=on, comment=comment
            )
        assert error.value.field == field
    for user in (personas.anna, personas.pia):
        with pytest.raises(services.GoalError):
            services.record_commitment_status(
                actor=user, commitment=commitment, status="pagar", on=TODAY, comment="Något"
            )
    assert commitment.statuses.count() == 1
    with pytest.raises(services.GoalError, match="egen organisation"):
        make_commitment(personas, organisation=personas.af)


@pytest.mark.django_db
def test_the_pages_list_create_and_change_status(personas: Personas) -> None:
    goal = make_goal(personas)
    manager = Client()
    manager.force_login(personas.cecilia)
    response = manager.post("/uppdrag/ny/", {"kind": "uppdrag"})
    assert response.status_code == 422
    response = manager.post(
        "/uppdrag/ny/",
        {
            "kind": "uppdrag",
            "text": "Halvera det långvariga biståndet till 2030.",
            "organisation": personas.kommun.pk,
            "responsible": "Arbetsmarknadsenheten",
            "source_title": "Nämndens verksamhetsplan",
            "goals": [goal.pk],
            "indicators": [LONG_TERM],
        },
    )
    commitment = Commitment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/uppdrag/{commitment.pk}/"
    assert list(commitment.goals.all()) == [goal] and commitment.indicators == [LONG_TERM]
    response = manager.post(f"/uppdrag/{commitment.pk}/", {"status": "pagar", "on": "", "comment": ""})
    assert response.status_code == 422
    response = manager.post(
        f"/uppdrag/{commitment.pk}/",
        {"status": "pagar", "on": TODAY.isoformat(), "comment": "Projekt startat."},
    )
    assert response.status_code == 302
    page = manager.get(f"/uppdrag/{commitment.pk}/").content.decode()
    history = page.split('id="history"')[1].split("</table>")[0]
    assert history.index("Registrerat.") < history.index("Projekt startat.")
    assert "Pågår" in page.split('id="current-status"')[1].split("</dd>")[0]
    listing = manager.get("/uppdrag/").content.decode()
    assert "Halvera det långvariga biståndet" in listing and "Projekt startat." in listing

    # A caseworker of the organisation sees the commitment but gets no status form, and cannot post one.
    caseworker = Client()
    caseworker.force_login(personas.anna)
    page = caseworker.get(f"/uppdrag/{commitment.pk}/").content.decode()
    assert "Halvera" in page and 'name="comment"' not in page
    assert caseworker.post(f"/uppdrag/{commitment.pk}/", {"status": "genomford"}).status_code == 403
    # Someone in another organisation does not see it at all.
    partner = Client()
    partner.force_login(personas.pia)
    assert partner.get(f"/uppdrag/{commitment.pk}/").status_code == 404
    assert "Halvera" not in partner.get("/uppdrag/").content.decode()
    assert commitment not in access.visible_commitments(personas.pia)
    # Registered through the page today, so the history starts today.
    assert list(commitment.statuses.values_list("status", "on")) == [("ej_paborjad", TODAY), ("pagar", TODAY)]
