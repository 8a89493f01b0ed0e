"""Tables without vertical rules ("stream" tables), found where the words of lines align in columns.

Tried on pages without ruled tables (after a cheap look for a wide gap, a line opening with a year or
two numbers on a line): tables with no lines at all, with horizontal rules only, or with shaded rows.
The idea is Camelot's stream mode, made to hold at any spacing and fitted to what agreements hold:

1. Groups. Lines are grouped by vertical gaps (a paragraph gap ends a group; lines with cells, or
   parted by a rule or a shaded row's edge, may stand further apart, as padded table rows do), by
   font size (a heading) and by captions (``Taulukko N.``).
2. Columns (``pipeline.readers.pdf_columns``): from wide gaps, the header's years and the x where
   cells start row after row, never from a fixed gap on one line alone, and never from the header's
   labels; cells one space apart or touching are cut where their column starts or ends. A line that
   flows across the columns is prose and cuts the region. The header's label lines (no year, no
   value) are then put over the columns (``pipeline.readers.pdf_header``): a label may span several
   (``Alustava tavoite`` over three years). Single-column lines above the first line with cells are
   the end of a paragraph, not the table.
3. Rows. Where rules part the rows, they are the rows. A table whose wrapped row names have their
   values on their last line, row after row, sets its cells to the bottom: a row ends with its values
   and a name line the next line's first word would have fitted after is a row of its own (a
   sub-heading). Otherwise (set to the top) the content tells, helped by the
   edges of shaded rows: a line starts a new row when a shaded row's edge stands above it, when it
   puts text in a column that was empty on the line above (a cell does not resume after a gap),
   when a number stands under a number in one column, when the first column holds a year or a
   number above it or a year on it, when its first-column text starts with a capital, a digit or a
   dash and either its first word would have fitted on the line above (a hard break, not a wrap) or
   it puts numbers under a header's labels (``mittari | Toteuma 2022`` → ``Laskutusaste | 72``), or
   when, the first column empty, another column starts with a goal number ``N. `` after a hard
   break, a sentence's end or a ``-`` (and N is 1, the highest goal number so far or the next one:
   a ``3. YT-menettelyt`` wrapped to the start of a line of a list inside a target is no goal). A
   goal title is one paragraph: what follows it after a hard break is a row of its own. Every other
   line continues the row; each segment is appended to its column's cell. A header printed over two
   rows with spanning cells is one header row (``pipeline.readers.spanned_header``).
4. A region is a table when it has two rows and two columns and either its header names years
   (``Toteuma 2022``, ``2024 TA``) or its first column holds years beside texts (a goal table; one
   year row under a ``| N. Title`` goal row is enough: a goal table's first part before a page
   break). Years each beside one amount (an appropriation's history) and anything else (contents,
   signatures, prose that happens to align) stay text. A label printed once over several year
   columns spreads over them (``pipeline.readers.pdf_header``: where it stands, centred or
   left-aligned over them); rows of labels naming years are one header row. A table's first row
   alone at the foot of a page under its caption is kept as the table's first part, and lines in
   the columns of the table just above, after a gap, are more of it (a goal table's rows without
   years, another part's first row).
5. Page breaks. A table that reaches the foot of a page is kept in the document's ``StreamState``
   (passed in by the PDF reader, never kept in the module; another table's caption ends it).
   When the next page starts with lines that fit its columns, they continue it: a first row that
   goes on with the last row (wrapped text cut by the break, in any column, also the first one,
   which the pdf reader's own join does not handle) is added to that row at once; the rest is
   returned with the same columns so that ``pipeline.readers.pdf`` joins the parts. If nothing but
   that continuation is there, the part returned has one empty row (the pdf reader drops it when it
   joins the parts): its lines are taken out of the page's prose. A header repeated on the new page
   is dropped; a new table with a year header is not a continuation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

import regex

from pipeline.layout import Block, Cell, Provenance
from pipeline.readers.pdf_columns import (
    GAP_EM,
    SPACE_EM,
    Interval,
    Line,
    Segment,
    alignments,
    columns_from,
    find_columns,
    merge_apart,
    parse_line,
    place,
)
from pipeline.readers.pdf_graphics import Graphics
from pipeline.readers.pdf_header import header_of, label_lines, place_labels, spread_labels
from pipeline.readers.spanned_header import combine_header

PARAGRAPH_EM = 0.5  # a vertical gap wider than this ends a group (pdf.py's paragraph gap) ...
ROW_GAP_EM = 1.1  # ... unless the lines have cells or a rule parts them (padded table rows)
MARGIN = 0.09  # share of the page height where running headers and footers live

_CAPTION = regex.compile(r"^(?:Taulukko|Table|Kuva|Kuvio)\s+\d+\s*[.:]", regex.I)
_ROW_START = regex.compile(r"^(?:\p{Lu}|[0-9]|[-–—•])")
_ATOMIC = regex.compile(r"^(?:[-−–+]?\d[\d \u00a0]*(?:[,.]\d+)?\s*%?|[-–—]|tbd)$", regex.I)
_GOAL_NUMBER = regex.compile(r"^(\d{1,2})\.\s")
_ENDS = regex.compile(r"[.!?)]$")
_NAMED_GOAL = regex.compile(r"^\p{L}+\s+(\d{1,2})\.\s")
_YEAR = regex.compile(r"^(?:19|20)\d\d$")
_YEAR_IN = regex.compile(r"(?<![\d.,])(?:19|20)\d\d(?![\d.,])")


@dataclass
class _Row:
    lines: list[Line]
    goal: bool = False  # started by a goal number in a later column (the first column empty)


@dataclass
class _Open:
    """A table that reached the foot of a page: what its continuation needs."""

    page: int
    columns: list[Interval]
    block: Block
    last: Line
    top_goal: int | None  # the highest goal number so far: goal rows are numbered in order
    size: float
    running: set[str]  # the texts (digits as #) in that page's top margin: running headers
    header: list[str]  # the table's first row, per column: repeated on a new page, it is no continuation


@dataclass
class StreamState:
    """What one document's pages hand on to the next: the table that reached the foot of the last page.
    The PDF reader makes one per document and passes it to every page, in order."""

    pending: _Open | None = None


@dataclass
class _Parting:
    """Where rows visibly part on a page: y of horizontal rules, y of shaded areas' edges."""

    rules: list[tuple[float, float, float]]
    fills: list[tuple[float, float, float]]

    @staticmethod
    def of(graphics: Graphics) -> _Parting:
        rules = sorted((e["top"], e["x0"], e["x1"]) for e in graphics.horizontal)
        fills = [edge for edge in graphics.row_separators() if edge not in set(rules)]
        return _Parting(rules, fills)

    @staticmethod
    def _between(edges: list[tuple[float, float, float]], above: Line, below: Line) -> bool:
        x0, x1 = min(above.x0, below.x0), max(above.x1, below.x1)
        return any(above.bottom - 1.0 <= y <= below.top + 1.0 and e0 < x1 and e1 > x0 for y, e0, e1 in edges)

    def rule(self, above: Line, below: Line) -> bool:
        return self._between(self.rules, above, below)

    def edge(self, above: Line, below: Line) -> bool:
        return self._between(self.rules, above, below) or self._between(self.fills, above, below)


_NO_PARTING = _Parting([], [])


# --- rows ---------------------------------------------------------------------------------------


def _hard_break(above: Segment, below: Segment, right: float, size: float) -> bool:
    """Whether the first word of ``below`` would have fitted after ``above``: a break by choice. The
    word space is the font's, as set between the words of these lines (``SPACE_EM`` when one word each)."""
    gaps = [b.x0 - a.x1 for segment in (above, below) for a, b in pairwise(segment.words)]
    space = min(gaps) if gaps else SPACE_EM * size
    return above.x1 + space + below.head_width <= right + 0.5


def _goal_number(text: str) -> int | None:
    match = _GOAL_NUMBER.match(text) or _NAMED_GOAL.match(text)
    return int(match.group(1)) if match else None


def _starts_row(line: Line, above: Line, row: _Row, rights: list[float], top_goal: int | None) -> bool:
    cells, before = line.cells, above.cells
    if any(column not in before for column in cells):
        return True
    first = cells.get(0)
    if first is not None:
        if _ATOMIC.match(before[0].text) or _YEAR.match(first.text):
            return True  # a value ends its cell; a year alone opens a goal table's row
        if _ROW_START.match(first.text):
            if _hard_break(before[0], first, rights[0], line.size):
                return True
            # numbers under labels: the header ("mittari | Toteuma 2022") ends, the data begins
            if any(c > 0 and _ATOMIC.match(s.text) and not _ATOMIC.match(before[c].text) for c, s in cells.items()):
                return True
    if any(c > 0 and _ATOMIC.match(s.text) and _ATOMIC.match(before[c].text) for c, s in cells.items()):
        return True
    if first is None:
        for column, segment in cells.items():
            above_text = before[column].text
            broken = _hard_break(before[column], segment, rights[column], line.size)
            number = _GOAL_NUMBER.match(segment.text)
            if number and (broken or _ENDS.search(above_text) or _ATOMIC.match(above_text)):
                if top_goal is None or int(number.group(1)) in (1, top_goal, top_goal + 1):  # 1: repeated
                    return True
            elif not number and broken and row.goal and not segment.text[:1].islower():
                return True
    return False


def _beside(line: Line) -> bool:
    """Whether the line holds cells beside the first column (a row's values)."""
    return any(column > 0 for column in line.cells)


def _wraps(above: Line, below: Line, right: float) -> bool:
    """Whether ``below`` goes on with the row name on ``above``: it starts in small letters, and its
    first word would not have fitted at the end of the line above (a wrap, not a break by choice)."""
    name, more = above.cells.get(0), below.cells.get(0)
    return (
        name is not None
        and more is not None
        and more.text[:1].islower()
        and not _hard_break(name, more, right, below.size)
    )


def _set_to_bottom(lines: list[Line], right: float) -> bool:
    """Whether the table sets its cells to the bottom: where a row name wraps, its values stand on the
    name's last line more often than on its first (``Sähkö- ja hybridialusten osuus liikennöidystä`` /
    ``kapasiteetista, % 22 28 35``), row after row. Tables set to the top (``Kehitykseen käytetty
    osuus 2,6 …`` / ``kokonaiskustannuksista, %``) are the default."""
    votes = 0
    for above, below in pairwise(lines):
        if _wraps(above, below, right) and _beside(above) != _beside(below):
            votes += 1 if _beside(below) else -1
    return votes > 0


def _follows_bottom(line: Line, above: Line, right: float) -> bool:
    """In a table set to the bottom, whether the line belongs to the row of the line above: a row ends
    with its values, and a name line after which the next line's first word would have fitted is a row
    of its own (a sub-heading: ``Toiminnallinen tehokkuus``)."""
    if _beside(above):
        return False
    name, first = above.cells.get(0), line.cells.get(0)
    return first is None or name is None or not _hard_break(name, first, right, line.size)


def _rows(
    lines: list[Line],
    columns: list[Interval],
    above: Line | None,
    top_goal: int | None,
    parting: _Parting = _NO_PARTING,
) -> tuple[list[_Row], bool, int | None]:
    """Rows of a region; also whether its first line continues the row ending at ``above``. Rules
    between most lines make the rows alone; a shaded row's edge always starts a row."""
    rights = [x1 for _, x1 in columns]
    ruled = sum(1 for a, b in pairwise(lines) if parting.rule(a, b)) >= 2
    bottom = _set_to_bottom(lines, rights[0])
    rows: list[_Row] = []
    continued = False
    for line in lines:
        previous = rows[-1].lines[-1] if rows else above
        row = rows[-1] if rows else _Row([])
        if previous is None:
            starts = True
        elif ruled and rows:  # (not across a page break: the rules of two pages do not compare)
            starts = parting.rule(previous, line)
        else:
            follows = _follows_bottom(line, previous, rights[0]) if bottom else None
            starts = parting.edge(previous, line) or (
                not follows if bottom else _starts_row(line, previous, row, rights, top_goal)
            )
        if starts:
            first = line.cells.get(0)
            if first is None:
                number = _GOAL_NUMBER.match(line.cells[min(line.cells)].text)
                goal = int(number.group(1)) if number else None
            else:
                goal = _goal_number(first.text)
            rows.append(_Row([line], goal=first is None and goal is not None))
            if goal is not None and (top_goal is None or goal > top_goal):
                top_goal = goal
        elif rows:
            rows[-1].lines.append(line)
        else:
            continued = True
            rows.append(_Row([line]))
    return rows, continued, top_goal


def _texts(row: _Row, width: int) -> list[list[str]]:
    return [[line.cells[c].text for line in row.lines if c in line.cells] for c in range(width)]


def _header_has_years(header: list[Cell]) -> bool:
    for column, cell in enumerate(header):
        text = " ".join(cell.lines)
        if column > 0 and _YEAR_IN.search(text) and len(text.split()) <= 4:
            return True
    return False


def _is_table(rows: list[_Row], cells: list[list[Cell]]) -> bool:
    """Two rows, two columns, and a header naming years, or a first column of years beside texts
    (a goal table's targets) or under a goal. Years each beside one amount (``2025 talousarvio
    48 210 000``: an appropriation's history) are a list, not a table: a table needs a header naming
    its years, or columns of numbers."""
    if len(rows) < 2 or len(cells[0]) < 2:
        return False
    if _header_has_years(cells[0]):
        return True
    firsts = [row.lines[0].cells[0].text for row in rows if 0 in row.lines[0].cells]
    years = sum(1 for text in firsts if _YEAR.match(text))
    # "| 1. Title" or "Hanke 1. Title | …" above "2024 | text": a goal table's first part
    goals = any(row.goal for row in rows) or any(_NAMED_GOAL.match(text) for text in firsts)
    if goals:
        return years >= 1
    amounts = [
        sum(1 for c, s in line.cells.items() if c > 0 and _ATOMIC.match(s.text)) for row in rows for line in row.lines
    ]
    return years >= 2 and any(count != 1 for count in amounts)


# --- blocks -------------------------------------------------------------------------------------


def _box(x0: float, top: float, x1: float, bottom: float) -> tuple[float, float, float, float]:
    return (round(x0 - 0.05, 1), round(top - 0.05, 1), round(x1 + 0.05, 1), round(bottom + 0.05, 1))


def _cells(row: _Row, columns: list[Interval], page_number: int) -> list[Cell]:
    """A row's cells; columns that hold one and the same spanning segment share one cell (see
    ``pipeline.readers.spanned_header``)."""
    top, bottom = row.lines[0].top, row.lines[-1].bottom
    cells: list[Cell] = []
    keys: list[tuple[int, ...]] = []
    for column, (x0, x1) in enumerate(columns):
        segments = [line.cells[column] for line in row.lines if column in line.cells]
        key = tuple(id(s) for s in segments)
        spanning = bool(segments) and all(column in line.spans() for line in row.lines if column in line.cells)
        if spanning and keys and keys[-1] == key:
            cells.append(cells[-1])
            keys.append(key)
            continue
        if segments:
            bbox = _box(min(s.x0 for s in segments), segments[0].top, max(s.x1 for s in segments), segments[-1].bottom)
        else:
            bbox = _box(x0, top, x1, bottom)
        cells.append(Cell(lines=[s.text for s in segments], prov=Provenance(page=page_number, bbox=bbox)))
        keys.append(key)
    return cells


def _table_cells(rows: list[_Row], columns: list[Interval], page_number: int) -> list[list[Cell]]:
    """The rows' cells, the header as one row: rows of labels naming years, parted by a rule or a
    shaded row's edge (``Arvio`` above ``2024``, ``mittari`` merged down beside them), are one header,
    and a header printed over rows with spanning cells is combined (``pipeline.readers.spanned_header``)."""
    rows = list(rows)
    while (
        len(rows) > 1
        and _labels_only(rows[0])
        and _labels_only(rows[1])
        and _beyond_first(rows[1])
        and (_years_beyond_first(rows[0]) or _years_beyond_first(rows[1]))
    ):
        rows[:2] = [_Row(rows[0].lines + rows[1].lines)]
    return combine_header([_cells(row, columns, page_number) for row in rows])


def _labels_only(row: _Row) -> bool:
    """Whether a row holds labels only: no value beside the first column, no year in it."""
    return not any(_data(line) for line in row.lines)


def _beyond_first(row: _Row) -> bool:
    return any(column > 0 for line in row.lines for column in line.cells)


def _years_beyond_first(row: _Row) -> bool:
    return any(c > 0 and _YEAR_IN.search(s.text) for line in row.lines for c, s in line.cells.items())


def _block(lines: list[Line], rows: list[list[Cell]], columns: list[Interval], page_number: int) -> Block:
    x0 = min([columns[0][0]] + [line.x0 for line in lines])
    x1 = max([columns[-1][1]] + [line.x1 for line in lines])
    bbox = _box(x0, lines[0].top, x1, lines[-1].bottom)
    return Block(kind="table", prov=Provenance(page=page_number, bbox=bbox), rows=rows, pages=[page_number])


# --- regions ------------------------------------------------------------------------------------


def _groups(lines: list[Line], parting: _Parting) -> list[list[Line]]:
    """Runs of lines without a paragraph gap, a change of font size or a caption between them."""
    groups: list[list[Line]] = []
    previous: Line | None = None
    left = min(line.x0 for line in lines)
    previous_caption = False
    cells = False  # whether the current group has a line with cells
    for line in lines:
        paragraph = False
        if previous is not None:
            rowlike = line.multi or previous.multi or cells or parting.edge(previous, line)
            limit = (ROW_GAP_EM if rowlike else PARAGRAPH_EM) * max(line.size, previous.size)
            paragraph = line.top - previous.bottom > limit
        # "Taulukko 9. …" at the left margin or after a gap; inside a cell it is only a reference
        caption = bool(_CAPTION.match(line.text)) and not line.multi and (line.x0 <= left + 2 or paragraph)
        resized = previous is not None and abs(line.size - previous.size) > 0.9 and len(line.text) > 2
        if previous is None or caption or previous_caption or paragraph or resized:
            groups.append([line])
            cells = line.multi
        else:
            groups[-1].append(line)
            cells = cells or line.multi
        previous, previous_caption = line, caption
    return groups


def _data(line: Line) -> bool:
    """Whether a placed line holds a value beside its first column (a year there is a label), or a
    year in the first column (a goal table's row): the header is above it."""
    first = line.cells.get(0)
    return (first is not None and bool(_YEAR.match(first.text))) or any(
        column > 0 and _ATOMIC.match(segment.text) and not _YEAR.match(segment.text)
        for column, segment in line.cells.items()
    )


def _place_run(lines: list[Line], columns: list[Interval], labels: set[int]) -> list[list[Line]]:
    """Runs of lines that can be placed in the columns; header lines (above the first line with
    values) may span columns, and a line between two placed ones may be cut inside a word (its cell
    touches the next). The header's label lines (``labels``, indexes) are placed last, over the columns
    the years and values give (``pipeline.readers.pdf_header``). Columns that the placed lines never
    fill side by side are one (a centred year over values aligned right: ``merge_apart``), and the
    lines are placed again in those."""
    placed = _place_all(lines, columns, labels)
    merged = merge_apart([line for line, ok in zip(lines, placed, strict=True) if ok], columns)
    if len(merged) < len(columns):
        placed = _place_all(lines, merged, labels)
    runs: list[list[Line]] = [[]]
    for line, ok in zip(lines, placed, strict=True):
        if ok:
            runs[-1].append(line)
        elif runs[-1]:
            runs.append([])
    return runs


def _place_all(lines: list[Line], columns: list[Interval], labels: set[int]) -> list[bool]:
    """Whether each line can be placed in the columns (see ``_place_run``)."""
    evidence = [line for index, line in enumerate(lines) if index not in labels]
    aligned = alignments(evidence, columns)
    placed = [index in labels or place(line, columns, aligned=aligned) for index, line in enumerate(lines)]
    for index in range(1, len(lines) - 1):
        if index not in labels and not placed[index] and placed[index - 1] and placed[index + 1]:
            placed[index] = place(lines[index], columns, inside=True, aligned=aligned)
    years = _year_columns(line for index, line in enumerate(lines) if placed[index] and index not in labels)
    for index in labels:
        placed[index] = place_labels(lines[index], columns, years, aligned)
    return placed


def _year_columns(lines) -> set[int]:
    """Columns beside the first where a placed line holds a year: the header's years."""
    return {c for line in lines for c, s in line.cells.items() if c > 0 and _YEAR.match(s.text)}


def _regions(group: list[Line]) -> list[tuple[list[Line], list[Interval]]]:
    """Candidate table regions of a group, each with its columns. The columns come from the lines of
    values and years; the header's labels are then put over them."""
    labels = label_lines(group)
    columns = find_columns(group, labels)
    if len(columns) < 2:
        return []
    label_ids = {id(group[index]) for index in labels}
    found = []
    for run in _place_run(group, columns, labels):
        while run and len(run[0].cells) == 1 and 0 in run[0].cells and not run[0].spans():
            run = run[1:]  # a line in the first column above the table: the end of a paragraph
        if len(run) < 2 or not any(len(line.cells) >= 2 for line in run):
            continue
        evidence = [line for line in run if id(line) not in label_ids]
        own = columns_from([[s for c, s in line.cells.items() if c not in line.spans()] for line in evidence])
        aligned = alignments(evidence, own)
        if len(own) < 2 or not all(place(line, own, inside=True, aligned=aligned) for line in evidence):
            continue
        years = _year_columns(evidence)
        if not all(place_labels(line, own, years, aligned) for line in run if id(line) in label_ids):
            continue
        own = merge_apart(run, own)
        if len(own) >= 2:
            _spread_labels(run, own, label_ids)
            found.append((run, own))
    return found


def _spread_labels(lines: list[Line], columns: list[Interval], labels: set[int] = frozenset()) -> None:
    """A label printed once over several years stands over each of them (``pipeline.readers.pdf_header``);
    a label left-aligned over a merged cell counts only where the years and values start where their
    columns start (the table is set left-aligned; ``labels``, the ids of the label lines, tell nothing)."""
    header = header_of(lines, _data)
    starts = alignments([line for line in lines if id(line) not in labels], columns).starts
    spread_labels(header, columns, starts)


def _fits(lines: list[Line], pending: _Open) -> list[Line]:
    """The leading lines of a group that fit the columns of the table continued from the last page."""
    fitting = []
    for line in lines:
        if abs(line.size - pending.size) > 0.9 or not place(line, pending.columns):
            break
        fitting.append(line)
    return fitting


def _repeated_header(lines: list[Line], pending: _Open) -> int:
    """How many leading lines repeat the continued table's first row (0: none do)."""
    found: list[list[str]] = [[] for _ in pending.header]
    for count, line in enumerate(lines, start=1):
        for column, segment in line.cells.items():
            if column < len(found):
                found[column].append(segment.text)
        texts = [" ".join(parts) for parts in found]
        if texts == pending.header:
            return count
        if any(not header.startswith(text) for text, header in zip(texts, pending.header, strict=True)):
            return 0
    return 0


def _continue(
    group: list[Line], pending: _Open, page_number: int, parting: _Parting
) -> tuple[Block | None, list[Line], bool, int | None]:
    """The part of a continued table at the top of a page: (block, its lines, whether it has rows
    of its own to go on with, the highest goal number)."""
    lines = _fits(group, pending)
    if not lines:
        return None, [], False, None
    _spread_labels(lines, pending.columns)
    repeated = _repeated_header(lines, pending)
    if not repeated:
        standalone = _regions(list(lines))
        if standalone:
            region, own = standalone[0]
            rows, _, _ = _rows(region, own, None, None, parting)
            cells = _table_cells(rows, own, page_number)
            if region[0] is lines[0] and _is_table(rows, cells) and _header_has_years(cells[0]):
                return None, [], False, None  # a table of its own: not a continuation
        for line in lines:
            place(line, pending.columns)
    columns = pending.columns
    rest = lines[repeated:]
    rows, continued, top_goal = (
        _rows(rest, columns, pending.last, pending.top_goal, parting) if rest else ([], False, None)
    )
    if not repeated and not continued and not any(len(line.cells) >= 2 for line in lines):
        return None, [], False, None  # a short paragraph that happens to fit in one column
    if continued:
        last_row = pending.block.rows[-1]
        for column, texts in enumerate(_texts(rows[0], len(columns))):
            if column < len(last_row):
                last_row[column].lines.extend(texts)
        rows = rows[1:]
    own_rows = bool(rows)
    cells = [_cells(row, columns, page_number) for row in rows]
    if repeated:
        cells.insert(0, _cells(_Row(lines[:repeated]), columns, page_number))  # the pdf reader drops it
    if not cells:  # all of it went to the row above; one empty row keeps the part a table
        cells = [
            [
                Cell(lines=[], prov=Provenance(page=page_number, bbox=_box(x0, lines[0].top, x1, lines[-1].bottom)))
                for x0, x1 in columns
            ]
        ]
    block = _block(lines, cells, columns, page_number)
    return block, lines, own_rows, top_goal if top_goal is not None else pending.top_goal


def find_stream_tables(
    page, lines: list[dict], page_number: int, graphics: Graphics, state: StreamState
) -> tuple[list[Block], set[int]]:
    """Table blocks for the column-aligned regions among a page's text lines, and the indexes of the
    lines they hold.

    ``lines`` are the page's ``extract_text_lines(return_chars=True, strip=True)`` outside its ruled
    tables; each returned block has ``kind="table"``, one cell per column and row with its source lines
    as wrapped and its bbox, and the table's bbox in ``prov``. ``graphics`` tells where rules and
    shaded rows part the rows. ``state`` carries a table that reached the foot of the previous page
    (read the pages in order) and is updated for the next page.
    """
    pending = state.pending
    state.pending = None
    if pending is not None and pending.page != page_number - 1:
        pending = None
    if pending is None and not _worth_a_look(lines):
        return [], set()
    parsed = [line for line in (parse_line(i, raw) for i, raw in enumerate(lines)) if line is not None]
    if not parsed or (pending is None and len(parsed) < 2):
        return [], set()
    parsed.sort(key=lambda line: line.top)
    parting = _Parting.of(graphics)
    height = float(page.height)
    running = {_running_key(line) for line in parsed if line.bottom < height * MARGIN}
    found: list[Block] = []
    used: set[int] = set()
    open_table: _Open | None = None
    caption: Line | None = None  # the group before, when it was a caption
    previous: tuple[list[Interval], Block, float] | None = None  # the last table on the page, its size

    def emit(region: list[Line], columns: list[Interval], cells: list[list[Cell]], goal: int | None) -> None:
        nonlocal open_table, previous
        block = _block(region, cells, columns, page_number)
        found.append(block)
        used.update(line.index for line in region)
        size = Counter(line.size for line in region).most_common(1)[0][0]
        previous = (columns, block, size)
        if _only_footer(parsed, region[-1], height):
            header = [" ".join(cell.lines) for cell in cells[0]]
            open_table = _Open(page_number, columns, block, region[-1], goal, size, running, header)

    for group in _groups(parsed, parting):
        if pending is not None and _CAPTION.match(group[0].text):
            pending = None  # another table's caption: whatever follows is that table
        if pending is not None:
            in_margin = all(line.bottom < height * MARGIN for line in group)
            if in_margin and all(_running_key(line) in pending.running for line in group):
                continue  # a running header (it was on the last page too): the continuation may follow
            block, taken, own_rows, goal = _continue(group, pending, page_number, parting)
            if block is None and in_margin:
                continue
            if block is not None:
                found.append(block)
                used.update(line.index for line in taken)
                previous = (pending.columns, block, pending.size)
                if _only_footer(parsed, taken[-1], height):
                    last = block if own_rows else pending.block  # the block whose last row goes on
                    open_table = _Open(
                        page_number, pending.columns, last, taken[-1], goal, pending.size, running, pending.header
                    )
                group = group[len(taken) :]
            pending = None
        if not group:
            continue
        count = len(found)
        regions = _regions(group)
        for region, columns in regions:
            rows, _, goal = _rows(region, columns, None, None, parting)
            cells = _table_cells(rows, columns, page_number)
            if _is_table(rows, cells):
                emit(region, columns, cells, goal)
        line = group[0]
        if len(found) > count:
            pass
        elif (
            caption is not None and (columns := _first_row(group, caption)) and _only_footer(parsed, group[-1], height)
        ):
            # a table's first row alone at the foot of the page, under its caption
            for each in group:
                place(each, columns)
            emit(group, columns, [_cells(_Row(group), columns, page_number)], None)
        elif previous is not None and _annexed(group, previous[0], previous[2]):
            # lines in the columns of the table just above: more of that table
            rows, _, goal = _rows(group, previous[0], None, None, parting)
            emit(group, previous[0], _table_cells(rows, previous[0], page_number), goal)
        if len(found) == count:
            previous = None  # prose between: what follows is no part of the table above
        caption = line if len(group) == 1 and _CAPTION.match(line.text) else None
    state.pending = open_table
    return found, used


def _first_row(group: list[Line], caption: Line) -> list[Interval] | None:
    """The columns of a table's first row standing alone under its caption: one line of cells, or
    lines that all start at one indent (a goal row, the first column empty; that column runs from
    the caption's left edge)."""
    if len(group) == 1 and group[0].multi:
        return [(s.x0, s.x1) for s in group[0].segments]
    indent = group[0].x0
    if indent > caption.x0 + GAP_EM * caption.size and all(abs(line.x0 - indent) <= 1.0 for line in group):
        return [(caption.x0, caption.x0 + 1.0), (indent, max(line.x1 for line in group))]
    return None


def _annexed(group: list[Line], columns: list[Interval], table_size: float) -> bool:
    """Whether the group is more of the table just above, after a gap: every line stands in its
    columns and some line has a cell beyond the first (a goal row without a year, the rest of a
    target, another goal table's first row at the foot of the page); a paragraph flows across the
    columns."""
    size = Counter(line.size for line in group).most_common(1)[0][0]
    return (
        abs(size - table_size) <= 0.5
        and all(place(line, columns) for line in group)
        and any(any(column > 0 for column in line.cells) for line in group)
    )


_LOOK = regex.compile(r"^(?:19|20)\d\d\s|(?:(?<!\S)[-−–]?\d[\d,.]*%?(?!\S).*){2}")


def _worth_a_look(lines: list[dict]) -> bool:
    """The cheap test before any parsing: whether some line could be a table's row. A table without
    rules has a line with a gap wider than a word space, a line that starts with a year (a goal
    table's row) or a line with two numbers (values one space apart)."""
    for raw in lines:
        if _LOOK.search(raw["text"]):
            return True
        chars = raw["chars"]
        if len(chars) > 1:
            limit = GAP_EM * chars[0]["size"]
            if any(b["x0"] - a["x1"] > limit for a, b in pairwise(chars)):
                return True
    return False


def _running_key(line: Line) -> str:
    return regex.sub(r"\d+", "#", line.text)


def _only_footer(lines: list[Line], last: Line, height: float) -> bool:
    """Whether nothing but footer lines (in the bottom margin) follows ``last`` on the page."""
    after = False
    for line in lines:
        if after and line.top < height * (1 - MARGIN):
            return False
        after = after or line is last
    return True
