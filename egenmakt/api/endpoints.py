"""The REST API (OpenAPI at /api/v1/docs). Same reads, same policy and same audit as the web pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.security import SessionAuth

from egenmakt.access import policy, reads
from egenmakt.people.models import Participant
from egenmakt.web.decorators import staff_view


class StaffSessionAuth(SessionAuth):
    """A logged-in member of staff (session cookie and CSRF token). Per-person access is decided later."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and policy.is_staff_member(user) else None


api = NinjaAPI(
    title="Egenmakt API",
    version="1",
    description="Participants and cases. Every read of personal data is written to the audit trail.",
    auth=StaffSessionAuth(),
    docs_decorator=staff_view,
    urls_namespace="api",
)


class ParticipantListOut(Schema):
    id: int
    name: str
    identity_masked: str
    birth_date: date | None


class ParticipantOut(Schema):
    id: int
    identity_type: str
    identity: str
    first_name: str
    last_name: str
    birth_date: date | None
    legal_sex: str
    country_of_birth: str
    languages: list[str]
    interpreter_needed: bool
    occupation: str
    protected_identity: bool


def _list_item(p: Participant) -> ParticipantListOut:
    return ParticipantListOut(
        id=p.pk, name=p.full_name, identity_masked=p.identity.masked, birth_date=p.birth_date
    )


@api.get("/participants", response=list[ParticipantListOut], summary="Search participants")
def search_participants(request: HttpRequest, q: str) -> list[ParticipantListOut]:
    """Search by name (spelling-tolerant) or personnummer among the participants you may see."""
    return [_list_item(p) for p in reads.search_participants(actor=request.user, query=q)]


@api.get("/participants/{participant_id}", response=ParticipantOut, summary="Get one participant")
def get_participant(request: HttpRequest, participant_id: int) -> ParticipantOut:
    """One participant's basic data. 404 both when the person does not exist and when you may not see them."""
    p = reads.open_participant(actor=request.user, participant_id=participant_id, purpose="API").participant
    return ParticipantOut(
        id=p.pk,
        identity_type=p.identity_type,
        identity=p.identity.formatted,
        first_name=p.first_name,
        last_name=p.last_name,
        birth_date=p.birth_date,
        legal_sex=p.legal_sex,
        country_of_birth=str(p.country_of_birth or ""),
        languages=p.languages,
        interpreter_needed=p.interpreter_needed,
        occupation=p.occupation,
        protected_identity=p.protected_identity,
    )
