"""A table header printed over two or three rows, with cells spanning columns, as one header row.

Agencies often print ``Tavoite`` once over the years it covers (``2024 2025 2026 2027`` below it), or
the years once over their kinds (``2022 2023`` over ``TP Arvio``). Read as printed, the header row
would say ``Tavoite`` over one column and nothing over the others, and the years would stand in a row
of their own. A reader sees one label per column: the spanning cell's text stands over every column
it covers, followed by what stands below it in that column — ``Tavoite 2025``, ``2022 TP``. That is
the header the rest of the pipeline reads, whatever the format.

The readers hand the header rows over *expanded*: one entry per column, the same ``Cell`` object at
every column a cell spans across, and ``None`` where a cell from the row above reaches down (a label
such as ``mittari`` merged over both rows).
"""

from __future__ import annotations

import regex

from pipeline.layout import Cell

MAX_DEPTH = 3  # header rows that may be combined
YEAR = regex.compile(r"^(?:19|20)\d\d$")


def _spans(row: list[Cell | None]) -> bool:
    """Whether a cell of the row covers several columns but not all of them (a title over the whole
    table is no part of the column labels)."""
    cells = [cell for cell in row if cell is not None]
    distinct = {id(cell) for cell in cells}
    return len(distinct) < len(cells) and len(distinct) > 1


def _labels_under(row: list[Cell | None], below: list[Cell | None]) -> bool:
    """Whether ``below`` labels the columns of ``row``'s spans: under each spanning cell, every column
    has a text of its own (the years under ``Tavoite``), and no text of the row is a value."""
    texts = [" ".join(cell.lines).strip() if cell is not None else "" for cell in below]
    if not all(not text or regex.search(r"\p{L}", text) or YEAR.match(text) for text in texts):
        return False
    for column, cell in enumerate(row):
        spanning = cell is not None and sum(1 for other in row if other is cell) > 1
        if spanning and (column >= len(texts) or not texts[column]):
            return False
    return True


def header_depth(rows: list[list[Cell | None]]) -> int:
    """How many top rows form the header. A row with a cell spanning some columns is a header row, and
    so is the row below it when it labels the spanned columns (the years under ``Tavoite``); a row into
    which a cell of the row above reaches down (``None``: ``mittari`` over both rows) belongs with it."""
    depth = 1
    for index, row in enumerate(rows[:MAX_DEPTH]):
        if _spans(row):
            depth = max(depth, index + 1)
            if index + 1 < min(len(rows), MAX_DEPTH) and _labels_under(row, rows[index + 1]):
                depth = max(depth, index + 2)
        elif index and depth >= index and any(cell is None for cell in row):
            depth = max(depth, index + 1)
    return min(depth, len(rows))


def combine_header(rows: list[list[Cell | None]]) -> list[list[Cell]]:
    """The rows with a spanned header combined into one row; other rows unchanged (``None`` → empty)."""
    depth = header_depth(rows)
    width = max((len(row) for row in rows), default=0)
    head: list[Cell] = []
    if depth > 1:
        for column in range(width):
            parts = [row[column] for row in rows[:depth] if column < len(row) and row[column] is not None]
            lines = [line for cell in parts for line in cell.lines]
            prov = parts[-1].prov if parts else _first(rows[depth - 1]).prov
            head.append(Cell(lines=lines, prov=prov))
        rest = rows[depth:]
        out = [head]
    else:
        rest = rows
        out = []
    for row in rest:
        seen: set[int] = set()
        cells = []
        for cell in row:
            if cell is None or id(cell) in seen:
                # a spanning cell below the header (a sub-heading across the row) keeps its text once
                cells.append(Cell(lines=[], prov=(cell or _first(row)).prov))
            else:
                seen.add(id(cell))
                cells.append(cell)
        out.append(cells)
    return out


def _first(row: list[Cell | None]) -> Cell:
    return next(cell for cell in row if cell is not None)
