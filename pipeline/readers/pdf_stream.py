"""Tables without ruling lines, found where the columns of words align ("stream" tables).

Only tried on pages where no ruled table was found. pdfplumber's text strategy proposes tables
from word alignment; prose also aligns on its left edge, so a proposal is kept only when it
looks like data: several rows and columns, and a good share of its cells numbers or years.
"""

from __future__ import annotations

import regex

from pipeline.layout import Block

_NUMERIC = regex.compile(r"^[-−+]?\d[\d \u00a0]*(?:,\d+)?\s*%?$|^(?:19|20)\d\d$|^(?:tbd|-|–)$", regex.I)
SETTINGS = {
    "vertical_strategy": "text",
    "horizontal_strategy": "text",
    "min_words_vertical": 3,
    "min_words_horizontal": 2,
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 5,
}


def _looks_like_data(rows: list[list[str | None]]) -> bool:
    cells = [c.strip() for row in rows for c in row if c and c.strip()]
    if len(rows) < 2 or max(len(r) for r in rows) < 3 or not cells:
        return False
    numeric = sum(1 for c in cells if _NUMERIC.match(c))
    return numeric / len(cells) >= 0.4


_TOKEN_NUMBER = regex.compile(r"^[-−+]?\d+(?:,\d+)?%?$")


def has_numeric_rows(line_texts: list[str], minimum: int = 2) -> bool:
    """Whether at least ``minimum`` lines carry three or more numbers: the cheap test before probing."""
    rows = 0
    for text in line_texts:
        if sum(1 for token in text.split() if _TOKEN_NUMBER.match(token)) >= 3:
            rows += 1
            if rows >= minimum:
                return True
    return False


def find_stream_tables(page, lines: list[dict], page_number: int) -> list[Block]:
    """Table blocks for aligned, mostly numeric regions of an unruled page.

    ``lines`` are the page's ``extract_text_lines(return_chars=True)``; each returned block has
    ``kind="table"``, cells with their source lines and bbox, and the table's bbox in ``prov``.
    """
    if not has_numeric_rows([line["text"] for line in lines]):
        return []
    from pipeline.readers.pdf import table_block

    found = []
    for table in page.find_tables(SETTINGS):
        if _looks_like_data(table.extract()):
            block = table_block(table, page_number)
            if block is not None:
                found.append(block)
    return found
