"""Coverage: how many of the numbers that stand in table-like regions became indicator values.

Computed after extraction from the segmented document alone, without asking which reader made it,
so it also catches what a reader missed. The table-like regions are:

- every table block that is not a goal table (a goal table has years in its first column and the
  goals extractor reads it; one that gave no goal counts as a plain table). Its numeric cells are the
  cells outside the name column, below the header, that hold a number (``parse_cell``).
- text that looks like a table but did not become a table block: runs of source lines (paragraphs,
  list items, headings) that end with two or more numeric cells, under a year header (two or more
  distinct years on a short line, or on consecutive short lines as converters write them) or a
  ``Taulukko N`` caption, or two such lines close together. A single amount per line
  (``Interpol 515 000``) is a list, not a table.

Finnish numbers group thousands with spaces, so ``437 275 418 379`` may be one number or two. A line's
cells are counted conservatively: as few numbers as its tokens can form, unless the region's year
header says how many columns there are and the tokens can form exactly that many.

A region none of whose numeric cells became a value gets a warning naming its page or line; a table
block that gave only some of them gets one too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import regex

from pipeline.extract.goals import is_goal_table
from pipeline.extract.indicators import year_columns
from pipeline.layout import Block
from pipeline.nlp import vocab
from pipeline.nlp.cells import numeric_tail, split_cells
from pipeline.nlp.cells import trailing_cells as row_cells
from pipeline.nlp.numbers import parse_cell
from pipeline.segment.outline import Outline, TableInfo
from pipeline.textnorm import FOOTNOTE_MARKS, strip_footnote_marks
from schemas import agreement as s

# Below this share of numeric cells read, a document is listed as low coverage (ingest summary,
# ``agreements evaluate``): the accuracy bar is values F1 ≥ 0.95, which a document whose table numbers
# were read less than 95 % of the time cannot meet, whatever else it gets right.
LOW_SHARE = 0.95

NO_CONTENT = (
    "no goals and no indicators were found: only the metadata was extracted "
    "(a first page alone, or a scan whose text layer is only its cover?)"
)

_YEAR_TOKEN = regex.compile(r"^(?:v\.)?\(?((?:19|20)\d\d)\)?\*?[,:]?$")
_GAP = 3  # non-numeric lines (wrapped row names, sub-headings) a text region may hold between two rows
_SHORT = 30  # characters of a header cell that a converter put on a line of its own


@dataclass
class Region:
    """One table-like region: where it starts, its numeric cells and how many became values."""

    where: str
    cells: int
    extracted: int = 0
    table_id: str | None = None


@dataclass
class _Line:
    text: str
    block: Block
    offset: int  # the line's index within its block

    @property
    def where(self) -> str:
        prov = self.block.prov
        if prov.line is not None:
            return f"line {prov.line + self.offset}"
        return f"page {prov.page}" if prov.page is not None else "an unknown place"

    @property
    def line(self) -> int | None:
        return self.block.prov.line + self.offset if self.block.prov.line is not None else None


def measure(outline: Outline, goals: list[s.Goal], indicators: list[s.Indicator]) -> tuple[s.Coverage, list[str]]:
    """The document's coverage and a warning for each table-like region that lost its numbers."""
    pool = _ValuePool(indicators)
    goal_tables = {g.table_id for g in goals if g.table_id}
    regions = [
        _table_region(table, pool) for table in outline.tables if not (is_goal_table(table) and table.id in goal_tables)
    ]
    regions += _text_regions(outline, pool)
    regions = [r for r in regions if r.cells]
    warnings = []
    for region in regions:
        label = f"table {region.table_id}, " if region.table_id else ""
        if not region.extracted:
            warnings.append(
                f"a table-like region at {region.where} ({label}{region.cells} numeric cells) gave no indicator values"
            )
        elif region.extracted < region.cells:
            warnings.append(
                f"a table-like region at {region.where} ({label}{region.cells} numeric cells) gave only "
                f"{region.extracted} indicator values"
            )
    coverage = s.Coverage(
        cells_seen=sum(r.cells for r in regions),
        cells_extracted=sum(r.extracted for r in regions),
        regions_without_values=sum(1 for r in regions if not r.extracted),
    )
    return coverage, warnings


def is_low(coverage: s.Coverage) -> bool:
    """Worth a reader's look: a table-like region gave nothing, or too few of the numbers were read."""
    return coverage.regions_without_values > 0 or coverage.share < LOW_SHARE


def describe(coverage: s.Coverage) -> str:
    """``41 of 60 numeric cells (68 %), 1 table-like region without values``."""
    text = f"{coverage.cells_extracted} of {coverage.cells_seen} numeric cells ({coverage.share:.0%})"
    if coverage.regions_without_values:
        n = coverage.regions_without_values
        text += f", {n} table-like region{'s' if n > 1 else ''} without values"
    return text


# --- values ------------------------------------------------------------------------------------


class _ValuePool:
    """The indicator values that hold a number, each to be credited to at most one region."""

    def __init__(self, indicators: list[s.Indicator]) -> None:
        self.by_cell: Counter[tuple] = Counter()
        self.by_line: Counter[int] = Counter()
        for indicator in indicators:
            for value in indicator.values:
                if value.value is None:
                    continue
                self.by_cell[_cell_key(value.provenance, value.text)] += 1
                if value.provenance.line is not None:
                    self.by_line[value.provenance.line] += 1

    def take_cell(self, prov, text: str) -> bool:
        """A value read from this very cell (same place, same text as written)."""
        key = _cell_key(prov, text)
        if self.by_cell[key] <= 0:
            return False
        self.by_cell[key] -= 1
        if prov.line is not None:
            self.by_line[prov.line] -= 1
        return True

    def take_lines(self, first: int, last: int, limit: int) -> int:
        """Up to ``limit`` values whose provenance is a source line in ``first..last``."""
        taken = 0
        for line in range(first, last + 1):
            while taken < limit and self.by_line[line] > 0:
                self.by_line[line] -= 1
                taken += 1
        return taken


def _cell_key(prov, text: str) -> tuple:
    bbox = tuple(round(x, 1) for x in prov.bbox) if prov.bbox else None
    return (prov.page, prov.line, bbox, text.strip())


# --- table blocks ------------------------------------------------------------------------------


def _name_column(header: list[str]) -> int:
    """The column of row names: headed ``mittari`` & co., else the first that names no year."""
    for index, text in enumerate(header):
        if vocab.NAME_HEADERS.match(text.strip()):
            return index
    years = {c.index for c in year_columns(header)}
    return next((i for i in range(len(header)) if i not in years), 0)


def _is_number(text: str) -> bool:
    """A cell that holds a number, read as the indicator extractor reads it (footnote marks off)."""
    clean, _ = strip_footnote_marks(text.strip())
    return bool(clean) and parse_cell(clean).value is not None


def _token(token: str) -> str:
    """A word of a text line without a superscript footnote mark (``91¹`` → ``91``); ``2023)`` stays."""
    return token.rstrip(FOOTNOTE_MARKS + "*") or token


def _is_number_token(token: str) -> bool:
    return any(ch.isdigit() for ch in token) and parse_cell(token).value is not None


def _is_header_row(texts: list[str]) -> bool:
    """A row that names columns: every filled cell holds a year label (``2024``, ``Tavoite 2025``)."""
    filled = [t for t in texts if t.strip()]
    return bool(filled) and all(regex.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", t) for t in filled)


def _table_region(table: TableInfo, pool: _ValuePool) -> Region:
    """A table block's numeric cells: outside the name column, in no header row, in the year columns
    where the header names years.

    The first row is the header unless it holds numbers that are no years (a table printed without
    one); a later row naming only years is the header again, repeated on a new page.
    """
    rows = table.block.rows
    header = [c.text for c in rows[0]] if rows else []
    name = _name_column(header)
    years = {c.index for c in year_columns(header)}
    cells = extracted = 0
    for index, row in enumerate(rows):
        # Under a year header only the years' cells are indicator cells: a share column after them
        # (``osuus (%)``) names no year and holds no value by design.
        others = [c for i, c in enumerate(row) if i != name and (not years or i in years or index == 0)]
        if index and _is_header_row([c.text for c in others]):
            continue
        for cell in others:
            if _is_number(cell.text) and not (index == 0 and _YEAR_TOKEN.match(cell.text.strip())):
                cells += 1
                extracted += pool.take_cell(cell.prov, cell.text)
    cells += table.block.unread  # rows the reader saw and left out (garbled): seen, not read
    prov = table.block.prov
    where = f"line {prov.line}" if prov.line is not None else f"page {prov.page}"
    return Region(where, cells, extracted, table.id)


# --- text that looks like a table ---------------------------------------------------------------


def _text_lines(outline: Outline) -> list[list[_Line]]:
    """The source lines of non-table blocks, in runs broken by table blocks and the contents."""
    runs: list[list[_Line]] = [[]]
    for index, block in enumerate(outline.blocks):
        consumed = index in outline.consumed and not vocab.CAPTION.match(block.text or "")
        if block.kind == "table" or consumed:
            runs.append([])
            continue
        runs[-1].extend(_Line(text, block, i) for i, text in enumerate(block.lines))
    return [run for run in runs if run]


def header_years(text: str) -> list[int]:
    """The years a header-like line names (``2024 toteutuma 2025 tavoite``); [] for prose or data."""
    tokens = text.split()
    if not tokens or len(tokens) > 16 or text.rstrip().endswith("."):
        return []
    years = []
    for token in tokens:
        year = _YEAR_TOKEN.match(token)
        if year:
            years.append(int(year.group(1)))
        elif _is_number_token(_token(token)):
            return []  # a number that is no year: data, not a header
    return list(dict.fromkeys(years))


def _header_cell(text: str) -> bool:
    """A short line a converter gives one header cell (``2024``, ``toteutuma``, ``varsinainen``)."""
    tokens = text.split()
    return (
        0 < len(tokens) <= 3
        and len(text.strip()) <= _SHORT
        and all(_YEAR_TOKEN.match(t) or not _is_number_token(_token(t)) for t in tokens)
    )


def _header_at(lines: list[_Line], index: int) -> tuple[list[int], int]:
    """The years of a header starting at ``lines[index]`` and the lines it takes (one line naming the
    years, or a run of short header cells). With fewer than two years, the span is how far no header
    can start either: every later line of the run sees a part of the same run."""
    years = header_years(lines[index].text)
    if len(years) >= 2:
        return years, 1
    end = index
    found: list[int] = []
    while end < len(lines) and _header_cell(lines[end].text):
        found += [int(y.group(1)) for t in lines[end].text.split() if (y := _YEAR_TOKEN.match(t))]
        end += 1
    found = list(dict.fromkeys(found))
    return (found if len(found) >= 2 else []), max(end - index, 1)


def trailing_cells(text: str, columns: int | None = None) -> int:
    """How many numeric cells end a line, counted conservatively (see the module docstring), by the
    cell grammar the text reader uses (``pipeline.nlp.cells``).

    ``columns`` is the number of year columns of the region's header: tokens that can form exactly
    that many cells are that many (``437 275 418 379 406 891`` under three years is three cells);
    otherwise the fewest cells the tokens can form.
    """
    tokens = [_token(token) for token in text.split()]
    tail = tokens[numeric_tail(tokens) :]
    if not any(regex.search(r"\d", token) for token in tail):
        return 0
    if columns:
        found = row_cells(" ".join(tokens), (columns,))  # as the reader would read it, garbles mended
        if found is not None:
            return sum(1 for cell in found.cells if regex.search(r"\d", cell))
    for count in range(1, len(tail) + 1):
        split = split_cells(tail, count)
        if split is not None:
            return sum(1 for cell in split if regex.search(r"\d", " ".join(cell)))
    return sum(1 for token in tail if regex.search(r"\d", token))


@dataclass
class _Open:
    """A text region being read: where it starts, its header's column count, its rows so far."""

    start: _Line
    columns: int | None = None
    anchored: bool = False  # under a year header or a caption
    caption: bool = False  # opened by a ``Taulukko N`` caption, no header yet
    rows: list[tuple[_Line, int]] = field(default_factory=list)
    gap: int = 0


def _text_regions(outline: Outline, pool: _ValuePool) -> list[Region]:
    regions: list[Region] = []
    for run in _text_lines(outline):
        regions.extend(_regions_in(run, pool))
    return regions


def _regions_in(lines: list[_Line], pool: _ValuePool) -> list[Region]:
    regions: list[Region] = []
    current: _Open | None = None

    def close() -> None:
        nonlocal current
        if current is not None and current.rows and (current.anchored or len(current.rows) >= 2):
            cells = sum(n for _, n in current.rows)
            first, last = current.rows[0][0].line, current.rows[-1][0].line
            taken = pool.take_lines(first, last, cells) if first is not None and last is not None else 0
            regions.append(Region(current.start.where, cells, taken))
        current = None

    index = no_header_before = 0
    while index < len(lines):
        line = lines[index]
        years, span = _header_at(lines, index) if index >= no_header_before else ([], 0)
        no_header_before = max(no_header_before, index + span)
        if years:
            caption = current if current is not None and current.caption and not current.rows else None
            close()
            current = _Open(caption.start if caption else line, len(years), anchored=True)
            index += span
            continue
        if vocab.CAPTION.match(line.text.strip()):
            close()
            current = _Open(line, anchored=True, caption=True)
            index += 1
            continue
        cells = trailing_cells(line.text, current.columns if current else None)
        if cells >= 2:
            if current is None:
                current = _Open(line)
            current.rows.append((line, cells))
            current.gap = 0
        elif current is not None:
            current.gap += 1
            if current.gap > _GAP:
                close()
        index += 1
    close()
    return regions
