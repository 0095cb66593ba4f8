"""Charts as server-rendered SVG: no script, no CDN. Each chart is an image with a title and a
description for screen readers (`role="img"`, `aria-labelledby`), every bar or point has a
`<title>` with its number, and the page shows the same numbers as a table (the table view).
Series differ by colour and by dash, never by colour alone; colours pass WCAG AA on white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
BAR_HEIGHT = 28
LABEL_WIDTH = 170
INK, GRID = "#1b1b1b", "#767676"  # text; axis lines (4.5:1 on white)
SERIES = (("#1d4f91", ""), ("#8a3b00", "6 4"))  # colour, dash: blue solid, brown dashed


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _open(chart_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(description)}</desc>',
    ]


def bars(
    chart_id: str, title: str, items: Sequence[tuple[str, float]], *, unit: str = ""
) -> Markup:
    """Horizontal bars, one per (label, value), longest = the largest value."""
    height = max(1, len(items)) * BAR_HEIGHT + 16
    top = max((v for _, v in items), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 70
    words = "; ".join(f"{label}: {_number(v)}{unit}" for label, v in items) or "no data"
    out = _open(chart_id, title, words, height)
    if not items:
        out.append(f'<text x="0" y="20" fill="{INK}">No data for these filters.</text>')
    for i, (label, value) in enumerate(items):
        y = 8 + i * BAR_HEIGHT
        w = round(span * value / top, 1)
        text = f"{label}: {_number(value)}{unit}"
        out += [
            f'<g class="bar"><title>{escape(text)}</title>',
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>",
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{w}" height="{BAR_HEIGHT - 8}" '
            f'fill="{SERIES[0][0]}"/>',
            f'<text x="{LABEL_WIDTH + w + 6}" y="{y + 17}" fill="{INK}">'
            f"{escape(_number(value) + unit)}</text></g>",
        ]
    out.append(
        f'<line x1="{LABEL_WIDTH}" y1="4" x2="{LABEL_WIDTH}" y2="{height - 4}" stroke="{GRID}"/>'
    )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every text in it went through escape())


def lines(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """One line per series over the labels (days or weeks), with a legend and points."""
    height, left, right, top_pad, bottom = 260, 44, 36, 34, 40  # right: half the last label
    plot_w, plot_h = WIDTH - left - right, height - top_pad - bottom
    top = max((v for s in series for v in s.values), default=0) or 1
    n = max(1, len(labels))
    totals = ", ".join(f"{s.name} {_number(sum(s.values))}" for s in series)
    out = _open(chart_id, title, f"{len(labels)} periods; totals: {totals}", height)

    def x(i: int) -> float:
        return round(left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2), 1)

    def y(v: float) -> float:
        return round(top_pad + plot_h - plot_h * v / top, 1)

    for tick in sorted({0, top // 2, top}):
        out.append(
            f'<line x1="{left}" y1="{y(tick)}" x2="{WIDTH - right}" y2="{y(tick)}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4}" text-anchor="end" fill="{INK}">{tick}</text>'
        )
    step = max(1, n // 7)
    for i, label in enumerate(labels):
        if i == n - 1 or (i % step == 0 and n - 1 - i >= step):  # the last one never crowded
            out.append(
                f'<text x="{x(i)}" y="{height - bottom + 18}" text-anchor="middle" '
                f'fill="{INK}">{escape(label)}</text>'
            )
    for k, s in enumerate(series):
        colour, dash = SERIES[k % len(SERIES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(s.values))
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dashed}/>'
        )
        for i, v in enumerate(s.values):
            label = labels[i] if i < len(labels) else ""
            out.append(
                f'<circle cx="{x(i)}" cy="{y(v)}" r="3.5" fill="{colour}">'
                f"<title>{escape(f'{s.name}, {label}: {_number(v)}')}</title></circle>"
            )
        lx = left + k * 170
        out.append(
            f'<line x1="{lx}" y1="14" x2="{lx + 28}" y2="14" stroke="{colour}" '
            f'stroke-width="2"{dashed}/><text x="{lx + 34}" y="18" fill="{INK}">'
            f"{escape(s.name)}</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every text in it went through escape())
