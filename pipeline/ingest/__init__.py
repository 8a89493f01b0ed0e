"""The steps of ingestion as plain functions; ``pipeline/flows/`` wires them into a Prefect flow.

discover (folders; HTTP in ``fetch``) → skip what the catalog knows (by content hash) → extract (each
document in a worker process of its own, under hard limits: ``pipeline.workers``) → store
(``pipeline/store``: version or copy, diffs against the neighbours) → index page.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.ingest.config import FolderSource, HttpSource, SourcesConfig
from pipeline.store.files import printable, sha256_file
from pipeline.workers import Limits

SKIP_NAMES = ("~$", ".~lock", ".")  # office lock files, hidden and temporary files


@dataclass(frozen=True)
class Candidate:
    """A document found in a source: where to read it and how to record it."""

    path: Path
    source: str  # as recorded: a path relative to the sources folder, or the URL it came from
    origin: str  # the source's name
    sha256: str


def folder_files(source: FolderSource, base: Path, refused: list[tuple[Path, str]] | None = None) -> list[Path]:
    """The files of a folder source that match its patterns, in a stable order.

    A match that is no regular file (a FIFO, a device, a broken link), or a symbolic link that leads out
    of the folder (unless the source says ``follow_symlinks``), is not taken: it goes to ``refused`` with
    the reason. A link out could make a run read, and publish, any file the process can read. Links to
    folders are not followed (``rglob``), so a loop cannot hold a run.
    """
    folder = (base / source.path).resolve()
    if not folder.is_dir():
        return []
    walker = folder.rglob("*") if source.recursive else folder.iterdir()
    files = []
    for path in walker:
        if path.name.startswith(SKIP_NAMES) or path.is_dir():
            continue
        if not any(fnmatch.fnmatch(path.name.lower(), pattern.lower()) for pattern in source.patterns):
            continue
        reason = _not_readable(path, folder, follow_symlinks=source.follow_symlinks)
        if reason is None:
            files.append(path)
        elif refused is not None:
            refused.append((path, reason))
    return sorted(files)


def _not_readable(path: Path, folder: Path, *, follow_symlinks: bool) -> str | None:
    """Why a matching file of a folder source is not read, or None."""
    import stat

    target = path.resolve()
    if not follow_symlinks and not target.is_relative_to(folder):
        return (
            f"a symbolic link to {printable(str(target))}, outside its source's folder: not read "
            "(follow_symlinks = true in the [[source]] reads it)"
        )
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"not read ({'a broken symbolic link' if path.is_symlink() else exc.strerror or exc})"
    return None if stat.S_ISREG(mode) else "not a regular file (a FIFO, a device or a socket): not read"


def _recorded(path: Path, base: Path) -> str:
    """A document's path as the catalog records it: relative to the sources file's folder when inside it."""
    try:
        return printable(path.relative_to(base).as_posix())
    except ValueError:
        return printable(path.as_posix())


def folder_candidates(config: SourcesConfig, *, warn: Callable[[str], None] | None = None) -> list[Candidate]:
    """Every matching file of every folder source, hashed (a hash is cheap next to an extraction).

    What is not read (``folder_files``) is said in one line each to ``warn`` (default: the
    ``agreements.ingest`` logger, which the command line prints). A name that is not UTF-8 is recorded
    with U+FFFD for its bad bytes (``source``); the file is read by its real name (``path``).
    """
    base = config.base.resolve()
    seen: set[Path] = set()
    candidates = []
    refused: list[tuple[Path, str]] = []
    for source in config.sources:
        if not isinstance(source, FolderSource):
            continue
        for path in folder_files(source, config.base, refused):
            if path in seen:
                continue
            seen.add(path)
            try:
                sha256 = sha256_file(path)
            except OSError as exc:  # gone, unreadable or no longer a file since it was listed
                refused.append((path, f"cannot read ({exc.strerror or exc}): not read"))
                continue
            candidates.append(Candidate(path, _recorded(path, base), source.name, sha256))
    for path, reason in sorted(refused):
        (warn or _warn)(f"{_recorded(path, base)}: {reason}")
    return candidates


def _warn(message: str) -> None:
    logging.getLogger("agreements.ingest").warning(message)


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
        documents = store.catalog.documents  # read now: a corrupt catalog is the flow's to rebuild, and report
    except Exception:
        return None
    if retry_quarantined and any(d.status == "quarantined" for d in documents.values()):
        return None
    refused: list[str] = []
    new, known = split_new(folder_candidates(config, warn=refused.append), store.known)
    if new or store.stale_diffs() or store.stale_pages():
        return None  # the run says what it does not read
    for line in refused:
        _warn(line)
    return len(known)


def extract_candidate(candidate: Candidate, *, limits: Limits | None = None):
    """The Agreement of a candidate, with ``source.path`` as the catalog records it, and what its
    worker process used (``pipeline.workers.Usage``). The extraction runs in a worker process of
    its own, killed past ``limits``."""
    from pipeline.workers import extract_isolated

    agreement, usage = extract_isolated(candidate.path, limits=limits or Limits())
    agreement.source.path = candidate.source
    if agreement.source.sha256 != candidate.sha256:  # the catalog records what was read, under its own hash
        _warn(
            f"{candidate.source}: changed after it was found; extracted as it was read "
            f"(sha256 {agreement.source.sha256[:12]}…, found as {candidate.sha256[:12]}…)"
        )
    return agreement, usage
