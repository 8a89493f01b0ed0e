"""PDF into a ``Layout`` with pdfplumber.

Each page is touched once and closed: its graphics are sorted into rules and fills
(``pipeline.readers.pdf_graphics``), ruled tables are found from the rules alone (``find_tables``:
shading makes no table), on pages without them tables with no rules, ruled only horizontally or
shaded are found where words align in columns (``pipeline.readers.pdf_stream``), and the rest of the text
is grouped into lines and then into blocks by font style and vertical gaps. A header printed over two
rows with cells spanning columns is read as one header row (``pipeline.readers.spanned_header``).
Afterwards, across pages: running headers and footers (``8 (14)``, a repeated title) are dropped, a
paragraph or a table cut by a page break is joined again (a table row cut in two is one row again, a
header repeated on the new page is dropped), and heading styles are ranked into levels.
"""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.errors import DocumentTooLarge, DocumentTooSlow, EmptyDocument, EncryptedDocument, UnreadableDocument
from pipeline.layout import Block, Cell, Layout, Provenance
from pipeline.readers.pdf_bounds import check_page, check_streams
from pipeline.readers.pdf_chars import Page as CharPage
from pipeline.readers.pdf_graphics import page_graphics
from pipeline.readers.pdf_stream import StreamState, find_stream_tables
from pipeline.readers.spanned_header import combine_header

PAGE_NUMBER = regex.compile(r"^(?:sivu\s+)?\d{1,4}\s*(?:\(\s*\d{1,4}\s*\)|/\s*\d{1,4})?$", regex.I)
BULLET = regex.compile(r"^([•▪◦●○■□–—\-*]|\d{1,2}[.)])\s+(\S.*)$")
FOOTNOTE = regex.compile(r"^\d{1,2}\)$")  # "1) …" right after a table: its footnote, not a list item
MARGIN = 0.09  # share of the page height where running headers and footers live
# Two characters further apart than this share of the font size stand in two words. pdfplumber's
# default (3 points whatever the size) joins the cells of a table without padding, whose texts
# stand one space (2 points at 8 pt) apart: "ToteumaArvio". No word has such a gap inside it.
WORD_GAP = 0.15


@dataclass
class Style:
    family: str
    size: float
    bold: bool
    italic: bool

    @property
    def rank_key(self) -> tuple[float, int]:
        # Larger first; at one size bold, then italic (bold or not), then plain.
        weight = 0 if self.bold and not self.italic else (1 if self.italic else 2)
        return (-round(self.size), weight)


@dataclass
class TextLine:
    page: int
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    style: Style
    page_height: float


def _style_of(chars: list[dict]) -> Style:
    """The style of a line: that of its most common non-space characters."""
    counts: Counter = Counter()
    for ch in chars:
        if ch["text"].strip():
            counts[(ch["fontname"], round(ch["size"], 1))] += 1
    if not counts:
        return Style("", 0.0, False, False)
    (fontname, size), _ = counts.most_common(1)[0]
    base = fontname.split("+", 1)[-1]
    lowered = base.lower()
    family = regex.split(r"[-,]", base, maxsplit=1)[0]
    return Style(
        family=family,
        size=size,
        bold="bold" in lowered or "black" in lowered or "heavy" in lowered,
        italic="italic" in lowered or "oblique" in lowered,
    )


def _open(path: Path, data: bytes):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages  # parses the page tree: corrupt files fail here
    except Exception as exc:  # pdfminer raises many unrelated types for bad files
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc  # pdfplumber wraps them
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise EncryptedDocument(f"{path}: the PDF is encrypted (password-protected)") from None
        text = str(cause).strip()
        message = text.splitlines()[0][:120] if text else type(cause).__name__
        raise UnreadableDocument(f"{path}: not a readable PDF ({message})") from None
    return pdf


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


@dataclass(frozen=True)
class _TableChars:
    """What pdfplumber's ``Table.extract`` reads of its page: the characters, here only the table's."""

    chars: list[dict]


def table_texts(table) -> list[list[str | None]]:
    """``table.extract()``'s texts, from the characters inside the table only: pdfplumber's own looks for
    each row's characters among all of the page's (rows × page characters). A row's box lies inside the
    table's, and the test is the same (the character's centre, half-open box), so the texts are the same."""
    from pdfplumber.table import Table

    x0, top, x1, bottom = table.bbox
    inside = [
        char
        for char in table.page.chars
        if x0 <= (char["x0"] + char["x1"]) / 2 < x1 and top <= (char["top"] + char["bottom"]) / 2 < bottom
    ]
    return Table(_TableChars(inside), table.cells).extract(x_tolerance_ratio=WORD_GAP)


def table_block(table, page_number: int) -> Block | None:
    """A pdfplumber table as a table block; cells keep their wrapped lines and bbox. A header over
    two rows with cells spanning columns becomes one header row."""
    texts = table_texts(table)
    width = max((len(row.cells) for row in table.rows), default=0)
    if not table.rows or width < 2:
        return None
    starts = [
        min((r.cells[c][0] for r in table.rows if c < len(r.cells) and r.cells[c]), default=None) for c in range(width)
    ]
    rows: list[list[Cell | None]] = []
    for row, row_texts in zip(table.rows, texts, strict=False):
        cells: list[Cell | None] = []
        left: Cell | None = None
        for column, bbox in enumerate(row.cells):
            if bbox is None:
                # covered by the cell on its left (a span across columns) or by the one above
                spans = left is not None and starts[column] is not None and left.prov.bbox[2] > starts[column] + 1
                cells.append(left if spans else None)
                continue
            text = row_texts[column] if column < len(row_texts) else None
            left = Cell(
                lines=[line for line in (text or "").split("\n") if line.strip()],
                prov=Provenance(page=page_number, bbox=tuple(round(v, 1) for v in bbox)),
            )
            cells.append(left)
        rows.append(cells)
    bbox = tuple(round(v, 1) for v in table.bbox)
    prov = Provenance(page=page_number, bbox=bbox)
    return Block(kind="table", prov=prov, rows=combine_header(rows), pages=[page_number])


def _read_page(page, page_number: int, state: StreamState) -> tuple[list[TextLine], list[Block]]:
    graphics = page_graphics(page)
    settings = graphics.table_settings()
    tables = page.find_tables(settings) if settings else []
    blocks = [b for b in (table_block(t, page_number) for t in tables) if b is not None]
    boxes = [b.prov.bbox for b in blocks]
    source = page.filter(lambda obj: not _inside(obj, boxes)) if boxes else page
    raw_lines = source.extract_text_lines(return_chars=True, strip=True, x_tolerance_ratio=WORD_GAP)
    used: set[int] = set()
    if blocks:
        state.pending = None  # a page of ruled tables: its text is prose and captions
    else:
        stream, used = find_stream_tables(page, raw_lines, page_number, graphics, state)
        blocks.extend(stream)
    lines = []
    for index, line in enumerate(raw_lines):
        text = line["text"].strip()
        if not text or index in used:
            continue
        lines.append(
            TextLine(
                page=page_number,
                text=text,
                x0=line["x0"],
                top=line["top"],
                x1=line["x1"],
                bottom=line["bottom"],
                style=_style_of(line["chars"]),
                page_height=float(page.height),
            )
        )
    return lines, blocks


def _running_lines(lines: list[TextLine], pages: int) -> set[int]:
    """Indexes of running headers/footers: margin lines repeated on many pages, page numbers."""

    def in_margin(line: TextLine) -> bool:
        return line.top < line.page_height * MARGIN or line.bottom > line.page_height * (1 - MARGIN)

    keys: dict[str, set[int]] = {}
    for line in lines:
        if in_margin(line):
            keys.setdefault(regex.sub(r"\d+", "#", line.text), set()).add(line.page)
    threshold = max(2, pages // 2)
    drop = set()
    for index, line in enumerate(lines):
        if not in_margin(line):
            continue
        if PAGE_NUMBER.match(line.text) or len(keys[regex.sub(r"\d+", "#", line.text)]) >= threshold:
            drop.add(index)
    return drop


def _body_style(lines: list[TextLine]) -> Style:
    counts: Counter = Counter()
    for line in lines:
        counts[(line.style.family, line.style.size, line.style.bold, line.style.italic)] += len(line.text)
    family, size, bold, italic = counts.most_common(1)[0][0]
    return Style(family, size, bold, italic)


def _is_heading_style(style: Style, body: Style) -> bool:
    return style.size > body.size + 0.9 or (style.family != body.family and style.size >= body.size - 0.5)


def _group(lines: list[TextLine], body: Style, levels: dict[tuple, int]) -> tuple[list[Block], dict[int, str]]:
    """Consecutive lines of one style and small gaps form a block; also each list item's mark, by the
    item's id."""
    blocks: list[Block] = []
    marks: dict[int, str] = {}
    previous: TextLine | None = None
    current: Block | None = None
    bullet_x: float | None = None
    for line in lines:
        heading = _is_heading_style(line.style, body)
        bullet = None if heading else BULLET.match(line.text)
        gap_limit = 0.5 * max(line.style.size, 1)
        continues = (
            current is not None
            and previous is not None
            and previous.page == line.page
            and line.top - previous.bottom < gap_limit
            and previous.style == line.style
            and bullet is None
            and (current.kind != "list_item" or (bullet_x is not None and line.x0 > bullet_x + 2))
        )
        if continues:
            current.lines.append(line.text)
            current.tail_x1 = line.x1
            _extend_bbox(current, line)
        else:
            prov = Provenance(
                page=line.page, bbox=(round(line.x0, 1), round(line.top, 1), round(line.x1, 1), round(line.bottom, 1))
            )
            if heading:
                current = Block(
                    kind="heading",
                    prov=prov,
                    lines=[line.text],
                    level=levels[line.style.rank_key],
                    emphasis=line.style.bold,
                )
            elif bullet:
                bullet_x = line.x0
                current = Block(kind="list_item", prov=prov, lines=[bullet.group(2)], level=1)
                marks[id(current)] = bullet.group(1)
            else:
                current = Block(
                    kind="paragraph", prov=prov, lines=[line.text], emphasis=line.style.bold and not body.bold
                )
            current.pages = [line.page]
            current.tail_x1 = line.x1
            first_word = line.text.split(" ", 1)[0]
            current.head_width = (line.x1 - line.x0) * len(first_word) / max(len(line.text), 1)
            blocks.append(current)
        previous = line
    _rank_list_levels(blocks)
    return blocks, marks


def _extend_bbox(block: Block, line: TextLine) -> None:
    x0, top, x1, bottom = block.prov.bbox
    block.prov = Provenance(
        page=block.prov.page,
        bbox=(round(min(x0, line.x0), 1), top, round(max(x1, line.x1), 1), round(max(bottom, line.bottom), 1)),
    )


def _rank_list_levels(blocks: list[Block]) -> None:
    indents = sorted({b.prov.bbox[0] for b in blocks if b.kind == "list_item"})
    for block in blocks:
        if block.kind == "list_item":
            block.level = 1 + sum(1 for x in indents if x < block.prov.bbox[0] - 4)


def _did_not_fit(prev: Block, block: Block, right: float) -> bool:
    """A paragraph ends early only by choice: if the next page's first word would have fitted on
    the last line, the paragraph ended there; if not, a page break cut it."""
    if prev.tail_x1 is None or block.head_width is None:
        return False
    return prev.tail_x1 + 4 + block.head_width > right


def _merge_across_pages(items: list[Block], right: float) -> list[Block]:
    """Join what a page break cut: a table's parts (and a row cut in two), a paragraph's halves."""
    merged: list[Block] = []
    for block in items:
        prev = merged[-1] if merged else None
        if prev is not None and prev.pages and block.pages and block.pages[0] == prev.pages[-1] + 1:
            if prev.kind == block.kind == "table" and _same_columns(prev, block):
                _append_table(prev, block)
                continue
            if (
                prev.kind == block.kind == "paragraph"
                and prev.lines
                and block.lines
                and prev.emphasis == block.emphasis
                and (
                    _did_not_fit(prev, block, right)
                    or (not prev.lines[-1].endswith((".", ":", "!", "?")) and block.lines[0][:1].islower())
                )
            ):
                prev.lines.extend(block.lines)
                prev.pages.append(block.pages[0])
                continue
        merged.append(block)
    return merged


def _same_columns(a: Block, b: Block) -> bool:
    return max(len(r) for r in a.rows) == max(len(r) for r in b.rows)


def _append_table(prev: Block, cont: Block) -> None:
    rows = [row for row in cont.rows if any(cell.lines for cell in row)]
    header = [" ".join(c.lines) for c in prev.rows[0]]
    if rows and [" ".join(c.lines) for c in rows[0]] == header:
        rows = rows[1:]  # the header repeated on the new page
    if rows and prev.rows:
        first, last = rows[0], prev.rows[-1]
        first_texts = [" ".join(c.lines) for c in first]
        continues_text = not first_texts[0] and any(t[:1].islower() for t in first_texts if t)
        continues_name = (
            bool(first_texts[0])
            and not any(first_texts[1:])
            and not first_texts[0][:1].isupper()
            and not first_texts[0][:1].isdigit()  # "% ¹", "(2023=100)": the end of a name
        )
        if continues_text or continues_name:
            for cell, extra in zip(last, first, strict=False):  # a row cut by the break
                cell.lines.extend(extra.lines)
            rows = rows[1:]
    prev.rows.extend(rows)
    prev.pages.append(cont.pages[0])


def read_pdf(
    path: Path,
    *,
    max_pages: int | None = None,
    deadline: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    data: bytes | None = None,
) -> Layout:
    """Read a PDF; raises ``EncryptedDocument``, ``UnreadableDocument``, ``EmptyDocument``,
    ``DocumentTooLarge`` (more pages than ``max_pages``, a stream or a page past the bounds of
    ``pipeline.readers.pdf_bounds``) and ``DocumentTooSlow`` (still reading at ``deadline``, a
    ``time.monotonic()`` value; checked between pages).

    ``data``: the file's bytes when the caller has read them (``read_document``: once, bounded).
    ``progress(done, total)`` is told the pages read so far (0 first), for a progress bar; it only watches."""
    if data is None:
        from pipeline.readers import read_bytes

        data = read_bytes(path)
    check_streams(data, path)  # before pdfminer decodes any: it would inflate a bomb whole
    pdf = _open(path, data)
    try:
        pages = pdf.pages
        if max_pages is not None and len(pages) > max_pages:
            raise DocumentTooLarge(f"{path}: {len(pages)} pages, more than the limit of {max_pages}")
        lines: list[TextLine] = []
        tables: list[Block] = []
        state = StreamState()  # a table without rules that goes on from one page to the next
        if progress is not None:
            progress(0, len(pages))
        for number, plain in enumerate(pages, start=1):
            if deadline is not None and time.monotonic() > deadline:
                raise DocumentTooSlow(f"{path}: still reading page {number} of {len(pages)} at the time limit")
            _check_page(plain, path, number)
            page = CharPage.of(plain)  # the same page, its characters read on the direct path
            try:
                page_lines, page_tables = _read_page(page, number, state)
            except Exception as exc:
                raise UnreadableDocument(f"{path}: page {number} cannot be read ({type(exc).__name__})") from None
            finally:
                page.close()
                plain.close()
            lines.extend(page_lines)
            tables.extend(page_tables)
            if progress is not None:
                progress(number, len(pages))
        page_count = len(pages)
    finally:
        pdf.close()
    if not lines and not tables:
        raise EmptyDocument(f"{path}: no text layer (a scanned or image-only PDF needs OCR first)")
    drop = _running_lines(lines, page_count)
    lines = [line for i, line in enumerate(lines) if i not in drop]
    if not lines and not tables:
        raise EmptyDocument(f"{path}: no text besides page headers and footers")
    body = _body_style(lines) if lines else Style("", 0, False, False)
    heading_keys = sorted({ln.style.rank_key for ln in lines if _is_heading_style(ln.style, body)})
    levels = {key: rank for rank, key in enumerate(heading_keys, start=1)}
    text_blocks, marks = _group(lines, body, levels)
    items = _footnotes(sorted(text_blocks + tables, key=lambda b: (b.prov.page, b.prov.bbox[1])), marks)
    right = max((ln.x1 for ln in lines if ln.style == body), default=0.0)
    return Layout(format="pdf", blocks=_merge_across_pages(items, right), pages=page_count)


def _check_page(page, path: Path, number: int) -> None:
    """``check_page`` before the page is interpreted; a page whose contents cannot even be found is
    left to the reading, which says so."""
    try:
        check_page(page.page_obj, path, number)
    except DocumentTooLarge:
        raise
    except Exception:
        return


def _footnotes(items: list[Block], marks: dict[int, str]) -> list[Block]:
    """Items marked ``1)``, ``2)`` (``marks``: each list item's mark) right after a table are its
    footnotes (paragraphs that keep their mark, as the text reader reads them), not a numbered list."""
    after_table = False
    for block in items:
        mark = marks.get(id(block), "")
        if block.kind == "list_item" and after_table and FOOTNOTE.match(mark):
            block.kind, block.level = "paragraph", None
            block.lines[0] = f"{mark} {block.lines[0]}"
        else:
            after_table = block.kind == "table"
    return items
