"""The output folder as a store of versions: plain functions over files, no Prefect.

Layout (all paths in the catalog are relative to the output folder)::

    catalog.json                          series → versions → diffs; every document seen
    index.html                            the catalog for people: series, versions, review pages
    versions/<series>/<date>-<sha12>.json one extracted Agreement per version
    versions/<series>/<date>-<sha12>.html its page for people: metadata, goals, indicator tables
    copies/<series>/<date>-<sha12>.json   the extraction of a copy (the PDF beside a text): its page numbers
    series/<series>.html                  every indicator of a series over the years, version by version
    sources/<sha16>.<ext>                 a copy of each document (a hard link for a download), so the
                                          output folder can be published as it is
    diffs/<series>/<old12>--<new12>/      diff.json, diff.md, diff.html between consecutive versions
    quarantine/<sha16>.json               a document that failed: source, hash, error, time
    downloads/<sha16>.<ext>               documents fetched over HTTP, named by their hash
    .ingest.lock                          held by the run that is writing

Every file is written whole (``write_atomic``) and the catalog last, so a run killed half-way
leaves the previous catalog and, at worst, files it does not point to yet; ``repair`` finishes
what a killed run left (a version whose diff was not written).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from pipeline.store.files import locked, publish_copy, write_atomic
from schemas.agreement import Agreement
from schemas.catalog import Catalog, Copy, DiffEntry, DocumentRecord, QuarantineRecord, SeriesEntry, VersionEntry
from schemas.diff import AgreementDiff

CATALOG = "catalog.json"
LOCK = ".ingest.lock"
SOURCES = "sources"
_SUFFIXES = {"pdf": ".pdf", "text": ".txt", "markdown": ".md"}


def series_page(series_id: str) -> str:
    """Where a series' page is, relative to the output folder."""
    return f"series/{series_id}.html"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Added:
    """What adding one document did: a new version (with the diffs it caused) or a copy."""

    status: str  # "version" or "copy"
    series_id: str
    version: VersionEntry
    diffs: list[AgreementDiff] = field(default_factory=list)


class Store:
    """One output folder. Mutating methods must run inside ``locked()``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.catalog = self._load()

    # --- files ----------------------------------------------------------------------------

    def _load(self) -> Catalog:
        path = self.root / CATALOG
        if not path.exists():
            return Catalog()
        return Catalog.model_validate_json(path.read_text(encoding="utf-8"))

    def save(self) -> None:
        self.catalog.updated_at = now()
        write_atomic(self.root / CATALOG, self.catalog.model_dump_json(indent=2) + "\n")

    @contextmanager
    def locked(self, timeout: float = 3600.0) -> Iterator[Store]:
        """Serialise runs on this folder; re-reads the catalog once the lock is held and sweeps
        the temporary files a killed run may have left (no other writer can own them now)."""
        with locked(self.root / LOCK, timeout=timeout):
            self.catalog = self._load()
            self.sweep()
            yield self

    def sweep(self) -> list[Path]:
        """Remove ``.*.tmp`` and ``.download-*.part`` files: half-written files of a dead run."""
        stale = [*self.root.rglob(".*.tmp"), *self.root.glob("downloads/.download-*.part")]
        for path in stale:
            path.unlink(missing_ok=True)
        return stale

    def path(self, relative: str) -> Path:
        return self.root / relative

    def load_agreement(self, version: VersionEntry) -> Agreement:
        return Agreement.model_validate_json(self.path(version.json_path).read_text(encoding="utf-8"))

    # --- what is known --------------------------------------------------------------------

    def known(self, sha256: str) -> bool:
        return sha256 in self.catalog.documents

    def versions(self, series_id: str) -> list[VersionEntry]:
        series = self.catalog.series.get(series_id)
        return list(series.versions) if series else []

    # --- recording ------------------------------------------------------------------------

    def quarantine(
        self, *, sha256: str, source: str, origin: str, error: str, extractor: str, series_id: str | None = None
    ) -> DocumentRecord:
        """Record a document that failed (or was refused: see ``refusal``); ``series_id`` when it is known."""
        record = QuarantineRecord(
            source=source, origin=origin, sha256=sha256, error=error, at=now(), extractor=extractor
        )
        relative = f"quarantine/{sha256[:16]}.json"
        write_atomic(self.path(relative), record.model_dump_json(indent=2) + "\n")
        document = DocumentRecord(
            sha256=sha256,
            source=source,
            origin=origin,
            status="quarantined",
            series_id=series_id,
            seen_at=record.at,
            error=error,
            quarantine_path=relative,
        )
        self.catalog.documents[sha256] = document
        self.save()
        return document

    def quarantine_fetch(self, *, source: str, origin: str, error: str, extractor: str) -> str:
        """Record a document that could not be fetched; not in the catalog, so the next run tries again."""
        record = QuarantineRecord(source=source, origin=origin, sha256=None, error=error, at=now(), extractor=extractor)
        relative = _fetch_record(source)
        write_atomic(self.path(relative), record.model_dump_json(indent=2) + "\n")
        return relative

    def fetched(self, source: str) -> None:
        """A document that failed to fetch before has come in: its fetch record goes."""
        self.path(_fetch_record(source)).unlink(missing_ok=True)

    def quarantine_records(self) -> list[tuple[str, QuarantineRecord]]:
        """Every quarantine file (documents that failed, and fetches that failed), newest first."""
        records = []
        for path in sorted((self.root / "quarantine").glob("*.json")):
            try:
                record = QuarantineRecord.model_validate_json(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            records.append((path.relative_to(self.root).as_posix(), record))
        return sorted(records, key=lambda r: r[1].at, reverse=True)

    def forget_quarantined(self) -> list[str]:
        """Drop the quarantine records so their documents are tried again; returns their sources."""
        gone = [d for d in self.catalog.documents.values() if d.status == "quarantined"]
        for document in gone:
            del self.catalog.documents[document.sha256]
            if document.quarantine_path:
                self.path(document.quarantine_path).unlink(missing_ok=True)
        if gone:
            self.save()
        return [d.source for d in gone]

    def add(self, agreement: Agreement, *, origin: str, local_path: str | None, diffs: bool = True) -> Added:
        """Record a newly extracted document: a new version of its series (diffed against its
        neighbours), or a copy of a version that says exactly the same. ``diffs=False`` leaves the diffs
        to the caller (``stale_diffs``, then ``diff`` for each): a step of their own, once every new
        document of a run is in."""
        from pipeline.diff import diff_agreements

        series_id = agreement.agreement.series_id
        sha = agreement.source.sha256
        entry = self._entry(agreement, local_path)
        versions = self.versions(series_id)
        position = _position(versions, entry)
        for neighbour in versions[max(position - 1, 0) : position + 1]:
            if not diff_agreements(self.load_agreement(neighbour), agreement).changes:
                published = self.publish(local_path, sha, entry.format)
                copy_json = "copies/" + entry.json_path.removeprefix("versions/")  # its pages, for the exports
                write_atomic(self.path(copy_json), agreement.model_dump_json(indent=2) + "\n")
                neighbour.copies.append(
                    Copy(
                        sha256=sha,
                        source=entry.source,
                        format=entry.format,
                        document_path=published,
                        json_path=copy_json,
                    )
                )
                self._document(agreement, origin, "copy", neighbour.sha256)
                self._series(series_id, agreement, versions)
                self.save()
                return Added("copy", series_id, neighbour)
        write_atomic(self.path(entry.json_path), agreement.model_dump_json(indent=2) + "\n")
        entry.document_path = self.publish(local_path, sha, entry.format)
        versions.insert(position, entry)
        self._series(series_id, agreement, versions)
        self._document(agreement, origin, "version", sha)
        self.save()  # the version is in; its diffs follow (``repair`` finishes them after a crash)
        if not diffs:
            return Added("version", series_id, entry)
        made = [d for d in (self._diff(series_id, i) for i in (position, position + 1)) if d is not None]
        self.save()
        return Added("version", series_id, entry, made)

    def diff(self, series_id: str, index: int) -> AgreementDiff | None:
        """Diff version ``index`` of a series against the one before it (a pair ``stale_diffs`` names),
        record it and save the catalog."""
        made = self._diff(series_id, index)
        self.save()
        return made

    def repair(self) -> list[AgreementDiff]:
        """Write the diffs a killed run left out (a version whose diff is missing or stale)."""
        made = []
        for series_id, index in self.stale_diffs():
            result = self._diff(series_id, index)
            if result is not None:
                made.append(result)
        if made:
            self.save()
        return made

    def stale_diffs(self) -> list[tuple[str, int]]:
        """(series, version index) of every version whose diff is missing, stale or should not be there."""
        stale = []
        for series_id, series in self.catalog.series.items():
            for index, version in enumerate(series.versions):
                previous = series.versions[index - 1] if index else None
                diff = version.diff
                if (
                    previous is not None
                    and (diff is None or diff.previous != previous.sha256 or not self.path(diff.html_path).exists())
                ) or (previous is None and diff is not None):
                    stale.append((series_id, index))
        return stale

    def stale_pages(self) -> list[str]:
        """The version and series pages that are missing (an output folder from before the pages)."""
        stale = []
        for series in self.catalog.series.values():
            for page in [series.page_path, *(v.page_path for v in series.versions)]:
                if page is None or not self.path(page).is_file():
                    stale.append(page or series.series_id)
        return stale

    def _entry(self, agreement: Agreement, local_path: str | None) -> VersionEntry:
        info = agreement.agreement
        sha = agreement.source.sha256
        stamp = info.signed_on.isoformat() if info.signed_on else "undated"
        series = info.series_id or "unknown"
        return VersionEntry(
            sha256=sha,
            source=agreement.source.path,
            local_path=local_path,
            format=agreement.source.format,
            title=info.title,
            signed_on=info.signed_on,
            period=info.period,
            ingested_at=now(),
            json_path=f"versions/{series}/{stamp}-{sha[:12]}.json",
            page_path=f"versions/{series}/{stamp}-{sha[:12]}.html",
            goals=len(agreement.goals),
            indicators=len(agreement.indicators),
            warnings=len(agreement.warnings),
            coverage=agreement.coverage,
        )

    def _series(self, series_id: str, agreement: Agreement, versions: list[VersionEntry]) -> None:
        newest = versions[-1]
        self.catalog.series[series_id] = SeriesEntry(
            series_id=series_id,
            kind=agreement.document.kind,
            agency=agreement.agreement.agency,
            title=newest.title,
            page_path=series_page(series_id),
            versions=versions,
        )

    def _document(self, agreement: Agreement, origin: str, status: str, version: str) -> None:
        sha = agreement.source.sha256
        self.catalog.documents[sha] = DocumentRecord(
            sha256=sha,
            source=agreement.source.path,
            origin=origin,
            status=status,
            series_id=agreement.agreement.series_id,
            version=version,
            seen_at=now(),
        )

    def _diff(self, series_id: str, index: int) -> AgreementDiff | None:
        """Diff version ``index`` of a series against the one before it and record it."""
        from pipeline.diff import diff_agreements
        from pipeline.diff.html import render_html
        from pipeline.diff.markdown import render_markdown

        versions = self.catalog.series[series_id].versions
        if index >= len(versions):
            return None
        version = versions[index]
        if index == 0:
            version.diff = None
            return None
        previous = versions[index - 1]
        diff = diff_agreements(self.load_agreement(previous), self.load_agreement(version))
        folder = f"diffs/{series_id}/{previous.sha256[:12]}--{version.sha256[:12]}"
        if version.diff is not None and version.diff.previous != previous.sha256:
            _remove_diff(self.root, version.diff)  # a version was inserted before this one
        hrefs = [self._href(v, folder) for v in (previous, version)]
        write_atomic(self.path(f"{folder}/diff.json"), diff.model_dump_json(indent=2) + "\n")
        write_atomic(self.path(f"{folder}/diff.md"), render_markdown(diff))
        write_atomic(self.path(f"{folder}/diff.html"), render_html(diff, old_href=hrefs[0], new_href=hrefs[1]))
        version.diff = DiffEntry(
            previous=previous.sha256,
            json_path=f"{folder}/diff.json",
            markdown_path=f"{folder}/diff.md",
            html_path=f"{folder}/diff.html",
            total=diff.summary.total,
            by_change=dict(diff.summary.by_change),
        )
        return diff

    def _href(self, version: VersionEntry, folder: str) -> str | None:
        """A link from ``folder`` to the version's document: its copy in the output folder, else its URL."""
        if version.document_path:
            depth = folder.count("/") + 1
            return "../" * depth + version.document_path
        if version.source.startswith(("http://", "https://")):
            return version.source
        return None

    def publish(self, local_path: str | None, sha256: str, fmt: str) -> str | None:
        """Copy a document's bytes to ``sources/<sha16>.<ext>`` (hard-link a download): links from the
        pages then stay inside the output folder. None when its bytes are no longer where they were
        read (moved, or edited since): the pages then name the document without a link."""
        if not local_path:
            return None
        source = (self.root / local_path).resolve()
        suffix = source.suffix.lower()
        if not (2 <= len(suffix) <= 6 and suffix[1:].isalnum()):
            suffix = _SUFFIXES.get(fmt, "")
        relative = f"{SOURCES}/{sha256[:16]}{suffix}"
        inside = source.is_relative_to(self.root.resolve())  # a download: ours, named by hash, never edited
        return relative if publish_copy(source, self.path(relative), sha256, link=inside) else None

    def backfill(self) -> bool:
        """Give versions stored before the pages existed their page paths and published documents (not
        their copies: the catalog does not keep where a copy's bytes were); True when the catalog changed."""
        changed = False
        for series_id, series in self.catalog.series.items():
            if series.page_path is None:
                series.page_path, changed = series_page(series_id), True
            for version in series.versions:
                if version.page_path is None:
                    version.page_path, changed = version.json_path.removesuffix(".json") + ".html", True
                if version.document_path is None and version.local_path:
                    version.document_path = self.publish(version.local_path, version.sha256, version.format)
                    changed = changed or version.document_path is not None
        return changed

    def summary(self) -> dict[str, int]:
        statuses = [d.status for d in self.catalog.documents.values()]
        return {
            "series": len(self.catalog.series),
            "versions": sum(len(s.versions) for s in self.catalog.series.values()),
            "copies": statuses.count("copy"),
            "quarantined": statuses.count("quarantined"),
        }


def refusal(agreement: Agreement) -> str | None:
    """Why an extracted document is not stored as a version, or None.

    A document that names itself an agreement but gave no goal and no indicator (a first page alone,
    a scan whose text layer is only its cover) would be an empty version, and its diff against the
    real one would say everything was removed: it is quarantined with the reason instead.
    """
    if agreement.goals or agreement.indicators:
        return None
    from pipeline.extract.coverage import NO_CONTENT

    return NO_CONTENT


def low_coverage(store: Store) -> list[tuple[SeriesEntry, VersionEntry]]:
    """The stored versions whose coverage is low (``pipeline.extract.coverage.is_low``), by series."""
    from pipeline.extract.coverage import is_low

    return [
        (series, version)
        for series in store.catalog.series.values()
        for version in series.versions
        if version.coverage is not None and is_low(version.coverage)
    ]


def _fetch_record(url: str) -> str:
    return f"quarantine/url-{hashlib.sha256(url.encode()).hexdigest()[:16]}.json"


def _remove_diff(root: Path, entry: DiffEntry) -> None:
    for relative in (entry.json_path, entry.markdown_path, entry.html_path):
        (root / relative).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        (root / entry.json_path).parent.rmdir()


def _sort_key(version: VersionEntry) -> tuple[date, datetime]:
    """A version's place: its date; undated (a budget proposal), the start of the year it is for."""
    if version.signed_on is not None:
        return (version.signed_on, version.ingested_at)
    if version.period is not None:
        return (date(version.period.start, 1, 1), version.ingested_at)
    return (version.ingested_at.date(), version.ingested_at)


def _position(versions: list[VersionEntry], entry: VersionEntry) -> int:
    """Where a new version goes: by the agreement's date (or its year), then by time of ingestion."""
    key = _sort_key(entry)
    for index, version in enumerate(versions):
        if _sort_key(version) > key:
            return index
    return len(versions)
