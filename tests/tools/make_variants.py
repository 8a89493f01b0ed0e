"""Layout variants of the Valtori agreement as PDFs, to test how general the PDF reader is.

Reads ``tests/fixtures/valtori-tulossopimus-2024-2027.txt``, writes one ``.docx`` per variant with
python-docx and converts it with LibreOffice (headless) into ``tests/fixtures/variants/``:

- ``valtori-unruled.pdf``: tables without any borders, A4 portrait, Liberation Serif 11, numbered
  headings in Word's ``Heading 1/2/3`` styles (bold, larger).
- ``valtori-landscape.pdf``: ruled tables (``Table Grid``), the pages holding Taulukko 4–7 in a
  landscape section, the rest portrait; DejaVu Sans 10, margins 1.5 cm.
- ``valtori-wrapped.pdf``: ruled tables with narrow columns (header cells such as
  ``Alustava tavoite 2025`` wrap over three lines, indicator names over several), a running
  header ``Valtori – tulossopimus 2024–2027`` and a footer ``N (M)``, a table's first row repeated
  on each page it continues on; Carlito 9.

The text is kept exactly as in the .txt (footnote marks, ``<ol …>`` debris, ``**`` and all):
blank lines separate paragraphs, a paragraph's hard line breaks stay line breaks, a run of
tab-separated lines is one table (rows = lines, cells = tab-split, short rows padded).

Needs ``libreoffice`` (Debian: ``libreoffice-writer-nogui``), the fonts (``fonts-liberation2``,
``fonts-dejavu-core``, ``fonts-crosextra-carlito``) and ``python-docx`` in the venv. The PDFs are
committed, so tests and CI need none of this. Usage::

    .venv/bin/python tests/tools/make_variants.py [--out DIR] [--keep-docx] [--revision] [NAME ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests" / "fixtures" / "valtori-tulossopimus-2024-2027.txt"
OUT = ROOT / "tests" / "fixtures" / "variants"

# The same rule as the text reader's numbered headings: one short line, a number, a capital.
NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+([A-ZÅÄÖ].*)$")
LIST_LINE = re.compile(r"^\s*(?:[-•*–]|\d{1,2}[.)])\s+\S")
CAPTION = re.compile(r"^Taulukko\s+(\d+)\.")
NUMBER = re.compile(r"^-?\d{1,3}(?: \d{3})+(?:,\d+)?$")  # "465 668": a column never breaks it

A4_SHORT, A4_LONG = Cm(21.0), Cm(29.7)


# --- the .txt as a list of items -------------------------------------------------------------


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Paragraph:
    lines: list[str]

    @property
    def caption(self) -> int | None:
        match = CAPTION.match(self.lines[0]) if len(self.lines) == 1 else None
        return int(match.group(1)) if match else None


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)

    @property
    def columns(self) -> int:
        return max(len(r) for r in self.rows)


def _heading_level(text: str) -> int | None:
    match = NUMBERED_HEADING.match(text.strip())
    if match and len(text) <= 120 and not text.rstrip().endswith((".", ",", ":", ";")):
        return min(match.group(1).count(".") + 1, 3)
    return None


def _paragraphs(lines: list[str]) -> list[Paragraph]:
    """Lines of one text run: a list line starts its own paragraph, the others flow on."""
    out: list[Paragraph] = []
    for line in lines:
        if not out or LIST_LINE.match(line):
            out.append(Paragraph([line]))
        else:
            out[-1].lines.append(line)
    return out


def parse(text: str) -> list[Heading | Paragraph | Table]:
    items: list[Heading | Paragraph | Table] = []
    blocks: list[list[str]] = [[]]
    for raw in text.split("\n"):
        line = raw.rstrip("\r\n ")
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    for block in (b for b in blocks if b):
        runs: list[tuple[bool, list[str]]] = []
        for line in block:
            is_row = "\t" in line
            if runs and runs[-1][0] == is_row:
                runs[-1][1].append(line)
            else:
                runs.append((is_row, [line]))
        for is_row, lines in runs:
            if is_row:
                table = Table([line.split("\t") for line in lines])
                for row in table.rows:
                    row.extend([""] * (table.columns - len(row)))
                items.append(table)
            elif len(lines) == 1 and (level := _heading_level(lines[0])) is not None:
                items.append(Heading(level, lines[0]))
            else:
                items.extend(_paragraphs(lines))
    return items


# --- python-docx helpers ---------------------------------------------------------------------


def _set_font(style, name: str, size: float, *, bold: bool | None = None) -> None:
    """A style's font, with the theme fonts (which would win over the name) removed."""
    style.font.name = name
    style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), name)


def _new_document(font: str, size: float, headings: tuple[float, float, float]) -> Document:
    doc = Document()
    core = doc.core_properties
    core.title = "Valtiovarainministeriön ja Valtorin välinen tulossopimus vuosille 2024–2027"
    core.author = "tests/tools/make_variants.py"
    core.created = core.modified = dt.datetime(2024, 1, 1)
    core.last_modified_by = core.author
    # Document defaults use theme fonts: name the font there too, so tables and headers get it.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), font)
    normal = doc.styles["Normal"]
    _set_font(normal, font, size)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(size * 0.6)
    normal.paragraph_format.line_spacing = 1.0
    for level, heading_size in enumerate(headings, start=1):
        style = doc.styles[f"Heading {level}"]
        _set_font(style, font, heading_size, bold=True)
        style.font.italic = False
        style.paragraph_format.space_before = Pt(heading_size)
        style.paragraph_format.space_after = Pt(size * 0.6)
    for name in ("Header", "Footer"):
        _set_font(doc.styles[name], font, size)
    return doc


def _page(section, *, landscape: bool = False, margin: float = 2.0) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(margin))
    section.header_distance = section.footer_distance = Cm(1.0)


def _text_width(section) -> int:
    return section.page_width - section.left_margin - section.right_margin


def _add_paragraph(doc, para: Paragraph) -> None:
    p = doc.add_paragraph()
    run = p.add_run(para.lines[0])
    for line in para.lines[1:]:
        run.add_break()
        run = p.add_run(line)
    if para.caption is not None:
        p.paragraph_format.keep_with_next = True


def _borders(table, value: str) -> None:
    """Table-level borders: ``nil`` for none, ``single`` for a grid."""
    tbl_pr = table._tbl.tblPr
    old = tbl_pr.find(qn("w:tblBorders"))
    if old is not None:
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), value)
        if value != "nil":
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


def _no_cell_borders(cell) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV", "tl2br", "tr2bl"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tc_pr.append(borders)


def _fixed_layout(table) -> None:
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)


PADDING = Cm(0.38 + 0.12)  # a cell's left and right margins (0.19 cm each) and some slack


class Measure:
    """Text widths in one font (Pillow, which pdfplumber brings), so columns never cut a word."""

    def __init__(self, family: str, size: float) -> None:
        from PIL import ImageFont

        path = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{family}:style=Regular"], check=True, capture_output=True, text=True
        ).stdout
        self.font = ImageFont.truetype(path, size=1000)
        self.size = size

    def width(self, text: str) -> int:
        return int(Pt(self.font.getlength(text) / 1000 * self.size))

    def word(self, texts: list[str]) -> int:
        """The widest unbreakable piece: LibreOffice breaks at spaces and after hyphens."""
        pieces = [w for t in texts for w in ([t] if NUMBER.match(t) else re.split(r"\s+|(?<=-)", t)) if w]
        return max((self.width(w) for w in pieces), default=0) + PADDING

    def line(self, texts: list[str]) -> int:
        return max((self.width(t) for t in texts), default=0) + PADDING


def _narrowest_widths(table: Table, measure: Measure) -> list[int]:
    """Every column as narrow as its widest word allows."""
    return [measure.word([row[c] for row in table.rows]) for c in range(table.columns)]


def _proportional_widths(table: Table, total: int, measure: Measure) -> list[int]:
    """No word cut; the room left goes to the columns whose texts want more (a long name column)."""
    narrow = _narrowest_widths(table, measure)
    wants = [min(measure.line([row[c] for row in table.rows]), total // 2) for c in range(table.columns)]
    extra = [max(w - n, 0) for w, n in zip(wants, narrow, strict=True)]
    room = total - sum(narrow)
    if room <= 0:
        # Too wide for the page (8 columns in DejaVu Sans 10 on portrait A4): the widest column,
        # the names, gives way and its longest words break, as Word and LibreOffice do.
        widest = narrow.index(max(narrow))
        narrow[widest] = max(narrow[widest] + room, Cm(2.5))
        if sum(narrow) > total:
            return [int(n * total / sum(narrow)) for n in narrow]
        return narrow
    if not sum(extra):
        return [n + room // len(narrow) for n in narrow]
    return [n + int(room * e / sum(extra)) for n, e in zip(narrow, extra, strict=True)]


def _header_row(row, *, repeat: bool) -> None:
    """The first row is never cut by a page break; with ``repeat`` it is printed again on each page."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if repeat:
        tr_pr.append(OxmlElement("w:tblHeader"))


def _add_table(doc, table: Table, widths: list[int], *, ruled: bool, size: float, repeat_header: bool = False) -> None:
    t = doc.add_table(rows=len(table.rows), cols=table.columns)
    _header_row(t.rows[0], repeat=repeat_header)
    if ruled:
        t.style = doc.styles["Table Grid"]
        _borders(t, "single")
    else:
        t.style = None
        _borders(t, "nil")
    t.autofit = False
    _fixed_layout(t)
    for col, width in zip(t.columns, widths, strict=True):
        col.width = width
    for row_texts, row in zip(table.rows, t.rows, strict=True):
        for text, cell, width in zip(row_texts, row.cells, widths, strict=True):
            cell.width = width
            if not ruled:
                _no_cell_borders(cell)
            p = cell.paragraphs[0]
            p.paragraph_format.space_after = Pt(0)
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
            if text:
                p.add_run(text).font.size = Pt(size)
    # A paragraph after every table: Word and LibreOffice join adjacent tables otherwise.
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _field(paragraph, instruction: str, placeholder: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


# --- the variants ----------------------------------------------------------------------------


def _body(doc, items, widths_for, *, ruled: bool, size: float, on_caption=None, repeat_header=False) -> None:
    for item in items:
        if isinstance(item, Heading):
            doc.add_heading(item.text, level=item.level)
        elif isinstance(item, Paragraph):
            if on_caption is not None and item.caption is not None:
                on_caption(item.caption)
            _add_paragraph(doc, item)
        else:
            _add_table(doc, item, widths_for(item), ruled=ruled, size=size, repeat_header=repeat_header)


def unruled(items) -> Document:
    doc = _new_document("Liberation Serif", 11, (16, 14, 12))
    _page(doc.sections[0], margin=2.0)
    total, measure = _text_width(doc.sections[0]), Measure("Liberation Serif", 11)
    _body(doc, items, lambda t: _proportional_widths(t, total, measure), ruled=False, size=11)
    return doc


def landscape(items) -> Document:
    doc = _new_document("DejaVu Sans", 10, (15, 13, 11))
    _page(doc.sections[0], margin=1.5)

    def on_caption(number: int) -> None:
        # Taulukko 4 opens a landscape section, Taulukko 8 goes back to portrait.
        if number in (4, 8):
            section = doc.add_section(WD_SECTION.NEW_PAGE)
            _page(section, landscape=number == 4, margin=1.5)

    measure = Measure("DejaVu Sans", 10)

    def widths_for(table: Table) -> list[int]:
        return _proportional_widths(table, _text_width(doc.sections[-1]), measure)

    _body(doc, items, widths_for, ruled=True, size=10, on_caption=on_caption)
    return doc


def wrapped(items) -> Document:
    doc = _new_document("Carlito", 9, (13, 11, 10))
    section = doc.sections[0]
    _page(section, margin=2.0)
    section.top_margin = section.bottom_margin = Cm(2.5)
    header = section.header.paragraphs[0]
    header.text = "Valtori – tulossopimus 2024–2027"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE", "1")
    footer.add_run(" (")
    _field(footer, "NUMPAGES", "1")
    footer.add_run(")")

    measure, total = Measure("Carlito", 9), _text_width(section)

    def widths_for(table: Table) -> list[int]:
        # As narrow as the widest word of each column: "Alustava tavoite 2025" takes three lines,
        # names several; a two-column table (years and targets) gives its text column the rest.
        widths = _narrowest_widths(table, measure)
        if table.columns == 2:
            widths[1] = total - widths[0]
        return widths

    _body(doc, items, widths_for, ruled=True, size=9, repeat_header=True)
    return doc


VARIANTS = {"valtori-unruled": unruled, "valtori-landscape": landscape, "valtori-wrapped": wrapped}


def convert(docx: Path, out_dir: Path, profile: Path) -> Path:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        sys.exit("libreoffice not found (Debian: apt-get install libreoffice-writer-nogui)")
    subprocess.run(
        [
            office,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = out_dir / (docx.stem + ".pdf")
    if not pdf.exists():
        sys.exit(f"LibreOffice wrote no {pdf}")
    return pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"variants to build (default: {', '.join(VARIANTS)})")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--keep-docx", action="store_true", help="also leave the .docx files in --out")
    parser.add_argument(
        "--revision",
        action="store_true",
        help="lay out the revised text of tests/versions.py, as tests/fixtures/versions/valtori-revision-*.pdf",
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s): {', '.join(unknown)}")
    text = SOURCE.read_text(encoding="utf-8")
    prefix = "valtori"
    if args.revision:
        sys.path.insert(0, str(ROOT / "tests"))
        from versions import VALTORI_REVISION, apply

        text, prefix = apply(text, VALTORI_REVISION), "valtori-revision"
        if args.out == OUT:
            args.out = ROOT / "tests" / "fixtures" / "versions"
    items = parse(text)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in args.names or VARIANTS:
            docx = (args.out if args.keep_docx else work) / f"{name.replace('valtori', prefix, 1)}.docx"
            VARIANTS[name](items).save(docx)
            pdf = convert(docx, args.out, work / "profile")
            print(f"{pdf.relative_to(ROOT) if pdf.is_relative_to(ROOT) else pdf}: {pdf.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
