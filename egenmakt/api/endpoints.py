"""The REST API (OpenAPI at /api/v1/docs). Same reads, same policy and same audit as the web pages."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.security import SessionAuth

from egenmakt.access import policy, reads
from egenmakt.analytics import presentation
from egenmakt.analytics import services as analytics
from egenmakt.analytics.pipeline import INDICATORS
from egenmakt.benefits import calculation
from egenmakt.benefits.norm import NormMissing
from egenmakt.goals import access as goal_access
from egenmakt.goals import figures as goal_figures
from egenmakt.goals.models import GoalSnapshot
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


# --- The norm calculation as a public service --------------------------------------------------------
# Public on purpose, like OpenFisca's web API: the input identifies nobody (birth dates, amounts), the
# rule is public law, and anyone (a person, an adviser, a researcher) may check what the rule gives.
# Nothing is stored and nothing is logged about the household.


class CalculationErrorOut(Schema):
    errors: list[dict[str, str]]


@api.post(
    "/calculate",
    auth=None,
    response={200: calculation.Result, 400: CalculationErrorOut},
    summary="Calculate försörjningsstöd for one household and month",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": calculation.HouseholdMonth.model_json_schema()}},
        }
    },
)
def calculate(request: HttpRequest) -> Any:
    """The riksnorm, reasonable costs, incomes and decided reductions for a household's month, with every
    line explained. The input and output are described by docs/calculate-input.schema.json and
    docs/calculate-output.schema.json. Bad input gets a 400 that names the field."""
    try:
        data = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _bad_input([{"field": "(body)", "message": f"not valid JSON: {exc}"}], request)
    try:
        return calculation.calculate_json(data)
    except calculation.InputError as exc:
        return _bad_input(exc.errors, request)
    except NormMissing as exc:
        return _bad_input([{"field": "month", "message": str(exc)}], request)


def _bad_input(errors: list[dict[str, str]], request: HttpRequest) -> HttpResponse:
    return api.create_response(request, {"errors": errors}, status=400)


# --- Outcome indicators (aggregates only, suppressed) --------------------------------------------------


class IndicatorCellOut(Schema):
    group: str
    numerator: int | None
    denominator: int | None
    share: float | None
    suppressed: bool


class IndicatorOut(Schema):
    code: str
    name: str
    definition: str
    dimension: str
    data_end: str
    cells: list[IndicatorCellOut]
    total: IndicatorCellOut | None


def _cell(row: presentation.Row) -> IndicatorCellOut:
    cell = row.cell
    return IndicatorCellOut(
        group=row.label,
        numerator=cell.numerator,
        denominator=cell.denominator,
        share=cell.value,
        suppressed=cell.suppressed,
    )


@api.get(
    "/outcomes/indicators/{code}",
    response=IndicatorOut,
    summary="One outcome indicator, broken down",
)
def outcome_indicator(request: HttpRequest, code: str, dimension: str = "alla") -> IndicatorOut:
    """An indicator from the latest outcome report, for analysts and managers. Every cell under 5 people,
    and any cell it could be recomputed from, comes with `suppressed: true` and no numbers."""
    if not policy.can_see_aggregates(request.user):
        raise HttpError(403, "Only analysts and unit managers see outcomes.")
    found = analytics.latest()
    known = {i.code: i for i in INDICATORS if i.kind == "share"}
    if found is None or code not in known or dimension not in known[code].dimensions:
        raise HttpError(404, "No such indicator, breakdown or report.")
    stored, report = found
    rows, total = presentation.breakdown(report, code, dimension)
    return IndicatorOut(
        code=code,
        name=str(known[code].name),
        definition=str(known[code].definition),
        dimension=dimension,
        data_end=f"{stored.data_end:%Y-%m}",
        cells=[_cell(row) for row in rows],
        total=_cell(total) if total else None,
    )


class GoalMeasurementOut(Schema):
    month: str
    data_end: str
    numerator: int | None
    denominator: int | None
    share: float | None
    suppressed: bool


class GoalOut(Schema):
    id: int
    title: str
    description: str
    organisations: list[str]
    indicator: str
    indicator_name: str
    target_group: str
    target_group_name: str
    baseline_percent: float
    target_percent: float
    deadline: date
    direction: str
    measurements: list[GoalMeasurementOut]
    progress: float | None  # 0 at the baseline, 1 at the target; None when the latest value is not shown


def _goal(shown: goal_figures.GoalFigures) -> GoalOut:
    goal = shown.goal
    return GoalOut(
        id=goal.pk,
        title=goal.title,
        description=goal.description,
        organisations=sorted(o.name for o in goal.organisations.all()),
        indicator=goal.indicator,
        indicator_name=shown.indicator_name,
        target_group=goal.target_group,
        target_group_name=shown.target_group_name,
        baseline_percent=float(goal.baseline),
        target_percent=float(goal.target),
        deadline=goal.deadline,
        direction=goal.direction,
        measurements=[
            GoalMeasurementOut(
                month=f"{m.month:%Y-%m}",
                data_end=f"{m.data_end:%Y-%m-%d}",
                numerator=m.cell.numerator,
                denominator=m.cell.denominator,
                share=m.cell.value,
                suppressed=m.suppressed,
            )
            for m in shown.measurements
        ],
        progress=shown.progress.share,
    )


def _visible_goals(request: HttpRequest) -> Any:
    return goal_access.visible_goals(request.user).prefetch_related(
        "organisations", Prefetch("snapshots", GoalSnapshot.objects.all())
    )


@api.get("/goals", response=list[GoalOut], summary="The shared goals the user's organisations own")
def goals(request: HttpRequest) -> list[GoalOut]:
    """Each goal with its measurements month by month, as on the goal pages: aggregates only, a month of
    fewer than 5 people comes with `suppressed: true` and no numbers."""
    return [_goal(goal_figures.figures(goal)) for goal in _visible_goals(request)]


@api.get("/goals/{goal_id}", response=GoalOut, summary="One shared goal")
def goal(request: HttpRequest, goal_id: int) -> GoalOut:
    found = _visible_goals(request).filter(pk=goal_id).first()
    if found is None:
        raise HttpError(404, "No such goal.")
    return _goal(goal_figures.figures(found))
