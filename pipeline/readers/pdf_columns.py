"""The columns of a region of text lines, from how their words align across rows.

A table without rules shows its columns only by where its texts stand. With cell padding, cells
stand far apart and a wide gap on one line tells a cell from the next; without it they stand one
space apart, or touch where a wrapped line fills its cell (``Uusi mittari, ei`` beside ``Uusi``),
and no gap on one line can tell. What tells is the region as a whole:

1. **Segments.** Each line is cut where a gap is clearly wider than a word space (``GAP_EM`` of the
   font size). Such a gap is evidence on its own. A header's row of years is cut at each year
   (``2026 2027`` one space apart over values aligned right; ``2027arviotavoite``, a year touching the
   next cell, is two words): every year labels a column of its own.
2. **Anchors** (``anchors``). A column's cells start at one x, row after row (left-aligned text;
   producers place them exactly). A strong edge is a segment's start after a wide gap or an indented
   line's start (the first column empty); an anchor is where two lines put strong edges that say
   different things (a ``-`` under a ``-`` may be aligned right) and no more lines flow across than
   put an edge there (an x inside a column of wrapped text is crossed by most of its lines); or, in
   a group with wide gaps at all, where three rows put a word's start within ``WEAK_ALIGN`` and no
   line flows across (cells one space apart). Rows that say the same count once, and a thousands
   group (``102 977``) only beside a label starting there. No column starts inside a year of the row
   of years (right-aligned values of one width start at one x too). Lines are cut where a word starts
   at an anchor; a header's label lines are not (see ``pipeline.readers.pdf_header``).
3. **Columns** (``find_columns``, ``columns_from``) are the union of the x-intervals of the segments
   that flow across no anchor, the years first, then the rows of values, then the rest; a segment over
   two columns found before it does not count (values one space apart, a label spanning years). The
   header's labels are no evidence at all: they span columns and reach into gutters.
4. **Placing a line** (``place``): each segment goes to the column it stands in; one in a gutter
   goes to the nearer column, never to the right of a column whose cells end at one x (numbers
   aligned right). A segment that reaches over a gutter is cut there when the cut is borne out: a
   piece starts where its column's cells start, or ends where they end (``419 078 454 652`` is two
   cells), or both pieces are numbers (not the two groups of ``419 078``); inside a word (cells that
   touch) only where the next column's cells start row after row, or where a letter ends where the
   column's cells end (``Taulukko 7Taulukko 7``, aligned right). A line that cannot be placed is prose.
5. **Merging** (``merge_apart``). Two neighbouring columns that never hold text on the same line are
   one column: a right-aligned ``-`` under a centred ``talous-arvio-tavoite`` does not overlap it, nor
   values aligned right the year centred over them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import regex

GAP_EM = 0.75  # a gap wider than this share of the font size separates two cells by itself
SPACE_EM = 0.25  # the width of a word space, as a share of the font size
WORD_TOLERANCE = 3.0  # pdfplumber's x_tolerance: a wider gap between two characters is a space
BULLET_TAB_EM = 3.0  # a bullet or list number this close before text is a list item's, not a cell
ALIGN = 0.6  # points: edges this close stand in one line (a producer places a column's cells at one x)
WEAK_ALIGN = 0.3  # points: edges after a word space must align this closely to make a column
EDGE = 0.5  # points: a segment must reach this far into a column to stand in it

_BULLET = regex.compile(r"^(?:[•▪◦●○■□–\-*]|\d{1,2}[.)])$")
_NUMBER = regex.compile(r"^(?:[-−–+]?\d[\d,.]*\s*%?|[-–—]|tbd)$", regex.I)
_YEAR = regex.compile(r"^(?:19|20)\d\d$")
_VALUE = regex.compile(r"^(?!(?:19|20)\d\d$)[-−–+]?\d[\d\s,.]*%?$")  # a number that is no year
_GROUP = regex.compile(r"^\d{3}(?:[,.]\d+)?\s*%?$")  # "078" after "419 ": a thousands group
_LEADING_GROUP = regex.compile(r"^[-−–+]?\d{1,3}$")

Interval = tuple[float, float]


@dataclass
class Word:
    """A word with the x-extent of each of its letters (to cut between cells that touch). Its extent is
    read once, when asked first: the letters are complete by then (columns ask for it many times)."""

    text: str
    letters: list[tuple[float, float]]

    @cached_property
    def x0(self) -> float:
        return self.letters[0][0]

    @cached_property
    def x1(self) -> float:
        return max(x1 for _, x1 in self.letters)


@dataclass
class Segment:
    """Words of one line that stand together: one cell's text on that line."""

    words: list[Word]
    top: float
    bottom: float

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def head_width(self) -> float:
        return self.words[0].x1 - self.words[0].x0


@dataclass
class Line:
    index: int  # in the page's list of text lines
    top: float
    bottom: float
    size: float
    text: str
    segments: list[Segment]
    cells: dict[int, Segment] = field(default_factory=dict)  # by column, once placed; a span fills several

    @property
    def x0(self) -> float:
        return self.segments[0].x0

    @property
    def x1(self) -> float:
        return self.segments[-1].x1

    @property
    def multi(self) -> bool:
        return len(self.segments) >= 2

    @property
    def words(self) -> list[Word]:
        return [word for segment in self.segments for word in segment.words]

    def spans(self) -> set[int]:
        """Columns whose cell is a segment spanning several columns."""
        counts = Counter(id(segment) for segment in self.cells.values())
        return {column for column, segment in self.cells.items() if counts[id(segment)] > 1}


# --- lines --------------------------------------------------------------------------------------


def _words(raw: dict) -> list[Word]:
    """The words of a line as pdfplumber split them: ``text`` has one character per entry of
    ``chars`` (a ligature's char twice) and a space between words."""
    chars, text = raw["chars"], raw["text"]
    words: list[Word] = []
    index = 0
    current: list[str] = []
    letters: list[tuple[float, float]] = []
    for letter in text:
        if letter.isspace():
            if current:
                words.append(Word("".join(current), letters))
                current, letters = [], []
            continue
        if index >= len(chars):
            return _words_by_gaps(chars)
        ch = chars[index]
        index += 1
        current.append(letter)
        letters.append((ch["x0"], ch["x1"]))
    if current:
        words.append(Word("".join(current), letters))
    return words if index == len(chars) else _words_by_gaps(chars)


def _words_by_gaps(chars: list[dict]) -> list[Word]:
    """Words by pdfplumber's own rule (a gap over ``x_tolerance``), if the text does not map."""
    words: list[Word] = []
    previous: dict | None = None
    for ch in chars:
        if ch["text"].isspace():
            previous = None
            continue
        if previous is not None and words and previous["x0"] <= ch["x0"] <= previous["x1"] + WORD_TOLERANCE:
            words[-1].text += ch["text"]
            words[-1].letters.append((ch["x0"], ch["x1"]))
        else:
            words.append(Word(ch["text"], [(ch["x0"], ch["x1"])]))
        previous = ch
    return words


def parse_line(index: int, raw: dict) -> Line | None:
    """A text line (pdfplumber's ``extract_text_lines`` with chars) cut into segments at wide gaps."""
    solid = [c for c in raw["chars"] if not c["text"].isspace()]
    words = _unglue(_words(raw))
    if not solid or not words:
        return None
    size = Counter(round(c["size"], 1) for c in solid).most_common(1)[0][0]
    top, bottom = raw["top"], raw["bottom"]
    segments = [Segment([words[0]], top, bottom)]
    for word in words[1:]:
        if word.x0 - segments[-1].x1 > GAP_EM * size:
            segments.append(Segment([word], top, bottom))
        else:
            segments[-1].words.append(word)
    if (
        len(segments) >= 2
        and len(segments[0].words) == 1
        and _BULLET.match(segments[0].text)
        and segments[1].x0 - segments[0].x1 <= BULLET_TAB_EM * size
    ):
        segments[0].words.extend(segments.pop(1).words)  # "•<tab>text", "1.<tab>text"
    if _years_only(words):
        segments = _each_year(segments)
    return Line(index, top, bottom, size, raw["text"], segments)


def _years_only(words: list[Word]) -> bool:
    """Whether the words hold a run of two or more years and no number after it (``… (1000 euroa) 2022
    2023 2024``, ``2026 2027 arvio-``): a header's row of years."""
    texts = [word.text for word in words]
    first = next((i for i, text in enumerate(texts) if _YEAR.match(text)), len(texts))
    run = first
    while run < len(texts) and _YEAR.match(texts[run]):
        run += 1
    return run - first >= 2 and not any(_NUMBER.match(text) for text in texts[run:])


_GLUED_YEAR = regex.compile(r"^((?:19|20)\d\d)(?=\p{L})")


def _unglue(words: list[Word]) -> list[Word]:
    """A year followed by a letter without a space is two cells that touch (``2027arviotavoite``,
    ``2022Arvio``): the year is a word of its own."""
    found: list[Word] = []
    for word in words:
        match = _GLUED_YEAR.match(word.text)
        if match:
            cut = match.end()
            found.append(Word(word.text[:cut], word.letters[:cut]))
            found.append(Word(word.text[cut:], word.letters[cut:]))
        else:
            found.append(word)
    return found


def _each_year(segments: list[Segment]) -> list[Segment]:
    """A row of years cut at each year: every year labels a column of its own, however close the next
    (``2026 2027`` one space apart over values aligned right)."""
    cut: list[Segment] = []
    for segment in segments:
        before: list[Word] = []
        for word in segment.words:
            if _YEAR.match(word.text):
                if before:
                    cut.append(Segment(before, segment.top, segment.bottom))
                    before = []
                cut.append(Segment([word], segment.top, segment.bottom))
            else:
                before.append(word)
        if before:
            cut.append(Segment(before, segment.top, segment.bottom))
    return cut


# --- anchors ------------------------------------------------------------------------------------


Edge = tuple[float, int, int, str]  # x, line, kind, the text that tells rows apart
STRONG, WEAK, GROUP = 2, 1, 0


def _clusters(points: list[Edge]) -> list[list[Edge]]:
    """Edges grouped where each stands within ``ALIGN`` of the one before."""
    found: list[list[Edge]] = []
    for point in sorted(points):
        if found and point[0] - found[-1][-1][0] <= ALIGN:
            found[-1].append(point)
        else:
            found.append([point])
    return found


def anchors(lines: list[Line]) -> list[float]:
    """Where cells start, row after row.

    A strong edge is a segment's start after a wide gap or an indented line's start (the first column
    empty); a weak one, any other word's start. An anchor is an x where two lines put a strong edge
    (or one strong and one weak, within ``WEAK_ALIGN``) and no more lines flow across it than put an
    edge there (an x inside a column of wrapped text is crossed by most of its lines); or, in a group
    that has wide gaps at all, where three lines put an edge within ``WEAK_ALIGN`` and no line flows
    across. Edges that say the same count once: a "-"
    under a "-" may be aligned right, and four years of one target align by their words, not by a
    column."""
    left = min(line.x0 for line in lines)
    tabular = any(line.multi for line in lines)
    points: list[Edge] = []
    for number, line in enumerate(lines):
        for position, segment in enumerate(line.segments):
            for index, word in enumerate(segment.words):
                if not index:
                    if position > 0 or line.x0 > left + ALIGN:
                        # a strong edge counts by what starts there ("-" under "-" may be aligned right)
                        points.append((word.x0, number, STRONG, segment.text))
                elif tabular:
                    # a weak one by what stands before it; a thousands group ("102 977") only beside a
                    # strong edge: digits are all as wide, so groups align row after row by themselves
                    kind = GROUP if _continues_number(segment.words[index - 1], word, line.size) else WEAK
                    points.append((word.x0, number, kind, " ".join(w.text for w in segment.words[:index])))
    found = []
    for cluster in _clusters(points):
        starting = {number for _, number, _, _ in cluster}
        # rows that say the same (four years of one target) align by their words, not by a column
        strong = len({key for _, _, kind, key in cluster if kind == STRONG})
        labels = any(kind == STRONG and not _VALUE.match(key) for _, _, kind, key in cluster)
        # a thousands group counts beside a label only ("2024 TA" over "102 977 111 664"); beside a
        # number it is that number's like, aligned right
        keys = {(kind == STRONG, key) for _, _, kind, key in cluster if kind != GROUP or labels}
        weak = len({(kind == STRONG, key) for _, _, kind, key in cluster if kind != GROUP})
        at = min(x for x, _, _, _ in cluster)
        crossing = sum(1 for number, line in enumerate(lines) if number not in starting and crosses(line, at))
        exact = max(x for x, _, _, _ in cluster) - at <= WEAK_ALIGN
        if (strong >= 2 or (strong and len(keys) >= 2 and exact)) and crossing <= len(keys):
            found.append(at)
        elif weak >= 3 and not crossing and exact:
            found.append(at)  # cells one space apart: exactly aligned, and nothing flows across
    return found


def _continues_number(before: Word, word: Word, size: float) -> bool:
    """Whether ``word`` is the next thousands group of a number (``419 078``, ``-1 234,5``)."""
    return bool(_LEADING_GROUP.match(before.text) and _GROUP.match(word.text) and word.x0 - before.x1 <= 0.4 * size)


def _split_word(word: Word, at: float) -> tuple[Word, Word] | None:
    """The word cut before its first letter starting at ``at`` (within ``ALIGN``), if any."""
    for position in range(1, len(word.letters)):
        start = word.letters[position][0]
        if abs(start - at) <= ALIGN and word.letters[position - 1][1] <= start + ALIGN:
            return (
                Word(word.text[:position], word.letters[:position]),
                Word(word.text[position:], word.letters[position:]),
            )
    return None


def _split_word_after(word: Word, at: float) -> tuple[Word, Word] | None:
    """The word cut after its first letter ending at ``at`` (within ``ALIGN``), if any."""
    for position in range(1, len(word.letters)):
        end = word.letters[position - 1][1]
        if abs(end - at) <= ALIGN and word.letters[position][0] >= end - ALIGN:
            return (
                Word(word.text[:position], word.letters[:position]),
                Word(word.text[position:], word.letters[position:]),
            )
    return None


def _cut_at(line: Line, at: float) -> bool:
    """Cut the line's segment that flows over ``at`` where a word starts there."""
    for number, segment in enumerate(line.segments):
        if not segment.x0 + ALIGN < at < segment.x1:
            continue
        for position, word in enumerate(segment.words):
            if position and abs(word.x0 - at) <= ALIGN:
                line.segments[number : number + 1] = [
                    Segment(segment.words[:position], segment.top, segment.bottom),
                    Segment(segment.words[position:], segment.top, segment.bottom),
                ]
                return True
        return False
    return False


def crosses(line: Line, at: float) -> bool:
    """Whether the line flows across ``at``: a segment reaches over it and no word starts there."""
    return any(_flows_over(segment, at) for segment in line.segments)


def _flows_over(segment: Segment, at: float) -> bool:
    return segment.x0 + ALIGN < at < segment.x1 - ALIGN and not any(abs(w.x0 - at) <= ALIGN for w in segment.words)


# --- columns ------------------------------------------------------------------------------------


def union(intervals: list[Interval]) -> list[Interval]:
    """Overlapping intervals joined; two that only touch (by less than ``EDGE``: the letters of cells
    that touch, ``3,5Hallinnon``) stay apart."""
    merged: list[Interval] = []
    for x0, x1 in sorted(intervals):
        if merged and x0 < merged[-1][1] - EDGE:
            merged[-1] = (merged[-1][0], max(merged[-1][1], x1))
        else:
            merged.append((x0, x1))
    return merged


def find_columns(lines: list[Line], labels: set[int] = frozenset()) -> list[Interval]:
    """Columns of a group of lines: cut the lines at its anchors, then the union of the segments that
    flow across no anchor, of the lines that stand in two or more segments or start at an anchor (a
    cell's wrapped line, the first column empty), but for segments that reach over two columns of the
    rows of values. A header's label lines (``labels``, indexes) show where cells start, but
    their extent is no column's: a label spans columns, reaches into gutters."""
    years = [s for line in lines if _years_only(line.words) for s in line.segments if _YEAR.match(s.text)]
    # no column starts inside a year of the header's row of years (values of one width aligned right
    # start at one x too)
    points = [at for at in anchors(lines) if not any(_flows_over(year, at) for year in years)]
    for index, line in enumerate(lines):
        for at in points if index not in labels else ():
            _cut_at(line, at)
    rows = [
        [segment for segment in line.segments if not any(_flows_over(segment, at) for at in points)]
        for index, line in enumerate(lines)
        if index not in labels and (line.multi or any(abs(line.x0 - at) <= ALIGN for at in points))
    ]
    return columns_from(rows)


def _year(segment: Segment) -> bool:
    return bool(_YEAR.match(segment.text))


def _value(text: str) -> bool:
    return bool(_VALUE.match(text)) or text in ("-", "–", "—")


def columns_from(rows: list[list[Segment]]) -> list[Interval]:
    """The union of the segments' x-intervals: the header's years first (one column each), then the rows
    of values (numbers, not years), then the rest; a segment that reaches over two of the columns found
    before it does not count (values one space apart, ``105 106``, or a label spanning years)."""
    years = union(
        [(s.x0, s.x1) for row in rows if _years_only([w for s in row for w in s.words]) for s in row if _year(s)]
    )
    values = [
        (s.x0, s.x1)
        for row in rows
        if sum(1 for s in row if _value(s.text)) >= 2
        for s in row
        if sum(1 for column in years if _reaches(s, column)) < 2
    ]
    found = union(years + values)
    others = [(s.x0, s.x1) for row in rows for s in row if sum(1 for column in found if _reaches(s, column)) < 2]
    return union(found + others)


def _reaches(segment: Segment, column: Interval, anchored: bool = False) -> bool:
    """Whether the segment stands in the column: it overlaps it by more than ``EDGE``, and by a fifth
    of its own width or half the column's (a centred header word may graze the column beside it), or
    a letter of it starts where the column's cells start row after row (``anchored``: a cell that
    touches the one before)."""
    overlap = min(segment.x1, column[1]) - max(segment.x0, column[0])
    if overlap <= EDGE:
        return False
    if overlap >= min(0.2 * (segment.x1 - segment.x0), 0.5 * (column[1] - column[0])):
        return True
    if column[0] <= segment.x0 < column[1] - EDGE:
        return True  # it starts in the column (``3,5`` touching ``Hallinnon`` in the next one)
    return anchored and any(abs(x0 - column[0]) <= ALIGN for word in segment.words for x0, _ in word.letters)


def column_of(segment: Segment, columns: list[Interval], aligned: Alignment | None = None) -> int | list[int]:
    """The column a segment stands in; the columns it reaches into when it crosses a gutter."""
    touched = [
        i for i, column in enumerate(columns) if _reaches(segment, column, aligned is not None and i in aligned.starts)
    ]
    if len(touched) > 1:
        return touched
    if touched:
        return touched[0]
    # In a gutter: not right of a column whose cells end at one x (aligned right), else the nearer
    # column (a centred label, a right-aligned "-").
    left = [i for i, (x0, _) in enumerate(columns) if x0 <= segment.x0]
    if not left:
        return 0
    index = left[-1]
    if index + 1 < len(columns):
        if aligned is not None and index in aligned.ends and segment.x0 > aligned.ends[index] + ALIGN:
            return index + 1
        if columns[index + 1][0] - segment.x1 < segment.x0 - columns[index][1]:
            return index + 1
    return index


@dataclass
class Alignment:
    """Where a region's columns hold their cells: ``starts``, the columns whose cells start at one x
    row after row (aligned left); ``ends``, the columns whose cells end at one x (aligned right) and
    that x."""

    starts: set[int] = field(default_factory=set)
    ends: dict[int, float] = field(default_factory=dict)


def alignments(lines: list[Line], columns: list[Interval]) -> Alignment:
    """How the columns align, from the segments that stand in one column each; where a segment stands
    over several (cells one space apart), the end of its last word in each of them."""
    x0s: dict[int, list[float]] = {}
    x1s: dict[int, list[float]] = {}
    for line in lines:
        for segment in line.segments:
            where = column_of(segment, columns)
            if isinstance(where, int) and _reaches(segment, columns[where]):
                x0s.setdefault(where, []).append(segment.x0)
                x1s.setdefault(where, []).append(segment.x1)
            elif isinstance(where, list):
                last: dict[int, float] = {}
                for word in segment.words:
                    for column in where:
                        if columns[column][0] < word.x1 <= columns[column][1] + ALIGN:
                            last[column] = max(last.get(column, word.x1), word.x1)
                for column, x1 in last.items():
                    x1s.setdefault(column, []).append(x1)
    aligned = Alignment()
    for column, xs in x1s.items():
        edge = max(xs)
        if sum(1 for x in xs if edge - x <= ALIGN) >= 2:
            aligned.ends[column] = edge
    for column, xs in x0s.items():
        if sum(1 for x in xs if abs(x - columns[column][0]) <= ALIGN) >= 2:
            aligned.starts.add(column)
    return aligned


def _gutter_cut(
    segment: Segment, left: Interval, right: Interval, start: bool, end: float | None
) -> tuple[int, int] | None:
    """Where to cut ``segment`` in the gutter between columns ``left`` and ``right``: (word, letters
    of it to the left). A cut must be borne out: between words, in a gap overlapping the gutter, where
    the right piece starts at the right column's edge or the left piece ends at the left one's (cells
    aligned right), or between two numbers (not in ``419 078``); inside a word (cells that touch),
    where a letter starts at the right column's edge when its cells start there row after row
    (``start``), or where a letter ends where the left column's cells end (``end``: aligned right,
    ``Taulukko 7Taulukko 7``)."""
    gutter = (left[1] - ALIGN, right[0] + ALIGN)
    best: tuple[float, int] | None = None
    for position in range(1, len(segment.words)):
        before, after = segment.words[position - 1], segment.words[position]
        if after.x0 < gutter[0] or before.x1 > gutter[1]:
            continue
        aligned = abs(after.x0 - right[0]) <= ALIGN or abs(before.x1 - left[1]) <= ALIGN
        grouped = bool(_LEADING_GROUP.match(before.text) and _GROUP.match(after.text))
        numbers = bool(_NUMBER.match(before.text) and _NUMBER.match(after.text)) and not grouped
        if aligned or numbers:
            rank = (0.0 if aligned else 1.0) + abs(after.x0 - right[0]) / 1000
            if best is None or rank < best[0]:
                best = (rank, position)
    if best is not None:
        return best[1], 0
    for position, word in enumerate(segment.words):
        pieces = _split_word(word, right[0]) if start and word.x0 < right[0] < word.x1 else None
        if pieces is None and end is not None and word.x0 < end < word.x1:
            pieces = _split_word_after(word, end)
        if pieces is not None:
            return position, len(pieces[0].text)
    return None


def _cut(segment: Segment, touched: list[int], columns: list[Interval], aligned: Alignment) -> list[Segment] | None:
    """The segment cut in every gutter it reaches over, or None; inside a word only where ``aligned``
    bears it out."""
    pieces: list[Segment] = []
    rest = segment
    for column in touched[:-1]:
        found = _gutter_cut(
            rest, columns[column], columns[column + 1], column + 1 in aligned.starts, aligned.ends.get(column)
        )
        if found is None:
            return None
        position, letter = found
        if letter:
            word = rest.words[position]
            head = Word(word.text[:letter], word.letters[:letter])
            tail = Word(word.text[letter:], word.letters[letter:])
            left_words, right_words = [*rest.words[:position], head], [tail, *rest.words[position + 1 :]]
        else:
            left_words, right_words = rest.words[:position], rest.words[position:]
        pieces.append(Segment(left_words, rest.top, rest.bottom))
        rest = Segment(right_words, rest.top, rest.bottom)
    pieces.append(rest)
    return pieces


def place(line: Line, columns: list[Interval], *, inside: bool = False, aligned: Alignment | None = None) -> bool:
    """Put the line's segments into columns (two in one column are one cell); False if it is prose.

    A segment over a gutter is cut there (see ``_cut``; inside a word only in a line of cells, or one
    ``inside`` a table, between two lines of it). A header's labels, which may span columns, are put
    over them by ``pipeline.readers.pdf_header``."""
    cells: dict[int, Segment] = {}
    for segment in line.segments:
        where = column_of(segment, columns, aligned)
        if isinstance(where, int):
            placed = [(where, segment)]
        else:
            touching = aligned if aligned is not None and (line.multi or inside) else Alignment()
            pieces = _cut(segment, where, columns, touching)
            if pieces is None:
                return False
            placed = []
            for piece in pieces:
                column = column_of(piece, columns, aligned)
                if not isinstance(column, int):
                    return False
                placed.append((column, piece))
        for column, piece in placed:
            if column in cells:
                cells[column] = Segment(cells[column].words + piece.words, line.top, line.bottom)
            else:
                cells[column] = piece
    line.cells = cells
    return True


def merge_apart(lines: list[Line], columns: list[Interval]) -> list[Interval]:
    """Neighbouring columns that never hold text on the same line, as one column (a cell spanning both
    does not keep them apart: centred ``2025`` and right-aligned values under one label stand apart)."""
    merged = list(columns)
    index = 0
    while index < len(merged) - 1:
        together = any(
            index in line.cells and index + 1 in line.cells and line.cells[index] is not line.cells[index + 1]
            for line in lines
        )
        if together or not any(index in line.cells for line in lines):
            index += 1
            continue
        merged[index : index + 2] = [(merged[index][0], merged[index + 1][1])]
        for line in lines:
            line.cells = {(c - 1 if c > index else c): s for c, s in line.cells.items()}
    return merged
