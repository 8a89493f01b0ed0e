"""The difference between two versions of an agreement, as pydantic models: ``AgreementDiff``.

Field names follow ``docs/output-contract.md``. A diff is about what the agreement says,
never about layout: a change names the entity it is about (a goal, a goal's yearly target, an
indicator, one of its yearly values, the agreement's metadata, a table or a section), its id, a
path that locates it, the old and the new value, and details for reviewers (the year, the value's
kind before and after, a word-level change of a text, how sure the matching of a renamed item is,
and where each side stands in its source).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.agreement import SCHEMA_VERSION, Comparator, Extractor, Provenance, Quantity, SourceFormat, ValueKind

ChangeKind = Literal["added", "removed", "changed", "renamed", "confirmed"]
Entity = Literal["agreement", "goal", "target", "indicator", "value", "table", "section"]

CHANGE_KINDS: tuple[str, ...] = ("added", "removed", "changed", "renamed", "confirmed")
ENTITIES: tuple[str, ...] = ("agreement", "goal", "target", "indicator", "value", "table", "section")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VersionRef(_Model):
    """One of the two versions compared."""

    sha256: str
    path: str
    signed_on: date | None
    series_id: str | None = None
    format: SourceFormat | None = None
    title: str | None = None
    extractor: Extractor | None = Field(None, description="the extractor that produced this version's JSON")


class WordChange(_Model):
    """One run of a word-level comparison of two texts: words kept, deleted or inserted."""

    op: Literal["equal", "delete", "insert"]
    text: str


class Detail(_Model):
    """What a reviewer needs beside the old and new value; fields that do not apply are null."""

    field: str | None = Field(None, description="the field that changed, e.g. `unit`, `kind`, `signed_on`")
    year: int | None = Field(None, description="the year of a target or value")
    old_kind: ValueKind | None = None
    new_kind: ValueKind | None = None
    old_label: str | None = Field(None, description="column header as written in the old version")
    new_label: str | None = None
    old_text: str | None = Field(None, description="a value's cell as written in the old version")
    new_text: str | None = None
    old_comparator: Comparator | None = Field(None, description="a value's comparison in the old version (`>88` → `>`)")
    new_comparator: Comparator | None = None
    old_value_max: float | None = Field(None, description="the upper bound of a range in the old version")
    new_value_max: float | None = None
    unit: str | None = None
    words: list[WordChange] | None = Field(None, description="word-level change of a text, old → new")
    old_numbers: list[Quantity] | None = Field(None, description="quantities in the old text, where they changed")
    new_numbers: list[Quantity] | None = None
    similarity: float | None = Field(None, description="how alike a renamed item's old and new names are, 0–1")
    uncertain: bool = Field(False, description="the matching behind this change is a guess a reviewer should check")
    rollover: bool = Field(
        False,
        description="nothing but the years rolling on: a year that left its table at the start or came in at the "
        "end, or a value confirmed or moved on to a later kind (target → estimate) with its figure unchanged",
    )
    note: str | None = Field(None, description="one sentence for reviewers")
    delta: float | None = Field(
        None,
        description="a figure that moved: new − old, in the units its cells print (percentage points for `%`); "
        "null when the number stayed or a side has none",
    )
    percent: float | None = Field(
        None, description="the delta as a percentage of the old figure (4 significant digits); null when it is 0"
    )
    spelling_fix: bool = Field(
        False,
        description="a renamed item or reworded text whose only difference is spelling: each replaced word a "
        "misspelling (Voikko does not know it) of the word that replaced it, or only capitals or punctuation",
    )


class Change(_Model):
    change: ChangeKind
    entity: Entity
    id: str = Field(description="the entity's id (the new one where it has one); for a value or target, its owner's")
    path: str = Field(description="where the change is, e.g. `indicators/<id>/values/2025`, `agreement/signed_on`")
    old: Any = Field(None, description="the old value: a number, a text, a list or an object; null when added")
    new: Any = Field(None, description="the new value; null when removed")
    detail: Detail = Field(default_factory=Detail)
    title: str | None = Field(None, description="the name of the goal, indicator, table or section it concerns")
    old_id: str | None = Field(None, description="the entity's id in the old version, where it differs")
    old_provenance: Provenance | None = None
    new_provenance: Provenance | None = None


class Summary(_Model):
    """Counts per change and entity: ``by_entity["value"]["confirmed"]`` and so on."""

    total: int
    by_change: dict[ChangeKind, int]
    by_entity: dict[Entity, dict[ChangeKind, int]]
    uncertain: int = Field(0, description="changes resting on a matching a reviewer should check")
    rollover: int = Field(0, description="changes that are nothing but the years rolling on (`detail.rollover`)")


class ReExtraction(_Model):
    """Set when both sides are the same source bytes: the diff shows what an extractor change did."""

    old_extractor: Extractor | None
    new_extractor: Extractor | None
    warnings_added: list[str]
    warnings_removed: list[str]


class AgreementDiff(_Model):
    """What changed between two versions of one agreement (or two extractions of one version)."""

    schema_version: str = SCHEMA_VERSION
    series_id: str
    old: VersionRef
    new: VersionRef
    changes: list[Change]
    summary: Summary
    forced: bool = Field(False, description="the two sides belong to different series and were compared anyway")
    re_extraction: ReExtraction | None = None
    warnings: list[str] = Field(default_factory=list, description="what the comparison was unsure of")
