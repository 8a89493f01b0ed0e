"""Pages for people: one per version (what the agreement says) and one per series (how it moved).

Written with the index after every run, from the catalog and the versions' JSON: plain functions,
no Prefect. Each page is self-contained (inline CSS and SVG, no script, nothing fetched) and links
only inside the output folder (the documents are published beside the pages, ``Store.publish``),
so the folder can be served or opened as files just as it is.

- ``versions/<series>/<date>-<sha12>.html`` beside the version's JSON: the metadata, the warnings
  and coverage, the goals with their yearly targets, and the indicators as the tables they were
  printed in, a value per year and kind.
- ``series/<series>.html``: every indicator with a chart of its values over the years, one line of
  points per version, and a table of the same figures (how the 2026 target moved from one agreement
  to the next); every goal's targets, version by version.

Indicators and goals are followed across versions by their ids (made from their names), and across
a rename by the diff between the two versions (``Change.old_id``), as the review pages pair them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex
from markupsafe import Markup

import pipeline
from pipeline.diff.view import fi_date
from pipeline.extract.coverage import describe, is_low
from pipeline.nlp.numbers import format_fi_number
from pipeline.store.catalog import Store, series_page
from pipeline.store.chart import Line, Point, colour, line_chart
from pipeline.store.files import write_if_changed
from pipeline.templates import environment
from schemas.agreement import Agreement, Indicator, IndicatorValue, Target
from schemas.catalog import SeriesEntry, VersionEntry
from schemas.diff import AgreementDiff

KIND_ORDER = ("actual", "estimate", "target", "preliminary_target", "budget", "budget_proposal", "frame", "other")
KIND_SHORT = {  # under a figure in the series tables; the header's own words are its tooltip
    "actual": "actual",
    "estimate": "estimate",
    "target": "target",
    "preliminary_target": "prelim.",
    "budget": "budget",
    "budget_proposal": "proposal",
    "frame": "frame",
    "other": "other",
}
COMPARATORS = {">": ">", ">=": "≥", "<": "<", "<=": "≤", "~": "n."}
_DECIMALS = regex.compile(r"\d,(\d+)")


# --- numbers --------------------------------------------------------------------------------------


def decimals_of(text: str) -> int | None:
    """How many decimals the cell was printed with (``3,0`` → 1), so ``3.0`` is shown as ``3,0``."""
    match = _DECIMALS.search(text)
    return len(match.group(1)) if match else None


def show_value(value: IndicatorValue) -> str:
    """A value as a Finnish reader writes it: ``513 533``, ``93,5``, ``≥ 90``, ``90–95``; its text
    where it has no number (``Uusi mittari``)."""
    if value.value is None:
        return " ".join(value.text.split()) or "–"
    places = decimals_of(value.text)
    text = format_fi_number(value.value, places)
    if value.value_max is not None:
        text += "–" + format_fi_number(value.value_max, places)
    if value.comparator:
        text = f"{COMPARATORS.get(value.comparator, value.comparator)} {text}"
    return text


def show_delta(old: IndicatorValue, new: IndicatorValue) -> str | None:
    """``+0,5`` or ``−1``: how far a year's number moved between two versions; None when it did not."""
    if old.value is None or new.value is None or old.value == new.value:
        return None
    places = max(decimals_of(old.text) or 0, decimals_of(new.text) or 0)
    delta = round(new.value - old.value, places)
    if delta == 0:
        return None
    return ("+" if delta > 0 else "−") + format_fi_number(abs(delta), places)


# --- a version ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    year: int
    kind: str
    label: str


@dataclass
class Row:
    indicator: Indicator
    cells: dict[Column, list[IndicatorValue]]
    breakdown: bool  # a ``- Tori-…`` row under its total


@dataclass
class TableView:
    """Indicators as printed together: a table's caption, its year columns, a row per indicator."""

    table_id: str | None
    caption: str
    group: str | None
    columns: list[Column]
    rows: list[Row]
    budget_targets: bool
    footnotes: list[str]


def indicator_tables(agreement: Agreement) -> list[TableView]:
    """The agreement's indicators table by table, in the document's order; columns by year and kind
    (a column is a header cell: ``Alustava tavoite 2026``), rows in the document's order."""
    tables = {t.id: t for t in agreement.tables}
    by_table: dict[str | None, list[Indicator]] = {}
    for indicator in agreement.indicators:
        by_table.setdefault(indicator.table_id, []).append(indicator)
    views = []
    for table_id, indicators in by_table.items():
        table = tables.get(table_id) if table_id else None
        seen: dict[Column, int] = {}
        for indicator in indicators:
            for value in indicator.values:
                seen.setdefault(Column(value.year, value.kind, value.label), len(seen))
        columns = sorted(seen, key=lambda c: (c.year, KIND_ORDER.index(c.kind), seen[c]))
        rows = []
        for indicator in indicators:
            cells: dict[Column, list[IndicatorValue]] = {}
            for value in indicator.values:
                cells.setdefault(Column(value.year, value.kind, value.label), []).append(value)
            rows.append(Row(indicator, cells, indicator.parent_id is not None))
        footnotes = list(table.footnotes) if table else []
        if not footnotes:
            footnotes = list(dict.fromkeys(n for i in indicators for n in i.footnotes))
        if table is not None:
            caption = table.caption or f"Table {table.number or table.id}"
        else:
            caption = "Indicators outside tables"
        views.append(
            TableView(
                table_id=table_id,
                caption=caption,
                group=table.group if table else None,
                columns=columns,
                rows=rows,
                budget_targets=any(i.budget_target for i in indicators),
                footnotes=footnotes,
            )
        )
    return views


# --- a series -------------------------------------------------------------------------------------


@dataclass
class VersionView:
    """A version on the series page: its entry, its extraction, its colour in the charts."""

    entry: VersionEntry
    agreement: Agreement
    colour: str
    label: str  # ``13.12.2023``, or the year of an undated budget proposal


@dataclass
class Cell:
    values: list[IndicatorValue]
    deltas: list[str | None]  # per value: how far it moved from the version before


@dataclass
class IndicatorHistory:
    """One indicator across the versions: its rows (None where a version lacks it), years, chart."""

    key: str
    name: str
    former_names: list[str]
    unit: str | None  # when the name does not say it
    caption: str
    years: list[int]
    rows: list[tuple[VersionView, dict[int, Cell] | None]]
    chart: str
    moved: int  # how many (version, year) numbers differ from the version before


@dataclass
class TargetRow:
    version: VersionView
    target: Target | None
    same: bool  # word for word as in the version before


@dataclass
class GoalHistory:
    key: str
    title: str
    number: str | None
    former_titles: list[str]
    years: list[tuple[int, list[TargetRow]]]
    present: list[bool]  # per version: does it have this goal


@dataclass
class SeriesView:
    versions: list[VersionView]
    indicators: list[tuple[str, list[IndicatorHistory]]]  # by caption
    goals: list[GoalHistory]


def canonical_keys(agreements: list[Agreement], diffs: list[AgreementDiff | None], entity: str) -> list[dict[str, str]]:
    """For each version, its indicator (or goal) ids → one key per thing across the versions.

    The key is the id in the newest version that has it. ``diffs[i]`` compares version ``i - 1`` to
    ``i`` (None for the first, or when it is missing): its renames (``old_id``) join the two ids.
    """
    ids = [[i.id for i in (a.indicators if entity == "indicator" else a.goals)] for a in agreements]
    keys: list[dict[str, str]] = [{} for _ in agreements]
    for index in range(len(agreements) - 1, -1, -1):
        later = keys[index + 1] if index + 1 < len(agreements) else {}
        diff = diffs[index + 1] if index + 1 < len(agreements) else None
        changes = diff.changes if diff else []
        renamed = {c.old_id: c.id for c in changes if c.entity == entity and c.old_id and c.old_id != c.id}
        for item_id in ids[index]:
            following = renamed.get(item_id, item_id)
            keys[index][item_id] = later.get(following, following)
    return keys


def series_view(versions: list[VersionView], diffs: list[AgreementDiff | None]) -> SeriesView:
    agreements = [v.agreement for v in versions]
    return SeriesView(
        versions=versions,
        indicators=_indicator_histories(versions, canonical_keys(agreements, diffs, "indicator")),
        goals=_goal_histories(versions, canonical_keys(agreements, diffs, "goal")),
    )


def _indicator_histories(versions: list[VersionView], keys: list[dict[str, str]]) -> list[tuple[str, list]]:
    found: dict[str, list[Indicator | None]] = {}
    for index in range(len(versions) - 1, -1, -1):  # the newest first: its order and names lead
        for indicator in versions[index].agreement.indicators:
            found.setdefault(keys[index][indicator.id], [None] * len(versions))[index] = indicator
    groups: dict[str, list[IndicatorHistory]] = {}
    for key, per_version in found.items():
        newest_index = max(i for i, x in enumerate(per_version) if x is not None)
        newest = per_version[newest_index]
        tables = {t.id: t for t in versions[newest_index].agreement.tables}
        table = tables.get(newest.table_id) if newest.table_id else None
        caption = (table.caption or f"Table {table.number or table.id}") if table else "Indicators outside tables"
        groups.setdefault(caption, []).append(_indicator_history(key, versions, per_version, caption))
    return list(groups.items())


def _indicator_history(
    key: str, versions: list[VersionView], per_version: list[Indicator | None], caption: str
) -> IndicatorHistory:
    present = [(v, i) for v, i in zip(versions, per_version, strict=True) if i is not None]
    newest = present[-1][1]
    years = sorted({value.year for _, i in present for value in i.values})
    rows: list[tuple[VersionView, dict[int, Cell] | None]] = []
    before: dict[int, list[IndicatorValue]] = {}
    moved = 0
    for version, indicator in zip(versions, per_version, strict=True):
        if indicator is None:
            rows.append((version, None))
            continue
        by_year: dict[int, list[IndicatorValue]] = {}
        for value in sorted(indicator.values, key=lambda v: KIND_ORDER.index(v.kind)):
            by_year.setdefault(value.year, []).append(value)
        cells = {}
        for year, values in by_year.items():
            previous = before.get(year, [])
            deltas = [show_delta(previous[0], value) if previous else None for value in values]
            moved += sum(d is not None for d in deltas)
            cells[year] = Cell(values, deltas)
        rows.append((version, cells))
        before = by_year
    lines = [Line(v.entry.sha256, v.label, v.colour, _points(i, v.label)) for v, i in present]
    names = [i.name for _, i in present]
    return IndicatorHistory(
        key=key,
        name=newest.name,
        former_names=[n for n in dict.fromkeys(reversed(names)) if n != newest.name],
        unit=newest.unit if newest.unit and newest.unit.lower() not in newest.name.lower() else None,
        caption=caption,
        years=years,
        rows=rows,
        chart=line_chart(lines, label=f"{newest.name}: values by year, one line per version")
        if len({p.x for line in lines for p in line.points}) > 1  # one year is a column of dots: the table says it
        else Markup(""),
        moved=moved,
    )


def _points(indicator: Indicator, version: str) -> tuple[Point, ...]:
    return tuple(
        Point(
            x=value.year,
            y=value.value,
            y_max=value.value_max,
            filled=value.kind == "actual",
            note=f"{version + ': ' if version else ''}{value.label}: {show_value(value)}",
            kind=value.kind,
        )
        for value in sorted(indicator.values, key=lambda v: (v.year, KIND_ORDER.index(v.kind)))
        if value.value is not None
    )


def _goal_histories(versions: list[VersionView], keys: list[dict[str, str]]) -> list[GoalHistory]:
    found: dict[str, list] = {}
    for index in range(len(versions) - 1, -1, -1):
        for goal in versions[index].agreement.goals:
            found.setdefault(keys[index][goal.id], [None] * len(versions))[index] = goal
    histories = []
    for key, per_version in found.items():
        present = [g for g in per_version if g is not None]
        newest = present[-1]
        years = sorted({t.year for g in present for t in g.targets})
        rows = []
        for year in years:
            row, previous = [], None
            for version, goal in zip(versions, per_version, strict=True):
                if goal is None:
                    continue
                target = next((t for t in goal.targets if t.year == year), None)
                same = target is not None and previous is not None and _words(previous.text) == _words(target.text)
                row.append(TargetRow(version, target, same))
                previous = target
            rows.append((year, row))
        histories.append(
            GoalHistory(
                key=key,
                title=newest.title,
                number=newest.number,
                former_titles=[t for t in dict.fromkeys(reversed([g.title for g in present])) if t != newest.title],
                years=rows,
                present=[g is not None for g in per_version],
            )
        )
    return histories


def _words(text: str) -> str:
    return " ".join(text.split())


def version_label(entry: VersionEntry) -> str:
    if entry.signed_on:
        return fi_date(entry.signed_on)
    if entry.period:
        return str(entry.period.start)
    return entry.ingested_at.date().isoformat()


# --- writing --------------------------------------------------------------------------------------


@dataclass
class Pages:
    """What ``write_pages`` wrote, and each version's extraction (the index shows their warnings)."""

    agreements: dict[str, Agreement] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)


def _up(path: str) -> str:
    """From a page at ``path`` (relative to the output folder) back to the output folder."""
    return "../" * path.count("/")


def _helpers(root: str) -> dict:
    def document(entry) -> str | None:
        """A link to a version's (or a copy's) document: its published copy, else its URL."""
        if entry.document_path:
            return root + entry.document_path
        if entry.source.startswith(("http://", "https://")):
            return entry.source
        return None

    def at(href: str | None, provenance) -> str | None:
        if href and provenance is not None and provenance.page is not None:
            return f"{href}#page={provenance.page}"
        return href

    def where(provenance) -> str:
        if provenance is None:
            return ""
        if provenance.page is not None:
            return f"p. {provenance.page}"
        return f"line {provenance.line}" if provenance.line is not None else ""

    return {
        "root": root,
        "document": document,
        "at": at,
        "where": where,
        "fi_date": fi_date,
        "show_value": show_value,
        "kind_short": KIND_SHORT.get,
        "describe": describe,
        "is_low": is_low,
        "label": version_label,
        "version": pipeline.__version__,
    }


def render_version_page(series: SeriesEntry, entry: VersionEntry, agreement: Agreement) -> str:
    position = series.versions.index(entry)
    root = _up(entry.page_path or entry.json_path)
    return (
        environment("pipeline.store")
        .get_template("version.html.j2")
        .render(
            series=series,
            entry=entry,
            agreement=agreement,
            number=position + 1,
            previous=series.versions[position - 1] if position else None,
            following=series.versions[position + 1] if position + 1 < len(series.versions) else None,
            json_href=entry.json_path.rsplit("/", 1)[-1],
            tables=indicator_tables(agreement),
            **_helpers(root),
        )
    )


def render_series_page(series: SeriesEntry, view: SeriesView) -> str:
    root = _up(series.page_path or series_page(series.series_id))
    return (
        environment("pipeline.store").get_template("series.html.j2").render(series=series, view=view, **_helpers(root))
    )


def write_pages(store: Store) -> Pages:
    """Publish the documents a catalog from before the pages lacks, then write every version's page
    and every series' page; a page whose text did not change is left as it is (its time too)."""
    if store.backfill():
        store.save()
    pages = Pages()
    for series in store.catalog.series.values():
        views = []
        for index, entry in enumerate(series.versions):
            agreement = store.load_agreement(entry)
            pages.agreements[entry.sha256] = agreement
            views.append(VersionView(entry, agreement, colour(index), version_label(entry)))
            if write_if_changed(store.path(entry.page_path), render_version_page(series, entry, agreement)):
                pages.written.append(entry.page_path)
        diffs = [_load_diff(store, entry) for entry in series.versions]
        if write_if_changed(store.path(series.page_path), render_series_page(series, series_view(views, diffs))):
            pages.written.append(series.page_path)
    return pages


def _load_diff(store: Store, entry: VersionEntry) -> AgreementDiff | None:
    if entry.diff is None:
        return None
    try:
        return AgreementDiff.model_validate_json(store.path(entry.diff.json_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing or unreadable: ids alone pair the items
        return None
