"""The report as it may be shown: every figure goes through `privacy` here, and only here, on its way to
the outcomes page, the Excel and CSV files and `manage.py outcome_report`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from egenmakt.analytics import privacy
from egenmakt.analytics.pipeline import DIMENSIONS, INDICATORS, UNKNOWN, Indicator
from egenmakt.analytics.report import CurveData, Report
from egenmakt.people.target_groups import definitions as target_group_definitions

# Breakdowns whose groups partition everyone: their cells add up to the total, so complementary
# suppression applies. Target groups overlap (one person can be in several, or none).
ADDITIVE = {"sex", "age_band", "unit", "activity", "cohort"}
DASH = "–"


def indicator(code: str) -> Indicator:
    return next(i for i in INDICATORS if i.code == code)


def group_label(dimension: str, group: str) -> str:
    if dimension == "alla":
        return str(_("Alla"))
    if dimension == "malgrupp":
        return next((g.name for g in target_group_definitions() if g.code == group), group)
    labels = {"kvinna": _("Kvinnor"), "man": _("Män"), UNKNOWN: _("Okänt"), "ingen insats": _("Ingen insats")}
    return str(labels.get(group, group))


def dimension_label(dimension: str) -> str:
    return str(DIMENSIONS.get(dimension, dimension))


@dataclass(frozen=True)
class Row:
    label: str
    cell: privacy.PublishedCell

    @property
    def text(self) -> str:
        return format_value(self.cell, percent=True)


def format_value(cell: privacy.PublishedCell, *, percent: bool) -> str:
    if cell.suppressed or cell.value is None:
        return DASH
    if percent:
        return f"{number_format(round(100 * cell.value), 0)} %"
    return number_format(cell.value, 0)


def _cells(report: Report, code: str, dimension: str) -> tuple[list[privacy.Cell], privacy.Cell | None]:
    rows = [s for s in report.shares if s.indicator == code]
    cells = [
        privacy.Cell(
            group=s.group,
            denominator=s.denominator,
            numerator=s.numerator,
            value=s.numerator / s.denominator if s.denominator else None,
        )
        for s in rows
        if s.dimension == dimension
    ]
    totals = [s for s in rows if s.dimension == "alla"]
    total = (
        privacy.Cell(
            group="alla",
            denominator=totals[0].denominator,
            numerator=totals[0].numerator,
            value=totals[0].numerator / totals[0].denominator if totals[0].denominator else None,
        )
        if totals
        else None
    )
    return cells, total


def breakdown(report: Report, code: str, dimension: str) -> tuple[list[Row], Row | None]:
    """One share indicator by one dimension, suppressed (with complementary suppression where the groups
    add up to the total shown beside them)."""
    cells, total = _cells(report, code, dimension)
    if dimension == "alla":
        flagged, _total = privacy.suppress_breakdown(cells)
        return [Row(group_label(dimension, c.group), privacy.published(c)) for c in flagged], None
    flagged, flagged_total = privacy.suppress_breakdown(cells, total=total if dimension in ADDITIVE else None)
    if dimension not in ADDITIVE and total is not None:
        flagged_total = privacy.suppress_breakdown([total])[0][0]
    rows = [Row(group_label(dimension, c.group), privacy.published(c)) for c in sorted(flagged, key=_order)]
    return rows, (Row(str(_("Alla")), privacy.published(flagged_total)) if flagged_total else None)


def _order(cell: privacy.Cell) -> tuple[bool, str]:
    return (cell.group == UNKNOWN, cell.group)


@dataclass(frozen=True)
class Overview:
    indicator: Indicator
    row: Row | None


def overview(report: Report) -> list[Overview]:
    """Every share indicator for everyone; the median time comes from the curves."""
    found = []
    for item in INDICATORS:
        if item.kind != "share":
            continue
        rows, _total = breakdown(report, item.code, "alla")
        found.append(Overview(indicator=item, row=rows[0] if rows else None))
    return found


@dataclass(frozen=True)
class ShownCurve:
    label: str
    people: int | None  # periods at the start; None when suppressed
    median: str
    times: tuple[float, ...]
    survival: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    at_risk: tuple[int, ...]

    def at(self, month: float) -> str:
        """1 - S(t): the share who have reached work or studies by a month, while it may be shown."""
        shown = [s for t, s in zip(self.times, self.survival, strict=True) if t <= month]
        if not shown or not self.times or self.times[-1] < month:
            return DASH
        return f"{number_format(round(100 * (1 - shown[-1])), 0)} %"

    # For templates, which cannot pass arguments.
    @property
    def at_6(self) -> str:
        return self.at(6)

    @property
    def at_12(self) -> str:
        return self.at(12)

    @property
    def at_24(self) -> str:
        return self.at(24)


def curves(report: Report, dimension: str) -> list[ShownCurve]:
    """Kaplan–Meier curves of a dimension, each cut where fewer than 5 remain at risk; a group under 5
    is left out; a median is shown only when 5 or more reached work or studies."""
    shown: list[ShownCurve] = []
    for data in sorted((c for c in report.curves if c.dimension == dimension), key=lambda c: c.group):
        cut = privacy.truncate_curve(data.times, data.at_risk, data.survival, data.lower, data.upper)
        if cut.group_too_small:
            continue
        shown.append(
            ShownCurve(
                label=group_label(dimension, data.group),
                people=data.at_risk[0],
                median=_median(data, cut),
                times=cut.times,
                survival=cut.series[0],
                lower=cut.series[1],
                upper=cut.series[2],
                at_risk=cut.at_risk,
            )
        )
    return shown


def _median(data: CurveData, cut: privacy.TruncatedCurve) -> str:
    if data.median is None or sum(data.events) < privacy.MIN_PEOPLE or data.median > cut.times[-1]:
        return DASH
    return _("%(months)s mån") % {"months": number_format(data.median, 0)}


def incidence(report: Report) -> dict[str, Any]:
    """The Aalen–Johansen curves for everyone, cut like the Kaplan–Meier curve."""
    everyone = next((c for c in report.curves if c.dimension == "alla"), None)
    if everyone is None or not report.incidence:
        return {}
    times = report.incidence["times"]
    cut = privacy.truncate_curve(
        times, everyone.at_risk, *(report.incidence[k] for k in ("arbete", "studier", "annat"))
    )
    if cut.group_too_small:
        return {}
    return {"times": cut.times, "arbete": cut.series[0], "studier": cut.series[1], "annat": cut.series[2]}


def unit_sizes(report: Report) -> dict[str, int]:
    return {c.group: c.at_risk[0] for c in report.curves if c.dimension == "unit" and c.at_risk}


@dataclass(frozen=True)
class FunnelRow:
    unit: str
    observed: int
    expected: float
    ratio: float | None
    outside: str  # "", "95", "99.8": outside which control limits


def funnel(report: Report) -> list[FunnelRow]:
    """Observed against expected per unit; a unit with fewer than 5 periods or 5 observed is left out."""
    sizes = unit_sizes(report)
    rows = []
    for u in report.funnel:
        if sizes.get(u["unit"], 0) < privacy.MIN_PEOPLE or u["observed"] < privacy.MIN_PEOPLE:
            continue
        ratio = u["ratio"]
        outside = ""
        if ratio is not None and u["lower998"] is not None and not (u["lower998"] <= ratio <= u["upper998"]):
            outside = "99.8"
        elif ratio is not None and u["lower95"] is not None and not (u["lower95"] <= ratio <= u["upper95"]):
            outside = "95"
        rows.append(FunnelRow(u["unit"], u["observed"], u["expected"], ratio, outside))
    return rows


def hazard_ratios(report: Report, which: str) -> list[dict[str, Any]]:
    """Hazard ratios of units or activities, for groups of 5 or more periods."""
    source = report.unit_ratios if which == "unit" else report.activity_ratios
    sizes = {c.group: c.at_risk[0] for c in report.curves if c.dimension == which and c.at_risk}
    rows = []
    for r in source:
        name = r["covariate"].split("=", 1)[1]
        if sizes.get(name, 0) < privacy.MIN_PEOPLE:
            continue
        rows.append({"name": name, **r})
    return rows


# --- Files ----------------------------------------------------------------------------------------------


def table_rows(report: Report) -> Iterable[list[str]]:
    """Every indicator by every dimension, suppressed: the rows of the CSV and of the Excel sheet."""
    yield [
        str(_("Nyckeltal")),
        str(_("Uppdelning")),
        str(_("Grupp")),
        str(_("Andel")),
        str(_("Antal räknade")),
        str(_("Antal totalt")),
    ]
    for item in INDICATORS:
        if item.kind != "share":
            continue
        for dimension in item.dimensions:
            rows, total = breakdown(report, item.code, dimension)
            for row in [*rows, *([total] if total else [])]:
                cell = row.cell
                yield [
                    str(item.name),
                    dimension_label(dimension),
                    row.label,
                    format_value(cell, percent=True),
                    DASH if cell.numerator is None else str(cell.numerator),
                    DASH if cell.denominator is None else str(cell.denominator),
                ]
    for dimension in DIMENSIONS:
        for curve in curves(report, dimension):
            yield [
                str(_("Mediantid till arbete eller studier")),
                dimension_label(dimension),
                curve.label,
                curve.median,
                DASH,
                str(curve.people),
            ]


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerows(table_rows(report))
    return out.getvalue()


def as_workbook(report: Report, *, data_end: str) -> bytes:
    """An Excel workbook: the indicators sheet, the definitions, and the unit comparison."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Nyckeltal"))
    for row in table_rows(report):
        sheet.append(row)
    _bold_header(sheet, Font)
    definitions = book.create_sheet(str(_("Definitioner")))
    definitions.append([str(_("Nyckeltal")), str(_("Definition"))])
    for item in INDICATORS:
        definitions.append([str(item.name), str(item.definition)])
    definitions.append([])
    definitions.append(
        [str(_("Uppgifter till och med")), data_end],
    )
    definitions.append(
        [
            str(_("Sekretess")),
            str(_("Celler med färre än 5 personer, och celler de kan räknas fram ur, visas som –.")),
        ]
    )
    _bold_header(definitions, Font)
    units = book.create_sheet(str(_("Enheter")))
    units.append([str(_("Enhet")), str(_("Observerade")), str(_("Förväntade")), str(_("Kvot"))])
    for unit in funnel(report):
        units.append(
            [
                unit.unit,
                unit.observed,
                round(unit.expected, 1),
                None if unit.ratio is None else round(unit.ratio, 2),
            ]
        )
    _bold_header(units, Font)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bold_header(sheet: Any, font: Any) -> None:
    for cell in sheet[1]:
        cell.font = font(bold=True)
