"""The catalog of ingested agreements (``output/catalog.json``): series, their versions, the diffs
between consecutive versions, and every document seen with what became of it.

Downstream systems read it to find the newest version of each agreement and what changed; the
static ``output/index.html`` is rendered from it. Paths are relative to the output folder.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.agreement import SCHEMA_VERSION, Coverage, DocumentKind, Period, SourceFormat


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DiffEntry(_Model):
    """The diff from the previous version to this one."""

    previous: str = Field(description="sha256 of the previous version")
    json_path: str
    markdown_path: str
    html_path: str
    total: int
    by_change: dict[str, int]


class Copy(_Model):
    """Another document that says the same as a version (the text beside the PDF)."""

    sha256: str
    source: str
    format: SourceFormat
    document_path: str | None = Field(
        None, description="a copy of its bytes in the output folder (`sources/<sha16>.<ext>`), if it could be made"
    )
    json_path: str | None = Field(
        None,
        description="its own extraction (`copies/<series>/<date>-<sha12>.json`): the same figures with this "
        "document's pages or lines, e.g. the PDF's page numbers for a version kept from its text; null for "
        "copies recorded before it was kept",
    )


class VersionEntry(_Model):
    sha256: str = Field(description="hash of the source document: the version's identity")
    source: str = Field(description="where it came from: a path relative to its sources folder, or a URL")
    local_path: str | None = Field(
        None,
        description="the document's bytes, relative to the output folder; null when its name is not UTF-8 (the "
        "`source` then shows its bad bytes as U+FFFD) and in a catalog rebuilt from the files",
    )
    document_path: str | None = Field(
        None,
        description="the copy of the document published with the output (`sources/<sha16>.<ext>`); "
        "null when its bytes were no longer there to copy",
    )
    page_path: str | None = Field(None, description="the version's page for people (HTML)")
    format: SourceFormat
    title: str
    signed_on: date | None
    period: Period | None
    ingested_at: datetime = Field(
        description="when it was stored; in a catalog rebuilt from the files, its JSON's time"
    )
    json_path: str = Field(description="the extracted Agreement, relative to the output folder")
    goals: int
    indicators: int
    warnings: int
    coverage: Coverage | None = Field(
        None,
        description="numeric cells in table-like regions and how many became values; "
        "null for versions stored before it was measured",
    )
    diff: DiffEntry | None = Field(None, description="changes since the previous version; null for the first")
    copies: list[Copy] = Field(default_factory=list)


class SeriesEntry(_Model):
    series_id: str
    kind: DocumentKind = Field(
        "tulossopimus", description="what its documents are: agreements, or the agency's budget proposal sections"
    )
    agency: str | None
    title: str = Field(description="the newest version's title")
    page_path: str | None = Field(
        None, description="the series' page for people (HTML): every indicator over the years"
    )
    versions: list[VersionEntry] = Field(description="oldest first: by the agreement's date, then ingestion time")


class DocumentRecord(_Model):
    """One document the ingestion has seen, by content hash: it is never processed twice."""

    sha256: str
    source: str
    origin: str = Field(
        description="the name of the source (in sources.toml) it came from; `unknown` for a version or copy in a "
        "catalog rebuilt from the files (`agreements repair`), which do not keep it"
    )
    status: Literal["version", "copy", "quarantined"]
    series_id: str | None = None
    version: str | None = Field(None, description="the version it is (or is a copy of), by sha256")
    seen_at: datetime
    error: str | None = None
    quarantine_path: str | None = None


class Catalog(_Model):
    schema_version: str = SCHEMA_VERSION
    updated_at: datetime | None = None
    series: dict[str, SeriesEntry] = Field(default_factory=dict)
    documents: dict[str, DocumentRecord] = Field(default_factory=dict)


class QuarantineRecord(_Model):
    """A document that failed, kept out of the catalog's series until it is fixed or retried."""

    source: str
    origin: str
    sha256: str | None = Field(description="null when the document could not even be fetched")
    error: str
    at: datetime
    extractor: str
