"""SVG charts: accessible names, escaping, suppressed bars, sane coordinates and colour contrast."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from egenmakt.analytics.charts import (
    AXIS_COLOUR,
    DASHES,
    PALETTE,
    TEXT_COLOUR,
    FunnelPoint,
    Series,
    bar_chart,
    funnel_plot,
    step_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<Enhet & "Norr">'
# Attributes that hold coordinates or lengths; every number in them must be finite.
GEOMETRY = ("x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "points", "d", "viewBox")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _swedish() -> None:
    translation.activate("sv")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 the charts' own output, not untrusted XML


def of_class(root: ET.Element, tag: str, css_class: str) -> list[ET.Element]:
    return [element for element in root.iter(SVG + tag) if element.get("class") == css_class]


def child_text(root: ET.Element, tag: str) -> str:
    element = root.find(SVG + tag)
    assert element is not None
    return element.text or ""


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(SVG + "text")]


def assert_finite_geometry(root: ET.Element) -> None:
    for element in root.iter():
        for name in GEOMETRY:
            value = element.get(name)
            if value is None:
                continue
            assert not re.search(r"nan|inf", value, re.IGNORECASE), (element.tag, name, value)
            for number in NUMBER.findall(value):
                assert math.isfinite(float(number)), (element.tag, name, value)


def assert_accessible(root: ET.Element, chart_id: str, title: str) -> None:
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", root.get("viewBox", ""))
    assert [child.tag for child in root[:2]] == [SVG + "title", SVG + "desc"]
    assert root[0].get("id") == f"{chart_id}-title" and root[0].text == title
    assert root[1].get("id") == f"{chart_id}-desc" and root[1].text


def kaplan_meier(label: str, *, band: bool = False) -> Series:
    x = [0.0, 2.0, 5.0, 9.0, 14.0]
    y = [1.0, 0.9, 0.75, 0.6, 0.52]
    if not band:
        return Series(label=label, x=x, y=y)
    return Series(label=label, x=x, y=y, lower=[v - 0.08 for v in y], upper=[min(1.0, v + 0.08) for v in y])


def relative_luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_with_white(colour: str) -> float:
    return (1.0 + 0.05) / (relative_luminance(colour) + 0.05)


@pytest.mark.parametrize("colour", PALETTE)
def test_every_palette_colour_has_3_to_1_contrast_against_white(colour: str) -> None:
    assert contrast_with_white(colour) >= 3.0


def test_text_and_axes_are_dark_enough() -> None:
    assert contrast_with_white(TEXT_COLOUR) >= 7.0
    assert contrast_with_white(AXIS_COLOUR) >= 3.0


def test_the_contrast_helper_matches_wcag_reference_values() -> None:
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#FFFFFF") == pytest.approx(1.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)


def test_every_series_has_its_own_colour_and_dash_pattern() -> None:
    assert len(set(PALETTE)) == len(PALETTE)
    assert len(set(DASHES)) == len(DASHES) == len(PALETTE)


def test_step_chart_is_labelled_by_its_title_and_description() -> None:
    svg = step_chart(
        chart_id="km-gender",
        title="Kvar i försörjningsstöd",
        description="Andel kvar efter månader, per kön.",
        series=[kaplan_meier("Kvinna"), kaplan_meier("Man")],
        x_label="Månader",
        y_label="Andel kvar",
    )
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert_accessible(root, "km-gender", "Kvar i försörjningsstöd")
    assert "Månader" in texts(root) and "Andel kvar" in texts(root)


def test_step_chart_draws_one_path_and_one_legend_key_per_series() -> None:
    root = parse(
        step_chart(
            chart_id="km",
            title="T",
            description="D",
            series=[kaplan_meier("A", band=True), kaplan_meier("B"), kaplan_meier("C", band=True)],
            x_label="Månader",
            y_label="Andel",
        )
    )
    paths = of_class(root, "path", "series")
    assert len(paths) == 3
    assert len(of_class(root, "polygon", "band")) == 2
    keys = of_class(root, "line", "legend-key")
    assert len(keys) == 3
    # Colour and dash pattern both tell the series apart, and the legend keys match the lines.
    assert [p.get("stroke") for p in paths] == list(PALETTE[:3]) == [k.get("stroke") for k in keys]
    assert [p.get("stroke-dasharray") for p in paths] == [None, DASHES[1], DASHES[2]]
    assert [k.get("stroke-dasharray") for k in keys] == [None, DASHES[1], DASHES[2]]
    for band, colour in zip(of_class(root, "polygon", "band"), (PALETTE[0], PALETTE[2]), strict=True):
        assert band.get("fill") == colour and float(band.get("fill-opacity", "1")) < 0.5
    assert {"A", "B", "C"} <= set(texts(root))
    assert_finite_geometry(root)


def test_step_chart_steps_after_each_point() -> None:
    root = parse(
        step_chart(
            chart_id="km",
            title="T",
            description="D",
            series=[Series(label="A", x=[0, 10], y=[1.0, 0.5])],
            x_label="Månader",
            y_label="Andel",
        )
    )
    (path,) = of_class(root, "path", "series")
    # Horizontal first, then vertical: the value holds until the next time.
    assert re.fullmatch(r"M[\d.]+,[\d.]+H[\d.]+V[\d.]+", path.get("d", ""))


def test_step_chart_shows_percent_ticks_in_swedish() -> None:
    root = parse(
        step_chart(
            chart_id="km",
            title="T",
            description="D",
            series=[kaplan_meier("A")],
            x_label="Månader",
            y_label="Andel",
        )
    )
    assert {"0 %", "20 %", "40 %", "60 %", "80 %", "100 %"} <= set(texts(root))


def test_step_chart_escapes_labels_title_and_description() -> None:
    svg = step_chart(
        chart_id="km",
        title=NASTY,
        description=NASTY,
        series=[kaplan_meier(NASTY)],
        x_label=NASTY,
        y_label=NASTY,
    )
    assert NASTY not in svg
    root = parse(svg)  # would raise if anything were left unescaped
    assert child_text(root, "title") == child_text(root, "desc") == NASTY
    assert texts(root).count(NASTY) == 3  # legend, x label, y label


def test_step_chart_with_a_single_point_divides_by_nothing() -> None:
    root = parse(
        step_chart(
            chart_id="km",
            title="T",
            description="D",
            series=[Series(label="A", x=[0.0], y=[1.0], lower=[1.0], upper=[1.0])],
            x_label="Månader",
            y_label="Andel",
        )
    )
    assert len(of_class(root, "path", "series")) == 1
    assert_finite_geometry(root)


def test_step_chart_leaves_out_missing_values_and_a_band_with_gaps() -> None:
    root = parse(
        step_chart(
            chart_id="km",
            title="T",
            description="D",
            series=[
                Series(
                    label="A",
                    x=[0, 3, 6],
                    y=[1.0, math.nan, 0.5],
                    lower=[1.0, 0.7, math.nan],
                    upper=[1.0, 0.9, math.inf],
                )
            ],
            x_label="Månader",
            y_label="Andel",
        )
    )
    assert len(of_class(root, "path", "series")) == 1
    assert of_class(root, "polygon", "band") == []
    assert_finite_geometry(root)


@pytest.mark.parametrize("series", [[], [Series(label="A", x=[], y=[])]])
def test_step_chart_without_data_says_so(series: list[Series]) -> None:
    root = parse(
        step_chart(
            chart_id="km", title="T", description="D", series=series, x_label="Månader", y_label="Andel"
        )
    )
    assert_accessible(root, "km", "T")
    assert "Inga uppgifter att visa" in texts(root)
    assert "Inga uppgifter att visa" in child_text(root, "desc")
    assert of_class(root, "path", "series") == []


def test_step_chart_refuses_series_of_unequal_length() -> None:
    with pytest.raises(ValueError):
        step_chart(
            chart_id="km",
            title="T",
            description="D",
            series=[Series(label="A", x=[0, 1], y=[1.0])],
            x_label="M",
            y_label="A",
        )


@pytest.mark.parametrize("chart_id", ["", "two words", '"><script>', "1st"])
def test_it_refuses_an_id_that_would_break_the_aria_reference(chart_id: str) -> None:
    with pytest.raises(ValueError):
        bar_chart(chart_id=chart_id, title="T", description="D", bars=[("A", 0.5)])


def test_bar_chart_draws_a_bar_per_value_and_a_dash_for_a_suppressed_one() -> None:
    root = parse(
        bar_chart(
            chart_id="work",
            title="I arbete efter 12 månader",
            description="Andel per enhet.",
            bars=[("Enhet Norr", 0.42), ("Enhet Syd", None), (NASTY, 0.305)],
        )
    )
    assert_accessible(root, "work", "I arbete efter 12 månader")
    assert len(of_class(root, "rect", "bar")) == 2
    labels = texts(root)
    assert labels.count("–") == 1
    assert "42 %" in labels and "31 %" in labels
    assert {"Enhet Norr", "Enhet Syd", NASTY} <= set(labels)
    assert all(rect.get("fill") == PALETTE[0] for rect in of_class(root, "rect", "bar"))
    assert_finite_geometry(root)


def test_bar_chart_writes_english_numbers_in_english() -> None:
    with translation.override("en"):
        root = parse(bar_chart(chart_id="n", title="T", description="D", bars=[("A", 2.5)], percent=False))
    assert "2.5" in texts(root)


def test_bar_chart_writes_swedish_decimal_commas() -> None:
    root = parse(bar_chart(chart_id="n", title="T", description="D", bars=[("A", 2.5)], percent=False))
    assert "2,5" in texts(root)


def test_bar_chart_scales_to_the_given_maximum() -> None:
    root = parse(
        bar_chart(chart_id="w", title="T", description="D", bars=[("A", 0.5), ("B", 1.0)], x_max=1.0)
    )
    half, full = (float(rect.get("width", "")) for rect in of_class(root, "rect", "bar"))
    assert full == pytest.approx(2 * half)


@pytest.mark.parametrize("bars", [[("A", None), ("B", None)], [("A", 0.0)], [("A", math.nan)]])
def test_bar_chart_with_nothing_to_scale_divides_by_nothing(bars: list[tuple[str, float | None]]) -> None:
    root = parse(bar_chart(chart_id="w", title="T", description="D", bars=bars))
    assert_finite_geometry(root)


def test_bar_chart_without_bars_says_so() -> None:
    root = parse(bar_chart(chart_id="w", title="T", description="D", bars=[]))
    assert_accessible(root, "w", "T")
    assert texts(root) == ["Inga uppgifter att visa"]


def test_bar_chart_refuses_negative_values() -> None:
    with pytest.raises(ValueError):
        bar_chart(chart_id="w", title="T", description="D", bars=[("A", -0.1)])


LIMITS = [
    (
        e,
        max(0.0, 1 - 1.96 / math.sqrt(e)),
        1 + 1.96 / math.sqrt(e),
        max(0.0, 1 - 3.09 / math.sqrt(e)),
        1 + 3.09 / math.sqrt(e),
    )
    for e in (0.5, 1, 2, 5, 10, 20, 40, 80)
]


def test_funnel_plot_draws_points_limits_and_the_line_at_one() -> None:
    root = parse(
        funnel_plot(
            chart_id="funnel",
            title="Utfall per enhet",
            description="Kvot mellan observerat och förväntat.",
            points=[
                FunnelPoint(label=NASTY, expected=12.0, ratio=1.3),
                FunnelPoint(label="Enhet Syd", expected=60.0, ratio=0.8),
                FunnelPoint(label="Enhet Väst", expected=3.0, ratio=2.4),
            ],
            limits=LIMITS,
        )
    )
    assert_accessible(root, "funnel", "Utfall per enhet")
    assert len(of_class(root, "circle", "point")) == 3
    limits = of_class(root, "path", "limit")
    assert len(limits) == 4
    assert {limit.get("stroke-dasharray") for limit in limits} == {DASHES[1], DASHES[2]}
    assert all(limit.get("clip-path") == "url(#funnel-plot)" for limit in limits)
    assert len(of_class(root, "line", "target")) == 1
    assert {NASTY, "Enhet Syd", "Enhet Väst", "Kontrollgräns 95 %", "Kontrollgräns 99,8 %"} <= set(
        texts(root)
    )
    assert_finite_geometry(root)


def test_funnel_plot_with_a_single_point_at_zero_divides_by_nothing() -> None:
    root = parse(
        funnel_plot(
            chart_id="f",
            title="T",
            description="D",
            points=[FunnelPoint(label="A", expected=0.0, ratio=0.0)],
            limits=[(0.0, 0.0, math.inf, 0.0, math.inf)],
        )
    )
    assert len(of_class(root, "circle", "point")) == 1
    assert_finite_geometry(root)


def test_funnel_plot_without_placeable_points_says_so() -> None:
    root = parse(
        funnel_plot(
            chart_id="f",
            title="T",
            description="D",
            points=[FunnelPoint(label="A", expected=0.0, ratio=math.inf)],
            limits=LIMITS,
        )
    )
    assert "Inga uppgifter att visa" in texts(root)
    assert of_class(root, "circle", "point") == []
