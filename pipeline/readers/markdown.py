"""Markdown (``.md``) into a ``Layout``.

Markdown converted from a PDF is not what an author writes: heading levels are whatever the
converter chose (``## **…**`` bold headings at any level), tables are sometimes tab-separated
lines, and emphasis markers wrap whole paragraphs. Levels are kept as hints; inline markup is
removed so the text matches what the PDF shows.
"""

from __future__ import annotations

import regex

from pipeline.layout import Block, Cell, Layout, Provenance
from pipeline.readers.blocks import BlockBuilder

HEADING = regex.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
RULE = regex.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
PIPE_SEPARATOR = regex.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LINK = regex.compile(r"\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = regex.compile(r"<((?:https?|mailto):[^>]+)>")
_EMPHASIS = regex.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_BOLD_ONLY = regex.compile(r"^\s*(\*\*|__)(.+)\1\s*$", regex.S)


def strip_inline(text: str) -> str:
    """Plain text of a Markdown line: links to their text, emphasis and escapes removed."""
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    for _ in range(3):  # nested emphasis, bounded
        text = _EMPHASIS.sub(r"\2", text)
    text = text.replace("**", "")
    return regex.sub(r"\\([\\`*_{}\[\]()#+\-.!|])", r"\1", text)


def read_markdown(text: str) -> Layout:
    """Read a Markdown document; every block records the line it starts on."""
    builder = BlockBuilder()
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        prov = Provenance(line=number)
        if not line.strip() or RULE.match(line):
            builder.close()
            continue
        heading = HEADING.match(line)
        if heading:
            content = heading.group(2)
            bold = bool(_BOLD_ONLY.match(content))
            title = strip_inline(content).strip()
            if title:
                builder.add(Block(kind="heading", prov=prov, lines=[title], level=len(heading.group(1)), emphasis=bold))
            continue
        stripped = line.strip()
        if stripped.startswith("|") and stripped.count("|") >= 2:
            if PIPE_SEPARATOR.match(stripped):
                continue
            parts = stripped.strip("|").split("|")
            builder.table_row([Cell(lines=[strip_inline(p).strip()], prov=prov) for p in parts], prov)
            continue
        if "\t" in line.strip():
            cells = [Cell(lines=[strip_inline(p).strip()], prov=prov) for p in line.split("\t")]
            builder.table_row(cells, prov)
            continue
        starts_bold = stripped.startswith(("**", "__"))
        builder.text_line(strip_inline(line), prov)
        block = builder.blocks[-1]
        if starts_bold and len(block.lines) == 1:
            block.emphasis = True  # a paragraph that opens in bold (the markers may close lines later)
    return Layout(format="markdown", blocks=builder.finish())
