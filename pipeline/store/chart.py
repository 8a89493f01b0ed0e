"""Line charts as inline SVG, for the series and version pages.

A chart is text in the page: no script, no font or stylesheet to fetch, colours and sizes as
attributes (it looks the same copied out of the page), and a ``viewBox`` so it shrinks with a narrow
window instead of making it scroll sideways. Each point carries a ``<title>``, which browsers show as
a tooltip, and ``data-`` attributes that say what it is (the tests read them in a real browser).

Small on purpose: years along the bottom, the values up the side on round ticks written the Finnish
way, one line of points per series (a version of an agreement), points filled for what was measured
and hollow for what was estimated or targeted. A charting library would bring a script, or a
renderer that writes more than this does.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from pipeline.nlp.numbers import format_fi_number

# Okabe and Ito's palette: told apart with the common colour-vision deficiencies, and in grey print.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
INK, MUTED, GRID = "#1f2328", "#59636e", "#d1d9e0"


@dataclass(frozen=True)
class Point:
    """One value: ``x`` is its year, ``y`` its number (``y_max`` the upper end of a range)."""

    x: int
    y: float
    y_max: float | None = None
    filled: bool = True  # measured (an actual); hollow: an estimate, a target, a frame
    note: str = ""  # the tooltip
    kind: str = ""  # data-kind: the value's kind, for whoever reads the SVG


@dataclass(frozen=True)
class Line:
    """One series of points, drawn in one colour and joined in the order of their years."""

    key: str  # data-line: which version it is
    label: str
    colour: str
    points: tuple[Point, ...]


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def nice_ticks(low: float, high: float, count: int = 5) -> tuple[list[float], int]:
    """Round values from at or below ``low`` to at or above ``high``, about ``count`` of them, with
    the number of decimals they need: steps of 1, 2 or 5 times a power of ten (Heckbert's rule)."""
    if low > high:
        low, high = high, low
    if low == high:  # one value: a band around it
        pad = abs(low) * 0.05 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count - 1, 1)
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10**exponent
    nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 5 if fraction <= 5 else 10
    if nice == 10:
        nice, exponent = 1, exponent + 1
    decimals = max(0, -exponent)
    step = nice * 10**exponent
    start = math.floor(round(low / step, 9)) * step
    stop = math.ceil(round(high / step, 9)) * step
    ticks = [round(start + i * step, decimals) for i in range(round((stop - start) / step) + 1)]
    return ticks, decimals


def line_chart(lines: Sequence[Line], *, label: str, width: int = 640, height: int = 220) -> Markup:
    """An SVG chart of ``lines`` (empty lines are left out); an empty string when no line has a point."""
    lines = [line for line in lines if line.points]
    if not lines:
        return Markup("")
    values = [v for line in lines for p in line.points for v in (p.y, p.y_max) if v is not None]
    ticks, decimals = nice_ticks(min(values), max(values))
    labels = [format_fi_number(t, decimals) for t in ticks]
    years = sorted({p.x for line in lines for p in line.points})
    left = 14 + 7 * max(len(text) for text in labels)
    right, top, bottom = 16, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    dodge = min(4.0, plot_w / max(len(years), 1) / (len(lines) + 1))  # side by side where points coincide

    inset = 14  # the first and last years' points clear of the axis labels and the edge

    def x_of(year: int, index: int = 0) -> float:
        share = (year - years[0]) / (years[-1] - years[0]) if len(years) > 1 else 0.5
        return left + inset + share * (plot_w - 2 * inset) + (index - (len(lines) - 1) / 2) * dodge

    def y_of(value: float) -> float:
        return top + (ticks[-1] - value) / (ticks[-1] - ticks[0]) * plot_h

    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_attr(label)}" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f"<title>{_text(label)}</title>",
        '<g class="axis y">',
    ]
    for tick, text in zip(ticks, labels, strict=True):
        y = _n(y_of(tick))
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y}" y2="{y}" stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{_n(y_of(tick) + 4)}" text-anchor="end" fill="{MUTED}">{text}</text>')
    out.append('</g><g class="axis x">')
    step = max(1, math.ceil(len(years) * 40 / plot_w))  # a label every 40 px at most
    for i, year in enumerate(years):
        x = _n(x_of(year))
        out.append(f'<line x1="{x}" x2="{x}" y1="{top + plot_h}" y2="{top + plot_h + 4}" stroke="{MUTED}"/>')
        if i % step == 0 or i == len(years) - 1:
            out.append(f'<text x="{x}" y="{height - 10}" text-anchor="middle" fill="{MUTED}">{year}</text>')
    out.append("</g>")
    for index, line in enumerate(lines):
        points = sorted(line.points, key=lambda p: p.x)
        out.append(f'<g class="line" data-line="{_attr(line.key)}" data-label="{_attr(line.label)}">')
        if len(points) > 1:
            path = " ".join(f"{_n(x_of(p.x, index))},{_n(y_of(p.y))}" for p in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{line.colour}" stroke-width="2"/>')
        for p in points:
            x, y = _n(x_of(p.x, index)), _n(y_of(p.y))
            if p.y_max is not None:
                out.append(
                    f'<line x1="{x}" x2="{x}" y1="{y}" y2="{_n(y_of(p.y_max))}" stroke="{line.colour}" '
                    'stroke-width="4" stroke-opacity="0.45"/>'
                )
            fill = line.colour if p.filled else "#ffffff"
            out.append(
                f'<circle cx="{x}" cy="{y}" r="4.5" fill="{fill}" stroke="{line.colour}" stroke-width="2" '
                f'data-year="{p.x}" data-value="{_n(p.y, 10)}" data-kind="{_attr(p.kind)}">'
                f"<title>{_text(p.note)}</title></circle>"
            )
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))


def _n(value: float, digits: int = 1) -> str:
    """A coordinate, short: ``12.5``, ``40`` (never ``40.0``)."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(text: str) -> str:
    return html.escape(text, quote=False)


def _attr(text: str) -> str:
    return html.escape(text, quote=True)
