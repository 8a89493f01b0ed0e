"""Flat tables for analysts: one row per indicator value and one per yearly target, across every
version in the catalog, as CSV, JSON Lines or Parquet.

Rows carry the version they come from (series, document kind, agency, date, source hash), so a spreadsheet can
filter to the newest version (``latest``) or follow a value across versions. Text stays as the
document wrote it; ``value`` is the parsed number. Files are written whole or not at all.

CSV: RFC 4180 (comma, double quotes), UTF-8 with a byte-order mark so that Excel shows Finnish
letters, numbers with a decimal point. For Excel in a Finnish locale, which expects semicolons,
use ``--delimiter ';'``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from pipeline.store.catalog import Store
from pipeline.store.files import atomic_file, write_atomic
from schemas.agreement import Agreement
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
    "unit",
    "scale",
    "table_number",
    "table_caption",
    "year",
    "kind",
    "label",
    "value",
    "comparator",
    "value_max",
    "text",
    "page",
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


def _versions(store: Store) -> Iterator[tuple[SeriesEntry, VersionEntry, Agreement]]:
    for series_id in sorted(store.catalog.series):
        series = store.catalog.series[series_id]
        for version in series.versions:
            yield series, version, store.load_agreement(version)


def _version_row(series: SeriesEntry, version: VersionEntry, agreement: Agreement) -> dict:
    return {
        "series_id": series.series_id,
        "document_kind": agreement.document.kind,
        "agency": series.agency,
        "signed_on": version.signed_on,
        "period_start": version.period.start if version.period else None,
        "period_end": version.period.end if version.period else None,
        "latest": version is series.versions[-1],
        "sha256": version.sha256,
        "source": version.source,
    }


def value_rows(store: Store) -> Iterator[dict]:
    for series, version, agreement in _versions(store):
        base = _version_row(series, version, agreement)
        tables = {t.id: t for t in agreement.tables}
        for indicator in agreement.indicators:
            table = tables.get(indicator.table_id)
            for value in indicator.values:
                yield {
                    **base,
                    "indicator_id": indicator.id,
                    "indicator": indicator.name,
                    "unit": indicator.unit,
                    "scale": indicator.scale,
                    "table_number": table.number if table else None,
                    "table_caption": table.caption if table else None,
                    "year": value.year,
                    "kind": value.kind,
                    "label": value.label,
                    "value": value.value,
                    "comparator": value.comparator,
                    "value_max": value.value_max,
                    "text": value.text,
                    "page": value.provenance.page,
                    "line": value.provenance.line,
                }


def target_rows(store: Store) -> Iterator[dict]:
    for series, version, agreement in _versions(store):
        base = _version_row(series, version, agreement)
        titles = {g.id: g.title for g in agreement.goals}
        for goal in agreement.goals:
            for target in goal.targets:
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
                    "page": target.provenance.page,
                    "line": target.provenance.line,
                }


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def to_csv(rows: list[dict], columns: list[str], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return "\ufeff" + buffer.getvalue()


def to_jsonl(rows: list[dict], columns: list[str]) -> str:
    def plain(value):
        return value.isoformat() if hasattr(value, "isoformat") else value

    return "".join(json.dumps({c: plain(row[c]) for c in columns}, ensure_ascii=False) + "\n" for row in rows)


def write_parquet(rows: list[dict], columns: list[str], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, getattr(pa, _TYPES.get(c, "string"))()) for c in columns])
    table = pa.Table.from_pylist([{c: row[c] for c in columns} for row in rows], schema=schema)
    with atomic_file(path) as out:
        pq.write_table(table, out)


def export(output: Path, fmt: str, *, target: Path | None = None, delimiter: str = ",") -> list[Path]:
    """Write ``values.<fmt>`` and ``targets.<fmt>`` into ``target`` (default ``output/exports``)."""
    store = Store(output)
    folder = target or output / "exports"
    written = []
    for name, rows, columns in (
        ("values", list(value_rows(store)), VALUE_COLUMNS),
        ("targets", list(target_rows(store)), TARGET_COLUMNS),
    ):
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            write_atomic(path, to_csv(rows, columns, delimiter))
        elif fmt == "jsonl":
            write_atomic(path, to_jsonl(rows, columns))
        else:
            write_parquet(rows, columns, path)
        written.append(path)
    return written
