"""What the reports show: an ``AgreementDiff``'s changes grouped the way a reviewer reads them.

A goal's own change (renamed, moved) and the changes of its yearly targets form one group; so do
an indicator and its yearly values. The Markdown and HTML reports render the same groups, so
they never disagree about what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath

from pipeline.nlp.numbers import format_fi_number
from schemas.agreement import Provenance
from schemas.diff import CHANGE_KINDS, ENTITIES, AgreementDiff, Change, VersionRef

SECTION_TITLES = {
    "agreement": "Agreement",
    "goals": "Goals and targets",
    "indicators": "Indicators and values",
    "outline": "Tables and sections",
}
_SECTION_OF = {
    "agreement": "agreement",
    "goal": "goals",
    "target": "goals",
    "indicator": "indicators",
    "value": "indicators",
    "table": "outline",
    "section": "outline",
}
_OWNER = {"target": "goal", "value": "indicator"}
FIELD_NAMES = {
    "title": "Title",
    "agency": "Agency",
    "agencies": "Agencies",
    "ministries": "Ministries",
    "period": "Period",
    "signed_on": "Signed on",
    "reference_numbers": "Reference numbers",
    "signatories": "Signatories",
    "unit": "Unit",
    "scale": "Scale",
    "budget_target": "Budget target flag",
    "footnotes": "Footnotes",
    "table_id": "Table",
    "parent_id": "Belongs to",
    "text": "Target",
    "satisfactory": "Satisfactory level",
    "kind": "Kind of value",
    "comparator": "Comparison",
    "value_max": "Upper bound",
}
ROLLOVER_LINE = (
    "{n} of them are only the years rolling on (marked rollover): a year that left a table at its start or came "
    "in at its end, or a figure confirmed or moved on to a later kind (target → estimate) unchanged."
)


@dataclass
class Group:
    """One goal, indicator, table or section with its changes, or the agreement's metadata."""

    entity: str
    id: str
    title: str
    own: list[Change] = field(default_factory=list)  # changes of the item itself
    rows: list[Change] = field(default_factory=list)  # its targets or values

    @property
    def changes(self) -> list[Change]:
        return self.own + self.rows

    @property
    def anchor(self) -> str:
        return f"{self.entity}-{self.id}"


def grouped(diff: AgreementDiff) -> dict[str, list[Group]]:
    """The diff's changes by report section, grouped by the goal or indicator they concern."""
    sections: dict[str, list[Group]] = {name: [] for name in SECTION_TITLES}
    index: dict[tuple[str, str], Group] = {}
    for change in diff.changes:
        section = _SECTION_OF[change.entity]
        owner = _OWNER.get(change.entity, change.entity)
        key = (owner, change.id) if section != "agreement" else ("agreement", "agreement")
        group = index.get(key)
        if group is None:
            title = "Agreement" if section == "agreement" else (change.title or change.id)
            group = index[key] = Group(owner, change.id, title)
            sections[section].append(group)
        (group.rows if change.entity in _OWNER else group.own).append(change)
    return sections


def counts_table(diff: AgreementDiff) -> list[tuple[str, list[int]]]:
    """Rows of (entity, counts per change kind) for the entities that changed."""
    return [
        (entity, [diff.summary.by_entity.get(entity, {}).get(kind, 0) for kind in CHANGE_KINDS])
        for entity in ENTITIES
        if entity in diff.summary.by_entity
    ]


def fi_date(value: date | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.day}.{value.month}.{value.year}"


def show(value: object) -> str:
    """A field's value as a reviewer reads it: Finnish numbers and dates, lists joined."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_fi_number(value)
    if isinstance(value, list):
        return "; ".join(show(v) for v in value) if value else "–"
    if isinstance(value, dict):
        if set(value) == {"start", "end"}:
            return f"{value['start']}–{value['end']}" if value["start"] != value["end"] else str(value["start"])
        if "name" in value:
            return ", ".join(str(value[k]) for k in ("name", "title", "organization") if value.get(k))
        return ", ".join(f"{k}: {show(v)}" for k, v in value.items())
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return fi_date(text)
        except ValueError:
            return text
    return text


def cell(change: Change, side: str) -> str:
    """A value as written in its cell on one side (``93,5``), or – where the side has none."""
    text = change.detail.old_text if side == "old" else change.detail.new_text
    if text is not None:
        return " ".join(text.split())
    return show(change.old if side == "old" else change.new)


def where(provenance: Provenance | None) -> str | None:
    """``p. 5`` for a PDF, ``line 123`` for text, None when unknown."""
    if provenance is None:
        return None
    if provenance.page is not None:
        return f"p. {provenance.page}"
    if provenance.line is not None:
        return f"line {provenance.line}"
    return None


def link(base: str | None, provenance: Provenance | None) -> str | None:
    """A link to the place in the source: ``file.pdf#page=5`` (PDF viewers open that page)."""
    if base is None or provenance is None:
        return None
    if provenance.page is not None:
        return f"{base}#page={provenance.page}"
    return base


def version_line(version: VersionRef) -> str:
    parts = [f"signed {fi_date(version.signed_on)}" if version.signed_on else "no date"]
    parts.append(f"sha256 {version.sha256[:12]}")
    if version.extractor:
        parts.append(f"{version.extractor.name} {version.extractor.version}")
    return f"{PurePosixPath(version.path).name} ({', '.join(parts)})"
