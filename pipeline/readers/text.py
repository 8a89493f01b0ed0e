"""Plain text (``.txt``) into a ``Layout``: paragraphs, numbered headings, lists, tab tables.

Text extracted from a published PDF keeps its hard line breaks and hyphenation; lines are kept
as they are and joined later by ``pipeline.textnorm``. Tab-separated lines are table rows.
"""

from __future__ import annotations

import regex

from pipeline.layout import Cell, Layout, Provenance
from pipeline.readers.blocks import BlockBuilder

NUMBERED_HEADING = regex.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+(\p{Lu}.*)$")
KEYWORD_HEADING = regex.compile(r"^(Sisällys|Sisällysluettelo|Liitteet|Liite\s+\d+.*)$", regex.I)


def heading_level(text: str) -> int | None:
    """Level of a one-line paragraph that reads as a heading, else None."""
    text = text.strip()
    if KEYWORD_HEADING.match(text):
        return 1
    match = NUMBERED_HEADING.match(text)
    if match and len(text) <= 120 and not text.endswith((".", ",", ":", ";")):
        return match.group(1).count(".") + 1
    return None


def read_text(text: str) -> Layout:
    """Read a text document; every block records the line it starts on."""
    builder = BlockBuilder()
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        prov = Provenance(line=number)
        if not line.strip():
            builder.close()
            continue
        if "\t" in line:
            cells = [Cell(lines=[part.strip()], prov=prov) for part in line.split("\t")]
            builder.table_row(cells, prov)
            continue
        builder.text_line(line, prov)
    blocks = builder.finish()
    for block in blocks:
        if block.kind == "paragraph" and len(block.lines) == 1:
            level = heading_level(block.lines[0])
            if level is not None:
                block.kind, block.level = "heading", level
    return Layout(format="text", blocks=blocks)
