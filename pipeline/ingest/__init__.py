"""The steps of ingestion as plain functions; ``pipeline/flows/`` wires them into a Prefect flow.

discover (folders; HTTP in ``fetch``) → skip what the catalog knows (by content hash) → extract (each
document in a worker process of its own, under hard limits: ``pipeline.workers``) → store
(``pipeline/store``: version or copy, diffs against the neighbours) → index page.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.ingest.config import FolderSource, HttpSource, SourcesConfig
from pipeline.workers import Limits

SKIP_NAMES = ("~$", ".~lock", ".")  # office lock files, hidden and temporary files


@dataclass(frozen=True)
class Candidate:
    """A document found in a source: where to read it and how to record it."""

    path: Path
    source: str  # as recorded: a path relative to the sources folder, or the URL it came from
    origin: str  # the source's name
    sha256: str


def folder_files(source: FolderSource, base: Path) -> list[Path]:
    """The files of a folder source that match its patterns, in a stable order."""
    folder = (base / source.path).resolve()
    if not folder.is_dir():
        return []
    walker = folder.rglob("*") if source.recursive else folder.iterdir()
    files = []
    for path in walker:
        if not path.is_file() or path.name.startswith(SKIP_NAMES):
            continue
        if any(fnmatch.fnmatch(path.name.lower(), pattern.lower()) for pattern in source.patterns):
            files.append(path)
    return sorted(files)


def folder_candidates(config: SourcesConfig) -> list[Candidate]:
    """Every matching file of every folder source, hashed (a hash is cheap next to an extraction)."""
    from pipeline.extract import sha256_of

    base = config.base.resolve()
    seen: set[Path] = set()
    candidates = []
    for source in config.sources:
        if not isinstance(source, FolderSource):
            continue
        for path in folder_files(source, config.base):
            if path in seen:
                continue
            seen.add(path)
            try:
                recorded = path.relative_to(base).as_posix()
            except ValueError:
                recorded = path.as_posix()
            candidates.append(Candidate(path, recorded, source.name, sha256_of(path)))
    return candidates


def split_new(candidates: list[Candidate], known: Callable[[str], bool]) -> tuple[list[Candidate], list[Candidate]]:
    """The candidates to extract (the first of each hash ``known`` does not know), and the rest."""
    new, old, seen = [], [], set()
    for candidate in candidates:
        if known(candidate.sha256) or candidate.sha256 in seen:
            old.append(candidate)
        else:
            seen.add(candidate.sha256)
            new.append(candidate)
    return new, old


def has_http_sources(config: SourcesConfig) -> bool:
    """Whether finding out what is new needs the network (and so a run of the flow, with its retries)."""
    return any(isinstance(source, HttpSource) for source in config.sources)


def nothing_new(config: SourcesConfig, output: Path, *, retry_quarantined: bool = False) -> int | None:
    """How many documents the catalog knows, when an ingest run would do nothing; None when it has work.

    Decided by reading only (no lock, no Prefect): every document found is hashed and known, the
    catalog has no diff to repair, the index, version and series pages are there, and no quarantined
    document is to be retried. A run with HTTP sources always has work: what is new there is known only by fetching,
    which the flow does with its retries.
    """
    from pipeline.store.catalog import CATALOG, Store

    if has_http_sources(config) or not (output / CATALOG).is_file() or not (output / "index.html").is_file():
        return None
    try:
        store = Store(output)
    except Exception:  # a catalog the flow must deal with, and report
        return None
    if retry_quarantined and any(d.status == "quarantined" for d in store.catalog.documents.values()):
        return None
    new, known = split_new(folder_candidates(config), store.known)
    if new or store.stale_diffs() or store.stale_pages():
        return None
    return len(known)


def extract_candidate(candidate: Candidate, *, limits: Limits | None = None):
    """The Agreement of a candidate, with ``source.path`` as the catalog records it, and what its
    worker process used (``pipeline.workers.Usage``). The extraction runs in a worker process of
    its own, killed past ``limits``."""
    from pipeline.workers import extract_isolated

    agreement, usage = extract_isolated(candidate.path, limits=limits or Limits())
    agreement.source.path = candidate.source
    return agreement, usage
