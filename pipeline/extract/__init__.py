"""Extraction: a file in, a validated ``schemas.Agreement`` out. Plain functions, no Prefect."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.readers import DEFAULT_MAX_BYTES, read_document


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def display_path(path: Path, root: Path | None) -> str:
    """The path as recorded in ``source.path``: relative to the sources root when inside it."""
    resolved = path.resolve()
    if root is not None:
        try:
            return resolved.relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def load_agreement(
    path: Path,
    *,
    root: Path | None = None,
    max_pages: int | None = None,
    max_seconds: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
):
    """An agreement from a source document (extracted now) or from its extracted JSON (validated).

    A ``.json`` file must be an ``Agreement`` of the same major schema version; anything else is
    read as a document. Raises ``AgreementError`` with a one-line reason for bad input.
    """
    if path.suffix.lower() != ".json":
        return extract_file(
            path, root=root, max_pages=max_pages, max_seconds=max_seconds, progress=progress, max_bytes=max_bytes
        )
    from pydantic import ValidationError

    from pipeline.errors import UnreadableDocument
    from schemas.agreement import SCHEMA_VERSION, Agreement

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableDocument(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from exc
    try:
        agreement = Agreement.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first["loc"]) or "the top level"
        raise UnreadableDocument(
            f"{path}: not an extracted agreement ({exc.error_count()} problems; first at {where}: {first['msg']})"
        ) from exc
    if agreement.schema_version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise UnreadableDocument(
            f"{path}: schema version {agreement.schema_version} is not readable by {SCHEMA_VERSION}; re-extract it"
        )
    return agreement


def _refuse_data_file(path: Path) -> None:
    """``NotAnAgreement`` for a configuration or data file (``sources.toml``, JSON) read as text."""
    from pipeline.errors import NotAnAgreement
    from pipeline.extract.data_files import data_format
    from pipeline.readers import decode_text

    kind = data_format(decode_text(path.read_bytes(), path), path)
    if kind is not None:
        raise NotAnAgreement(f"{path}: {kind}, not a performance agreement")


def extract_file(
    path: Path,
    *,
    root: Path | None = None,
    max_pages: int | None = None,
    max_seconds: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
):
    """Read, segment and extract one document; raises ``AgreementError`` on bad input.

    ``max_bytes``, ``max_pages`` and ``max_seconds`` bound the work one document may cost
    (``DocumentTooLarge``, ``DocumentTooSlow``), so a hostile upload cannot stall a run: the size before
    anything is read, the time between PDF pages and between the steps of any format (in a worker
    process, ``pipeline.workers``, the time limit is also enforced by killing it).
    ``progress(pages done, pages)`` watches a PDF being read (the command line's progress bar).
    """
    from pipeline.extract.agreement import build_agreement
    from pipeline.segment.outline import segment
    from schemas.agreement import Source

    deadline = time.monotonic() + max_seconds if max_seconds else None
    layout = read_document(path, max_pages=max_pages, deadline=deadline, progress=progress, max_bytes=max_bytes)
    _in_time(path, deadline, "read")
    if layout.format != "pdf":
        _refuse_data_file(path)
    source = Source(path=display_path(path, root), sha256=sha256_of(path), format=layout.format, pages=layout.pages)
    outline = segment(layout)
    _in_time(path, deadline, "segmented")
    return build_agreement(outline, source)


def _in_time(path: Path, deadline: float | None, done: str) -> None:
    """``DocumentTooSlow`` when the deadline has passed by the end of a step (``done``: what it did)."""
    if deadline is not None and time.monotonic() > deadline:
        from pipeline.errors import DocumentTooSlow

        raise DocumentTooSlow(f"{path}: past the time limit once {done} (--timeout)")
