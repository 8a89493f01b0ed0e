"""A matrix of table layouts of the Valtori agreement as PDFs: every way an agency's template may set a table.

``tests/tools/make_variants.py`` lays out the whole agreement three ways. This script lays out a compact
version of it (``tests/fixtures/matrix/valtori-tables.txt``: the agreement with its long prose paragraphs
left out, every table, caption, footnote and goal kept) in a covering set of table layouts, and converts
each with LibreOffice (headless) into ``tests/fixtures/matrix/NN-….pdf``. The factors:

- ``rules``: ``none`` (no lines at all), ``hrules`` (horizontal rules only: above, between and below rows),
  ``shaded`` (no lines; header rows and every other data row filled grey: rectangles, not rules),
  ``grid`` (every cell ruled);
- ``padding``: cell margins ``pad0`` (none: neighbouring cells stand one space apart where a column's
  widest word is), ``padword`` (Word's default, 0.19 cm left and right), ``padwide`` (0.3 cm, 0.1 cm above
  and below);
- ``font`` and ``size``: Liberation Serif, DejaVu Sans or Carlito at 8, 9, 10 or 11 pt;
- ``page``: A4 ``portrait`` or ``landscape``;
- ``header``: ``flat`` (one header row, ``Alustava tavoite 2025``, as in the text) or ``spanned`` (two rows:
  a merged ``Alustava tavoite`` over ``2025 2026 2027``, ``Toteuma`` over ``2022``, ``Kehys`` under
  ``2025 … 2027``, and ``mittari`` merged down both rows);
- ``repeat``: ``once`` or ``repeated`` (the header rows are printed again on each page a table continues on);
- ``numbers``: ``left`` (every cell left-aligned) or ``right`` (numbers right-aligned, value headers centred).

Columns are as narrow as their widest word (plus the padding and one space); the room left on the line goes
to the columns of running text (names, targets), so a table is only as wide as it needs to be, as Word's
and LibreOffice's autofit make it. Row 1 of the matrix is the issue's borderless case: no rules, no cell
padding, 8 pt.

The rows are a pairwise covering array, built greedily (see ``design``): every pair of levels of two
factors appears in at least one PDF, every level in several. ``--list`` prints it. Needs what
``make_variants.py`` needs (LibreOffice, the fonts, python-docx; see ``tests/fixtures/matrix/README.md``).
Usage::

    .venv/bin/python tests/tools/make_matrix.py [--out DIR] [--keep-docx] [--list] [NUMBER ...]
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_variants as mv

ROOT = mv.ROOT
OUT = ROOT / "tests" / "fixtures" / "matrix"
COMPACT = "valtori-tables.txt"

FACTORS: dict[str, tuple[str, ...]] = {
    "rules": ("none", "hrules", "shaded", "grid"),
    "size": ("8", "9", "10", "11"),
    "padding": ("pad0", "padword", "padwide"),
    "font": ("serif", "dejavu", "carlito"),
    "page": ("portrait", "landscape"),
    "header": ("flat", "spanned"),
    "repeat": ("once", "repeated"),
    "numbers": ("left", "right"),
}
FONTS = {"serif": "Liberation Serif", "dejavu": "DejaVu Sans", "carlito": "Carlito"}
# Cell margins in twips (left/right, top/bottom): none, Word's default (108 = 0.19 cm), wide.
MARGINS = {"pad0": (0, 0), "padword": (108, 0), "padwide": (170, 57)}
BORDERLESS = {
    "rules": "none",
    "size": "8",
    "padding": "pad0",
    "font": "serif",
    "page": "portrait",
    "header": "flat",
    "repeat": "once",
    "numbers": "left",
}
MINIMUM = 24
YEAR_LABEL = re.compile(r"^(?:(?P<kind>.*\S)\s+(?P<year>(?:19|20)\d\d)|(?P<year2>(?:19|20)\d\d)\s+(?P<kind2>.*\S))$")
ATOMIC = re.compile(r"^(?:-?\d[\d ]*(?:,\d+)?|-|tbd|TAE)$")
HEADER_FILL, ROW_FILL = "D9D9D9", "F0F0F0"


# --- the design ---------------------------------------------------------------------------------


def _pairs(row: tuple[str, ...]) -> set[tuple[int, str, int, str]]:
    return {(i, row[i], j, row[j]) for i, j in itertools.combinations(range(len(row)), 2)}


def design() -> list[dict[str, str]]:
    """A pairwise covering array over ``FACTORS``, starting with the borderless case.

    Greedy (as AETG does it, but over the whole product, which is small): each next row is the
    combination that covers the most pairs of levels not yet covered, then the most pairs covered only
    once so far (so the rows added after full coverage still vary every factor against every other);
    ties go to the combination whose levels have been used least, then to the first in product order.
    Rows are added until every pair is covered and there are ``MINIMUM``. Deterministic.
    """
    names = list(FACTORS)
    product = list(itertools.product(*FACTORS.values()))
    wanted = set().union(*(_pairs(row) for row in product))
    count = dict.fromkeys(wanted, 0)
    used = {(i, level): 0 for i, n in enumerate(names) for level in FACTORS[n]}
    rows: list[tuple[str, ...]] = []

    def add(row: tuple[str, ...]) -> None:
        rows.append(row)
        for pair in _pairs(row):
            count[pair] += 1
        for i, level in enumerate(row):
            used[(i, level)] += 1

    def score(row: tuple[str, ...]) -> tuple[int, int, int]:
        pairs = _pairs(row)
        return (
            sum(1 for p in pairs if not count[p]),
            sum(1 for p in pairs if count[p] == 1),
            -sum(used[(i, level)] for i, level in enumerate(row)),
        )

    add(tuple(BORDERLESS[n] for n in names))
    while min(count.values()) == 0 or len(rows) < MINIMUM:
        add(max(product, key=score))
    return [dict(zip(names, row, strict=True)) for row in rows]


def file_name(number: int, variant: dict[str, str]) -> str:
    v = variant
    return (
        f"{number:02d}-{v['rules']}-{v['padding']}-{v['font']}{v['size']}-{v['page']}"
        f"-{v['header']}-{v['repeat']}-{v['numbers']}.pdf"
    )


# --- the compact text ---------------------------------------------------------------------------


def compact(text: str) -> str:
    """The agreement without most of its prose: a blank-line block that is one prose paragraph
    longer than 250 characters goes, unless it is the first after a heading. Tables, captions,
    footnotes, lists, headings and the signatures stay exactly as written."""
    blocks = re.split(r"\n[ \t]*\n", text.strip("\n"))
    kept: list[str] = []
    after_heading = False
    for block in blocks:
        lines = block.strip("\n").split("\n")
        heading = len(lines) == 1 and mv._heading_level(lines[0]) is not None
        prose = "\t" not in block and not mv.CAPTION.match(lines[0]) and not mv.LIST_LINE.match(lines[0])
        if prose and not heading and len(block) > 250 and not after_heading:
            continue
        kept.append(block.strip("\n"))
        after_heading = heading
    return "\n\n".join(kept) + "\n"


# --- tables -------------------------------------------------------------------------------------


@dataclass
class Header:
    """A table's header as it is printed: one row, or two with merged cells."""

    rows: list[list[str]]
    spans: list[list[int]]  # per row, the number of columns each cell covers (0: covered by the cell left)
    merged_down: set[int]  # columns whose first-row cell covers both rows


def _is_header_table(table: mv.Table) -> bool:
    return sum(1 for text in table.rows[0][1:] if YEAR_LABEL.match(text)) >= 1


def spanned_header(first: list[str]) -> Header:
    """``Alustava tavoite 2025 | … 2026 | … 2027`` as ``Alustava tavoite`` over ``2025 | 2026 | 2027``.

    A label naming a year is split into its kind and its year; the kinds go on the row they are
    written on (``2022 TP``: the year above), equal neighbouring kinds are one merged cell; a label
    without a year (``mittari``, ``talous-arvio-tavoite``) is one cell covering both rows."""
    parts: list[tuple[str, str] | None] = []
    kind_first = 0
    for text in first:
        match = YEAR_LABEL.match(text)
        if match is None:
            parts.append(None)
        elif match.group("kind") is not None:
            parts.append((match.group("kind"), match.group("year")))
            kind_first += 1
        else:
            parts.append((match.group("kind2"), match.group("year2")))
            kind_first -= 1
    kinds = [p[0] if p else text for p, text in zip(parts, first, strict=True)]
    years = [p[1] if p else "" for p in parts]
    spans = [1] * len(first)
    for col in range(1, len(first)):
        if parts[col] and parts[col - 1] and kinds[col] == kinds[col - 1]:
            start = col - 1
            while spans[start] == 0:
                start -= 1
            spans[start] += 1
            spans[col] = 0
    down = {col for col, p in enumerate(parts) if p is None}
    kind_row = [kinds[c] if spans[c] else "" for c in range(len(first))]
    year_row = [years[c] for c in range(len(first))]
    year_spans = [1] * len(first)
    if kind_first >= 0:
        return Header([kind_row, year_row], [spans, year_spans], down)
    return Header([year_row, kind_row], [year_spans, spans], down)


def _space(measure: mv.Measure) -> int:
    return measure.width(" ")


def _pieces(texts: list[str]) -> list[str]:
    """The unbreakable pieces of cell texts: LibreOffice breaks at spaces and after hyphens."""
    return [w for t in texts for w in ([t] if mv.NUMBER.match(t) else re.split(r"\s+|(?<=-)", t)) if w]


def column_widths(columns: list[list[str]], total: int, measure: mv.Measure, padding: int) -> list[int] | None:
    """Autofit: each column as narrow as its widest word plus padding and one space; the room left goes
    to the columns of running text (whose one-line width is over twice their narrowest; else the one
    that wants the most), up to what they want. None when the narrowest columns are too wide for the
    line: some word would break."""
    slack = padding + _space(measure)
    narrow = [max((measure.width(p) for p in _pieces(texts)), default=0) + slack for texts in columns]
    wants = [max((measure.width(t) for t in texts), default=0) + slack for texts in columns]
    room = total - sum(narrow)
    if room < 0:
        return None
    text = [c for c in range(len(columns)) if wants[c] > 2 * narrow[c]]
    if not text:
        text = [max(range(len(columns)), key=lambda c: wants[c] - narrow[c])]
    extra = {c: wants[c] - narrow[c] for c in text}
    if sum(extra.values()) > room:
        extra = {c: int(room * e / sum(extra.values())) for c, e in extra.items()}
    return [n + extra.get(c, 0) for c, n in enumerate(narrow)]


def fitting(columns: list[list[str]], total: int, family: str, size: float, padding: int) -> tuple[float, list[int]]:
    """The largest size, from the variant's down in steps of 1 pt, at which the table fits the line without
    breaking a word, and its column widths: an author whose table is too wide sets it in smaller type."""
    while True:
        widths = column_widths(columns, total, mv.Measure(family, size), padding)
        if widths is not None or size <= 6:
            return size, widths or [total // len(columns)] * len(columns)
        size -= 1


def _cell_margins(table, margins: tuple[int, int]) -> None:
    side, vertical = margins
    mar = OxmlElement("w:tblCellMar")
    for edge, value in (("top", vertical), ("left", side), ("bottom", vertical), ("right", side)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(value))
        element.set(qn("w:type"), "dxa")
        mar.append(element)
    table._tbl.tblPr.append(mar)


def _table_borders(table, rules: str) -> None:
    """``grid``: every edge; ``hrules``: top, bottom and between rows; otherwise none."""
    tbl_pr = table._tbl.tblPr
    old = tbl_pr.find(qn("w:tblBorders"))
    if old is not None:
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        drawn = rules == "grid" or (rules == "hrules" and edge in ("top", "bottom", "insideH"))
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single" if drawn else "nil")
        if drawn:
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _write(cell, text: str, size: float, alignment, *, keep: bool = False) -> None:
    """The cell's text; ``keep``: kept on the page of the row below (a header row never ends a page)."""
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.keep_with_next = keep
    p.alignment = alignment
    if text:
        p.add_run(text).font.size = Pt(size)


def add_table(doc, table: mv.Table, variant: dict[str, str], total: int) -> float:
    """Add the table; returns the size its text is set in."""
    header_rows = 0
    printed = [list(row) for row in table.rows]
    header: Header | None = None
    if _is_header_table(table):
        header_rows = 1
        if variant["header"] == "spanned":
            header = spanned_header(table.rows[0])
            printed = header.rows + printed[1:]
            header_rows = 2
    columns = [[row[c] for row in printed] for c in range(table.columns)]
    margins = MARGINS[variant["padding"]]
    padding = int(Pt(2 * margins[0] / 20))
    size, widths = fitting(columns, total, FONTS[variant["font"]], float(variant["size"]), padding)
    t = doc.add_table(rows=len(printed), cols=table.columns)
    t.style = doc.styles["Table Grid"] if variant["rules"] == "grid" else None
    _table_borders(t, variant["rules"])
    _cell_margins(t, margins)
    t.autofit = False
    mv._fixed_layout(t)
    for col, width in zip(t.columns, widths, strict=True):
        col.width = width
    for row in t.rows[:header_rows]:
        mv._header_row(row, repeat=variant["repeat"] == "repeated")
    goal_table = not header_rows
    for r, (texts, row) in enumerate(zip(printed, t.rows, strict=True)):
        is_header = r < header_rows
        goal_row = goal_table and (not texts[0] or texts[0].startswith("Hanke"))
        for c, (text, cell, width) in enumerate(zip(texts, row.cells, widths, strict=True)):
            cell.width = width
            if variant["rules"] in ("none", "shaded"):
                mv._no_cell_borders(cell)
            if variant["rules"] == "shaded":
                if is_header or goal_row:
                    _shade(cell, HEADER_FILL)
                elif (r - header_rows) % 2 == 1:
                    _shade(cell, ROW_FILL)
            value_column = c > 0 and header_rows and YEAR_LABEL.match(table.rows[0][c]) is not None
            alignment = WD_ALIGN_PARAGRAPH.LEFT
            if variant["numbers"] == "right" and value_column:
                alignment = WD_ALIGN_PARAGRAPH.CENTER if is_header else WD_ALIGN_PARAGRAPH.RIGHT
            elif variant["numbers"] == "right" and not is_header and ATOMIC.match(text) and c > 0:
                alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _write(cell, text, size, alignment, keep=is_header)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    if header is not None:
        _merge(t, header)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)
    return size


def _merge(t, header: Header) -> None:
    """Merge the spanned header's cells: horizontal spans, then the label columns down both rows.
    python-docx joins the merged cells' paragraphs, so the covered cells were written empty."""
    for r, spans in enumerate(header.spans):
        for c, span in enumerate(spans):
            if span > 1:
                t.cell(r, c).merge(t.cell(r, c + span - 1))
    for c in sorted(header.merged_down):
        top, below = t.cell(0, c), t.cell(1, c)
        top.merge(below)
    for c in range(len(header.spans[0])):
        cell = t.cell(0, c)
        # A merge leaves an empty paragraph per joined cell: keep the first one only.
        for extra in cell.paragraphs[1:]:
            if not extra.text:
                extra._p.getparent().remove(extra._p)


# --- documents ----------------------------------------------------------------------------------


def build(items, variant: dict[str, str]):
    font, size = FONTS[variant["font"]], float(variant["size"])
    doc = mv._new_document(font, size, (size + 5, size + 3, size + 1))
    section = doc.sections[0]
    landscape = variant["page"] == "landscape"
    mv._page(section, landscape=landscape, margin=2.0)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    total = mv._text_width(section)
    smaller: list[str] = []
    caption = ""
    for item in items:
        if isinstance(item, mv.Heading):
            doc.add_heading(item.text, level=item.level)
        elif isinstance(item, mv.Paragraph):
            mv._add_paragraph(doc, item)
            caption = item.lines[0] if item.caption is not None else caption
        elif (table_size := add_table(doc, item, variant, total)) != size:
            smaller.append(f"{caption.split('.')[0]} at {table_size:g} pt")
    return doc, smaller


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", type=int, metavar="NUMBER", help="rows of the matrix to build (1-based)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--keep-docx", action="store_true", help="also leave the .docx files in --out")
    parser.add_argument("--list", action="store_true", help="print the matrix and exit")
    args = parser.parse_args(argv)
    rows = design()
    if args.list:
        for number, variant in enumerate(rows, start=1):
            print(file_name(number, variant))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    text = compact(mv.SOURCE.read_text(encoding="utf-8"))
    (args.out / COMPACT).write_text(text, encoding="utf-8")
    items = mv.parse(text)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for number in args.numbers or range(1, len(rows) + 1):
            name = file_name(number, rows[number - 1])
            docx = (args.out if args.keep_docx else work) / name.replace(".pdf", ".docx")
            doc, smaller = build(items, rows[number - 1])
            doc.save(docx)
            pdf = mv.convert(docx, args.out, work / "profile")
            shown = pdf.relative_to(ROOT) if pdf.is_relative_to(ROOT) else pdf
            print(
                f"{shown}: {pdf.stat().st_size // 1024} KB"
                + (f"; set smaller: {', '.join(smaller)}" if smaller else "")
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
