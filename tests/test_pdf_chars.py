"""The direct path for characters (``pipeline/readers/pdf_chars.py``) gives exactly pdfplumber's dicts."""

from __future__ import annotations

import pdfplumber
import pytest
from conftest import FIXTURES, KEHA_PDF, VALTORI_PDF

from pipeline.readers.pdf_chars import Page

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
