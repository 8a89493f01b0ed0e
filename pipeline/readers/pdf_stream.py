"""Tables without ruling lines ("stream" tables), found where the words of lines align in columns.

Only tried on pages where pdfplumber found no ruled table. The idea is Camelot's stream mode,
simplified to what agreements hold:

1. Segments. Each text line is cut where a horizontal gap is clearly wider than a word space
   (``GAP_EM`` of the font size; justified prose stays below half of that). A lone bullet or list
   number keeps its text (``•<tab>text`` is one segment).
2. Regions. Lines are grouped by vertical gaps (a paragraph gap ends a group; two multi-segment
   lines may stand a little further apart, as padded table rows do), by font size (a heading) and
   by captions (``Taulukko N.``). In a group with multi-segment lines, the columns are the union
   of those lines' segment x-intervals. A line that crosses a column boundary is prose and cuts
   the region; single-segment lines inside one column are wrapped cell lines (above the first
   multi-segment line only outside the first column: a short last line of prose stays prose).
   Columns are then the union of all the region's segments (a header cell wrapped over three
   lines stands in one column).
3. Rows. Unruled rows are not visibly apart, so the content tells. A line starts a new row when it
   puts text in a column that was empty on the line above (a cell does not resume after a gap),
   when a number stands under a number in one column, when the first column holds a year or number
   above it, when its first-column text starts with a capital, a digit or a dash and either its
   first word would have fitted on the line above (a hard break, not a wrap) or it puts numbers
   under a header's labels (``mittari | Toteuma 2022`` → ``Laskutusaste | 72``), or when, the
   first column empty, another column starts with a goal number ``N. `` after a hard break, a
   sentence's end or a ``-`` (and N is 1, the highest goal number so far or the next one: a
   ``3. YT-menettelyt`` wrapped to the start of a line of a list inside a target is no goal). A
   goal title is one paragraph: what follows it after a hard break is a row of its own. Every
   other line continues the row; each segment is appended to its column's cell.
4. A region is a table when it has two rows and two columns and either its header names years
   (``Toteuma 2022``, ``2024 TA``) or its first column holds years (a goal table; one year row
   under a ``| N. Title`` goal row is enough: a goal table's first part before a page break).
   Anything else (contents, signatures, prose that happens to align) stays text.
5. Page breaks. A table that reaches the foot of a page is remembered for its document. When the
   next page starts with lines that fit its columns, they continue it: a first row that goes on
   with the last row (wrapped text cut by the break, in any column, also the first one, which the
   pdf reader's own join does not handle) is added to that row at once; the rest is returned with
   the same columns so that ``pipeline.readers.pdf`` joins the parts. If nothing but that
   continuation is there, the part returned has one empty row (the pdf reader drops it when it
   joins the parts): its bbox takes the continued text out of the page's prose. A header
   repeated on the new page, or a new table with a year header, is not a continuation.
"""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass, field

import regex

from pipeline.layout import Block, Cell, Provenance
from pipeline.readers.pdf_graphics import Graphics

GAP_EM = 0.75  # a gap wider than this share of the font size separates two cells
SPACE_EM = 0.25  # the width of a word space, as a share of the font size
PARAGRAPH_EM = 0.5  # a vertical gap wider than this ends a region (pdf.py's paragraph gap) ...
ROW_GAP_EM = 1.0  # ... unless both lines have several segments (padded table rows)
WORD_TOLERANCE = 3.0  # pdfplumber's x_tolerance: a wider gap between two characters is a space
BULLET_TAB_EM = 3.0  # a bullet or list number this close before text is a list item's, not a cell
MARGIN = 0.09  # share of the page height where running headers and footers live

_BULLET = regex.compile(r"^(?:[•▪◦●○■□–\-*]|\d{1,2}[.)])$")
_CAPTION = regex.compile(r"^(?:Taulukko|Table|Kuva|Kuvio)\s+\d+\s*[.:]", regex.I)
_ROW_START = regex.compile(r"^(?:\p{Lu}|[0-9]|[-–—•])")
_ATOMIC = regex.compile(r"^(?:[-−–+]?\d[\d \u00a0]*(?:[,.]\d+)?\s*%?|[-–—]|tbd)$", regex.I)
_GOAL_NUMBER = regex.compile(r"^(\d{1,2})\.\s")
_ENDS = regex.compile(r"[.!?)]$")
_NAMED_GOAL = regex.compile(r"^\p{L}+\s+(\d{1,2})\.\s")
_YEAR = regex.compile(r"^(?:19|20)\d\d$")
_YEAR_IN = regex.compile(r"(?<![\d.,])(?:19|20)\d\d(?![\d.,])")


@dataclass
class _Segment:
    """Words of one line that stand together: one cell's text on that line."""

    words: list[tuple[str, float, float]]  # text, x0, x1
    top: float
    bottom: float

    @property
    def x0(self) -> float:
        return self.words[0][1]

    @property
    def x1(self) -> float:
        return self.words[-1][2]

    @property
    def text(self) -> str:
        return " ".join(w[0] for w in self.words)

    @property
    def head_width(self) -> float:
        return self.words[0][2] - self.words[0][1]


@dataclass
class _Line:
    index: int  # in the page's list of text lines
    top: float
    bottom: float
    size: float
    text: str
    segments: list[_Segment]
    cells: dict[int, _Segment] = field(default_factory=dict)  # by column, once columns are known

    @property
    def x0(self) -> float:
        return self.segments[0].x0

    @property
    def x1(self) -> float:
        return self.segments[-1].x1

    @property
    def multi(self) -> bool:
        return len(self.segments) >= 2


@dataclass
class _Row:
    lines: list[_Line]
    goal: bool = False  # started by a goal number in a later column (the first column empty)


@dataclass
class _Open:
    """A table that reached the foot of a page: what its continuation needs."""

    page: int
    columns: list[tuple[float, float]]
    block: Block
    last: _Line
    top_goal: int | None  # the highest goal number so far: goal rows are numbered in order
    size: float
    running: set[str]  # the texts (digits as #) in that page's top margin: running headers
    header: list[str]  # the table's first row, per column: repeated on a new page, it is no continuation


@dataclass
class StreamState:
    """What one document's pages hand on to the next: the table that reached the foot of the last page.
    The PDF reader makes one per document and passes it to every page, in order."""

    pending: _Open | None = None


_X0, _X1 = operator.itemgetter("x0"), operator.itemgetter("x1")


# --- lines into segments ------------------------------------------------------------------------


def _size(chars: list[dict]) -> float:
    return Counter(round(c["size"], 1) for c in chars).most_common(1)[0][0]


def _widest_gap(chars: list[dict]) -> float:
    """The widest gap between two neighbouring characters (the line's ``chars`` hold no spaces)."""
    if len(chars) < 2:
        return 0.0
    return max(map(operator.sub, map(_X0, chars[1:]), map(_X1, chars[:-1])))


def _words(raw: dict) -> list[tuple[str, float, float]]:
    """The words of a line as pdfplumber split them: ``text`` has one character per entry of
    ``chars`` (a ligature's char twice) and a space between words."""
    chars, text = raw["chars"], raw["text"]
    words: list[tuple[str, float, float]] = []
    index, current, x0, x1 = 0, "", 0.0, 0.0
    for letter in text:
        if letter.isspace():
            if current:
                words.append((current, x0, x1))
                current = ""
            continue
        if index >= len(chars):
            return []
        ch = chars[index]
        index += 1
        if current:
            x1 = max(x1, ch["x1"])
        else:
            x0, x1 = ch["x0"], ch["x1"]
        current += letter
    if current:
        words.append((current, x0, x1))
    return words if index == len(chars) else _words_by_gaps(chars)


def _words_by_gaps(chars: list[dict]) -> list[tuple[str, float, float]]:
    """Words by pdfplumber's own rule (a gap over ``x_tolerance``), if the text does not map."""
    words: list[tuple[str, float, float]] = []
    for ch in chars:
        if ch["text"].isspace():
            words.append(("", 0.0, 0.0))
            continue
        text, x0, x1 = words[-1] if words else ("", 0.0, 0.0)
        if text and x0 <= ch["x0"] <= x1 + WORD_TOLERANCE:
            words[-1] = (text + ch["text"], x0, max(x1, ch["x1"]))
        else:
            words.append((ch["text"], ch["x0"], ch["x1"]))
    return [word for word in words if word[0]]


def _line(index: int, raw: dict) -> _Line | None:
    solid = [c for c in raw["chars"] if not c["text"].isspace()]
    words = _words(raw)
    if not solid or not words:
        return None
    size = _size(solid)
    top, bottom = raw["top"], raw["bottom"]
    segments = [_Segment([words[0]], top, bottom)]
    for word in words[1:]:
        if word[1] - segments[-1].x1 > GAP_EM * size:
            segments.append(_Segment([word], top, bottom))
        else:
            segments[-1].words.append(word)
    if (
        len(segments) >= 2
        and len(segments[0].words) == 1
        and _BULLET.match(segments[0].text)
        and segments[1].x0 - segments[0].x1 <= BULLET_TAB_EM * size
    ):
        segments[0].words.extend(segments.pop(1).words)  # "•<tab>text", "1.<tab>text"
    return _Line(index, top, bottom, size, raw["text"], segments)


# --- columns ------------------------------------------------------------------------------------


def _union(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for x0, x1 in sorted(intervals):
        if merged and x0 <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], x1))
        else:
            merged.append((x0, x1))
    return merged


def _column_of(segment: _Segment, columns: list[tuple[float, float]]) -> int | None:
    """The column a segment stands in, None when it crosses a column boundary."""
    touched = [i for i, (x0, x1) in enumerate(columns) if segment.x0 < x1 - 0.5 and segment.x1 > x0 + 0.5]
    if len(touched) > 1:
        return None
    if touched:
        return touched[0]
    # In a gap between columns: the column on its left, unless it reaches the next one.
    left = [i for i, (x0, _) in enumerate(columns) if x0 <= segment.x0]
    return left[-1] if left else 0


def _assign(line: _Line, columns: list[tuple[float, float]]) -> bool:
    """Put the line's segments into columns (two in one column are one); False if it crosses."""
    cells: dict[int, _Segment] = {}
    for segment in line.segments:
        column = _column_of(segment, columns)
        if column is None:
            return False
        if column in cells:
            cells[column] = _Segment(cells[column].words + segment.words, line.top, line.bottom)
        else:
            cells[column] = segment
    line.cells = cells
    return True


# --- rows ---------------------------------------------------------------------------------------


def _hard_break(above: _Segment, below: _Segment, right: float, size: float) -> bool:
    """Whether the first word of ``below`` would have fitted after ``above``: a break by choice."""
    return above.x1 + SPACE_EM * size + below.head_width <= right + 0.5


def _goal_number(text: str) -> int | None:
    match = _GOAL_NUMBER.match(text) or _NAMED_GOAL.match(text)
    return int(match.group(1)) if match else None


def _starts_row(line: _Line, above: _Line, row: _Row, rights: list[float], top_goal: int | None) -> bool:
    cells, before = line.cells, above.cells
    if any(column not in before for column in cells):
        return True
    first = cells.get(0)
    if first is not None:
        if _ATOMIC.match(before[0].text):
            return True
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


def _rows(
    lines: list[_Line], columns: list[tuple[float, float]], above: _Line | None, top_goal: int | None
) -> tuple[list[_Row], bool, int | None]:
    """Rows of a region; also whether its first line continues the row ending at ``above``."""
    rights = [x1 for _, x1 in columns]
    rows: list[_Row] = []
    continued = False
    for line in lines:
        previous = rows[-1].lines[-1] if rows else above
        row = rows[-1] if rows else _Row([])
        if previous is None or _starts_row(line, previous, row, rights, top_goal):
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


def _header_has_years(row: _Row, width: int) -> bool:
    for column, lines in enumerate(_texts(row, width)):
        text = " ".join(lines)
        if column > 0 and _YEAR_IN.search(text) and len(text.split()) <= 4:
            return True
    return False


def _is_table(rows: list[_Row], width: int) -> bool:
    if len(rows) < 2 or width < 2:
        return False
    firsts = [row.lines[0].cells[0].text for row in rows if 0 in row.lines[0].cells]
    years = sum(1 for text in firsts if _YEAR.match(text))
    # "| 1. Title" or "Hanke 1. Title | …" above "2024 | text": a goal table's first part
    goals = any(row.goal for row in rows) or any(_NAMED_GOAL.match(text) for text in firsts)
    return years >= 2 or (years == 1 and goals) or _header_has_years(rows[0], width)


# --- blocks -------------------------------------------------------------------------------------


def _box(x0: float, top: float, x1: float, bottom: float) -> tuple[float, float, float, float]:
    return (round(x0 - 0.05, 1), round(top - 0.05, 1), round(x1 + 0.05, 1), round(bottom + 0.05, 1))


def _cells(row: _Row, columns: list[tuple[float, float]], page_number: int) -> list[Cell]:
    top, bottom = row.lines[0].top, row.lines[-1].bottom
    cells = []
    for column, (x0, x1) in enumerate(columns):
        segments = [line.cells[column] for line in row.lines if column in line.cells]
        if segments:
            bbox = _box(min(s.x0 for s in segments), segments[0].top, max(s.x1 for s in segments), segments[-1].bottom)
        else:
            bbox = _box(x0, top, x1, bottom)
        cells.append(Cell(lines=[s.text for s in segments], prov=Provenance(page=page_number, bbox=bbox)))
    return cells


def _block(lines: list[_Line], rows: list[list[Cell]], columns: list[tuple[float, float]], page_number: int) -> Block:
    x0 = min([columns[0][0]] + [line.x0 for line in lines])
    x1 = max([columns[-1][1]] + [line.x1 for line in lines])
    bbox = _box(x0, lines[0].top, x1, lines[-1].bottom)
    return Block(kind="table", prov=Provenance(page=page_number, bbox=bbox), rows=rows, pages=[page_number])


# --- regions ------------------------------------------------------------------------------------


def _groups(lines: list[_Line]) -> list[list[_Line]]:
    """Runs of lines without a paragraph gap, a change of font size or a caption between them."""
    groups: list[list[_Line]] = []
    previous: _Line | None = None
    left = min(line.x0 for line in lines)
    previous_caption = False
    for line in lines:
        paragraph = False
        if previous is not None:
            limit = (ROW_GAP_EM if line.multi and previous.multi else PARAGRAPH_EM) * max(line.size, previous.size)
            paragraph = line.top - previous.bottom > limit
        # "Taulukko 9. …" at the left margin or after a gap; inside a cell it is only a reference
        caption = bool(_CAPTION.match(line.text)) and not line.multi and (line.x0 <= left + 2 or paragraph)
        resized = previous is not None and abs(line.size - previous.size) > 0.9 and len(line.text) > 2
        if previous is None or caption or previous_caption or paragraph or resized:
            groups.append([line])
        else:
            groups[-1].append(line)
        previous, previous_caption = line, caption
    return groups


def _regions(group: list[_Line]) -> list[tuple[list[_Line], list[tuple[float, float]]]]:
    """Candidate table regions of a group, each with its columns."""
    multi = [line for line in group if line.multi]
    if not multi:
        return []
    columns = _union([(s.x0, s.x1) for line in multi for s in line.segments])
    if len(columns) < 2:
        return []
    runs: list[list[_Line]] = [[]]
    for line in group:
        if _assign(line, columns):
            runs[-1].append(line)
        elif runs[-1]:
            runs.append([])
    found = []
    for run in runs:
        while run and not run[0].multi and 0 in run[0].cells:
            run = run[1:]  # a line in the first column above the table: the end of a paragraph
        if not any(line.multi for line in run) or len(run) < 2:
            continue
        own = _union([(s.x0, s.x1) for line in run for s in line.segments])
        if all(_assign(line, own) for line in run):
            found.append((run, own))
    return found


def _fits(lines: list[_Line], pending: _Open) -> list[_Line]:
    """The leading lines of a group that fit the columns of the table continued from the last page."""
    fitting = []
    for line in lines:
        if abs(line.size - pending.size) > 0.9 or not _assign(line, pending.columns):
            break
        fitting.append(line)
    return fitting


def _repeated_header(lines: list[_Line], pending: _Open) -> int:
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
    group: list[_Line], pending: _Open, page_number: int
) -> tuple[Block | None, list[_Line], bool, int | None]:
    """The part of a continued table at the top of a page: (block, its lines, whether it has rows
    of its own to go on with, the highest goal number)."""
    lines = _fits(group, pending)
    if not lines:
        return None, [], False, None
    repeated = _repeated_header(lines, pending)
    if not repeated:
        standalone = _regions(lines)
        if standalone:
            region, own = standalone[0]
            rows, _, _ = _rows(region, own, None, None)
            if region[0] is lines[0] and _is_table(rows, len(own)) and _header_has_years(rows[0], len(own)):
                return None, [], False, None  # a table of its own: not a continuation
    columns = _union(pending.columns + [(s.x0, s.x1) for line in lines for s in line.segments])
    if len(columns) != len(pending.columns):
        columns = pending.columns  # (the wider columns give a better right edge for the wrap test)
    for line in lines:
        _assign(line, columns)
    rest = lines[repeated:]
    rows, continued, top_goal = _rows(rest, columns, pending.last, pending.top_goal) if rest else ([], False, None)
    if not repeated and not continued and not any(line.multi for line in lines):
        return None, [], False, None  # a short paragraph that happens to fit in one column
    if continued:
        last_row = pending.block.rows[-1]
        for column, texts in enumerate(_texts(rows[0], len(columns))):
            if column < len(last_row):
                last_row[column].lines.extend(texts)
        rows = rows[1:]
    own_rows = bool(rows)
    if repeated:
        rows.insert(0, _Row(lines[:repeated]))  # the pdf reader drops it: the header repeated
    cells = [_cells(row, columns, page_number) for row in rows]
    if not cells:  # all of it went to the row above; one empty row keeps the part a table
        cells = [
            [
                Cell(lines=[], prov=Provenance(page=page_number, bbox=_box(x0, lines[0].top, x1, lines[-1].bottom)))
                for x0, x1 in columns
            ]
        ]
    pending.columns = columns
    block = _block(lines, cells, columns, page_number)
    return block, lines, own_rows, top_goal if top_goal is not None else pending.top_goal


def find_stream_tables(
    page, lines: list[dict], page_number: int, graphics: Graphics, state: StreamState
) -> tuple[list[Block], set[int]]:
    """Table blocks for the column-aligned regions among a page's text lines, and the indexes of the
    lines they hold.

    ``lines`` are the page's ``extract_text_lines(return_chars=True, strip=True)`` outside its ruled
    tables; each returned block has ``kind="table"``, one cell per column and row with its source lines
    as wrapped and its bbox, and the table's bbox in ``prov``. ``state`` carries a table that reached the
    foot of the previous page (read pages in order) and is updated for the next page.
    """
    pending = state.pending
    state.pending = None
    if pending is not None and pending.page != page_number - 1:
        pending = None
    if pending is None and not _aligned_lines(lines):
        return [], set()

    parsed = [line for line in (_line(i, raw) for i, raw in enumerate(lines)) if line is not None]
    parsed.sort(key=lambda line: line.top)
    if not parsed:
        return [], set()
    height = float(page.height)
    running = {_running_key(line) for line in parsed if line.bottom < height * MARGIN}
    found: list[Block] = []
    used: set[int] = set()
    open_table: _Open | None = None
    for group in _groups(parsed):
        if pending is not None:
            in_margin = all(line.bottom < height * MARGIN for line in group)
            if in_margin and all(_running_key(line) in pending.running for line in group):
                continue  # a running header (it was on the last page too): the continuation may follow
            block, taken, own_rows, goal = _continue(group, pending, page_number)
            if block is None and in_margin:
                continue
            if block is not None:
                found.append(block)
                used.update(line.index for line in taken)
                if _only_footer(parsed, taken[-1], height):
                    last = block if own_rows else pending.block  # the block whose last row goes on
                    open_table = _Open(
                        page_number, pending.columns, last, taken[-1], goal, pending.size, running, pending.header
                    )
                group = group[len(taken) :]
            pending = None
        for region, columns in _regions(group):
            rows, _, goal = _rows(region, columns, None, None)
            if not _is_table(rows, len(columns)):
                continue
            cells = [_cells(row, columns, page_number) for row in rows]
            block = _block(region, cells, columns, page_number)
            found.append(block)
            used.update(line.index for line in region)
            if _only_footer(parsed, region[-1], height):
                size = Counter(line.size for line in region).most_common(1)[0][0]
                header = [" ".join(cell.lines) for cell in cells[0]]
                open_table = _Open(page_number, columns, block, region[-1], goal, size, running, header)
    state.pending = open_table
    return found, used


def _running_key(line: _Line) -> str:
    return regex.sub(r"\d+", "#", line.text)


def _only_footer(lines: list[_Line], last: _Line, height: float) -> bool:
    """Whether nothing but footer lines (in the bottom margin) follows ``last`` on the page."""
    after = False
    for line in lines:
        if after and line.top < height * (1 - MARGIN):
            return False
        after = after or line is last
    return True


def _aligned_lines(lines: list[dict]) -> bool:
    """The cheap test before any parsing: whether some line has a gap wider than a word space (not
    counting the tab after a leading bullet or list number). Only the spaces of ``text`` are looked
    at: a gap that wide is always a space there."""
    for raw in lines:
        text, chars = raw["text"], raw["chars"]
        if " " not in text or not chars:
            continue
        size = chars[0]["size"]
        lengths = [len(word) for word in text.split(" ")]
        if sum(lengths) != len(chars):
            if _widest_gap(chars) > GAP_EM * size:
                return True
            continue
        position = 0
        for index, length in enumerate(lengths[:-1]):
            position += length
            gap = chars[position]["x0"] - chars[position - 1]["x1"]
            if gap > GAP_EM * size and not (
                index == 0 and gap <= BULLET_TAB_EM * size and _BULLET.match(text[:length])
            ):
                return True
    return False
