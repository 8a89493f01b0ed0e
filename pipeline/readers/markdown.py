r"""Markdown (``.md``) into a ``Layout``.

Markdown converted from a PDF is not what an author writes: heading levels are whatever the
converter chose (``## **…**`` bold headings at any level), tables are sometimes tab-separated
lines, and emphasis markers wrap whole paragraphs. Levels are kept as hints; inline markup is
removed so the text matches what the PDF shows.

Pipe tables as Docling and marker write them: cells padded or not, alignment rows (``|:---:|``),
escaped pipes (``\|``) inside cells, empty leading cells, bold header cells, ``<br>`` for a line
break inside a cell (``2024<br>toteutuma``: a cell's lines, as a PDF stacks them) or a paragraph,
HTML entities (``&gt;98``), and a header whose years and column words came out as two rows
(``| | 2024 | 2025 |`` over ``| | toteutuma | arvio |``), which is one header. ``1) …`` and
``¹ …`` lines right after a table are its footnotes, not a numbered list.
"""

from __future__ import annotations

import html

import regex

from pipeline.layout import Block, Cell, Layout, Provenance
from pipeline.readers.blocks import BlockBuilder
from pipeline.readers.plain_tables import FOOTNOTE_LINE, YEAR_TOKEN, is_header_text

HEADING = regex.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
RULE = regex.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
PIPE_SEPARATOR = regex.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
# Inline markup, matched without backtracking: each pattern's scan stops at the next bracket, space or
# delimiter, so a line of 100,000 "[" or "_a" reads in linear time.
_ESCAPE = regex.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")
_LINK = regex.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")
_AUTOLINK = regex.compile(r"<((?:https?|mailto):[^<>\s]+)>")
# An emphasis delimiter opens before a word or closes after one; inside a word ("VN_12") it is text.
_DELIMITER = regex.compile(r"(?<![\p{L}\p{N}*_])[*_]{1,3}(?=[^\s*_])|(?<=[^\s*_])[*_]{1,3}(?![\p{L}\p{N}*_])")
_BOLD_ONLY = regex.compile(r"^\s*(\*\*|__)(.+)\1\s*$", regex.S)
_BREAK = regex.compile(r"<br\s*/?>", regex.I)
_PIPE = regex.compile(r"(?<!\\)\|")  # a cell border: a pipe that is not escaped
_HELD = "\ue000"  # stands for an escaped character while the markup around it is removed


def strip_inline(text: str) -> str:
    """Plain text of a Markdown line: links to their text, emphasis and escapes removed, HTML
    entities (``&gt;``) decoded."""
    escaped: list[str] = []

    def hold(match: regex.Match) -> str:
        escaped.append(match.group(1))
        return _HELD

    text = _ESCAPE.sub(hold, text.replace(_HELD, ""))
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _DELIMITER.sub("", text)
    if escaped:
        pieces = iter(escaped)
        text = regex.sub(_HELD, lambda _: next(pieces), text)
    return html.unescape(text)


def pipe_cells(row: str) -> list[str]:
    """The cells of a pipe-table row, as written (escaped pipes are the cell's own)."""
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return _PIPE.split(row)


def _cell(text: str, prov: Provenance) -> Cell:
    """A cell's lines: ``<br>`` breaks them, as the PDF's cell did."""
    plain = strip_inline(text).strip()
    return Cell(lines=[part.strip() for part in _BREAK.split(plain) if part.strip()], prov=prov)


def _merge_header(block: Block) -> None:
    """A header whose years and column words came out as two rows (``2024`` over ``toteutuma``)
    becomes one row, each cell its year and words."""
    if len(block.rows) < 3:
        return
    first, second = block.rows[0], block.rows[1]
    texts = [" ".join(c.lines) for c in second]
    years = sum(1 for c in first if any(YEAR_TOKEN.match(w) for line in c.lines for w in line.split()))
    if years < 2 or len(first) != len(second) or texts[0] or not any(texts[1:]):
        return
    if not all(is_header_text(t) for t in texts[1:] if t):
        return
    block.rows[0] = [Cell(lines=a.lines + b.lines, prov=a.prov) for a, b in zip(first, second, strict=True)]
    del block.rows[1]


def read_markdown(text: str) -> Layout:
    """Read a Markdown document; every block records the line it starts on."""
    builder = BlockBuilder()
    notes_open = False  # right after a table: "1) …" and "¹ …" are its footnotes
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        prov = Provenance(line=number)
        if not line.strip() or RULE.match(line):
            builder.close()
            continue
        heading = HEADING.match(line)
        if heading:
            notes_open = False
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
            builder.table_row([_cell(p, prov) for p in pipe_cells(stripped)], prov)
            notes_open = True
            continue
        if "\t" in line.strip():
            cells = [Cell(lines=[strip_inline(p).strip()], prov=prov) for p in line.split("\t")]
            builder.table_row(cells, prov)
            notes_open = True
            continue
        starts_bold = stripped.startswith(("**", "__"))
        for k, part in enumerate(_BREAK.split(line)):
            plain = strip_inline(part)
            if not plain.strip():
                continue
            note = notes_open and bool(FOOTNOTE_LINE.match(plain.strip()))
            if note:
                builder.close()
            elif k == 0:
                notes_open = False
            builder.text_line(plain, prov, list_items=not note)
        block = builder.blocks[-1] if builder.blocks else None
        if block is not None and starts_bold and len(block.lines) == 1:
            block.emphasis = True  # a paragraph that opens in bold (the markers may close lines later)
    blocks = builder.finish()
    for block in blocks:
        if block.kind == "table":
            _merge_header(block)
    return Layout(format="markdown", blocks=blocks)
