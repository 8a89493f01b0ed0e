"""The output contract as pydantic models: what downstream systems may rely on.

Field names follow ``docs/output-contract.md``; values keep the document's own Finnish
text. Renaming or removing a field is a breaking change and bumps the major number of
``SCHEMA_VERSION``; adding one bumps the minor number.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.1"

ValueKind = Literal["actual", "estimate", "target", "preliminary_target", "budget", "budget_proposal", "frame", "other"]
SourceFormat = Literal["pdf", "text", "markdown"]
DocumentKind = Literal["tulossopimus", "talousarvioesitys"]
Comparator = Literal[">", ">=", "<", "<=", "~"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Provenance(_Model):
    """Where a value stands in the source: page and bbox for PDF, line for text and Markdown."""

    page: int | None = Field(None, description="1-based page number (PDF only)")
    line: int | None = Field(None, description="1-based line number in the source file (text/Markdown)")
    bbox: tuple[float, float, float, float] | None = Field(
        None, description="x0, top, x1, bottom in PDF points, origin top-left (PDF only)"
    )


class Source(_Model):
    path: str
    sha256: str
    format: SourceFormat
    pages: int | None = None


class DocumentInfo(_Model):
    """What kind of document this is: an agreement, or an agency section of the budget proposal."""

    kind: DocumentKind = Field(
        "tulossopimus",
        description="tulossopimus (a performance agreement) or talousarvioesitys (an agency section of the "
        "state budget proposal, whose tables are the agency's performance targets for the year)",
    )
    budget_item: str | None = Field(None, description="the budget item of a talousarvioesitys, e.g. `28.10.01`")
    year: int | None = Field(None, description="the budget year of a talousarvioesitys")


class Coverage(_Model):
    """How much of what looks like table data became values: a low share means the reader missed a layout."""

    cells_seen: int = Field(0, description="numeric cells in regions that look like tables")
    cells_extracted: int = Field(0, description="how many of them became indicator values")
    regions_without_values: int = Field(0, description="table-like regions that gave no indicator value")

    @property
    def share(self) -> float:
        return self.cells_extracted / self.cells_seen if self.cells_seen else 1.0


class Period(_Model):
    start: int
    end: int


class Signatory(_Model):
    name: str
    title: str | None = None
    organization: str | None = None


class AgreementInfo(_Model):
    title: str
    agency: str | None
    agencies: list[str] = Field(
        default_factory=list,
        description="every party of the title that is not a ministry, in the title's order; `agency` is the first "
        "(`…ministeriön, Majakkaviraston ja Luotsausasiain toimiston tulossopimus` → both)",
    )
    ministries: list[str]
    period: Period | None
    signed_on: date | None
    reference_numbers: list[str]
    signatories: list[Signatory]
    series_id: str


class Section(_Model):
    id: str
    number: str | None
    title: str
    level: int
    parent_id: str | None
    page: int | None = None
    line: int | None = None


class Table(_Model):
    id: str
    number: int | None
    caption: str | None
    section_id: str | None
    pages: list[int]
    header: list[str]
    rows: list[list[str]]
    footnotes: list[str]
    group: str | None = Field(None, description="sub-heading printed between the caption and the table")
    provenance: Provenance


class Quantity(_Model):
    value: float
    unit: str | None
    text: str


class Target(_Model):
    year: int
    text: str
    satisfactory: str | None = Field(None, description="the 'Tyydyttävä taso' text, if any")
    numbers: list[Quantity]
    provenance: Provenance


class Goal(_Model):
    id: str
    title: str
    number: str | None = Field(None, description="the goal's own number in the document (`1.`, `Hanke 2`)")
    section_id: str | None
    parent_id: str | None
    table_id: str | None = None
    targets: list[Target]
    provenance: Provenance


class IndicatorValue(_Model):
    year: int
    kind: ValueKind
    label: str
    value: float | None
    text: str
    comparator: Comparator | None = Field(
        None,
        description="a comparison target keeps its number in `value`: `>88` → `>`, `vähintään 90` → `>=`, "
        "`alle 18` → `<`, `n. 100` → `~`",
    )
    value_max: float | None = Field(None, description="the upper bound of a range (`90–95` → value 90, value_max 95)")
    provenance: Provenance


class Indicator(_Model):
    id: str
    name: str
    unit: str | None
    scale: float = 1
    table_id: str | None
    parent_id: str | None = Field(None, description="the indicator this one is a breakdown of (`- Tori-…` rows)")
    group: str | None = Field(None, description="the goal or sub-heading the table is printed under")
    footnotes: list[str]
    budget_target: str | None
    values: list[IndicatorValue]
    provenance: Provenance


class Extractor(_Model):
    name: str
    version: str


class Agreement(_Model):
    """One version of one agreement, as extracted."""

    schema_version: str = SCHEMA_VERSION
    extractor: Extractor
    source: Source
    document: DocumentInfo = Field(default_factory=DocumentInfo)
    agreement: AgreementInfo
    sections: list[Section]
    tables: list[Table]
    goals: list[Goal]
    indicators: list[Indicator]
    coverage: Coverage = Field(default_factory=Coverage)
    warnings: list[str]
