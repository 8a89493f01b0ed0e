"""What a page's lines and rectangles draw: rules (the borders of cells) or fills (shading).

pdfplumber's table finder takes every side of every rectangle for a ruling line. A shaded header or
shaded rows are drawn as filled rectangles, one per cell, and would make tables of their own, with
only the shaded rows in them. So the page's graphics are sorted first:

- a **rule** is a line, a stroked rectangle's or path's side, or a filled rectangle thinner than
  ``RULE_THICKNESS`` (some producers draw borders that way);
- a **fill** is any other filled rectangle: it shows where a cell or a row is, never a border.

The ruled table finder gets the rules only (``table_settings``); the finder of unruled tables
(``pipeline.readers.pdf_stream``) gets the horizontal rules and the fills' top and bottom edges as
the places where rows visibly part, and the fills' sides as places where columns do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

RULE_THICKNESS = 2.0  # points: a filled rectangle this thin is a line drawn as a rectangle
MIN_RULE = 3.0  # points: shorter strokes are glyph parts, bullets or ticks, not borders


@dataclass
class Graphics:
    """A page's rules by orientation (pdfplumber edge dicts) and its filled areas (bboxes)."""

    vertical: list[dict] = field(default_factory=list)
    horizontal: list[dict] = field(default_factory=list)
    fills: list[tuple[float, float, float, float]] = field(default_factory=list)

    def table_settings(self) -> dict | None:
        """Settings for ``page.find_tables`` that see the rules only; None when no grid can be drawn
        from them (a table needs rules both ways)."""
        if len(self.vertical) < 2 or len(self.horizontal) < 2:
            return None
        return {
            "vertical_strategy": "explicit",
            "horizontal_strategy": "explicit",
            "explicit_vertical_lines": self.vertical,
            "explicit_horizontal_lines": self.horizontal,
        }

    def row_separators(self) -> list[tuple[float, float, float]]:
        """Horizontal places where rows visibly part: (y, x0, x1) of rules and of fills' edges."""
        found = [(e["top"], e["x0"], e["x1"]) for e in self.horizontal]
        for x0, top, x1, bottom in self.fills:
            found.append((top, x0, x1))
            found.append((bottom, x0, x1))
        return sorted(set(found))

    def column_separators(self) -> list[tuple[float, float, float]]:
        """Vertical places where cells visibly part: (x, top, bottom) of vertical rules and fills' sides."""
        found = [(e["x0"], e["top"], e["bottom"]) for e in self.vertical]
        for x0, top, x1, bottom in self.fills:
            found.append((x0, top, bottom))
            found.append((x1, top, bottom))
        return sorted(set(found))


def _edge(x0: float, top: float, x1: float, bottom: float, orientation: str) -> dict:
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": orientation,
        "object_type": "rule_edge",  # pdfplumber takes an "*_edge" as it is
    }


def _add(graphics: Graphics, x0: float, top: float, x1: float, bottom: float) -> None:
    """A straight stroke: horizontal, vertical, or (diagonal) nothing."""
    if abs(bottom - top) <= 0.5 and x1 - x0 >= MIN_RULE:
        y = (top + bottom) / 2
        graphics.horizontal.append(_edge(x0, y, x1, y, "h"))
    elif abs(x1 - x0) <= 0.5 and bottom - top >= MIN_RULE:
        x = (x0 + x1) / 2
        graphics.vertical.append(_edge(x, top, x, bottom, "v"))


def page_graphics(page) -> Graphics:
    """Sort the page's lines, rectangles and curves into rules and fills."""
    graphics = Graphics()
    for line in page.lines:
        _add(graphics, line["x0"], line["top"], line["x1"], line["bottom"])
    for rect in page.rects:
        x0, top, x1, bottom = rect["x0"], rect["top"], rect["x1"], rect["bottom"]
        if rect.get("fill") and min(x1 - x0, bottom - top) <= RULE_THICKNESS:
            if x1 - x0 >= bottom - top:
                _add(graphics, x0, (top + bottom) / 2, x1, (top + bottom) / 2)
            else:
                _add(graphics, (x0 + x1) / 2, top, (x0 + x1) / 2, bottom)
            continue
        if rect.get("stroke"):
            _add(graphics, x0, top, x1, top)
            _add(graphics, x0, bottom, x1, bottom)
            _add(graphics, x0, top, x0, bottom)
            _add(graphics, x1, top, x1, bottom)
        if rect.get("fill"):
            graphics.fills.append((x0, top, x1, bottom))
    for curve in page.curves:
        if not curve.get("stroke"):
            continue  # a filled shape (a logo, a shaded area drawn as a path) is no border
        points = curve.get("pts") or []
        for (ax, ay), (bx, by) in pairwise(points):
            _add(graphics, min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
    return graphics
