"""The outcomes page: indicators, their breakdowns, time to work or studies, and the adjusted comparison
of units, for analysts and managers. Aggregates only: every figure comes through analytics.presentation,
which suppresses cells under 5 people. The report is computed by a button (or manage.py outcome_report)
and stored; the page and the files read the stored report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from egenmakt.analytics import charts, presentation, services
from egenmakt.analytics.pipeline import DIMENSIONS, INDICATORS
from egenmakt.analytics.services import AnalyticsError
from egenmakt.audit import services as audit
from egenmakt.outcomes import services as outcomes
from egenmakt.web.decorators import aggregates_view

SHARE_INDICATORS = [(i.code, i.name) for i in INDICATORS if i.kind == "share"]


class BreakdownForm(forms.Form):
    indicator = forms.ChoiceField(label=gettext_lazy("Nyckeltal"), choices=SHARE_INDICATORS, required=False)
    dimension = forms.ChoiceField(
        label=gettext_lazy("Dela upp efter"),
        choices=[(k, v) for k, v in DIMENSIONS.items() if k != "alla"],
        required=False,
    )


@require_GET
@aggregates_view
def overview(request: HttpRequest) -> HttpResponse:
    form = BreakdownForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    code = chosen.get("indicator") or SHARE_INDICATORS[0][0]
    dimension = chosen.get("dimension") or "unit"
    found = services.latest()
    context: dict[str, Any] = {"form": form, "stored": None}
    if found is not None:
        stored, report = found
        indicator = presentation.indicator(code)
        if dimension not in indicator.dimensions:
            dimension = "cohort"
        rows, total = presentation.breakdown(report, code, dimension)
        curves = presentation.curves(report, dimension)
        everyone = presentation.curves(report, "alla")
        incidence = presentation.incidence(report)
        funnel = presentation.funnel(report)
        context |= {
            "stored": stored,
            "report": report,
            "overview": presentation.overview(report),
            "indicator": indicator,
            "dimension_label": presentation.dimension_label(dimension),
            "rows": rows,
            "total": total,
            "bar_chart": charts.bar_chart(
                chart_id="breakdown-chart",
                title=str(indicator.name),
                description=_("Andel per grupp. Grupper med färre än 5 personer visas som –."),
                bars=[(r.label, r.cell.value) for r in rows],
            ),
            "curves": curves,
            "everyone": everyone[0] if everyone else None,
            "km_chart": charts.step_chart(
                chart_id="km-chart",
                title=_("Andel som ännu inte börjat arbeta eller studera"),
                description=_(
                    "Kaplan–Meier-kurvor per grupp med 95 %% konfidensintervall. Kurvan slutar där färre än "
                    "5 personer återstår. Siffrorna finns i tabellen under."
                ),
                series=[
                    charts.Series(label=c.label, x=c.times, y=c.survival, lower=c.lower, upper=c.upper)
                    for c in curves[:8]
                ],
                x_label=_("Månader sedan periodens start"),
                y_label=_("Andel kvar"),
            ),
            "incidence": incidence,
            "incidence_rows": _incidence_rows(incidence),
            "incidence_chart": charts.step_chart(
                chart_id="incidence-chart",
                title=_("Vart perioderna tog vägen"),
                description=_(
                    "Kumulativ incidens (Aalen–Johansen) av arbete, studier och andra avslut. Siffrorna finns "
                    "i tabellen under."
                ),
                series=[
                    charts.Series(label=label, x=incidence["times"], y=incidence[key])
                    for key, label in (
                        ("arbete", _("Arbete")),
                        ("studier", _("Studier")),
                        ("annat", _("Annat avslut")),
                    )
                ]
                if incidence
                else [],
                x_label=_("Månader sedan periodens start"),
                y_label=_("Andel"),
            ),
            "funnel": funnel,
            "funnel_chart": charts.funnel_plot(
                chart_id="funnel-chart",
                title=_("Enheternas resultat justerat för vilka de möter"),
                description=_(
                    "Observerat delat med förväntat antal avslut till arbete eller studier per enhet, mot det "
                    "förväntade antalet. Kontrollgränser 95 och 99,8 %%. Siffrorna finns i tabellen under."
                ),
                points=[
                    charts.FunnelPoint(r.unit, r.expected, r.ratio) for r in funnel if r.ratio is not None
                ],
                limits=[(r[0], r[1], r[2], r[3], r[4]) for r in report.funnel_limits],
            ),
            "unit_ratios": presentation.hazard_ratios(report, "unit"),
            "activity_ratios": presentation.hazard_ratios(report, "activity"),
            "data_end": services.month_label(report.data_end),
            "may_drill_down": services.may_drill_down(request.user),
            "code": code,
            "dimension": dimension,
        }
    context["refreshed"] = outcomes.latest_refresh()
    return render(request, "web/outcomes/overview.html", context)


def _incidence_rows(incidence: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for month in (6, 12, 24):
        if not incidence or incidence["times"][-1] < month:
            continue
        index = max(i for i, t in enumerate(incidence["times"]) if t <= month)
        rows.append(
            {
                "month": str(month),
                **{k: f"{round(100 * incidence[k][index])} %" for k in ("arbete", "studier", "annat")},
            }
        )
    return rows


@require_POST
@aggregates_view
def recompute(request: HttpRequest) -> HttpResponse:
    """Bring the status history up to date and compute the report again (a few seconds for a municipality;
    a national run is a job for manage.py outcome_report)."""
    outcomes.refresh(actor=request.user)
    try:
        services.compute(actor=request.user)
    except AnalyticsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Utfallen är beräknade."))
    return redirect("outcomes")


def _export(request: HttpRequest, kind: str) -> tuple[Any, Any] | None:
    found = services.latest()
    if found is None:
        return None
    audit.record_now(
        actor=request.user,
        action="outcome_report.exported",
        target=found[0],
        purpose="uppföljning",
        detail={"format": kind},
    )
    return found


@require_GET
@aggregates_view
def export_excel(request: HttpRequest) -> HttpResponse:
    found = _export(request, "xlsx")
    if found is None:
        return redirect("outcomes")
    stored, report = found
    content = presentation.as_workbook(report, data_end=f"{stored.data_end:%Y-%m}")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="utfall-{stored.data_end:%Y-%m}.xlsx"'
    return response


@require_GET
@aggregates_view
def export_csv(request: HttpRequest) -> HttpResponse:
    found = _export(request, "csv")
    if found is None:
        return redirect("outcomes")
    stored, report = found
    response = HttpResponse("\ufeff" + presentation.as_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="utfall-{stored.data_end:%Y-%m}.csv"'
    return response


@require_GET
@aggregates_view
def cell_people(request: HttpRequest) -> HttpResponse:
    """The people behind a cell, for a manager who works with them: only those they may see, each logged."""
    code, dimension, group = (request.GET.get(k, "") for k in ("indicator", "dimension", "group"))
    if not services.may_drill_down(request.user):
        raise PermissionDenied
    try:
        people = services.people_in_cell(actor=request.user, code=code, dimension=dimension, group=group)
    except AnalyticsError as error:
        raise Http404(error.message) from error
    context = {
        "people": people,
        "indicator": presentation.indicator(code),
        "dimension_label": presentation.dimension_label(dimension),
        "group_label": presentation.group_label(dimension, group),
    }
    return render(request, "web/outcomes/cell_people.html", context)
