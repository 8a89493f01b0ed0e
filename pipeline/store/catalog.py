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
    catalog.json.corrupt-<UTC time>       a corrupt catalog, set aside when it was rebuilt

``<series>`` is ``path_name(series_id)``: never a path, never too long for a file system.

Every file is written whole (``write_atomic``) and the catalog last, so a run killed half-way
leaves the previous catalog and, at worst, files it does not point to yet; ``repair`` finishes
what a killed run left (a version whose diff was not written). The catalog can be lost: every
version's JSON, each copy's, the diffs and the quarantine records hold what it says, and
``rebuild`` makes it again from them (``Store.recover``: a corrupt catalog found by a run, or
``agreements repair``).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import regex
from pydantic import ValidationError

from pipeline.errors import AgreementError
from pipeline.store.files import WriteError, locked, printable, publish_copy, write_atomic, write_error
from schemas.agreement import Agreement
from schemas.catalog import Catalog, Copy, DiffEntry, DocumentRecord, QuarantineRecord, SeriesEntry, VersionEntry
from schemas.diff import AgreementDiff

CATALOG = "catalog.json"
LOCK = ".ingest.lock"
SOURCES = "sources"
_SUFFIXES = {"pdf": ".pdf", "text": ".txt", "markdown": ".md"}
NAME_BYTES = 100  # a series' folder and page names: well under the 255 bytes file systems allow
_PLAIN_NAME = regex.compile(r"[\p{Ll}\p{Lo}\p{N}]+(?:-[\p{Ll}\p{Lo}\p{N}]+)*")
progress = logging.getLogger("agreements.ingest")  # the command line prints its lines


class CatalogError(AgreementError):
    """The catalog (or a version's JSON it points to) cannot be read; the message names the file, in one line."""


class StoreError(AgreementError):
    """One document could not be recorded (a text no JSON can carry); nothing of it was recorded."""


def path_name(series_id: str) -> str:
    """A series id as a file or folder name: the id itself when it is a plain slug (lower-case letters and
    digits joined by single hyphens) of at most ``NAME_BYTES`` bytes in UTF-8; otherwise its slug cut to
    fit, with a short hash of the whole id, so two long ids never share a folder. Never ``..``, ``/`` or
    a name the file system refuses as too long."""
    if _PLAIN_NAME.fullmatch(series_id) and len(series_id.encode("utf-8")) <= NAME_BYTES:
        return series_id
    from pipeline.textnorm import slugify

    digest = hashlib.sha256(series_id.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    slug = slugify(printable(series_id)).encode("utf-8")[: NAME_BYTES - len(digest) - 1].decode("utf-8", "ignore")
    return f"{slug.strip('-') or 'series'}-{digest}"


def series_page(series_id: str) -> str:
    """Where a series' page is, relative to the output folder."""
    return f"series/{path_name(series_id)}.html"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Added:
    """What adding one document did: a new version (with the diffs it caused) or a copy."""

    status: str  # "version" or "copy"
    series_id: str
    version: VersionEntry
    diffs: list[AgreementDiff] = field(default_factory=list)


AGREEMENTS_KEPT = 8  # parsed Agreements a Store keeps (``load_agreement``): a series' latest, a run's new ones


class Store:
    """One output folder. Mutating methods must run inside ``locked()``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._catalog: Catalog | None = None
        self.rebuilt: Rebuilt | None = None  # set when ``locked`` found the catalog corrupt and rebuilt it
        # (path, mtime, size) → Agreement: the versions a run compares each new document with, parsed once
        self._agreements: OrderedDict[tuple[Path, int, int], Agreement] = OrderedDict()

    @property
    def catalog(self) -> Catalog:
        """The catalog, read when first needed: ``CatalogError`` (one line naming the file) if it is corrupt.
        Under ``locked`` a corrupt catalog is set aside and rebuilt instead."""
        if self._catalog is None:
            self._catalog = self._load()
        return self._catalog

    @catalog.setter
    def catalog(self, catalog: Catalog) -> None:
        self._catalog = catalog

    # --- files ----------------------------------------------------------------------------

    def _load(self) -> Catalog:
        found = self._read()
        if isinstance(found, str):
            raise CatalogError(
                f"{self.root / CATALOG}: not a valid catalog ({found}); `agreements repair` rebuilds it from "
                "versions/ and diffs/, and so does the next ingest run"
            )
        return found

    def _read(self) -> Catalog | str:
        """The catalog (empty when there is none yet), or what is wrong with it; ``CatalogError`` when it
        cannot be read at all (permissions), which no rebuild would mend."""
        path = self.root / CATALOG
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            return Catalog()
        except OSError as exc:
            raise CatalogError(f"{path}: cannot read ({exc.strerror or exc})") from None
        try:
            return Catalog.model_validate_json(text)
        except ValidationError as exc:
            return first_problem(exc)

    def save(self) -> None:
        self.catalog.updated_at = now()
        path = self.root / CATALOG
        try:
            text = self.catalog.model_dump_json(indent=2) + "\n"
        except ValueError as exc:  # a text no JSON can carry (``add`` keeps such a document out)
            raise StoreError(f"{path}: cannot be written ({str(exc).splitlines()[0]})") from None
        write_atomic(path, text)

    @contextmanager
    def locked(self, timeout: float = 3600.0) -> Iterator[Store]:
        """Serialise runs on this folder; re-reads the catalog once the lock is held and sweeps
        the temporary files a killed run may have left (no other writer can own them now). A corrupt
        catalog is set aside and rebuilt (``recover``), with a warning."""
        with locked(self.root / LOCK, timeout=timeout):
            self.sweep()
            found = self._read()
            lost = not (self.root / CATALOG).exists() and (self.root / "versions").is_dir()  # deleted by hand
            if isinstance(found, str) or lost:
                self.rebuilt = self.recover(found if isinstance(found, str) else None)
                progress.warning(self.rebuilt.describe())
            else:
                self.catalog = found
            yield self

    def recover(self, problem: str | None = None) -> Rebuilt:
        """Set ``catalog.json`` aside (``catalog.json.corrupt-<UTC time>``), if there is one, and rebuild the
        catalog from ``versions/``, ``copies/``, ``diffs/`` and ``quarantine/`` (``rebuild``); saved. Must run
        inside ``locked()``. The diffs it could not find are left to ``repair`` (the ingest run's diff step)."""
        path = self.root / CATALOG
        aside = None
        if path.exists():
            aside = self.root / f"{CATALOG}.corrupt-{now():%Y%m%dT%H%M%SZ}"
            while aside.exists():
                aside = aside.with_name(aside.name + "-1")
            try:
                os.replace(path, aside)
            except OSError as exc:
                raise write_error(aside, exc) from exc
        catalog, notes = rebuild(self.root)
        self.catalog = catalog
        self.save()
        diffs = sum(v.diff is not None for s in catalog.series.values() for v in s.versions)
        return Rebuilt(path, aside, problem, {**self.summary(), "diffs": diffs}, len(self.stale_diffs()), notes)

    def sweep(self) -> list[Path]:
        """Remove ``.*.tmp`` and ``.download-*.part`` files: half-written files of a dead run."""
        stale = [*self.root.rglob(".*.tmp"), *self.root.glob("downloads/.download-*.part")]
        for path in stale:
            path.unlink(missing_ok=True)
        return stale

    def path(self, relative: str) -> Path:
        return self.root / relative

    def load_agreement(self, version: VersionEntry | Copy) -> Agreement:
        """A stored version's Agreement; ``CatalogError`` (one line naming the file) if it is missing or invalid.

        The last few read are kept, keyed by the file's time and size (a file rewritten is read again): in a
        backlog every new document of a series is compared with the same latest versions, and parsing one
        costs tens of milliseconds. Callers only read what they are given.
        """
        path = self.path(version.json_path)
        try:
            stat = path.stat()
        except OSError:
            return read_agreement(path)  # says why, in one line
        key = (path, stat.st_mtime_ns, stat.st_size)
        agreement = self._agreements.get(key)
        if agreement is None:
            agreement = self._agreements[key] = read_agreement(path)
            while len(self._agreements) > AGREEMENTS_KEPT:
                self._agreements.popitem(last=False)
        else:
            self._agreements.move_to_end(key)
        return agreement

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
        """Record a document that failed (or was refused: see ``refusal``); ``series_id`` when it is known.
        A ``WriteError`` (naming the path) if the record cannot be written; the catalog is then as it was."""
        source, error = printable(source), printable(error)
        record = QuarantineRecord(
            source=source, origin=origin, sha256=sha256, error=error, at=now(), extractor=extractor
        )
        relative = f"quarantine/{sha256[:16]}.json"
        write_atomic(self.path(relative), record.model_dump_json(indent=2) + "\n")
        before = self.catalog.documents.get(sha256)
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
        try:
            self.save()
        except Exception:
            if before is None:
                del self.catalog.documents[sha256]
            else:
                self.catalog.documents[sha256] = before
            raise
        return document

    def quarantine_fetch(self, *, source: str, origin: str, error: str, extractor: str) -> str:
        """Record a document that could not be fetched; not in the catalog, so the next run tries again."""
        record = QuarantineRecord(
            source=printable(source), origin=origin, sha256=None, error=printable(error), at=now(), extractor=extractor
        )
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
        document of a run is in.

        All or nothing: if the document cannot be recorded (``WriteError`` naming the path: a read-only or
        full disk; ``StoreError``: a text no JSON can carry), the catalog, in memory and on disk, is as it
        was and the files written for it are gone; the caller quarantines it and goes on. A name that is
        not UTF-8 is recorded with U+FFFD (``source.path`` too); ``local_path`` is then not recorded, but its
        bytes are still published. Bytes already recorded (a document replaced, while it was read, by one
        already known) are that version again: nothing changes. The diffs (``diffs=True``) come once the
        version is saved: one that fails leaves the version recorded and its diff to ``repair``.
        """
        sha = agreement.source.sha256
        known = self.catalog.documents.get(sha)
        if known is not None and known.status != "quarantined":
            series_id = known.series_id or agreement.agreement.series_id
            version = next((v for v in self.versions(series_id) if v.sha256 == known.version), None)
            if version is not None:
                return Added("copy", series_id, version)
        agreement.source.path = printable(agreement.source.path)
        before = self.catalog.model_copy(deep=True)
        written: list[Path] = []
        try:
            added = self._record(agreement, origin, local_path, written)
        except Exception as exc:
            self.catalog = before  # the saved catalog is still this one: saving is the last step
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)
            if isinstance(exc, (WriteError, StoreError)) or not isinstance(exc, ValueError):
                raise
            raise StoreError(
                f"{agreement.source.path}: cannot be recorded ({str(exc).splitlines()[0]}); nothing of it was stored"
            ) from None
        if not diffs or added.status == "copy":
            return added
        position = self.versions(added.series_id).index(added.version)
        added.diffs = [d for d in (self._diff(added.series_id, i) for i in (position, position + 1)) if d is not None]
        self.save()
        return added

    def _record(self, agreement: Agreement, origin: str, local_path: str | None, written: list[Path]) -> Added:
        """``add`` without its diffs: the files, then the catalog saved (last); ``written``: the new files."""
        from pipeline.diff import diff_agreements

        series_id = agreement.agreement.series_id
        sha = agreement.source.sha256
        entry = self._entry(agreement, local_path)
        versions = self.versions(series_id)
        position = _position(versions, entry)
        text = agreement.model_dump_json(indent=2) + "\n"  # before anything is written: it may not serialise
        for neighbour in versions[max(position - 1, 0) : position + 1]:
            if not diff_agreements(self.load_agreement(neighbour), agreement).changes:
                published = self._publish_new(local_path, sha, entry.format, written)
                copy_json = "copies/" + entry.json_path.removeprefix("versions/")  # its pages, for the exports
                self._write_new(copy_json, text, written)
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
        self._write_new(entry.json_path, text, written)
        entry.document_path = self._publish_new(local_path, sha, entry.format, written)
        versions.insert(position, entry)
        self._series(series_id, agreement, versions)
        self._document(agreement, origin, "version", sha)
        self.save()  # the version is in; its diffs follow (``repair`` finishes them after a crash)
        return Added("version", series_id, entry)

    def _write_new(self, relative: str, text: str, written: list[Path]) -> None:
        path = self.path(relative)
        new = not path.exists()
        write_atomic(path, text)
        if new:
            written.append(path)

    def _publish_new(self, local_path: str | None, sha256: str, fmt: str, written: list[Path]) -> str | None:
        before = {p for p in self.path(SOURCES).glob(f"{sha256[:16]}.*")}
        published = self.publish(local_path, sha256, fmt)
        if published is not None and self.path(published) not in before:
            written.append(self.path(published))
        return published

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
        series = path_name(info.series_id or "unknown")
        return VersionEntry(
            sha256=sha,
            source=printable(agreement.source.path),
            local_path=local_path if local_path is None or printable(local_path) == local_path else None,
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
        folder = f"diffs/{path_name(series_id)}/{previous.sha256[:12]}--{version.sha256[:12]}"
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


@dataclass
class Rebuilt:
    """What ``Store.recover`` did: the catalog set aside, and what the rebuilt one holds."""

    path: Path
    aside: Path | None
    problem: str | None
    counts: dict[str, int]
    missing_diffs: int
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line: what was wrong, where the old file went, what the new catalog holds."""
        c = self.counts
        why = f"not a valid catalog ({self.problem}); " if self.problem else "" if self.aside else "missing; "
        # no problem but set aside: rebuilt on demand (``agreements repair --rebuild``)
        aside = f"set aside as {self.aside.name}; " if self.aside else ""
        left = f", {self.missing_diffs} diffs to make again" if self.missing_diffs else ""
        notes = f"; {len(self.notes)} files skipped: {'; '.join(self.notes)}" if self.notes else ""
        return (
            f"{self.path}: {why}{aside}rebuilt from versions/, copies/, diffs/ and quarantine/: {c['series']} series, "
            f"{c['versions']} versions, {c['copies']} copies, {c['diffs']} diffs, {c['quarantined']} quarantined"
            f"{left}{notes}"
        )


def first_problem(exc: ValidationError) -> str:
    """A pydantic error in a few words: the first problem and where (``invalid JSON: EOF while parsing…``)."""
    first = exc.errors()[0]
    where = "/".join(str(p) for p in first["loc"])
    more = f"; {exc.error_count() - 1} more" if exc.error_count() > 1 else ""
    return f"{first['msg']}{f' at {where}' if where else ''}{more}"


def read_agreement(path: Path) -> Agreement:
    """An Agreement the store wrote; ``CatalogError`` in one line naming the file if it is missing or invalid."""
    try:
        return Agreement.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValidationError as exc:
        raise CatalogError(f"{path}: not a valid extracted agreement ({first_problem(exc)})") from None


def rebuild(root: Path) -> tuple[Catalog, list[str]]:
    """A catalog from the files an output folder keeps; the files it had to skip, one line each.

    Each version's JSON (``versions/<series>/*.json``) is its Agreement: its hash, source, format, title,
    dates and counts; ``ingested_at`` is the file's time (the catalog's own is gone), the published
    document ``sources/<sha16>.*``. A copy (``copies/``) goes with the version of its series that says
    the same (no change between them). The diff between two neighbouring versions is
    ``diffs/<series>/<old12>--<new12>/`` when its ``diff.json`` is there and valid; else it is left for
    ``repair``. Quarantined documents come from ``quarantine/<sha16>.json``. Not kept anywhere else, so
    lost: the name of the source each version came from (``origin``: ``unknown``) and the path of its
    bytes (``local_path``).
    """
    from pipeline.diff import diff_agreements

    notes: list[str] = []
    stored: dict[str, list[tuple[VersionEntry, Agreement]]] = {}
    seen: set[str] = set()
    for path in sorted((root / "versions").glob("*/*.json")):
        agreement = _stored_agreement(path, root, notes)
        if agreement is None or agreement.source.sha256 in seen:
            continue
        seen.add(agreement.source.sha256)
        entry = _rebuilt_entry(root, path, agreement)
        stored.setdefault(agreement.agreement.series_id, []).append((entry, agreement))
    catalog = Catalog()
    for series_id, found in stored.items():
        found.sort(key=lambda pair: _sort_key(pair[0]))
        versions = [entry for entry, _ in found]
        for previous, version in itertools.pairwise(versions):
            version.diff = _found_diff(root, series_id, previous, version)
        newest = found[-1][1]
        catalog.series[series_id] = SeriesEntry(
            series_id=series_id,
            kind=newest.document.kind,
            agency=newest.agreement.agency,
            title=versions[-1].title,
            page_path=series_page(series_id),
            versions=versions,
        )
        for entry, agreement in found:
            catalog.documents[entry.sha256] = _rebuilt_record(entry, agreement, "version", entry.sha256)
    for path in sorted((root / "copies").glob("*/*.json")):
        agreement = _stored_agreement(path, root, notes)
        if agreement is None or agreement.source.sha256 in seen:
            continue
        same = next(
            (
                (entry, version)
                for entry, version in stored.get(agreement.agreement.series_id, [])
                if not diff_agreements(version, agreement).changes
            ),
            None,
        )
        if same is None:
            notes.append(f"{path.relative_to(root).as_posix()}: the same as no version")
            continue
        seen.add(agreement.source.sha256)
        entry = same[0]
        copy = _rebuilt_entry(root, path, agreement)
        entry.copies.append(
            Copy(
                sha256=copy.sha256,
                source=copy.source,
                format=copy.format,
                document_path=copy.document_path,
                json_path=copy.json_path,
            )
        )
        catalog.documents[copy.sha256] = _rebuilt_record(copy, agreement, "copy", entry.sha256)
    for path in sorted((root / "quarantine").glob("*.json")):
        try:
            record = QuarantineRecord.model_validate_json(path.read_bytes())
        except (OSError, ValidationError):
            notes.append(f"{path.relative_to(root).as_posix()}: not a quarantine record")
            continue
        if record.sha256 is None or record.sha256 in catalog.documents:  # a fetch that failed; or stored since
            continue
        catalog.documents[record.sha256] = DocumentRecord(
            sha256=record.sha256,
            source=record.source,
            origin=record.origin,
            status="quarantined",
            seen_at=record.at,
            error=record.error,
            quarantine_path=path.relative_to(root).as_posix(),
        )
    return catalog, notes


def _stored_agreement(path: Path, root: Path, notes: list[str]) -> Agreement | None:
    if path.name.startswith("."):
        return None
    try:
        return read_agreement(path)
    except CatalogError:
        notes.append(f"{path.relative_to(root).as_posix()}: not a valid extracted agreement")
        return None


def _rebuilt_entry(root: Path, path: Path, agreement: Agreement) -> VersionEntry:
    info, sha = agreement.agreement, agreement.source.sha256
    json_path = path.relative_to(root).as_posix()
    published = sorted((root / SOURCES).glob(f"{sha[:16]}.*"))
    return VersionEntry(
        sha256=sha,
        source=agreement.source.path,
        local_path=None,
        document_path=published[0].relative_to(root).as_posix() if published else None,
        page_path=json_path.removesuffix(".json") + ".html",
        format=agreement.source.format,
        title=info.title,
        signed_on=info.signed_on,
        period=info.period,
        ingested_at=datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(microsecond=0),
        json_path=json_path,
        goals=len(agreement.goals),
        indicators=len(agreement.indicators),
        warnings=len(agreement.warnings),
        coverage=agreement.coverage,
    )


def _rebuilt_record(entry: VersionEntry, agreement: Agreement, status: str, version: str) -> DocumentRecord:
    return DocumentRecord(
        sha256=entry.sha256,
        source=entry.source,
        origin="unknown",
        status=status,
        series_id=agreement.agreement.series_id,
        version=version,
        seen_at=entry.ingested_at,
    )


def _found_diff(root: Path, series_id: str, previous: VersionEntry, version: VersionEntry) -> DiffEntry | None:
    """The diff of two neighbouring versions as it is on disk, if it is there whole; else None (to make)."""
    folder = f"diffs/{path_name(series_id)}/{previous.sha256[:12]}--{version.sha256[:12]}"
    paths = [f"{folder}/{name}" for name in ("diff.json", "diff.md", "diff.html")]
    if not all((root / p).is_file() for p in paths):
        return None
    try:
        diff = AgreementDiff.model_validate_json((root / paths[0]).read_bytes())
    except (OSError, ValidationError):
        return None
    if (diff.old.sha256, diff.new.sha256) != (previous.sha256, version.sha256):
        return None
    return DiffEntry(
        previous=previous.sha256,
        json_path=paths[0],
        markdown_path=paths[1],
        html_path=paths[2],
        total=diff.summary.total,
        by_change=dict(diff.summary.by_change),
    )


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
