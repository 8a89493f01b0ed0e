"""Layout → Outline: clean block texts, sections with numbering, tables with captions and footnotes.

Works on the ``Layout`` alone, so every format is segmented by the same rules:
- block and cell texts are joined from their source lines (``pipeline.textnorm``);
- a paragraph ending in a soft hyphen continues in the next one; adjacent tables with the same
  columns and nothing between them are one table;
- the table of contents (``Sisällys``) is parsed and kept out of the sections; numbered headings
  that contradict it (``4 Valtorin toimintamallien…`` where the contents say ``4 Voimavarojen
  hallinta``) are demoted to paragraphs;
- ``Taulukko N. Caption`` captions go to the tables after them, with any sub-heading printed
  between caption and table as the table's group; ``¹ …`` footnotes after a table go to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

import regex

from pipeline.layout import Block, Layout
from pipeline.nlp import vocab
from pipeline.nlp.lexicon import Lexicon
from pipeline.textnorm import FOOTNOTE_MARKS, join_lines, slugify

NUMBERED = regex.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+(\S.*)$", regex.S)
FOOTNOTE = regex.compile(rf"^([{FOOTNOTE_MARKS}]+|\*|\d{{1,2}}\))\s*(\S.*)$", regex.S)
FOOTNOTE_MARK = regex.compile(rf"[{FOOTNOTE_MARKS}]|\*|\d{{1,2}}\)")
LEADER = regex.compile(r"\s*(?:\.{2,}|…+\.*)\s*(\d{1,3})\b\s*")
TOC_ROW = regex.compile(r"^(?:(\d{1,2}(?:\.\d{1,2})*)\s+)?(.+?)\s+(\d{1,3})$")


@dataclass
class TocEntry:
    number: str | None
    title: str
    page: int


@dataclass
class Section:
    id: str
    number: str | None
    title: str
    level: int
    parent_id: str | None
    block_index: int
    block: Block


@dataclass
class TableInfo:
    id: str
    number: int | None
    caption: str | None
    group: str | None
    section_id: str | None
    block_index: int
    block: Block
    footnotes: dict[str, str] = field(default_factory=dict)


@dataclass
class Outline:
    """The segmented document: what extraction reads."""

    layout: Layout
    blocks: list[Block]
    sections: list[Section]
    tables: list[TableInfo]
    toc: list[TocEntry]
    section_of: list[str | None]
    consumed: set[int]
    lexicon: Lexicon
    warnings: list[str] = field(default_factory=list)


def _normalise(layout: Layout, lex: Lexicon) -> list[Block]:
    for block in layout.blocks:
        block.text = join_lines(block.lines, lex) if block.lines else ""
        for row in block.rows:
            for cell in row:
                cell.text = join_lines(cell.lines, lex) if cell.lines else ""
    return layout.blocks


def _merge_blocks(blocks: list[Block], lex: Lexicon) -> list[Block]:
    merged: list[Block] = []
    for block in blocks:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.kind in ("paragraph", "list_item")
            and block.kind == "paragraph"
            and regex.search(r"\p{L}-$", prev.text)
            and block.text[:1].islower()
        ):
            prev.lines.extend(block.lines)
            prev.pages.extend(p for p in block.pages if p not in prev.pages)
            prev.text = join_lines(prev.lines, lex)
            continue
        if prev is not None and prev.kind == block.kind == "table" and _width(prev) == _width(block):
            prev.rows.extend(block.rows)
            prev.unread += block.unread
            prev.pages.extend(p for p in block.pages if p not in prev.pages)
            continue
        merged.append(block)
    for block in merged:
        if block.kind == "table":
            width = _width(block)
            for row in block.rows:
                while len(row) < width:
                    row.append(type(row[0])(lines=[], prov=row[-1].prov, text=""))
    return merged


def _width(block: Block) -> int:
    return max((len(r) for r in block.rows), default=0)


def _block_text(block: Block) -> str:
    if block.kind == "table":
        return "\n".join(" ".join(c.text for c in row if c.text) for row in block.rows)
    return block.text


def _toc_entries(text: str) -> list[TocEntry]:
    """Entries from one block of contents: rows ``1 Title ..... 3`` or a run of them in one line."""
    entries = []
    for line in text.split("\n"):
        parts = LEADER.split(line.strip())
        if len(parts) > 2:  # "1 Strategiset linjaukset ….. 3 1.1 Hallitusohjelma….. 3"
            for title, page in zip(parts[0::2], parts[1::2], strict=False):
                number = NUMBERED.match(title.strip())
                entries.append(
                    TocEntry(
                        number.group(1) if number else None, (number.group(2) if number else title).strip(), int(page)
                    )
                )
            continue
        match = TOC_ROW.match(line.strip())
        if match:
            entries.append(TocEntry(match.group(1), match.group(2).strip(" ."), int(match.group(3))))
    return entries


def _looks_like_toc(block: Block) -> bool:
    text = _block_text(block)
    if LEADER.search(text):
        return True
    if block.kind == "table":
        return all(regex.search(r"\d{1,3}$", " ".join(c.text for c in row if c.text)) for row in block.rows)
    rows = [TOC_ROW.match(line.strip()) for line in block.lines]  # "1 Strategiset linjaukset 3"
    return bool(rows) and all(row is not None and row.group(1) for row in rows)


def _toc_text(block: Block) -> str:
    """The block's contents rows: its source lines when each is a whole entry, else its joined text."""
    if block.kind == "paragraph" and all(regex.search(r"\s\d{1,3}$", line.strip()) for line in block.lines):
        return "\n".join(block.lines)
    return _block_text(block)


def _find_toc(blocks: list[Block]) -> tuple[list[TocEntry], set[int]]:
    entries: list[TocEntry] = []
    consumed: set[int] = set()
    for index, block in enumerate(blocks):
        if block.kind in ("heading", "paragraph") and vocab.TOC_TITLES.match(block.text.strip()):
            consumed.add(index)
            for follow in range(index + 1, len(blocks)):
                if not _looks_like_toc(blocks[follow]):
                    break
                consumed.add(follow)
                entries.extend(_toc_entries(_toc_text(blocks[follow])))
            break
    return entries, consumed


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


def _caption_above(blocks: list[Block], index: int, consumed: set[int], current: Section | None) -> str | None:
    """The caption of a table that has no ``Taulukko N.``: the line right above it that names it
    (``Toiminnan menot ja tulot (1 000 euroa)``), or the heading it stands under directly."""
    if index == 0 or index - 1 in consumed:
        return None
    above = blocks[index - 1]
    if above.kind == "heading" and current is not None and current.block_index == index - 1:
        return current.title
    text = above.text.strip()
    if above.kind != "paragraph" or not text or len(text) > 150 or "\n" in text:
        return None
    if text.endswith((".", ":", ";", ",")) or FOOTNOTE.match(text) or vocab.CAPTION.match(text):
        return None
    if not regex.search(r"\p{L}{3,}", text):
        return None  # a date or a number above a table ("27.1.2025" above the signatures) names nothing
    if vocab.AGREEMENT_WORD.search(text):
        return None  # the document's title, printed right above its first table
    return text


class UniqueIds:
    """Ids unique within a document: the first use of a base is the base itself, its repeats are
    ``base-2``, ``base-3``… Each base keeps its next number, so n repeats of one heading cost n steps
    (trying ``-2``, ``-3``… from the start each time would cost n², and suffixing ``-2`` to the last
    try n³: 100,000 repeated headings would never finish)."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self._next: dict[str, int] = {}

    def claim(self, base: str) -> str:
        """``base``, or its next free numbered form; taken from now on."""
        candidate, k = base, self._next.get(base, 2)
        while candidate in self.used:
            candidate, k = f"{base}-{k}", k + 1
        self._next[base] = k
        self.used.add(candidate)
        return candidate


def _table_id(caption: str | None, position: int, ids: UniqueIds) -> str:
    """``t-<caption slug>`` for a table named by its caption (stable across versions while the
    caption is), ``table-N`` for one without."""
    base = f"t-{slugify(caption, 40)}" if caption and slugify(caption, 40) else f"table-{position}"
    return ids.claim(base)


def segment(layout: Layout) -> Outline:
    """Segment a layout; see the module docstring for the rules."""
    lex = Lexicon.from_lines(
        [b.lines for b in layout.blocks] + [c.lines for b in layout.blocks for row in b.rows for c in row]
    )
    blocks = _merge_blocks(_normalise(layout, lex), lex)
    toc, consumed = _find_toc(blocks)
    toc_by_number = {e.number: e for e in toc if e.number}
    warnings: list[str] = []
    if not lex.has_dictionary:
        warnings.append(
            "Voikko (Finnish dictionary) is not installed: word breaks are judged by the document's own words"
        )

    sections: list[Section] = []
    tables: list[TableInfo] = []
    section_of: list[str | None] = []
    current: Section | None = None
    numbered_stack: list[Section] = []
    caption: tuple[int, str] | None = None
    pending: list[str] = []
    last_table: TableInfo | None = None
    ids = UniqueIds()

    for index, block in enumerate(blocks):
        if index in consumed:
            section_of.append(current.id if current else None)
            continue
        if block.kind == "heading":
            number = NUMBERED.match(block.text)
            if number and toc_by_number:
                entry = toc_by_number.get(number.group(1))
                if "." not in number.group(1) and (entry is None or _similar(entry.title, number.group(2)) < 0.6):
                    block.kind = "paragraph"  # contradicts the contents: numbered prose, not a section
            elif number and not toc_by_number and number.group(2).rstrip().endswith("."):
                block.kind = "paragraph"
        if block.kind == "heading":
            number = NUMBERED.match(block.text)
            if number:
                num, title = number.group(1), number.group(2).strip()
                while numbered_stack and not num.startswith(numbered_stack[-1].number + "."):
                    numbered_stack.pop()
                parent = numbered_stack[-1] if numbered_stack else None
                level = num.count(".") + 1
            else:
                num, title = None, block.text.strip()
                parent = numbered_stack[-1] if numbered_stack else None
                level = (parent.level + 1) if parent else 1
            section_id = ids.claim("s-" + (num if num else slugify(title, 40)))
            current = Section(section_id, num, title, level, parent.id if parent else None, index, block)
            sections.append(current)
            if num:
                numbered_stack.append(current)
            caption, pending, last_table = None, [], None
            section_of.append(current.id)
            continue
        section_of.append(current.id if current else None)
        if block.kind == "table":
            if caption is not None:
                number, text = caption
                table_id = ids.claim(f"t{number}")
                group = " ".join(pending) if pending else None
            else:
                number, group = None, None
                text = _caption_above(blocks, index, consumed, current)
                if text is not None and index - 1 not in consumed and blocks[index - 1].kind == "paragraph":
                    consumed.add(index - 1)
                table_id = _table_id(text, len(tables) + 1, ids)
            last_table = TableInfo(table_id, number, text, group, current.id if current else None, index, block)
            tables.append(last_table)
            pending = []
            continue
        if block.kind != "paragraph":
            pending = []
            continue
        cap = vocab.CAPTION.match(block.text)
        if cap:
            caption, pending, last_table = (int(cap.group(1)), block.text.strip()), [], None
            consumed.add(index)
            continue
        note = FOOTNOTE.match(block.text)
        if note and last_table is not None and not pending:
            for mark in FOOTNOTE_MARK.findall(note.group(1)):
                last_table.footnotes[mark] = note.group(2).strip()
            consumed.add(index)
            continue
        if caption is not None and len(block.text) <= 300:
            pending.append(block.text.strip())
        else:
            pending = []
        last_table = None if pending else last_table

    for entry in toc:
        if entry.number and not any(s.number == entry.number for s in sections):
            warnings.append(f"contents lists section {entry.number} {entry.title!r} but no such heading was found")
    return Outline(layout, blocks, sections, tables, toc, section_of, consumed, lex, warnings)
