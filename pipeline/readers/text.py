"""Plain text (``.txt``) into a ``Layout``: paragraphs, numbered headings, lists, tables.

Text comes from many converters. Lines are kept as the converter broke them and joined later by
``pipeline.textnorm``. Three kinds of tables are read:

- tab-separated lines (a text export of a document's tables): one row per line;
- space-aligned text (``pdftotext -layout``), where cells stand apart by runs of spaces at the
  same place on every line (``pipeline.readers.aligned_tables``);
- plain converter output, where a table is a caption, header cells one word per line and rows
  whose cells stand at the line's end (``pipeline.readers.plain_tables``);
- Markdown pipe rows are left to the Markdown reader.

Page-break markers (``=== PAGE BREAK ===``, form feeds, alone on their line or before the next
page's first line as ``pdftotext`` writes them) and the page headers and footers next to them
(``28.10 291``, ``8 (14)``, a repeated title) are dropped, remembering where a page began.

Paragraphs do not depend on blank lines: a converter may write none. Where there are blank lines
they separate blocks, and besides them a block also ends after a line that ends a sentence and
is clearly shorter than the text's usual line, before a list item (``—``, ``•``, ``1)``), at a
numbered heading, and around a short line that stands alone (a heading without a number).
"""

from __future__ import annotations

from collections import Counter

import regex

from pipeline.layout import Block, Cell, Layout, Provenance
from pipeline.readers.aligned_tables import find_aligned_tables
from pipeline.readers.blocks import LIST_ITEM
from pipeline.readers.plain_tables import FOOTNOTE_LINE, SourceLine, find_plain_tables

NUMBERED_HEADING = regex.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+(\p{Lu}.*)$")
KEYWORD_HEADING = regex.compile(r"^(Sisällys|Sisällysluettelo|Liitteet|Liite\s+\d+.*)$", regex.I)
PAGE_BREAK = regex.compile(
    r"^\s*(?:[=\-#*_]{2,}\s*(?:page\s*break|sivunvaihto|new\s*page)\s*[=\-#*_]{2,}|\f)\s*$", regex.I
)
# Page headers and footers: "28.10 291", "26.20218", "8 (14)", "Sivu 3", "3/14".
PAGE_MARK = regex.compile(
    r"^(?:\d{1,2}\.\d{2}\s?\d{1,4}|(?:sivu\s+)?\d{1,4}(?:\s*\(\s*\d{1,4}\s*\)|\s*/\s*\d{1,4})?)$", regex.I
)
SENTENCE_END = regex.compile(r"[.!?:;]$")
MANY_SPACES = regex.compile(r" {2,}")
SHORT = 0.8  # a line shorter than this share of the usual line ended by choice, not by the margin


def heading_level(text: str) -> int | None:
    """Level of a one-line paragraph that reads as a heading, else None."""
    text = text.strip()
    if KEYWORD_HEADING.match(text):
        return 1
    match = NUMBERED_HEADING.match(text)
    if match and len(text) <= 120 and not text.endswith((".", ",", ":", ";")):
        return match.group(1).count(".") + 1
    return None


def _pages(raw: list[str]) -> tuple[set[int], set[int]]:
    """Indexes of page-break markers and of the page headers and footers next to them. A line that
    starts with a form feed begins a page (``pdftotext``); alone, it is a marker."""
    markers = {i for i, line in enumerate(raw) if PAGE_BREAK.match(line)}
    starts = {i for i, line in enumerate(raw) if line.startswith("\f") and i not in markers}
    if not markers and not starts:
        return set(), set()
    edges: list[int] = []  # first and last non-blank line of every page
    cuts = sorted([(i, i + 1) for i in markers] + [(i, i) for i in starts])  # (a page's end, the next's start)
    begin = 0
    for end, following in [*cuts, (len(raw), len(raw))]:
        content = [i for i in range(begin, end) if raw[i].strip("\f \t")]
        if content:
            edges.extend({content[0], content[-1]})
        begin = following
    keys = Counter(regex.sub(r"\d+", "#", raw[i].strip().lstrip("\f").strip()) for i in edges)
    repeated = max(2, (len(markers) + len(starts) + 1) // 2)
    noise = set()
    for i in edges:
        text = raw[i].strip().lstrip("\f").strip()
        if PAGE_MARK.match(text) or (keys[regex.sub(r"\d+", "#", text)] >= repeated and len(text) <= 80):
            noise.add(i)
    return markers, noise


def _measure(lines: list[SourceLine]) -> float:
    """The usual length of a full line of running text (80th percentile of the longer lines)."""
    lengths = sorted(len(line.text) for line in lines if len(line.text) >= 20)
    if not lengths:
        return 80.0
    return float(lengths[int(0.8 * (len(lengths) - 1))])


def read_text(text: str) -> Layout:
    """Read a text document; every block records the line it starts on."""
    raw = text.split("\n")
    markers, noise = _pages(raw)
    lines: list[SourceLine] = []
    texts: list[str] = []  # the lines as written, indentation kept (space-aligned tables)
    blank_before: list[bool] = []
    tab_rows: dict[int, list[Cell]] = {}
    blank, after_break = False, False
    for i, content in enumerate(raw):
        if i in markers:
            after_break = True
            continue
        if content.startswith("\f"):
            after_break = True
            content = content.lstrip("\f")
        if i in noise:
            continue
        if not content.strip():
            blank = True
            continue
        number = i + 1
        stripped = MANY_SPACES.sub(" ", content.strip().lstrip("\f").strip())  # a layout's gaps are one space in text
        line = SourceLine(number, stripped, wrapped=content.endswith((" ", "\u00a0")))
        line.after_break = after_break
        after_break = False
        if "\t" in content.rstrip():
            prov = Provenance(line=number)
            tab_rows[len(lines)] = [Cell(lines=[part.strip()], prov=prov) for part in content.rstrip().split("\t")]
        lines.append(line)
        texts.append(content.rstrip().replace("\f", " "))
        blank_before.append(blank)
        blank = False

    warnings: list[str] = []
    aligned = find_aligned_tables(lines, texts, blank_before, skip=set(tab_rows))
    skip = set(tab_rows).union(*(table.consumed for table in aligned))
    plain = find_plain_tables(lines, warnings, skip=skip)
    consumed: set[int] = set()
    starts: dict[int, list[Block]] = {}
    for table in [*aligned, *plain]:
        consumed |= table.consumed
        blocks: list[Block] = []
        if table.caption is not None:
            caption = table.caption
            blocks.append(Block(kind="paragraph", prov=Provenance(line=caption.number), lines=[caption.text]))
        blocks.append(table.block)
        for note in table.footnotes:
            consumed.update(note)
            note_lines = [lines[k].text for k in note]
            blocks.append(Block(kind="paragraph", prov=Provenance(line=lines[note[0]].number), lines=note_lines))
        starts[min(table.consumed)] = blocks

    measure = _measure([line for i, line in enumerate(lines) if i not in consumed and i not in tab_rows])
    blocks: list[Block] = []
    open_block: Block | None = None
    previous: SourceLine | None = None
    previous_alone = False
    notes_open = False  # right after a table: "1) …" and "¹ …" lines are its footnotes, not list items
    for i, line in enumerate(lines):
        if i in starts:
            blocks.extend(starts[i])
            notes_open = True
        if i in consumed:
            open_block, previous = None, None
            continue
        if i in tab_rows:
            if open_block is None or open_block.kind != "table":
                open_block = Block(kind="table", prov=Provenance(line=line.number))
                blocks.append(open_block)
            open_block.rows.append(tab_rows[i])
            previous = None
            continue
        following = lines[i + 1] if i + 1 < len(lines) and i + 1 not in consumed else None
        alone = _stands_alone(line, previous, following, measure)
        new_block = (
            open_block is None
            or open_block.kind == "table"
            or blank_before[i]
            or _ends_block(previous, measure)
            or alone
            or previous_alone
        )
        previous_alone = alone
        item = LIST_ITEM.match(raw[line.number - 1].rstrip())
        prov = Provenance(line=line.number)
        if item and alone and heading_level(line.text) is not None:
            item = None  # "01. Verohallinnon toimintamenot (…)" on a line of its own: a heading, not an item
            new_block = True
        note = notes_open and bool(FOOTNOTE_LINE.match(line.text))
        if note:
            item, new_block = None, True
        elif new_block or item:
            notes_open = False
        if item:
            indent = len(item.group(1).expandtabs(4))
            open_block = Block(kind="list_item", prov=prov, lines=[item.group(2).strip()], level=indent // 2 + 1)
            blocks.append(open_block)
        elif new_block:
            open_block = Block(kind="paragraph", prov=prov, lines=[line.text])
            blocks.append(open_block)
        else:
            open_block.lines.append(line.text)
        previous = line
    for block in blocks:
        if block.kind == "paragraph" and len(block.lines) == 1:
            level = heading_level(block.lines[0])
            if level is not None:
                block.kind, block.level = "heading", level
    running = [raw[i].strip().lstrip("\f").strip() for i in sorted(noise)]
    return Layout(format="text", blocks=blocks, warnings=warnings, running=running)


def _ends_block(previous: SourceLine | None, measure: float) -> bool:
    """Whether the block ended with the line above: a sentence that ends clearly short of the margin."""
    if previous is None:
        return False
    return bool(SENTENCE_END.search(previous.text)) and len(previous.text) < SHORT * measure and not previous.wrapped


def _stands_alone(line: SourceLine, previous: SourceLine | None, following: SourceLine | None, measure: float) -> bool:
    """A numbered heading, or a short line without a sentence between a block's end and a capital."""
    if heading_level(line.text) is not None and (previous is None or _ends_unit(previous, measure)):
        return True
    if len(line.text) >= SHORT * measure or line.wrapped or SENTENCE_END.search(line.text):
        return False
    if line.text.endswith(("-", ",", "/", "(")) or not line.text[:1].isupper():
        return False
    if previous is not None and not _ends_unit(previous, measure):
        return False
    return following is None or following.text[:1].isupper() or bool(LIST_ITEM.match(following.text))


def _ends_unit(line: SourceLine, measure: float) -> bool:
    return bool(SENTENCE_END.search(line.text)) or (len(line.text) < SHORT * measure and not line.wrapped)
