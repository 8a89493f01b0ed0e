"""The header of a table without vertical rules: which lines are labels, and which columns each label names.

A header printed over two rows puts its labels once over the years they cover (``Alustava tavoite`` over
``2025 2026 2027``, ``Kehys`` under the last three). Where such a label stands says little about the
columns: centred, it reaches into the gutters; left-aligned without cell padding, its second word may start
exactly where the next year's column starts; in a narrow column it touches its neighbour. So the labels are
no evidence for the columns: the columns come from the rows of values and the years
(``label_lines`` names the lines to leave out), and each label is then given the columns it stands over.

A label line is cut into labels where a gap is wider than a word space, and at a word space only where the
next word opens a label of its own: it starts with a capital letter or a digit (``Toteuma Arvio``; a
lowercase word goes on with the label before it: ``Alustava tavoite``) and stands over other columns than
the words before it. A label names the columns whose text it overlaps; one that overlaps the first column
(the row names) and others is a title or prose, not a header. How far a label printed once reaches over
the years beside it is decided afterwards (``spread_labels``), when the years under or over it are known.
"""

from __future__ import annotations

from collections.abc import Callable

import regex

from pipeline.readers.pdf_columns import ALIGN, EDGE, Alignment, Interval, Line, Segment, Word, column_of

_YEAR = regex.compile(r"^(?:19|20)\d\d$")
_YEAR_IN = regex.compile(r"(?<![\d.,])(?:19|20)\d\d(?![\d.,])")
_VALUE = regex.compile(r"^(?:(?!(?:19|20)\d\d$)[-−–+]?\d[\d,.]*%?|[-–—])$")  # a number that is no year, a dash
_OPENS = regex.compile(r"^[\p{Lu}\d]")


def _years(line: Line) -> int:
    return sum(1 for word in line.words if _YEAR.match(word.text))


def _has_value(line: Line, left: float) -> bool:
    """A value beside the row's name (a number, or a dash for none), or a year opening the line at the
    left edge (a goal table's row)."""
    return _opens_with_year(line, left) or any(_VALUE.match(w.text) for w in line.words[1:])


def _opens_with_year(line: Line, left: float) -> bool:
    return line.x0 <= left + EDGE and bool(_YEAR.match(line.segments[0].words[0].text))


def label_lines(lines: list[Line]) -> set[int]:
    """Indexes (in ``lines``, read before they are cut at columns) of the header lines that hold labels
    only: next to a line naming two or more years (``2022 2023 …``; a year at the left edge opens a goal
    table's row), with no year and no value of their own, in cells (a line of one piece from the left
    edge is prose: the paragraph above the table)."""
    left = min(line.x0 for line in lines)
    found: set[int] = set()
    for index, line in enumerate(lines):
        if _years(line) < 2 or _has_value(line, left):
            continue
        for step in (-1, 1):
            other = index + step
            while 0 <= other < len(lines) and not _has_value(lines[other], left) and not _years(lines[other]):
                candidate = lines[other]
                if not candidate.multi and candidate.x0 <= left + EDGE:
                    break
                if not _YEAR_IN.search(candidate.text):
                    found.add(other)
                other += step
    return found


def _overlap(segment: Segment, column: Interval) -> float:
    return min(segment.x1, column[1]) - max(segment.x0, column[0])


def _covers(segment: Segment, columns: list[Interval]) -> set[int]:
    return {i for i, column in enumerate(columns) if _overlap(segment, column) > EDGE}


def _touching(word: Word, columns: list[Interval]) -> list[Word]:
    """A word cut where a capital starts a column's cells after a small letter: two labels that touch
    (``ToteumaArvio`` in cells without padding)."""
    starts = [x0 for x0, _ in columns]
    pieces: list[Word] = []
    begin = 0
    for position in range(1, len(word.letters)):
        x0 = word.letters[position][0]
        camel = word.text[position].isupper() and word.text[position - 1].islower()
        if camel and any(abs(x0 - start) <= ALIGN for start in starts):
            pieces.append(Word(word.text[begin:position], word.letters[begin:position]))
            begin = position
    pieces.append(Word(word.text[begin:], word.letters[begin:]))
    return pieces


def _labels(line: Line, columns: list[Interval], years: set[int]) -> list[Segment]:
    """The line's labels: its segments, cut at a word space before a word that opens a label of its own
    (capital or digit, over other columns than the label so far), or that would carry a label over the
    years into a column that names no year."""
    found: list[Segment] = []
    for segment in line.segments:
        words = [piece for word in segment.words for piece in _touching(word, columns)]
        current = Segment([words[0]], segment.top, segment.bottom)
        for word in words[1:]:
            alone = Segment([word], segment.top, segment.bottom)
            here, there = _covers(current, columns), _covers(alone, columns)
            apart = bool(here) and bool(there) and not here & there
            mixed = bool(here & years) != bool(there & years) and bool(here) and bool(there)
            if apart and (_OPENS.match(word.text) or mixed):
                found.append(current)
                current = alone
            else:
                current.words.append(word)
        found.append(current)
    return found


def place_labels(line: Line, columns: list[Interval], years: set[int], aligned: Alignment | None = None) -> bool:
    """Put a label line's labels over the columns they overlap (a label over several is one cell spanning
    them); False if a label stands over the row names and other columns (a title, prose)."""
    cells: dict[int, Segment] = {}
    for label in _labels(line, columns, years):
        covered = sorted(_covers(label, columns))
        if not covered:
            where = column_of(label, columns, aligned)
            covered = [where] if isinstance(where, int) else list(where)
        if 0 in covered and len(covered) > 1:
            return False
        for column in covered:
            if column in cells:
                if len(covered) > 1 or any(cells[column] is cells[c] for c in cells if c != column):
                    return False  # a spanning label shares its columns with nothing
                cells[column] = Segment(cells[column].words + label.words, line.top, line.bottom)
            else:
                cells[column] = label
    line.cells = cells
    return True


def header_of(lines: list[Line], data: Callable[[Line], bool]) -> list[Line]:
    """The leading lines before the first with values."""
    header: list[Line] = []
    for line in lines:
        if data(line):
            break
        header.append(line)
    return header


def _left_aligned(header: list[Line], starts: set[int]) -> set[int]:
    """The columns over which a label may stand left-aligned: all the value columns if the header's labels
    over one column start where the year in that column starts (a header set left-aligned), none if they
    do not; without such labels, the columns whose values start at one x (``starts``)."""
    years: dict[int, float] = {}
    for line in header:
        for column, segment in line.cells.items():
            if _YEAR.match(segment.text):
                years[column] = segment.x0
    verdicts = []
    for line in header:
        counts: dict[int, int] = {}
        for segment in line.cells.values():
            counts[id(segment)] = counts.get(id(segment), 0) + 1
        for column, segment in line.cells.items():
            if column and column in years and counts[id(segment)] == 1 and not _YEAR_IN.search(segment.text):
                verdicts.append(abs(segment.x0 - years[column]) <= ALIGN)
    if not verdicts:
        return starts
    return set(years) if all(verdicts) else set()


def spread_labels(header: list[Line], columns: list[Interval], starts: set[int]) -> None:
    """A label printed once over several years (``Alustava tavoite`` over ``2025 2026 2027``, ``Kehys``
    under them) stands over each of them.

    In the header, a label without a year may stand over neighbouring columns that are empty on its line
    and labelled by a year alone on the other header lines (a column labelled ``2024 TA`` has a kind of
    its own). Which of them it covers is where it stands: centred over them, or starting where the first
    starts in a header set left-aligned (``_left_aligned``: left-aligned over a merged cell). The first
    column names the rows and takes no part."""
    lefts = _left_aligned(header, starts)
    for line in header:
        # columns labelled by a year alone on the other header lines: their kind may be this line's
        others = {
            c: " ".join(o.cells[c].text for o in header if o is not line and c in o.cells) for c in range(len(columns))
        }
        years = {c for c, text in others.items() if _YEAR.match(text)}
        held: dict[int, list[int]] = {}
        for column, segment in line.cells.items():
            held.setdefault(id(segment), []).append(column)
        for columns_held in held.values():
            first, last = min(columns_held), max(columns_held)
            segment = line.cells[first]
            if not first or _YEAR_IN.search(segment.text):
                continue
            left, right = first, last
            while left - 1 > 0 and left - 1 not in line.cells and left - 1 in years:
                left -= 1
            while right + 1 < len(columns) and right + 1 not in line.cells and right + 1 in years:
                right += 1
            if (left, right) == (first, last):
                continue
            centre = (segment.x0 + segment.x1) / 2
            fits: list[tuple[float, int, int, int]] = []
            for a in range(left, first + 1):
                for b in range(last, right + 1):
                    gap = abs(centre - (columns[a][0] + columns[b][1]) / 2)
                    if a == first and b > last and a in lefts:
                        # left-aligned over a merged cell
                        gap = min(gap, abs(segment.x0 - columns[a][0]))
                    fits.append((gap, a - b, a, b))
            # as well placed over more columns as over fewer: over more (a year column without a
            # label of its own on this line is under this one)
            best = min(gap for gap, _, _, _ in fits)
            _, _, a, b = min((fit for fit in fits if fit[0] <= best + ALIGN), key=lambda fit: (fit[1], fit[0]))
            for c in range(a, b + 1):
                line.cells[c] = segment
