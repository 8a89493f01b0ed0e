"""Flat tables for analysts: one row per indicator value and one per yearly target, across every
version in the catalog, as CSV, JSON Lines or Parquet.

Rows carry the version they come from (series, document kind, agency, date, source hash), so a spreadsheet can
filter to the newest version (``latest``) or follow a value across versions.

Usable as they are:

- ``value`` and ``value_max`` are in base units: the number printed times the table's scale (``419 078``
  under ``1000 euroa`` → 419078000), computed in decimal arithmetic (``0,1`` × 1000 is 100, not
  100.00000000000001). ``printed`` keeps the cell as the document wrote it, ``scale`` and ``unit`` beside it.
- ``parent_id`` names the indicator a breakdown row belongs to (``- Tori-…`` under its total), as the
  extractor records it: a sum over the rows with an empty ``parent_id`` counts nothing twice. ``group`` is the
  goal or sub-heading the row is printed under.
- ``page`` is a page of a PDF, ``page_source`` which one: the version's own, or, for a version kept from its
  text or Markdown, the PDF that was ingested as a copy of it (matched value by value on indicator, year and
  kind; target by target on goal and year).
- CSV is RFC 4180 (comma, double quotes, CRLF) in UTF-8 without a byte-order mark, so Python's ``csv`` and
  pandas read the first header as it is; numbers have a decimal point. ``excel=True`` adds the BOM that
  Excel needs to show ä and ö; Excel in a Finnish locale also wants ``;`` and decimal commas
  (``agreements export --excel-fi``). A text cell that a spreadsheet would run as a formula (one beginning
  with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``, as OWASP recommends
  against CSV injection; numbers (``-5``, ``+3,2``, ``-272 090``) and a lone ``-`` stay as they are.

Files are written whole or not at all.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import regex

from pipeline.store.catalog import Store
from pipeline.store.files import atomic_file, write_atomic
from schemas.agreement import Agreement, Provenance
from schemas.catalog import SeriesEntry, VersionEntry

FORMATS = ("csv", "jsonl", "parquet")

VERSION_COLUMNS = [
    "series_id",
    "document_kind",
    "agency",
    "signed_on",
    "period_start",
    "period_end",
    "latest",
    "sha256",
    "source",
]
VALUE_COLUMNS = [
    *VERSION_COLUMNS,
    "indicator_id",
    "indicator",
    "parent_id",
    "group",
    "table_number",
    "table_caption",
    "year",
    "kind",
    "label",
    "value",
    "comparator",
    "value_max",
    "unit",
    "scale",
    "printed",
    "page",
    "page_source",
    "line",
]
TARGET_COLUMNS = [
    *VERSION_COLUMNS,
    "goal_id",
    "goal_number",
    "goal",
    "parent_goal",
    "year",
    "text",
    "satisfactory",
    "numbers",
    "page",
    "page_source",
    "line",
]
# Arrow types (pyarrow factory names), so Parquet readers get numbers as numbers, dates as dates.
_TYPES = {
    "signed_on": "date32",
    "period_start": "int32",
    "period_end": "int32",
    "latest": "bool_",
    "scale": "float64",
    "table_number": "int32",
    "year": "int32",
    "value": "float64",
    "value_max": "float64",
    "page": "int32",
    "line": "int32",
}
# What spreadsheets start a formula with (OWASP, "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A number as a cell may print it: sign, digits in groups of three (space, no-break space), decimal
# comma or point, a percent sign. Such a cell is data in every spreadsheet, never a formula.
_NUMBER = regex.compile(r"[+-]?\d+(?:[ \u00a0\u202f]\d{3})*(?:[.,]\d+)?(?:[ \u00a0\u202f]?%)?")


@dataclass
class Exported:
    """The files written, and what the reader of the export should know (one line each)."""

    paths: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Version:
    series: SeriesEntry
    version: VersionEntry
    agreement: Agreement
    paged: Agreement | None  # the PDF extraction whose pages the rows give: the version's own or a copy's
    paged_source: str | None


def _versions(store: Store, notes: list[str]) -> Iterator[_Version]:
    for series_id in sorted(store.catalog.series):
        series = store.catalog.series[series_id]
        for version in series.versions:
            agreement = store.load_agreement(version)
            paged, paged_source = _paged(store, series, version, agreement, notes)
            yield _Version(series, version, agreement, paged, paged_source)


def _paged(
    store: Store, series: SeriesEntry, version: VersionEntry, agreement: Agreement, notes: list[str]
) -> tuple[Agreement | None, str | None]:
    """The extraction that knows the version's PDF pages: its own when it is a PDF, else that of a PDF
    ingested as a copy of it (the store keeps a copy's extraction beside the versions)."""
    if agreement.source.format == "pdf":
        return agreement, version.source
    for copy in version.copies:
        if copy.format != "pdf":
            continue
        if copy.json_path and store.path(copy.json_path).is_file():
            paged = Agreement.model_validate_json(store.path(copy.json_path).read_text(encoding="utf-8"))
            return paged, copy.source
        notes.append(
            f"{series.series_id} {version.signed_on or version.sha256[:12]}: its PDF {copy.source} was recorded "
            "without its extraction (before copies kept one), so its rows have no page"
        )
    return None, None


def _pages(items: Iterator[tuple[tuple, Provenance]]) -> Callable[[tuple], int | None]:
    """A lookup of page by key; a key that occurs more than once is paired in document order."""
    pages: dict[tuple, list[int | None]] = defaultdict(list)
    for key, provenance in items:
        pages[key].append(provenance.page)
    taken: dict[tuple, int] = defaultdict(int)

    def page(key: tuple) -> int | None:
        index = taken[key]
        taken[key] += 1
        found = pages.get(key, [])
        return found[index] if index < len(found) else None

    return page


def _value_pages(agreement: Agreement | None) -> Callable[[tuple], int | None]:
    items = (
        ((i.id, v.year, v.kind), v.provenance) for i in (agreement.indicators if agreement else []) for v in i.values
    )
    return _pages(items)


def _target_pages(agreement: Agreement | None) -> Callable[[tuple], int | None]:
    items = (((g.id, t.year), t.provenance) for g in (agreement.goals if agreement else []) for t in g.targets)
    return _pages(items)


def _version_row(v: _Version) -> dict:
    version = v.version
    return {
        "series_id": v.series.series_id,
        "document_kind": v.agreement.document.kind,
        "agency": v.series.agency,
        "signed_on": version.signed_on,
        "period_start": version.period.start if version.period else None,
        "period_end": version.period.end if version.period else None,
        "latest": version is v.series.versions[-1],
        "sha256": version.sha256,
        "source": version.source,
    }


def base_units(number: float | None, scale: float) -> Decimal | None:
    """The printed number times the scale, exactly: each float as the shortest decimal that reads back
    as it (the number as parsed from the cell), multiplied in decimal arithmetic."""
    if number is None:
        return None
    product = Decimal(repr(number)) * Decimal(repr(scale))
    return product.normalize() if product else Decimal(0)


def value_rows(store: Store, notes: list[str] | None = None) -> Iterator[dict]:
    for v in _versions(store, notes if notes is not None else []):
        base = _version_row(v)
        tables = {t.id: t for t in v.agreement.tables}
        page_of = _value_pages(v.paged)
        for indicator in v.agreement.indicators:
            table = tables.get(indicator.table_id)
            for value in indicator.values:
                page = page_of((indicator.id, value.year, value.kind))
                yield {
                    **base,
                    "indicator_id": indicator.id,
                    "indicator": indicator.name,
                    "parent_id": indicator.parent_id,
                    "group": indicator.group,
                    "table_number": table.number if table else None,
                    "table_caption": table.caption if table else None,
                    "year": value.year,
                    "kind": value.kind,
                    "label": value.label,
                    "value": base_units(value.value, indicator.scale),
                    "comparator": value.comparator,
                    "value_max": base_units(value.value_max, indicator.scale),
                    "unit": indicator.unit,
                    "scale": indicator.scale,
                    "printed": value.text,
                    "page": page,
                    "page_source": v.paged_source if page is not None else None,
                    "line": value.provenance.line,
                }


def target_rows(store: Store, notes: list[str] | None = None) -> Iterator[dict]:
    for v in _versions(store, notes if notes is not None else []):
        base = _version_row(v)
        titles = {g.id: g.title for g in v.agreement.goals}
        page_of = _target_pages(v.paged)
        for goal in v.agreement.goals:
            for target in goal.targets:
                page = page_of((goal.id, target.year))
                yield {
                    **base,
                    "goal_id": goal.id,
                    "goal_number": goal.number,
                    "goal": goal.title,
                    "parent_goal": titles.get(goal.parent_id),
                    "year": target.year,
                    "text": target.text,
                    "satisfactory": target.satisfactory,
                    "numbers": "; ".join(q.text for q in target.numbers),
                    "page": page,
                    "page_source": v.paged_source if page is not None else None,
                    "line": target.provenance.line,
                }


def _number(value: float | Decimal) -> str:
    """A number in plain positional notation (no exponent), with a decimal point."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        value = Decimal(repr(value))
    return format(value, "f")


def neutralise(text: str) -> str:
    """``text`` safe to open in a spreadsheet: a leading ``'`` on what would start a formula, unless it is
    a number or a lone dash (neither can run anything)."""
    if text.startswith(_FORMULA_START) and text != "-" and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _cell(value, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | Decimal):
        number = _number(value)
        return number.replace(".", ",") if decimal_comma else number
    return neutralise(str(value))


def to_csv(
    rows: list[dict], columns: list[str], delimiter: str = ",", *, decimal_comma: bool = False, bom: bool = False
) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c], decimal_comma) for c in columns])
    return ("\ufeff" if bom else "") + buffer.getvalue()


def _plain(value):
    """A value as JSON and Arrow take it: a base-unit Decimal as an int when whole, else the nearest float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def to_jsonl(rows: list[dict], columns: list[str]) -> str:
    def plain(value):
        return value.isoformat() if hasattr(value, "isoformat") else _plain(value)

    return "".join(json.dumps({c: plain(row[c]) for c in columns}, ensure_ascii=False) + "\n" for row in rows)


def write_parquet(rows: list[dict], columns: list[str], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, getattr(pa, _TYPES.get(c, "string"))()) for c in columns])
    table = pa.Table.from_pylist([{c: _plain(row[c]) for c in columns} for row in rows], schema=schema)
    with atomic_file(path) as out:
        pq.write_table(table, out)


def export(
    output: Path,
    fmt: str,
    *,
    target: Path | None = None,
    delimiter: str = ",",
    decimal_comma: bool = False,
    excel: bool = False,
) -> Exported:
    """Write ``values.<fmt>`` and ``targets.<fmt>`` into ``target`` (default ``output/exports``).
    ``delimiter``, ``decimal_comma`` and ``excel`` (a byte-order mark) shape the CSV only."""
    store = Store(output)
    folder = target or output / "exports"
    done = Exported()
    for name, rows, columns in (
        ("values", list(value_rows(store, done.notes)), VALUE_COLUMNS),
        ("targets", list(target_rows(store)), TARGET_COLUMNS),
    ):
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            write_atomic(path, to_csv(rows, columns, delimiter, decimal_comma=decimal_comma, bom=excel))
        elif fmt == "jsonl":
            write_atomic(path, to_jsonl(rows, columns))
        else:
            write_parquet(rows, columns, path)
        done.paths.append(path)
    return done
