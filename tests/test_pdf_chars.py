"""The direct paths of the PDF reader give exactly pdfplumber's own results: characters
(``pipeline/readers/pdf_chars.py``) and the texts of a ruled table's cells (``table_texts``)."""

from __future__ import annotations

import pdfplumber
import pytest
from conftest import FIXTURES, KEHA_PDF, VALTORI_PDF

from pipeline.readers.pdf import WORD_GAP, table_texts
from pipeline.readers.pdf_chars import Page
from pipeline.readers.pdf_graphics import page_graphics

PDFS = [
    VALTORI_PDF,
    KEHA_PDF,
    FIXTURES / "variants" / "valtori-landscape.pdf",
    *sorted((FIXTURES / "matrix").glob("*.pdf"))[:2],
    *sorted((FIXTURES / "converters").glob("*.pdf")),
]


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_characters_are_pdfplumbers_own(path):
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            direct = Page.of(page)
            assert direct.chars == page.chars  # every character, every key and value
            assert direct.rects == page.rects and direct.lines == page.lines
            assert direct.extract_text() == page.extract_text()
            direct.close()
            page.close()


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_a_tables_texts_are_pdfplumbers_own(path):
    tables = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            settings = page_graphics(page).table_settings()
            for table in page.find_tables(settings) if settings else []:
                assert table_texts(table) == table.extract(x_tolerance_ratio=WORD_GAP)
                tables += 1
            page.close()
    if path == VALTORI_PDF:
        assert tables >= 10  # its ruled tables are compared, not skipped (KEHA's tables have no rules)
