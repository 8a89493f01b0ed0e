"""Tables in plain converter text, where nothing but the words says what is a table.

A PDF-to-text converter (the state budget proposal's text, ``pdftotext`` without ``-layout``)
writes a table as:

    Toiminnan menot ja tulot (1 000 euroa)       ← caption: the line above the header
    2024                                         ← header cells, one word per line
    toteutuma
    2025
    varsinainen
    talousarvio
    2026
    esitys
    Bruttomenot 437 275 418 379 406 891          ← a row: its name, then its cells
    Sähköisten tuloveroilmoitusten osuus,        ← a row name wrapped before its values
    henkilöasiakkaat, % 91 >88 >88
    Palvelukyky ja laatu                         ← a sub-heading row: no values
    1) Häiriöindeksissä painotetaan …            ← footnotes after the table

The header is found by its years: a run of lines that hold nothing but years, column words
(``toteutuma``, ``arvio``, ``varsinainen talousarvio``, ``esitys``…) and footnote marks, with two
or more years. Its columns give every row its cell count, and ``pipeline.nlp.cells`` splits each
row's numbers into that many cells. A line without cells is part of the next row's name when it
was wrapped (it ends in a hyphen, a comma, a conjunction or a converter's trailing space, or the
next line goes on in lower case or with the footnote mark alone), else a sub-heading. The table
ends at prose, at a line whose numbers are fewer than its columns with no row after it (a row
with fewer numbers inside the table is left out with a warning: the text does not say which columns
are empty), at its footnotes or at the next header.

Page breaks move rows around: rows printed at the top of a page can come out after prose, with
the table's header repeated after them. Such headerless rows continue the last table when they
fill its columns and either follow a page break or stand before that table's repeated header.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field

import regex

from pipeline.layout import Block, Cell, Provenance
from pipeline.nlp import vocab
from pipeline.nlp.cells import fewer_cells, has_cells, trailing_cells

YEAR_TOKEN = regex.compile(r"^(?:19|20)\d\d\*?$")
MARK_TOKEN = regex.compile(r"^(?:\d{1,2}\)|[¹²³⁴⁵⁶⁷⁸⁹⁰*]+)$")
FOOTNOTE_LINE = regex.compile(r"^(?:\d{1,2}\)|[¹²³⁴⁵⁶⁷⁸⁹⁰*])\s*\S")
_WRAP_END = regex.compile(r"(?:[-–/,(]|\b(?:ja|sekä|tai|eli|kuin|per|ml\.|mm\.))$", regex.I)
_SENTENCE_END = regex.compile(r"[.!?:]$")
MAX_NAME_LINES = 4  # a row name wraps over at most this many lines before its values
MAX_HEADER_LINES = 40  # a header of one word a line: six columns of "Alustava / tavoite / 2025" are 18


@dataclass
class SourceLine:
    """One line of a text file as the converter wrote it."""

    number: int  # 1-based line number in the file
    text: str  # without surrounding spaces
    wrapped: bool = False  # the converter wrapped it (a trailing space after a word)
    after_break: bool = False  # the first line after a page break


@dataclass
class Column:
    label: str
    year: bool


@dataclass
class Header:
    first: int  # index of the first header line (a name-column header, if any)
    end: int  # index after the last header line
    name_label: str
    columns: list[Column]
    caption: int | None = None  # index of the caption line

    @property
    def counts(self) -> tuple[int, ...]:
        """Cell counts a row may have: every column, or the year columns alone."""
        years = sum(1 for c in self.columns if c.year)
        return (len(self.columns),) if years == len(self.columns) else (len(self.columns), years)

    @property
    def key(self) -> tuple:
        return tuple(c.label for c in self.columns)


@dataclass
class PlainTable:
    """A table found in the text: its block, the lines it used and what to put after it."""

    header: Header
    block: Block
    caption: SourceLine | None
    consumed: set[int] = field(default_factory=set)
    footnotes: list[list[int]] = field(default_factory=list)  # line indexes of each footnote


def _tokens(text: str) -> list[str]:
    return text.split()


def _token_class(token: str) -> str | None:
    if YEAR_TOKEN.match(token):
        return "year"
    if MARK_TOKEN.match(token):
        return "mark"
    bare = regex.sub(r"(?:\d{1,2}\)|[¹²³⁴⁵⁶⁷⁸⁹⁰*])+$", "", token).lower().strip("()")
    if bare in vocab.HEADER_KIND_WORDS:
        return "kind"
    if bare in vocab.HEADER_EXTRA_WORDS:
        return "extra"
    return None


def _header_line(text: str) -> list[tuple[str, str]] | None:
    tokens = _tokens(text)
    classes = [_token_class(t) for t in tokens]
    if not tokens or any(c is None for c in classes):
        return None
    return list(zip(classes, tokens, strict=True))


def _columns(tokens: list[tuple[str, str]]) -> list[Column] | None:
    """Columns from a header's tokens, in order: year first (``2024 toteutuma``) or kind first
    (``Toteuma 2022``); words that name no kind after a column's kind open a column of their own."""
    words = [(c, regex.sub(r"(?:\d{1,2}\)|[¹²³⁴⁵⁶⁷⁸⁹⁰*])+$", "", t) if c != "year" else t) for c, t in tokens]
    words = [(c, t) for c, t in words if c != "mark" and t]
    if not words:
        return None
    paired = _paired_by_position(words)
    if paired is not None:
        return paired
    year_first = words[0][0] == "year"
    groups: list[list[tuple[str, str]]] = []
    if year_first:
        for cls, token in words:
            if cls == "year" or not groups:
                groups.append([])
            groups[-1].append((cls, token))
    else:
        current: list[tuple[str, str]] = []
        for cls, token in words:
            current.append((cls, token))
            if cls == "year":
                groups.append(current)
                current = []
        if current:
            groups.append(current)
    columns: list[Column] = []
    for group in groups:
        has_year = any(c == "year" for c, _ in group)
        main = [t for c, t in group if c in ("year", "kind")]
        extra_at = next((i for i, (c, _) in enumerate(group) if c == "extra"), None)
        if has_year and extra_at is not None and year_first:
            main = [t for c, t in group[:extra_at] if c in ("year", "kind")]
            columns.append(Column(" ".join(main), True))
            columns.append(Column(" ".join(t for _, t in group[extra_at:]), False))
            continue
        columns.append(Column(" ".join(t for _, t in group), has_year))
    if sum(1 for c in columns if c.year) < 2:
        return None
    return columns


def _paired_by_position(words: list[tuple[str, str]]) -> list[Column] | None:
    """A header written row by row (``2024 2025 2026`` over ``toteutuma arvio tavoite``, or the
    other way round): the years and the kinds pair by position."""
    classes = [c for c, _ in words]
    years = [t for c, t in words if c == "year"]
    if len(years) < 2 or classes.count("year") == len(classes):
        return None
    first_kind = next(i for i, c in enumerate(classes) if c != "year")
    last_kind = max(i for i, c in enumerate(classes) if c != "year")
    if classes[: len(years)] == ["year"] * len(years):
        kinds, years_first = words[len(years) :], True
    elif classes[last_kind + 1 :] == ["year"] * len(years) and first_kind == 0:
        kinds, years_first = words[: last_kind + 1], False
    else:
        return None
    if any(c == "year" for c, _ in kinds):
        return None
    phrases: list[str] = []
    index = 0
    while index < len(kinds):
        two = " ".join(t for _, t in kinds[index : index + 2]).lower()
        if two in vocab.HEADER_KIND_PHRASES:
            phrases.append(" ".join(t for _, t in kinds[index : index + 2]))
            index += 2
        elif kinds[index][0] == "extra" and phrases and index and kinds[index - 1][0] == "extra":
            phrases[-1] += " " + kinds[index][1]  # "osuus (%)": one column's words
            index += 1
        else:
            phrases.append(kinds[index][1])
            index += 1
    if len(phrases) not in (len(years), len(years) + 1):
        return None
    columns = [
        Column(f"{year} {kind}" if years_first else f"{kind} {year}", True)
        for year, kind in zip(years, phrases, strict=False)
    ]
    if len(phrases) > len(years):
        columns.append(Column(phrases[-1], False))
    return columns


def find_header(lines: list[SourceLine], i: int) -> Header | None:
    """The table header starting at line ``i`` (a name-column header line may come first)."""
    first = i
    name_label = ""
    if vocab.NAME_HEADERS.match(lines[i].text):
        name_label = lines[i].text
        i += 1
    tokens: list[tuple[str, str]] = []
    end = i
    while end < len(lines):
        found = _header_line(lines[end].text)
        if found is None:
            break
        if end == i and found[0][0] in ("mark", "extra"):
            return None
        if end - i >= MAX_HEADER_LINES:
            return None  # a list of years, not a header (and every line is looked at a bounded number of times)
        tokens.extend(found)
        end += 1
    if end == i or sum(1 for c, _ in tokens if c == "year") < 2:
        return None
    columns = _columns(tokens)
    if columns is None:
        return None
    return Header(first, end, name_label, columns)


def _caption(lines: list[SourceLine], header: Header, taken: set[int]) -> int | None:
    """The line above a header that names its table: short, no sentence, no cells."""
    j = header.first - 1
    while j >= 0 and MARK_TOKEN.match(lines[j].text) and j not in taken:
        j -= 1  # "Vaikuttavuus" / "1)": the caption's footnote mark on a line of its own
    if j < 0 or j in taken:
        return None
    text = lines[j].text
    if len(text) > 150 or text.endswith((".", ",", ";", ":")) or FOOTNOTE_LINE.match(text):
        return None
    if text.startswith(("—", "–", "-", "•")) or find_header(lines, j) is not None:
        return None
    if trailing_cells(text, header.counts) is not None:
        return None
    return j


def _continues(upper: SourceLine, lower_text: str) -> bool:
    """Whether a line without cells goes on in the next line (a wrapped row name)."""
    return continues(upper.text, lower_text, wrapped=upper.wrapped)


def continues(upper: str, lower: str, *, wrapped: bool = False) -> bool:
    """Whether the text ``lower`` goes on from the line ``upper`` (one wrapped name or cell): the
    upper line was wrapped or ends in a hyphen, a comma or a conjunction, or the lower one goes on
    in lower case, in parentheses or with a footnote mark alone."""
    if wrapped or _WRAP_END.search(upper):
        return True
    head = lower[:1]
    return bool(head) and (head.islower() or head in "(/" or MARK_TOKEN.match(lower.split()[0]) is not None)


def is_header_text(text: str) -> bool:
    """Whether a header cell's text holds nothing but years, column words and footnote marks."""
    return _header_line(text) is not None


def _is_prose(line: SourceLine) -> bool:
    """A line of running text, not a row name: a sentence end after several words."""
    words = line.text.split()
    return bool(_SENTENCE_END.search(line.text)) and len(words) >= 6


def _cell(text: str, line: SourceLine) -> Cell:
    return Cell(lines=[text] if text else [], prov=Provenance(line=line.number))


@dataclass
class _Body:
    """Rows being read under a header."""

    rows: list[list[Cell]] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    pending: list[int] = field(default_factory=list)  # lines without cells, not yet placed
    unread: int = 0  # cells of rows left out: seen, not placed


def _add_row(
    body: _Body, lines: list[SourceLine], index: int, name: str, cells: list[str], width: int, columns: int
) -> None:
    """A row from a line with cells, its name wrapped from the pending lines above it."""
    line = lines[index]
    name_lines: list[SourceLine] = []
    head = name
    k = len(body.pending)
    while k > 0:
        upper = lines[body.pending[k - 1]]
        if not head or _continues(upper, head):
            name_lines.insert(0, upper)
            head = upper.text
            k -= 1
        else:
            break
    for heading in _sub_headings(lines, body.pending[:k]):
        first = lines[heading[0]]
        name_cell = Cell(lines=[lines[i].text for i in heading], prov=Provenance(line=first.number))
        body.rows.append([name_cell] + [_cell("", first) for _ in range(columns)])
    texts = [x.text for x in name_lines] + ([name] if name else [])
    name_cell = Cell(lines=texts, prov=Provenance(line=(name_lines[0] if name_lines else line).number))
    values = [_cell(text, line) for text in cells] + [_cell("", line)] * (width - len(cells))
    body.rows.append([name_cell, *values])
    body.used.update(body.pending)
    body.used.add(index)
    body.pending = []


def _sub_headings(lines: list[SourceLine], indexes: list[int]) -> list[list[int]]:
    """Pending lines that are no row's name: sub-headings, each perhaps wrapped over lines."""
    groups: list[list[int]] = []
    for i in indexes:
        if groups and _continues(lines[groups[-1][-1]], lines[i].text):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _read_body(
    lines: list[SourceLine], header: Header, start: int, taken: set[int], warnings: list[str]
) -> tuple[_Body, int, list[list[int]]]:
    """Rows under a header from line ``start``; returns them, where they end, and the footnotes
    (line indexes)."""
    body = _Body()
    width = len(header.columns)
    index = start
    footnotes: list[list[int]] = []
    while index < len(lines):
        if index in taken:
            break
        line = lines[index]
        if find_header(lines, index) is not None:
            break
        if FOOTNOTE_LINE.match(line.text) and trailing_cells(line.text, header.counts) is None:
            if not body.rows:
                break
            footnotes, index = footnotes_at(lines, index, taken)
            break
        found = trailing_cells(line.text, header.counts)
        if found is None and not body.rows and not body.pending and _lone_numbers(line):
            break  # the header's cells follow one a line, column by column: no row to read
        if found is not None:
            if found.regrouped:
                warnings.append(
                    f"line {line.number}: the numbers {line.text[len(found.name) :].strip()!r} have misplaced "
                    f"spaces; read as {' | '.join(found.cells)}"
                )
            _add_row(body, lines, index, found.name, found.cells, width, width)
            index += 1
            continue
        if has_cells(line.text) and body.rows:
            table_line = lines[header.first].number
            if fewer_cells(line.text, width) and not _rows_follow(lines, index + 1, header, taken):
                warnings.append(
                    f"line {line.number}: {line.text!r} has fewer numbers than the {width} columns of the table at "
                    f"line {table_line}; the table ends before it"
                )
                break
            if fewer_cells(line.text, width):
                warnings.append(
                    f"line {line.number}: {line.text!r} has fewer numbers than the {width} columns of the table at "
                    f"line {table_line}, and the text does not say which columns are empty; the row is left out"
                )
            else:
                warnings.append(
                    f"line {line.number}: the numbers of {line.text!r} cannot be read as the {width} cells of the "
                    f"table at line {table_line}; the row is left out"
                )
            body.used.update(body.pending)
            body.used.add(index)
            body.pending = []
            body.unread += sum(1 for c in header.columns if c.year)
            index += 1
            continue
        if _is_prose(line) or len(body.pending) >= MAX_NAME_LINES:
            break
        body.pending.append(index)
        index += 1
    end = index
    if body.pending and (not footnotes):
        end = body.pending[0]  # lines after the last row that named nothing: text, not table
    body.pending = []
    return body, end, footnotes


def _rows_follow(lines: list[SourceLine], index: int, header: Header, taken: set[int]) -> bool:
    """Whether a row of the table follows (after at most a wrapped name): a short row is then one
    with empty cells inside the table, not the end of it."""
    for ahead in range(index, min(index + MAX_NAME_LINES + 1, len(lines))):
        if ahead in taken or find_header(lines, ahead) is not None:
            return False
        text = lines[ahead].text
        if trailing_cells(text, header.counts) is not None:
            return True
        if has_cells(text) or _is_prose(lines[ahead]) or FOOTNOTE_LINE.match(text):
            return False
    return False


def footnotes_at(lines: list[SourceLine], index: int, taken: set[int]) -> tuple[list[list[int]], int]:
    """Footnote paragraphs from ``index``: each starts with its mark; a line goes on while the one
    above was wrapped by the converter (or as long as the footnote's longest line)."""
    notes: list[list[int]] = []
    while index < len(lines) and index not in taken:
        line = lines[index]
        if FOOTNOTE_LINE.match(line.text):
            notes.append([index])
        elif notes and _note_goes_on([lines[i] for i in notes[-1]]) and find_header(lines, index) is None:
            notes[-1].append(index)
        else:
            break
        index += 1
    return notes, index


def _note_goes_on(note: list[SourceLine]) -> bool:
    last = note[-1]
    longest = max(len(x.text) for x in note)
    return last.wrapped or last.text.endswith("-") or (len(note) > 1 and len(last.text) >= 0.9 * longest)


def _orphans(
    lines: list[SourceLine], start: int, stop: int, table: PlainTable, taken: set[int], warnings: list[str]
) -> tuple[_Body, int, list[list[int]]] | None:
    """Rows of ``table`` printed after a page break without its header, between ``start`` and
    ``stop`` (the next header): the first run of lines that fill its columns, if it follows a page
    break or stands right before the table's repeated header."""
    header = table.header
    for index in range(start, stop):
        if index in taken or trailing_cells(lines[index].text, header.counts) is None:
            continue
        first = index
        while first > start and first - 1 not in taken and _name_like(lines[first - 1]):
            first -= 1  # wrapped names and sub-headings before the first row
        found: list[str] = []
        body, end, footnotes = _read_body(lines, header, first, taken, found)
        if not body.rows or not any(any(c.lines for c in row[1:]) for row in body.rows):
            return None
        broken = any(lines[k].after_break for k in range(first, index + 1))
        repeated = end < len(lines) and _repeats(lines, end, table)
        if broken or repeated:
            warnings.extend(found)
            return body, end, footnotes
        return None
    return None


def _lone_numbers(line: SourceLine) -> bool:
    """A line of numbers and nothing else (no name): a cell of a table written column by column."""
    return has_cells(line.text) and not regex.search(r"\p{L}", line.text)


def _name_like(line: SourceLine) -> bool:
    text = line.text
    return not _is_prose(line) and len(text) <= 150 and not FOOTNOTE_LINE.match(text) and not has_cells(text)


def _repeats(lines: list[SourceLine], index: int, table: PlainTable) -> bool:
    """Whether the table's header (with its caption) is repeated at ``index``."""
    for offset in (0, 1, 2):
        k = index + offset
        if k >= len(lines):
            return False
        header = find_header(lines, k)
        if header is not None:
            caption = lines[k - 1].text if k > 0 else ""
            same_caption = table.caption is None or caption == table.caption.text
            return header.key == table.header.key and same_caption
    return False


def find_plain_tables(lines: list[SourceLine], warnings: list[str], skip: set[int] | None = None) -> list[PlainTable]:
    """Every table of a converter's plain text, in order; see the module docstring. Lines in
    ``skip`` (rows of tab-separated tables) are left alone."""
    tables: list[PlainTable] = []
    taken: set[int] = set(skip or ())
    index = 0
    headers = [i for i in range(len(lines)) if i not in taken and find_header(lines, i) is not None]
    header_starts = set(headers)
    while index < len(lines):
        if index not in header_starts or index in taken:
            index += 1
            continue
        header = find_header(lines, index)
        assert header is not None
        caption = _caption(lines, header, taken)
        header.caption = caption
        body, end, footnotes = _read_body(lines, header, header.end, taken, warnings)
        previous = tables[-1] if tables else None
        same = (
            previous is not None
            and previous.header.key == header.key
            and caption is not None
            and previous.caption is not None
            and lines[caption].text == previous.caption.text
        )
        if not body.rows and header.end < len(lines) and _lone_numbers(lines[header.end]):
            labels = " | ".join(c.label for c in header.columns)
            warnings.append(
                f"line {lines[header.end].number}: the table with the header {labels!r} (line "
                f"{lines[header.first].number}) is written column by column, its cells one a line after the header "
                "(a converter's reading order): which cell belongs to which row is lost, so none was read"
            )
            index = header.end
            continue
        if not body.rows:
            # A header without rows: repeated after rows a page break moved, or a table's header
            # whose rows were all moved; it is consumed with its caption, never a table of its own.
            used = set(range(header.first, header.end)) | ({caption} if caption is not None and same else set())
            taken |= used
            if previous is not None:
                previous.consumed |= used
            index = header.end
            continue
        if same and previous is not None:  # the header repeated on the next page: one table
            previous.block.rows.extend(body.rows)
            previous.block.unread += body.unread
            used = set(range(header.first, header.end)) | body.used | {caption}
            previous.consumed |= used
            previous.footnotes.extend(footnotes)
            taken |= used | {k for note in footnotes for k in note}
            index = end
            continue
        header_row = [Cell(lines=[header.name_label] if header.name_label else [], prov=_prov(lines[header.first]))]
        header_row += [Cell(lines=[c.label], prov=_prov(lines[header.first])) for c in header.columns]
        block = Block(kind="table", prov=_prov(lines[header.first]), rows=[header_row, *body.rows], unread=body.unread)
        table = PlainTable(header, block, lines[caption] if caption is not None else None)
        table.consumed = set(range(header.first, header.end)) | body.used
        if caption is not None:
            table.consumed.add(caption)
        table.footnotes = footnotes
        taken |= table.consumed | {k for note in footnotes for k in note}
        tables.append(table)
        index = end
        later = bisect.bisect_left(headers, index)
        next_header = next((h for h in itertools.islice(headers, later, None) if h not in taken), len(lines))
        found = _orphans(lines, index, next_header, table, taken, warnings)
        if found is not None:
            orphan_body, _, orphan_notes = found
            table.block.rows.extend(orphan_body.rows)
            table.block.unread += orphan_body.unread
            table.consumed |= orphan_body.used
            table.footnotes.extend(orphan_notes)
            taken |= orphan_body.used | {k for note in orphan_notes for k in note}
    return tables


def _prov(line: SourceLine) -> Provenance:
    return Provenance(line=line.number)
