"""Indicators (mittarit) and their yearly values, from tables whose columns are years.

A column header names a year and a kind (``Alustava tavoite 2025`` → 2025, preliminary_target;
``2024 TA`` → 2024, budget). The name column is the one headed ``mittari``/``Indikaattori``, else
the first; a ``talousarviotavoite`` column flags budget targets (``TAE``). Every non-empty cell
becomes a value with the cell as written; cells that hold no number (``tbd``, ``-``,
``Viite: Taulukko 7``) keep their text with ``value`` null.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from pipeline.layout import Provenance
from pipeline.nlp import vocab
from pipeline.nlp.numbers import parse_cell
from pipeline.segment.outline import Outline, TableInfo
from pipeline.textnorm import strip_footnote_marks

HEADER_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
EMPTY_MARKS = {"", "-", "–", "—"}


@dataclass
class Column:
    index: int
    year: int
    kind: str
    label: str


@dataclass
class RawValue:
    year: int
    kind: str
    label: str
    value: float | None
    text: str
    prov: Provenance
    comparator: str | None = None
    value_max: float | None = None


@dataclass
class RawIndicator:
    name: str
    unit: str | None
    scale: float
    table: TableInfo
    marks: list[str]
    budget_target: str | None
    values: list[RawValue]
    prov: Provenance
    parent: RawIndicator | None = None
    footnotes: list[str] = field(default_factory=list)
    group: str | None = None


def year_columns(header: list[str]) -> list[Column]:
    """The columns of a header row that name a year, with the kind each names."""
    columns = []
    for index, text in enumerate(header):
        years = HEADER_YEAR.findall(text)
        if len(years) != 1 or HEADER_YEAR.sub("", text).count("=") or "(" in text:
            continue
        kind = vocab.column_kind(HEADER_YEAR.sub(" ", text)) or "other"
        columns.append(Column(index, int(years[0]), kind, text))
    return columns


def is_indicator_table(table: TableInfo) -> bool:
    rows = table.block.rows
    return len(rows) >= 2 and len(year_columns([c.text for c in rows[0]])) >= 1


def _name_column(header: list[str], taken: set[int]) -> int | None:
    """The column of the rows' names: headed ``mittari`` & co., else the first that names no year;
    None when every column names a year."""
    for index, text in enumerate(header):
        if vocab.NAME_HEADERS.match(text.strip()):
            return index
    return next((i for i in range(len(header)) if i not in taken), None)


def indicators_from_table(table: TableInfo, warnings: list[str]) -> list[RawIndicator]:
    """Every indicator row of one table, in order."""
    rows = table.block.rows
    header = [c.text for c in rows[0]]
    columns = year_columns(header)
    taken = {c.index for c in columns}
    flag_column = next((i for i, h in enumerate(header) if vocab.BUDGET_FLAG_HEADER.match(h.strip())), None)
    if flag_column is not None:
        taken.add(flag_column)
    name_column = _name_column(header, taken)
    if name_column is None:
        # Every header cell names a year: the first column's cells are the names all the same.
        name_column = 0
        columns = [c for c in columns if c.index != 0]
        warnings.append(f"table {table.id}: every header cell names a year; the first column is read as the names")
    table_unit, table_scale = vocab.unit_of(" ".join([header[name_column], table.caption or ""]))
    found: list[RawIndicator] = []
    last_top: RawIndicator | None = None
    group = table.group
    for row in rows[1:]:
        name_cell = row[name_column]
        raw_name = name_cell.text.strip()
        cells = [row[c.index] for c in columns]
        if (
            raw_name
            and not any(c.text.strip() for c in cells)
            and all(not cell.text.strip() for i, cell in enumerate(row) if i != name_column)
        ):
            # a sub-heading inside the table ("Palvelukyky ja laatu"): it groups the rows below
            group = strip_footnote_marks(raw_name)[0]
            continue
        if not raw_name:
            if any(c.text.strip() for c in cells):
                warnings.append(
                    f"table {table.id}: a row with values but no name was skipped ({_where(name_cell.prov)})"
                )
            continue
        name, marks = strip_footnote_marks(raw_name)
        sub = regex.match(r"^[-–—]\s+(.*)$", name)
        if sub:
            name = sub.group(1)
        unit, scale = vocab.unit_of(name)
        if unit is None:
            unit, scale = table_unit, table_scale
        values = []
        for column, cell in zip(columns, cells, strict=True):
            text = cell.text.strip()
            if not text:
                continue
            clean, _ = strip_footnote_marks(text)
            parsed = parse_cell(clean)
            values.append(
                RawValue(
                    column.year,
                    column.kind,
                    column.label,
                    parsed.value,
                    text,
                    cell.prov,
                    parsed.comparator,
                    parsed.value_max,
                )
            )
        flag = row[flag_column].text.strip() if flag_column is not None else ""
        indicator = RawIndicator(
            name=name,
            unit=unit,
            scale=scale,
            table=table,
            marks=marks,
            budget_target=None if flag in EMPTY_MARKS else flag,
            values=values,
            prov=name_cell.prov,
            parent=last_top if sub else None,
            group=group,
        )
        indicator.footnotes = [table.footnotes[m] for m in marks if m in table.footnotes]
        missing = [m for m in marks if m not in table.footnotes]
        if missing:
            warnings.append(f"table {table.id}: footnote {''.join(missing)} of {name!r} has no footnote text")
        if not sub:
            last_top = indicator
        found.append(indicator)
    return found


def _where(prov: Provenance) -> str:
    return f"page {prov.page}" if prov.page else f"line {prov.line}"


def extract_indicators(outline: Outline, warnings: list[str]) -> list[RawIndicator]:
    result: list[RawIndicator] = []
    for table in outline.tables:
        if is_indicator_table(table):
            result.extend(indicators_from_table(table, warnings))
    return result
