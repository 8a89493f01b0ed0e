"""The one intermediate model every reader produces: a document as blocks in reading order.

PDF, text and Markdown readers all return a ``Layout``; everything after the readers is written
once against it and never asks which format it came from. A block keeps its source lines as they
were broken in the source (``lines``); ``pipeline.textnorm`` joins them the same way for every
format, so hyphenation and wrapping never make formats disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list_item", "table"]


@dataclass(frozen=True)
class Provenance:
    """Where something stands: page + bbox (PDF, points, origin top-left) or line (text files)."""

    page: int | None = None
    line: int | None = None
    bbox: tuple[float, float, float, float] | None = None

    def to_dict(self) -> dict:
        return {"page": self.page, "line": self.line, "bbox": list(self.bbox) if self.bbox else None}


@dataclass
class Cell:
    """One table cell: its source lines (as wrapped in the source) and where it stands."""

    lines: list[str]
    prov: Provenance
    text: str = ""


@dataclass
class Block:
    """A heading, paragraph, list item or table.

    ``level`` is the heading level the source suggests (Markdown ``#`` count, PDF style rank); it
    is a hint only, converted documents get it wrong. ``emphasis`` marks bold text.
    ``tail_x1`` and ``head_width`` (PDF) tell where the last line ends and how wide the first word
    is, so a paragraph cut by a page break can be told from one that ended there.
    """

    kind: BlockKind
    prov: Provenance
    lines: list[str] = field(default_factory=list)
    level: int | None = None
    emphasis: bool = False
    rows: list[list[Cell]] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    text: str = ""
    tail_x1: float | None = field(default=None, repr=False)
    head_width: float | None = field(default=None, repr=False)
    unread: int = 0  # a table's cells the reader saw but could not place (a garbled row): coverage counts them


@dataclass
class Layout:
    """A whole document: its blocks in reading order, page count (PDF), reader warnings, and the
    running headers and footers the reader dropped (``28.10 291``: a budget item's number)."""

    format: Literal["pdf", "text", "markdown"]
    blocks: list[Block]
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
    running: list[str] = field(default_factory=list)
