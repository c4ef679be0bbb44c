"""Who sees which goal (everybody with an active membership in an owning organisation) and who may
create and change goals and commitments (unit managers of an owning organisation, system administrators)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from egenmakt.accounts.models import Membership, Role, User
from egenmakt.goals import access, services
from egenmakt.goals.models import Goal
from egenmakt.goals.tests.factories import LONG_TERM, make_goal
from egenmakt.test import Personas, make_user


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.django_db
def test_everyone_in_an_owning_organisation_sees_the_goal_and_nobody_else(personas: Personas) -> None:
    own = make_goal(personas, title="Kommunens mål")
    shared = make_goal(personas, organisations=[personas.kommun, personas.af], title="Delat med AF")
    # Anna, Cecilia, Bertil, Alva and Sam work in Exempelkommun; Pia at Arbetsförmedlingen; Gustav in
    # Grannkommun; Nils has no membership at all.
    for user in (personas.anna, personas.cecilia, personas.bertil, personas.alva):
        assert set(access.visible_goals(user)) == {own, shared}
    assert set(access.visible_goals(personas.pia)) == {shared}
    assert set(access.visible_goals(personas.gustav)) == set()
    assert set(access.visible_goals(personas.nomad)) == set()
    assert _client(personas.pia).get(f"/mal/{own.pk}/").status_code == 404
    assert _client(personas.pia).get(f"/mal/{shared.pk}/").status_code == 200
    assert _client(personas.gustav).get(f"/mal/{shared.pk}/").status_code == 404
    listed = _client(personas.bertil).get("/mal/").content.decode()
    assert "Kommunens mål" in listed and "Delat med AF" in listed
    assert "Kommunens mål" not in _client(personas.pia).get("/mal/").content.decode()


@pytest.mark.django_db
def test_an_ended_membership_no_longer_shows_the_goal(personas: Personas) -> None:
    goal = make_goal(personas, organisations=[personas.kommun, personas.af])
    assert goal in access.visible_goals(personas.pia)
    Membership.objects.filter(user=personas.pia).update(valid_to=date(2021, 1, 1))
    # A fresh user object: the policy keeps a user's memberships for the request.
    pia = User.objects.get(pk=personas.pia.pk)
    assert goal not in access.visible_goals(pia)
    assert _client(pia).get(f"/mal/{goal.pk}/").status_code in (403, 404)


@pytest.mark.django_db
def test_only_managers_and_administrators_create_and_change_goals(personas: Personas) -> None:
    goal = make_goal(personas)
    assert access.may_manage(personas.cecilia) and access.may_manage(personas.sam)
    for user in (personas.anna, personas.bertil, personas.alva, personas.pia):
        assert not access.may_manage(user)
        assert _client(user).get("/mal/ny/").status_code == 403
        assert _client(user).get("/uppdrag/ny/").status_code == 403
        # Those who see the goal are refused the form; Pia does not see it at all.
        expected = 404 if user == personas.pia else 403
        assert _client(user).get(f"/mal/{goal.pk}/andra/").status_code == expected
    assert _client(personas.cecilia).get(f"/mal/{goal.pk}/andra/").status_code == 200
    assert _client(personas.sam).get(f"/mal/{goal.pk}/andra/").status_code == 200
    # The unit manager of another municipality's unit changes nothing of Exempelkommun's.
    greta = make_user("greta", "Greta", "Grön", personas.grann_eb, Role.ENHETSCHEF)
    assert _client(greta).get(f"/mal/{goal.pk}/andra/").status_code == 404
    details = services.GoalDetails(
        title="Kapat",
        organisations=[personas.grannkommun],
        indicator=LONG_TERM,
        target_group="alla",
        baseline=Decimal(40),
        target=Decimal(30),
        deadline=date(2030, 1, 1),
        direction="lagre",
    )
    with pytest.raises(services.GoalError, match="ändra"):
        services.change_goal(actor=greta, goal=goal, details=details)
    with pytest.raises(services.GoalError):
        services.create_goal(actor=personas.anna, details=details)


@pytest.mark.django_db
def test_a_manager_may_share_a_goal_but_not_give_one_away(personas: Personas) -> None:
    shared = make_goal(personas, organisations=[personas.kommun, personas.af])
    assert set(shared.organisations.all()) == {personas.kommun, personas.af}
    with pytest.raises(services.GoalError, match="din egen"):
        make_goal(personas, organisations=[personas.af])
    # A system administrator keeps reference data for every organisation.
    goal = services.create_goal(
        actor=personas.sam,
        details=services.GoalDetails(
            title="AF:s mål",
            organisations=[personas.af],
            indicator=LONG_TERM,
            target_group="alla",
            baseline=Decimal(40),
            target=Decimal(30),
            deadline=date(2030, 1, 1),
            direction="lagre",
        ),
    )
    assert goal in access.visible_goals(personas.pia)


@pytest.mark.django_db
def test_the_goal_form_saves_a_goal_and_explains_errors(personas: Personas) -> None:
    client = _client(personas.cecilia)
    form = {
        "title": "Fler unga i arbete",
        "organisations": [personas.kommun.pk, personas.af.pk],
        "indicator": "arbete_studier_12m_efter_avslut",
        "target_group": "uvas",
        "direction": "hogre",
        "baseline": "30",
        "target": "25,5",
        "deadline": "2030-12-31",
    }
    response = client.post("/mal/ny/", form)
    assert response.status_code == 422
    assert "högre än utgångsläget" in response.content.decode()
    response = client.post("/mal/ny/", {**form, "target": "45,5"})
    goal = Goal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/mal/{goal.pk}/"
    assert (goal.target, goal.target_group, goal.created_by) == (Decimal("45.5"), "uvas", personas.cecilia)
    page = client.get(f"/mal/{goal.pk}/").content.decode()
    assert "Unga som varken arbetar eller studerar" in page and "45,5 %" in page
