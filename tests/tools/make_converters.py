"""What real converters make of two fixtures: PDFs, ``pdftotext`` text and Docling-/marker-style Markdown.

The text reader must read text from any converter, not only the one that wrote the budget book's text.
This script makes such text here, from the two fixtures whose values the tests know by hand:

- ``saaristovirasto-2025``: the invented budget-proposal section ``tests/fixtures/budget/saaristovirasto-2025.txt``
  laid out as the budget book sets it: Liberation Sans 10, tables with a rule above and below the header
  and below the last row and no other lines, numbers right-aligned, header cells ``2023`` over ``toteutuma``,
  row names wrapped *above* their values (cells aligned to the bottom), footnotes in 8 pt, the page
  header ``32.30 N`` on every page.
- ``valtori``: the whole Valtori agreement ``tests/fixtures/valtori-tulossopimus-2024-2027.txt`` laid out
  as an agency's template might: DejaVu Sans 9, ruled tables (``Table Grid``), cells aligned to the top so
  names and texts wrap *below* their first line, header cells such as ``Alustava tavoite 2025`` stacked
  over three lines, the footer ``N (M)``.

For each, python-docx writes a ``.docx`` and LibreOffice (headless) converts it to ``NAME.pdf``; poppler's
``pdftotext`` then writes ``NAME-pdftotext-layout.txt`` (``-layout``: columns kept apart by runs of spaces)
and ``NAME-pdftotext.txt`` (its default reading order). ``NAME-docling.md`` and ``NAME-marker.md`` are
written from the same document model in the Markdown those converters write (they need models this
machine cannot download): Docling's padded pipe tables, ``##`` headings, captions as paragraphs, HTML
entities (``&gt;98``) and ``\\_`` escapes, a header whose years and kinds came out as two rows; marker's
``<br>`` inside cells, bold header cells, ``#`` levels by size, ``:---:`` alignment rows, ``\\*`` escapes.
The Valtori Markdown is a part of the agreement (its title, date and diary numbers, and section 3.2 with
Taulukko 4–8).

The source text is read by the same rules the tests read it with: the budget section through
``pipeline.readers.text`` (its tables as the tests check them; a paragraph that a page break moved among
the rows goes back after the table), Valtori through ``make_variants.parse`` (tab-separated tables).
Usage::

    .venv/bin/python tests/tools/make_converters.py [--out DIR] [--keep-docx] [NAME ...]

Needs LibreOffice (``libreoffice-writer-nogui``), poppler (``poppler-utils``), the fonts
(``fonts-liberation2``, ``fonts-dejavu-core``) and python-docx (``pip install -e '.[tools]'``).
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_variants as mv

ROOT = mv.ROOT
OUT = ROOT / "tests" / "fixtures" / "converters"
BUDGET = ROOT / "tests" / "fixtures" / "budget" / "saaristovirasto-2025.txt"
VALTORI = ROOT / "tests" / "fixtures" / "valtori-tulossopimus-2024-2027.txt"

YEAR_FIRST = re.compile(r"^((?:19|20)\d\d)\s+(.+)$")  # "2023 toteutuma": the year over its kind
AMOUNT_LINE = re.compile(r"^(.*?\S)\s+(-?\d{1,3}(?: \d{3})*)$")  # "Jäänmurtoavustukset 420 000"
FOOTNOTE = re.compile(r"^\d{1,2}\)\s")
PROSE = re.compile(r"\.$")


# --- one document model for both sources ------------------------------------------------------


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    text: str
    small: bool = False  # a footnote
    amounts: bool = False  # "name<TAB>amount" lines of a list of single amounts
    lines: list[str] = field(default_factory=list)  # the lines of an amounts paragraph


@dataclass
class Item:
    text: str  # a list item, printed after a dash


@dataclass
class Table:
    rows: list[list[str]]  # the first row is the header

    @property
    def columns(self) -> int:
        return max(len(r) for r in self.rows)


Part = Heading | Para | Item | Table


def budget_parts(text: str) -> list[Part]:
    """The budget section as the budget book prints it, from what the text reader reads of it."""
    from pipeline.nlp.lexicon import Lexicon
    from pipeline.readers.text import read_text
    from pipeline.textnorm import join_lines

    layout = read_text(text)
    lex = Lexicon.from_lines(b.lines for b in layout.blocks if b.lines)
    parts: list[Part] = []
    pending: list[Part] = []  # prose a page break moved among a table's rows: it goes after the footnotes
    for block in layout.blocks:
        if block.kind != "paragraph" or not FOOTNOTE.match(block.lines[0]):
            parts.extend(pending)
            pending = []
        if block.kind == "heading":
            parts.append(Heading(1, block.lines[0]))
        elif block.kind == "list_item":
            parts.append(Item(join_lines(block.lines, lex)))
        elif block.kind == "table":
            rows = []
            for row in block.rows:
                name = join_lines(row[0].lines, lex)
                cells = [" ".join(c.lines) for c in row[1:]]
                if not any(cells) and PROSE.search(name) and len(name.split()) >= 6:
                    pending.append(Para(name))
                    continue
                rows.append([name, *cells])
            parts.append(Table(rows))
        elif all(AMOUNT_LINE.match(line) for line in block.lines) and not FOOTNOTE.match(block.lines[0]):
            parts.append(Para("", amounts=True, lines=block.lines))
        else:
            parts.append(Para(join_lines(block.lines, lex), small=bool(FOOTNOTE.match(block.lines[0]))))
    parts.extend(pending)
    return parts


def valtori_parts(text: str) -> list[Part]:
    parts: list[Part] = []
    for item in mv.parse(text):
        if isinstance(item, mv.Heading):
            parts.append(Heading(item.level, item.text))
        elif isinstance(item, mv.Paragraph):
            parts.append(Para("\n".join(item.lines)))
        else:
            parts.append(Table(item.rows))
    return parts


# --- .docx -------------------------------------------------------------------------------------


def _rules(table, edges: dict[str, str]) -> None:
    """Table borders: ``single`` for the named edges, none for the others."""
    tbl_pr = table._tbl.tblPr
    old = tbl_pr.find(qn("w:tblBorders"))
    if old is not None:
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), edges.get(edge, "nil"))
        if edges.get(edge, "nil") != "nil":
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


def _bottom_rule(cell) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    tc_pr.append(borders)


def _cell_text(cell, text: str, size: float, *, align=WD_ALIGN_PARAGRAPH.LEFT, bold: bool = False) -> None:
    """A cell's text; a newline is a line break inside the cell."""
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    p.alignment = align
    for k, line in enumerate(text.split("\n")):
        run = p.add_run(line)
        run.font.size = Pt(size)
        run.bold = bold
        if k < len(text.split("\n")) - 1:
            run.add_break()


NUMERIC = re.compile(r"^(?:[<>]|alle |yli )?-?[\d ,]+$|^[-–—]$")


def _budget_table(doc, table: Table, total: int, measure: mv.Measure) -> None:
    """The budget book's table: rules above and below the header and below the last row, numbers right."""
    n = table.columns
    # Value columns as wide as their widest cell (a number never wraps; a header's words may), the
    # names in 7 cm, so the longer ones wrap above their values.
    value_width = max(
        Cm(2.0),
        *(measure.line([r[c] for r in table.rows[1:]]) for c in range(1, n)),
        *(measure.word([table.rows[0][c]]) for c in range(1, n)),
    )
    widths = [min(Cm(7.0), total - value_width * (n - 1))] + [value_width] * (n - 1)
    t = doc.add_table(rows=len(table.rows), cols=n)
    t.style = None
    _rules(t, {"top": "single", "bottom": "single"})
    t.autofit = False
    mv._fixed_layout(t)
    mv._header_row(t.rows[0], repeat=True)
    for col, width in zip(t.columns, widths, strict=True):
        col.width = width
    for r, (texts, row) in enumerate(zip(table.rows, t.rows, strict=True)):
        for c, (text, cell) in enumerate(zip(texts, row.cells, strict=True)):
            cell.width = widths[c]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
            if r == 0:
                _bottom_rule(cell)
                match = YEAR_FIRST.match(text)
                text = f"{match.group(1)}\n{match.group(2)}" if match else text
            numeric = c > 0 and (r == 0 or NUMERIC.match(text))
            align = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT
            subheading = r > 0 and c == 0 and not any(texts[1:])
            _cell_text(cell, text, 9, align=align, bold=subheading)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def budget_docx(parts: list[Part]):
    doc = mv._new_document("Liberation Sans", 10, (12, 11, 10))
    doc.core_properties.title = "Talousarvioesitys 2025, 32.30.01 Saaristoviraston toimintamenot"
    doc.core_properties.author = "tests/tools/make_converters.py"
    section = doc.sections[0]
    mv._page(section, margin=2.2)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.add_run("32.30 ")
    mv._field(header, "PAGE", "1")
    total, measure = mv._text_width(section), mv.Measure("Liberation Sans", 9)
    for part in parts:
        if isinstance(part, Heading):
            doc.add_heading(part.text, level=min(part.level, 3))
        elif isinstance(part, Item):
            p = doc.add_paragraph(f"— {part.text}")
            p.paragraph_format.left_indent = Cm(0.5)
            p.paragraph_format.first_line_indent = Cm(-0.5)
        elif isinstance(part, Table):
            _budget_table(doc, part, total, measure)
        elif part.amounts:
            for line in part.lines:
                name, amount = AMOUNT_LINE.match(line).groups()
                p = doc.add_paragraph()
                p.paragraph_format.space_after = Pt(0)
                p.paragraph_format.tab_stops.add_tab_stop(total, WD_TAB_ALIGNMENT.RIGHT)
                p.add_run(f"{name}\t{amount}")
            doc.add_paragraph().paragraph_format.space_after = Pt(0)
        else:
            p = doc.add_paragraph()
            run = p.add_run(part.text)
            if part.small:
                run.font.size = Pt(8)
                p.paragraph_format.space_after = Pt(0)
    return doc


def valtori_docx(parts: list[Part]):
    doc = mv._new_document("DejaVu Sans", 9, (13, 11, 10))
    doc.core_properties.author = "tests/tools/make_converters.py"
    section = doc.sections[0]
    mv._page(section, margin=2.0)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    mv._field(footer, "PAGE", "1")
    footer.add_run(" (")
    mv._field(footer, "NUMPAGES", "1")
    footer.add_run(")")
    total, measure = mv._text_width(section), mv.Measure("DejaVu Sans", 9)
    for part in parts:
        if isinstance(part, Heading):
            doc.add_heading(part.text, level=min(part.level, 3))
        elif isinstance(part, Table):
            table = mv.Table(part.rows)
            mv._add_table(doc, table, mv._proportional_widths(table, total, measure), ruled=True, size=9)
        else:
            mv._add_paragraph(doc, mv.Paragraph(part.text.split("\n")))
    return doc


# --- Markdown as Docling and marker write it ---------------------------------------------------


def _docling_escape(text: str) -> str:
    return html.escape(text, quote=False).replace("_", "\\_")


def _pipe_table(rows: list[list[str]], *, pad: bool, centred: bool) -> list[str]:
    """A pipe table: Docling pads every cell to its column's width (``|----|``), marker does not and
    centres its columns (``|:---:|``)."""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    sizes = [max(3, *(len(r[c]) for r in rows)) for c in range(width)] if pad else [3] * width
    out = []
    for k, row in enumerate(rows):
        cells = [cell.ljust(size) if pad else cell for cell, size in zip(row, sizes, strict=True)]
        out.append("| " + " | ".join(cells) + " |")
        if k == 0:
            out.append("|" + "|".join(":---:" if centred else "-" * (size + 2) for size in sizes) + "|")
    return out


def docling_markdown(parts: list[Part], *, two_row_header: bool) -> str:
    """Docling's export: ``##`` for every heading, captions as paragraphs, padded pipe tables (a cell's
    lines joined by spaces), ``&gt;`` entities and ``\\_`` escapes; with ``two_row_header`` a header whose
    years and kinds TableFormer saw as two rows (``| | 2023 | …`` over ``| | toteutuma | …``)."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, Heading):
            out.append(f"## {_docling_escape(part.text)}")
        elif isinstance(part, Item):
            out.append(f"- {_docling_escape(part.text)}")
        elif isinstance(part, Table):
            rows = [[_docling_escape(c.replace("\n", " ")) for c in row] for row in part.rows]
            header = rows[0]
            if two_row_header and all(YEAR_FIRST.match(c) for c in header[1:] if c):
                years = [header[0]] + [YEAR_FIRST.match(c).group(1) if YEAR_FIRST.match(c) else c for c in header[1:]]
                kinds = [""] + [YEAR_FIRST.match(c).group(2) if YEAR_FIRST.match(c) else "" for c in header[1:]]
                rows = [years, kinds, *rows[1:]]
            out.extend(_pipe_table(rows, pad=True, centred=False))
        elif part.amounts:
            out.extend(_docling_escape(line) for line in part.lines)  # a paragraph of its own per line
            out[-len(part.lines) :] = [line + "\n" for line in out[-len(part.lines) :]]
            out[-1] = out[-1].rstrip("\n")
        else:
            out.append(_docling_escape(" ".join(part.text.split("\n"))))
        out.append("")
    return "\n".join(out)


def _marker_escape(text: str) -> str:
    return re.sub(r"([*_])", r"\\\1", text)


def marker_markdown(parts: list[Part]) -> str:
    """marker's output: ``#`` by level, bold header cells, ``<br>`` for a cell's line breaks (the header's
    year over its kind), ``|:---:|`` alignment rows, ``\\*`` and ``\\_`` escapes, footnotes as paragraphs."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, Heading):
            out.append(f"{'#' * (part.level + 1)} {_marker_escape(part.text)}")
        elif isinstance(part, Item):
            out.append(f"- {_marker_escape(part.text)}")
        elif isinstance(part, Table):
            rows = []
            for k, row in enumerate(part.rows):
                cells = []
                for c, text in enumerate(row):
                    if k == 0 and c > 0:  # the header's year on a line of its own, as the PDF stacks it
                        text = re.sub(r"\s*\b((?:19|20)\d\d)\b\s*", r"\n\1\n", text).strip("\n")
                    text = "<br>".join(_marker_escape(x) for x in text.split("\n"))
                    cells.append(f"**{text}**" if k == 0 and text else text)
                rows.append(cells)
            out.extend(_pipe_table(rows, pad=False, centred=True))
        elif part.amounts:
            out.append("<br>".join(_marker_escape(line) for line in part.lines))
        else:
            out.append(_marker_escape(" ".join(part.text.split("\n"))))
        out.append("")
    return "\n".join(out)


def valtori_markdown_part(parts: list[Part]) -> list[Part]:
    """The title page (date, diary numbers, title) and section 3.2 up to 3.2.3 (Taulukko 4–8)."""
    start = next(i for i, p in enumerate(parts) if isinstance(p, Heading) and p.text.startswith("3.2 "))
    end = next(i for i, p in enumerate(parts) if isinstance(p, Heading) and p.text.startswith("3.2.3"))
    title = next(i for i, p in enumerate(parts) if isinstance(p, Para) and "välinen tulossopimus" in p.text)
    return parts[: title + 1] + parts[start:end]


# --- running the converters --------------------------------------------------------------------


def pdftotext(pdf: Path, target: Path, *, layout: bool) -> None:
    tool = shutil.which("pdftotext")
    if tool is None:
        sys.exit("pdftotext not found (Debian: apt-get install poppler-utils)")
    args = [tool, "-enc", "UTF-8", *(["-layout"] if layout else []), str(pdf), str(target)]
    subprocess.run(args, check=True, capture_output=True, timeout=120)


DOCUMENTS = {
    "saaristovirasto-2025": (BUDGET, budget_parts, budget_docx),
    "valtori": (VALTORI, valtori_parts, valtori_docx),
}


def make(name: str, out: Path, work: Path, *, keep_docx: bool) -> list[Path]:
    source, parse, render = DOCUMENTS[name]
    parts = parse(source.read_text(encoding="utf-8"))
    docx = (out if keep_docx else work) / f"{name}.docx"
    render(parts).save(docx)
    pdf = mv.convert(docx, out, work / "profile")
    written = [pdf]
    for layout, suffix in ((True, "-pdftotext-layout.txt"), (False, "-pdftotext.txt")):
        target = out / f"{name}{suffix}"
        pdftotext(pdf, target, layout=layout)
        written.append(target)
    md_parts = valtori_markdown_part(parts) if name == "valtori" else parts
    for suffix, text in (
        ("-docling.md", docling_markdown(md_parts, two_row_header=name != "valtori")),
        ("-marker.md", marker_markdown(md_parts)),
    ):
        target = out / f"{name}{suffix}"
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"documents (default: {', '.join(DOCUMENTS)})")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--keep-docx", action="store_true", help="also leave the .docx files in --out")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in DOCUMENTS]
    if unknown:
        parser.error(f"unknown document(s): {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.names or DOCUMENTS:
            for path in make(name, args.out, Path(tmp), keep_docx=args.keep_docx):
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                print(f"{shown}: {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
