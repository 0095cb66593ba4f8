"""The SVG charts: well-formed, labelled for screen readers, numbers in titles, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from api.staff import charts

NS = {"s": "http://www.w3.org/2000/svg"}


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_bars_carry_their_numbers_and_scale_to_the_largest() -> None:
    svg = _svg(charts.bars("needs", "Positive needs", [("food", 4), ("housing", 2)]))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "needs-t needs-d"
    assert svg.find("s:title", NS).text == "Positive needs"  # type: ignore[union-attr]
    assert svg.find("s:desc", NS).text == "food: 4; housing: 2"  # type: ignore[union-attr]
    groups = svg.findall("s:g", NS)
    assert [g.find("s:title", NS).text for g in groups] == ["food: 4", "housing: 2"]  # type: ignore[union-attr]
    widths = [float(g.find("s:rect", NS).get("width")) for g in groups]  # type: ignore[arg-type,union-attr]
    assert widths[0] == 2 * widths[1]


def test_labels_are_escaped_text() -> None:
    markup = str(charts.bars("x", "<b>t</b>", [("<script>alert(1)</script>", 1)]))
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    _svg(markup)  # still well-formed


def test_no_data_says_so() -> None:
    svg = _svg(charts.bars("x", "Funnel", []))
    assert svg.find("s:desc", NS).text == "no data"  # type: ignore[union-attr]
    assert "No data" in "".join(svg.itertext())


def test_lines_have_a_point_per_value_with_its_number_and_a_dashed_second_series() -> None:
    svg = _svg(
        charts.lines(
            "screenings",
            "Screenings",
            ["11-01", "11-02", "11-03"],
            [charts.Series("started", [0, 2, 1]), charts.Series("completed", [0, 1, 1])],
        )
    )
    points = [c.find("s:title", NS).text for c in svg.iter("{http://www.w3.org/2000/svg}circle")]  # type: ignore[union-attr]
    assert points[:3] == ["started, 11-01: 0", "started, 11-02: 2", "started, 11-03: 1"]
    assert len(points) == 6
    lines = svg.findall("s:polyline", NS)
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray")
    assert svg.find("s:desc", NS).text == "3 periods; totals: started 3, completed 2"  # type: ignore[union-attr]


def test_the_last_day_is_labelled_inside_the_chart_and_not_crowded() -> None:
    labels = [f"Nov {d:02d}" for d in range(1, 31)]
    svg = _svg(charts.lines("s", "t", labels, [charts.Series("A", [1] * 30)]))
    axis = [t for t in svg.iter("{http://www.w3.org/2000/svg}text") if t.get("y") == "238"]
    xs = [float(t.get("x") or 0) for t in axis]
    assert axis[0].text == "Nov 01" and axis[-1].text == "Nov 30"
    assert xs[-1] + 24 <= charts.WIDTH  # half of "Nov 30" fits on the right
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 60  # no overlap
