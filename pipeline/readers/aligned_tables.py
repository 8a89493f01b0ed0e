"""Tables in space-aligned text (``pdftotext -layout``): columns are where runs of spaces line up.

A converter that keeps a page's layout writes a table as lines whose cells stand apart by runs of
two or more spaces, each cell at the same place on every line:

                                       2023         2024        2025   ← header cells stacked over
    Tunnusluku/mittari            toteutuma        arvio     tavoite     two or three lines
    Palvelukyky ja laatu                                               ← a sub-heading row
    Sähkö- ja hybridialusten osuus                                     ← a name wrapped above its
    liikennöidystä, %                    22           28          35     values (cells set bottom)
    Kehitykseen käytetty osuus          2,6          3,0         3,5   ← or below them (set top),
    kokonaiskustannuksista, %                                            and a cell's text may wrap too

A table is a run of lines whose pieces (the text between runs of two or more spaces) each stand in
one column, the columns being the places that the pieces of its lines take. No width is fixed: the
columns come from the lines themselves, so right-aligned numbers, centred headers and a page break
that moves the columns a little all read. A line with a piece across two columns ends the table
(prose, a footnote, the next caption), unless the piece is nothing but numbers: then the converter
collapsed the gap between cells (``1 204 330 1 150 000``) and ``pipeline.nlp.cells`` splits it.

Rows. A year table's header is the run of lines at its top that put years in two or more columns
and hold no data. Below it (or from the top, in a table without years), a line starts a new row
when its name starts anew (a capital after a line that did not wrap, see
``plain_tables.continues``), when it puts a number in a column whose cell already holds one, when a
text column's paragraph ended on the line above (a sentence end, and the next word would have fit
on that line), or after a blank line. Whether a wrapped name stands above its values (cells set to
the bottom, as the budget book sets them) or below them (set to the top, as Word does) is read from
the table itself: which way its wrapped names and cells go on. A line with a name and no values
between rows is a sub-heading; lines after the last row that do not go on from it are text.
A region of two columns whose second holds nothing but single amounts is a list, not a table.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import regex

from pipeline.layout import Block, Cell, Provenance
from pipeline.nlp.cells import numeric_tail, split_cells, trailing_cells
from pipeline.readers.plain_tables import (
    FOOTNOTE_LINE,
    MAX_HEADER_LINES,
    YEAR_TOKEN,
    SourceLine,
    continues,
    is_header_text,
)

PIECE = regex.compile(r"[^ ]+(?: [^ ]+)*")  # words joined by single spaces
BESIDE = 1  # characters: a piece this close beside a column's text is in that column (rounding, not a gap)
MAX_COLUMNS = 30  # a line of more pieces than this is no table row (a bound on the work per line)
_SENTENCE_END = regex.compile(r"[.!?:;]$")
_WRAP = regex.compile(r"(?:\p{L}[-–/]|[,(])$")  # a line that wraps into the next
NUMBERED = regex.compile(r"^(\d{1,2})\.\s+\p{Lu}")  # "2. Valtori tuottaa …": a numbered goal
SENTENCE_MARGIN, SHORT_MARGIN = 0.1, 0.2  # of a column's width; see _ended
_STARTS_ANEW = regex.compile(r"^[\p{Lu}\d—–•\-<]")
_CAPTION_STOP = regex.compile(r"[.,;:]$")
_LIST_START = regex.compile(r"^(?:[—–•\-]|\d{1,2}[.)])\s")


@dataclass(frozen=True)
class Piece:
    start: int
    end: int
    text: str


def pieces(text: str) -> list[Piece]:
    """The pieces of a line: its words joined by single spaces, apart where two or more stand."""
    return [Piece(m.start(), m.end(), m.group()) for m in PIECE.finditer(text)]


@dataclass(eq=False)
class _Column:
    start: int
    end: int


@dataclass
class _Line:
    index: int  # index into the reader's lines
    cells: dict[int, str]  # column → text on this line
    gap: bool = False  # a blank line above it, not at a page break

    @property
    def name(self) -> str | None:
        return self.cells.get(0)

    @property
    def values(self) -> dict[int, str]:
        return {c: t for c, t in self.cells.items() if c != 0}


@dataclass
class AlignedTable:
    """A table found in space-aligned text: its block, the lines it used and its caption line."""

    block: Block
    caption: SourceLine | None = None
    consumed: set[int] = field(default_factory=set)  # line indexes, the caption's too
    footnotes: list[list[int]] = field(default_factory=list)  # none: footnotes stay paragraphs


@dataclass
class _Row:
    """A row being read: its lines, and per column what tells whether the next line goes on with it."""

    lines: list[_Line] = field(default_factory=list)
    last: dict[int, str] = field(default_factory=dict)  # column → its latest line of text
    head: dict[int, list[str]] = field(default_factory=dict)  # column → its first lines (enough for a number)

    def add_all(self, lines: list[_Line]) -> _Row:
        for line in lines:
            self.add(line)
        return self

    def add(self, line: _Line) -> _Row:
        self.lines.append(line)
        for c, text in line.cells.items():
            self.last[c] = text
            held = self.head.setdefault(c, [])
            if len(held) < 4:
                held.append(text)
        return self

    @property
    def name(self) -> str | None:
        return self.last.get(0)

    def holds_number(self, column: int) -> bool:
        held = self.head.get(column)
        return bool(held) and len(held) < 4 and _is_data(" ".join(held))

    @property
    def has_values(self) -> bool:
        return any(c for c in self.last)


def _is_data(text: str) -> bool:
    """A cell holding a value: numbers, a dash, a comparison; years alone are a header's."""
    tokens = text.split()
    if not tokens or all(YEAR_TOKEN.match(t) for t in tokens):
        return False
    return numeric_tail(tokens) == 0 and any(regex.search(r"[\d\-–—]", t) for t in tokens)


def _starts_data(text: str) -> bool:
    tokens = text.split()
    return bool(tokens) and (_is_data(tokens[0]) or (len(tokens) > 1 and _is_data(" ".join(tokens[:2]))))


Placed = list[tuple[_Column, _Column, Piece]]  # each piece of a line: the first and last column it stands in


class _Grid:
    """The columns of one region, as its lines show them. A column keeps its identity while new
    ones open beside it, so a line placed early is numbered by the final columns."""

    def __init__(self, first: list[Piece]) -> None:
        self.columns = [_Column(p.start, p.end) for p in first]

    def place(self, line: list[Piece], *, new_columns: bool = True) -> Placed | None:
        """Which columns each piece stands in, or None when a piece stands in free space and no
        column may open. A piece in free space opens a column (recorded, not yet added)."""
        placed: Placed = []
        k = 0
        columns = self.columns
        for piece in line:
            while k < len(columns) and columns[k].end <= piece.start:
                k += 1
            last = k
            while last < len(columns) and columns[last].start < piece.end:
                last += 1
            if last == k:
                near = self._beside(piece, k)
                if near is not None:
                    placed.append((near, near, piece))
                    continue
                if not new_columns:
                    return None
                fresh = _Column(piece.start, piece.end)
                placed.append((fresh, fresh, piece))
            else:
                placed.append((columns[k], columns[last - 1], piece))
        return placed

    def _beside(self, piece: Piece, k: int) -> _Column | None:
        """The column a piece in free space touches (``BESIDE`` characters or less): a converter
        rounds a column's right-aligned numbers and its centred header to different characters."""
        options = []
        if k > 0 and piece.start - self.columns[k - 1].end <= BESIDE:
            options.append((piece.start - self.columns[k - 1].end, self.columns[k - 1]))
        if k < len(self.columns) and self.columns[k].start - piece.end <= BESIDE:
            options.append((self.columns[k].start - piece.end, self.columns[k]))
        return min(options, key=lambda option: option[0])[1] if options else None

    def accept(self, placed: Placed) -> Placed:
        """Record a fitting line: open its new columns, widen the ones its pieces stand in alone."""
        for first, last, piece in placed:
            if first is last and first not in self.columns:
                at = next((k for k, c in enumerate(self.columns) if c.start >= piece.end), len(self.columns))
                self.columns.insert(at, first)
            elif first is last:
                first.start, first.end = min(first.start, piece.start), max(first.end, piece.end)
        return placed

    def refit(self, line: list[Piece]) -> None:
        """After a page break a converter may set the columns apart from where they stood on the
        page before (each page has its own character grid). A line with a piece for every column
        shows where they now stand, and the columns follow it: each by its own piece when every
        piece stays within its neighbours' columns, else all by one move and scale when that takes
        every column's centre nearer its own piece than any other."""
        columns = self.columns
        if len(line) != len(columns) or len(columns) < 3:
            return  # two points always fit: they show nothing
        within = all(
            piece.start >= (columns[k - 1].start if k > 0 else piece.start)
            and piece.end <= (columns[k + 1].end if k + 1 < len(columns) else piece.end)
            for k, piece in enumerate(line)
        )
        if within:
            for piece, column in zip(line, columns, strict=True):
                shift = min(0, piece.start - column.start) + max(0, piece.end - column.end)
                column.start, column.end = column.start + shift, column.end + shift
        else:
            scaled = _scaled(columns, line)
            if scaled is None:
                return
            for column, (start, end) in zip(columns, scaled, strict=True):
                column.start, column.end = start, end
        for left, right in itertools.pairwise(columns):
            right.start = max(right.start, left.end)  # moved columns never overlap
            right.end = max(right.end, right.start + 1)

    def index(self) -> dict[int, int]:
        return {id(column): k for k, column in enumerate(self.columns)}


def _scaled(columns: list[_Column], line: list[Piece]) -> list[tuple[int, int]] | None:
    """The columns moved and scaled onto the pieces of ``line`` (least squares on their centres),
    if every column's centre lands nearer its own piece than any other."""
    old = [(c.start + c.end) / 2 for c in columns]
    new = [(p.start + p.end) / 2 for p in line]
    mean_old, mean_new = sum(old) / len(old), sum(new) / len(new)
    spread = sum((x - mean_old) ** 2 for x in old)
    if not spread:
        return None
    scale = sum((x - mean_old) * (y - mean_new) for x, y in zip(old, new, strict=True)) / spread
    if not 0.5 <= scale <= 2:
        return None
    moved = [mean_new + scale * (x - mean_old) for x in old]
    half_gap = min(b - a for a, b in itertools.pairwise(moved)) / 2
    if any(abs(m - y) >= half_gap for m, y in zip(moved, new, strict=True)):
        return None
    result = []
    for column, piece in zip(columns, line, strict=True):
        start = round(mean_new + scale * (column.start - mean_old))
        end = round(mean_new + scale * (column.end - mean_old))
        result.append((min(start, piece.start), max(end, piece.end)))  # each piece stands in its column
    return result


def _split(first: int, last: int, text: str) -> dict[int, str] | None:
    """A piece across columns ``first..last``: the cells a converter ran together, or None."""
    count = last - first + 1
    if first == 0:
        found = trailing_cells(text, (count - 1,))
        if found is None or not found.name:
            return None
        return {0: found.name, **{first + 1 + k: cell for k, cell in enumerate(found.cells)}}
    tokens = text.split()
    if numeric_tail(tokens) != 0:
        return None
    cells = split_cells(tokens, count)
    if cells is None:
        return None
    return {first + k: " ".join(cell) for k, cell in enumerate(cells)}


def _header_line(cells: dict[int, str]) -> bool:
    """A line of a year header: two or more years in columns of their own, nothing else but
    column words."""
    years = sum(1 for c, t in cells.items() if c and any(YEAR_TOKEN.match(w) for w in t.split()))
    return years >= 2 and all(is_header_text(t) for c, t in cells.items() if c)


def _cells_of(placed: Placed, index: dict[int, int], *, spread: bool = False) -> dict[int, str] | None:
    """Column number → text of a placed line; a piece across columns split into its cells, or (a
    header's, ``spread``) given to every column it spans (``Alustava tavoite`` over ``2025 2026``);
    None when a piece across columns is neither."""
    cells: dict[int, str] = {}
    for first, last, piece in placed:
        a, b = index[id(first)], index[id(last)]
        parts = {a: piece.text} if a == b else _split(a, b, piece.text)
        if parts is None and spread:
            parts = dict.fromkeys(range(a, b + 1), piece.text)
        if parts is None:
            return None
        for c, text in parts.items():
            cells[c] = f"{cells[c]} {text}" if c in cells else text
    return cells


def _crowded(placed: Placed, leftmost: _Column) -> bool:
    """Two pieces in one column other than the leftmost (the names): the line's columns are not
    the table's."""
    seen = [id(first) for first, last, _ in placed if first is last and first is not leftmost]
    return len(seen) != len(set(seen))


def _has_data(cells: dict[int, str]) -> bool:
    return any(_is_data(t) for c, t in cells.items() if c)


def find_aligned_tables(
    lines: list[SourceLine], texts: list[str], gaps: list[bool], skip: set[int] | None = None
) -> list[AlignedTable]:
    """Every table of space-aligned text, in order. ``texts`` are the lines as written (their
    indentation kept), ``gaps`` whether a blank line stands above each; lines in ``skip`` (rows
    of tab-separated tables) are left alone."""
    taken = set(skip or ())
    split = [pieces(t) if i not in taken else [] for i, t in enumerate(texts)]
    tables: list[AlignedTable] = []
    index = floor = 0  # no region reaches above ``floor``: every line is looked at a bounded number of times
    while index < len(lines):
        if index in taken or not 2 <= len(split[index]) <= MAX_COLUMNS:
            index += 1
            continue
        region = _region(lines, split, taken, index, floor)
        end = max(region) + 1 if region else index + 1
        table = _table(lines, region, gaps) if region else None
        if table is not None:
            end = max(table.consumed) + 1
            caption = _caption(lines, min(table.consumed), taken)
            if caption is not None:
                table.caption = lines[caption]
                table.consumed.add(caption)
            taken |= table.consumed
            tables.append(table)
        index = floor = max(end, index + 1)
    return tables


def _region(
    lines: list[SourceLine], split: list[list[Piece]], taken: set[int], seed: int, floor: int
) -> dict[int, dict[int, str]]:
    """The lines around ``seed`` that stand in one set of columns, each as column → text."""
    grid = _Grid(split[seed])
    placed: dict[int, Placed] = {seed: grid.accept(grid.place(split[seed]))}
    # Header cells stacked above the seed line: pieces that stand in its columns, clear of its first.
    above = seed - 1
    while above >= floor and above not in taken and 0 < len(split[above]) <= MAX_COLUMNS:
        found = grid.place(split[above], new_columns=False)
        if found is None or any(first is not last or first is grid.columns[0] for first, last, _ in found):
            break
        placed[above] = grid.accept(found)
        above -= 1
    below, data_seen, refit = seed + 1, _has_data(_cells_of(placed[seed], grid.index()) or {}), False
    heads: set[int] = set()  # header lines whose cells span the columns of a line below them
    while below < len(lines) and below not in taken and 0 < len(split[below]) <= MAX_COLUMNS:
        refit = refit or lines[below].after_break
        if refit and len(split[below]) > 1:
            grid.refit(split[below])
            refit = False
        found = grid.place(split[below])
        regrid_ok = not data_seen and len(placed) <= MAX_HEADER_LINES and _fine(split[below])
        if found is not None and regrid_ok and _crowded(found, grid.columns[0]):
            # The lines so far are a header whose cells span columns this line sets apart (years
            # under ``Alustava tavoite``): its columns are the table's, the header's cells span them.
            regrid = _regrid(split, sorted(placed), split[below])
            if regrid is not None:
                grid, placed = regrid
                heads |= set(placed)
                found = grid.place(split[below])
        if found is None or _crowded(found, grid.columns[0]):
            break
        trial = list(grid.columns) + [first for first, last, _ in found if first is last and first not in grid.columns]
        trial.sort(key=lambda c: c.start)
        cells = _cells_of(found, {id(c): k for k, c in enumerate(trial)})
        if cells is None:
            break
        repeated = lines[below].after_break and [p.text for p in split[below]] == [p.text for p in split[min(placed)]]
        if data_seen and _header_line(cells) and not repeated:
            break  # the next table's header (not this one's, repeated at the top of a page)
        data_seen = data_seen or _has_data(cells)
        placed[below] = grid.accept(found)
        below += 1
    index = grid.index()
    return {i: _cells_of(placed[i], index, spread=i in heads) or {} for i in sorted(placed)}


def _fine(line: list[Piece]) -> bool:
    """A line that can set a header's columns apart: three or more pieces, two of them or more
    nothing but a year or a value."""
    plain = sum(1 for p in line if YEAR_TOKEN.match(p.text) or _is_data(p.text))
    return len(line) >= 3 and plain >= 2


def _regrid(split: list[list[Piece]], indexes: list[int], line: list[Piece]) -> tuple[_Grid, dict[int, Placed]] | None:
    """The columns of ``line``, with the lines ``indexes`` placed on them (their pieces may span)."""
    grid = _Grid(line)
    placed: dict[int, Placed] = {}
    for i in indexes:
        found = grid.place(split[i])
        if found is None or any(first is not last and _has_data({1: p.text}) for first, last, p in found):
            return None
        placed[i] = grid.accept(found)
    return grid, placed


def _table(lines: list[SourceLine], region: dict[int, dict[int, str]], gaps: list[bool]) -> AlignedTable | None:
    order = sorted(region)
    if len({c for cells in region.values() for c in cells}) < 2:
        return None
    body = [_Line(i, region[i], gap=gaps[i] and not lines[i].after_break and k > 0) for k, i in enumerate(order)]
    header, body = _header(body)
    widths = _widths(body)
    top = _top_aligned(body)
    rows = _rows_top(body, widths) if top else _rows_bottom(body)
    repeated = _repeated(header, rows, lines)
    if repeated:  # read again without the rows a page printed again at its top
        body = [line for line in body if line.index not in repeated]
        rows = _rows_top(body, widths) if top else _rows_bottom(body)
    rows = _trim(rows, top)
    if not any(row.has_values for row in rows):
        return None
    everything = ([_Row().add_all(header)] if header else []) + rows
    consumed = {line.index for row in everything for line in row.lines} | repeated
    columns = max(c for row in everything for c in row.last) + 1
    if not header and columns == 2 and all(_is_amount(row) for row in rows):
        return None  # one amount a line: a list
    if len(everything) < 2:
        return None
    block_rows = [_cells(row.lines, columns, lines) for row in everything]
    first = lines[everything[0].lines[0].index]
    block = Block(kind="table", prov=Provenance(line=first.number), rows=block_rows)
    return AlignedTable(block, consumed=consumed)


def _repeated(header: list[_Line], rows: list[_Row], lines: list[SourceLine]) -> set[int]:
    """Lines at the top of a page that print again a row that opened the table or followed a blank
    line (a table's first row, repeated on each page it runs over; word processors do it)."""
    firsts = [header] if header else []
    firsts += [row.lines for k, row in enumerate(rows) if (k == 0 and not header) or row.lines[0].gap]
    by_start: dict[tuple, list[list[_Line]]] = {}
    for first in firsts:
        by_start.setdefault(_key(first[0]), []).append(first)
    body = [line for row in rows for line in row.lines]
    found: set[int] = set()
    for k, line in enumerate(body):
        if not lines[line.index].after_break:
            continue
        for first in by_start.get(_key(line), []):
            if first[0] is line or k + len(first) > len(body):
                continue
            if all(_key(a) == _key(b) for a, b in zip(first, body[k : k + len(first)], strict=True)):
                found |= {x.index for x in body[k : k + len(first)]}
                break
    return found


def _key(line: _Line) -> tuple:
    return tuple(sorted(line.cells.items()))


def _is_amount(row: _Row) -> bool:
    values = [t for line in row.lines for c, t in line.cells.items() if c]
    return len(values) <= 1 and all(_is_data(t) for t in values)


def _header(body: list[_Line]) -> tuple[list[_Line], list[_Line]]:
    """The header lines of a year table (years in two or more columns, no data), and the rest."""
    end, years = 0, set()
    for k, line in enumerate(body):
        values = line.values
        if any(_is_data(t) for t in values.values()):
            break
        name = line.name
        if not values:
            previous = next((x.name for x in reversed(body[:k]) if x.name), None)
            if not (name and previous and continues(previous, name)):
                break
        if k and line.gap:
            break
        years |= {c for c, t in values.items() if any(YEAR_TOKEN.match(w) for w in t.split())}
        end = k + 1
    if len(years) < 2:
        return [], body
    _spread_labels(body[:end])
    return body[:end], body[end:]


def _spread_labels(header: list[_Line]) -> None:
    """A column word centred over a run of year columns (``Kehys`` under ``2025 2026 2027``) stands
    in the middle one: it is also the label of the columns beside it, as many on each side, that
    have a year and nothing else."""
    bare = {
        c
        for line in header
        for c in line.values
        if all(YEAR_TOKEN.match(w) for x in header for w in x.cells.get(c, "").split())
    }
    for line in header:
        for c, text in list(line.values.items()):
            if any(YEAR_TOKEN.match(w) for w in text.split()):
                continue
            reach = 0
            while c - reach - 1 in bare and c + reach + 1 in bare:
                reach += 1
            for k in range(1, reach + 1):
                line.cells[c - k] = line.cells[c + k] = text


def _widths(body: list[_Line]) -> dict[int, int]:
    widths: dict[int, int] = {}
    for line in body:
        for c, t in line.cells.items():
            widths[c] = max(widths.get(c, 0), len(t))
    return widths


def _partial(line: _Line) -> bool:
    return line.name is None or not line.values


def _top_aligned(body: list[_Line]) -> bool:
    """Whether the table's cells are set to the top: its wrapped names and cells go on below their
    first line rather than above their last (ties: top, as word processors set them)."""
    top = bottom = 0
    for upper, lower in itertools.pairwise(body):
        if lower.gap or _partial(upper) == _partial(lower):
            continue
        shared = [c for c in lower.cells if c in upper.cells]
        if not any(continues(upper.cells[c], lower.cells[c]) for c in shared):
            continue
        if _partial(lower):
            top += 1
        else:
            bottom += 1
    return top >= bottom


def _ended(row: _Row, column: int, following: str, widths: dict[int, int]) -> bool:
    """Whether the text of ``column`` in ``row`` ended a paragraph before ``following``: the next
    line's first word would have fit after it, with a margin for a converter that rounds a
    proportional font to character cells (a tenth of the column after a sentence end, a fifth
    without one), or ``following`` is a numbered item (``2. Valtori …``) after a line that ended
    a sentence or a parenthesis."""
    last = row.last.get(column)
    if last is None or _WRAP.search(last):
        return False
    words = following.split()
    room = widths.get(column, 0) - len(last) - 1 - len(words[0] if words else "")
    sentence = bool(_SENTENCE_END.search(last))
    if room >= widths.get(column, 0) * (SENTENCE_MARGIN if sentence else SHORT_MARGIN):
        return True
    return bool(NUMBERED.match(following)) and (sentence or last.endswith(")"))


def _starts_row(line: _Line, row: _Row, widths: dict[int, int]) -> bool:
    """Whether ``line`` opens a new row of a top-set table rather than going on with ``row``."""
    if line.gap:
        return True
    name, previous = line.name, row.name
    if any(row.holds_number(c) and _starts_data(text) for c, text in line.values.items()):
        return True
    if name and line.values and _STARTS_ANEW.match(name) and not (previous and continues(previous, name)):
        # a new row's cells start anew: a text that goes on with the row's text above is the same row
        return not any(_goes_on(row, c, text) for c, text in line.values.items())
    return any(_STARTS_ANEW.match(text) and _ended(row, c, text, widths) for c, text in line.cells.items())


def _goes_on(row: _Row, column: int, text: str) -> bool:
    """Whether ``text`` goes on with the text (not a number) that ``row`` holds in ``column``."""
    held = row.last.get(column)
    return held is not None and not _is_data(held) and not _is_data(text) and continues(held, text)


def _numbered(line: _Line) -> int | None:
    """The number of a row that opens with a numbered item and no name (``| | 2. Valtori …``)."""
    match = None if line.name or not line.values else NUMBERED.match(line.values[min(line.values)])
    return int(match.group(1)) if match else None


def _rows_top(body: list[_Line], widths: dict[int, int]) -> list[_Row]:
    rows: list[_Row] = []
    last_number = None  # the number of the last row opened by a numbered item: the next one opens the next row
    for k, line in enumerate(body):
        number = _numbered(line)
        if not rows or _starts_row(line, rows[-1], widths) or (number and number == (last_number or 0) + 1 > 1):
            rows.append(_Row().add(line))
            last_number = number or last_number
            continue
        following = body[k + 1] if k + 1 < len(body) else None
        previous = rows[-1].name
        heading = (
            line.name is not None
            and not line.values
            and _STARTS_ANEW.match(line.name)
            and regex.search(r"\p{L}{2}", line.name)  # "4.20.28.70.22." ends a name, it heads nothing
            and not (previous and continues(previous, line.name))
            and following is not None
            and following.values
            and _starts_row(following, _Row().add(line), widths)
        )
        if heading:
            rows.append(_Row().add(line))  # a sub-heading: a name alone between rows
        else:
            rows[-1].add(line)
    return rows


def _rows_bottom(body: list[_Line]) -> list[_Row]:
    """Rows of a bottom-set table: a row ends on the line with its name's last line and its values;
    lines above it go with it when they go on into it, else they are sub-headings."""
    rows: list[_Row] = []
    pending: list[_Line] = []
    for line in body:
        if line.gap and pending:
            rows.extend(_headings(pending))
            pending = []
        if line.name is None or not line.values:
            pending.append(line)
            continue
        own: list[_Line] = []
        head = line.name
        while pending:
            upper = pending[-1]
            if upper.name is None:  # a value cell wrapped above its last line
                own.insert(0, pending.pop())
            elif continues(upper.name, head):
                own.insert(0, pending.pop())
                head = upper.name
            else:
                break
        rows.extend(_headings(pending))
        pending = []
        rows.append(_Row().add_all([*own, line]))
    rows.extend(_headings(pending))
    return rows


def _headings(lines: list[_Line]) -> list[_Row]:
    """Lines with no values between rows: sub-headings, each perhaps wrapped over lines."""
    groups: list[_Row] = []
    for line in lines:
        if groups and not line.gap and continues(groups[-1].name or "", line.name or ""):
            groups[-1].add(line)
        else:
            groups.append(_Row().add(line))
    return groups


def _trim(rows: list[_Row], top: bool) -> list[_Row]:
    """The rows up to the last one with values; what follows it is text, unless (in a top-set
    table) it goes on with that row."""
    last = max((k for k, row in enumerate(rows) if row.has_values), default=-1)
    kept = rows[: last + 1]
    if not top or last < 0:
        return kept
    tail = rows[last]
    for row in rows[last + 1 :]:
        for line in row.lines:
            name, previous = line.name or "", tail.name
            if line.gap or line.values or FOOTNOTE_LINE.match(name) or not (previous and continues(previous, name)):
                return kept
            tail.add(line)
    return kept


def _cells(row: list[_Line], columns: int, lines: list[SourceLine]) -> list[Cell]:
    cells = []
    for c in range(columns):
        parts = [(line.cells[c], lines[line.index].number) for line in row if c in line.cells]
        number = parts[0][1] if parts else lines[row[0].index].number
        cells.append(Cell(lines=[text for text, _ in parts], prov=Provenance(line=number)))
    return cells


def _caption(lines: list[SourceLine], first: int, taken: set[int]) -> int | None:
    """The line right above a table that names it: short, no sentence, not the end of a paragraph
    that wraps into it."""
    j = first - 1
    if j < 0 or j in taken:
        return None
    text = lines[j].text
    if len(text) > 150 or _CAPTION_STOP.search(text) or FOOTNOTE_LINE.match(text) or _LIST_START.match(text):
        return None
    if not text[:1].isupper():
        return None
    if j > 0 and j - 1 not in taken and not lines[j].after_break and continues(lines[j - 1].text, text):
        return None
    return j
