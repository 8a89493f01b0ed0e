"""Extraction: a file in, a validated ``schemas.Agreement`` out. Plain functions, no Prefect."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.readers import read_document


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


def extract_file(path: Path, *, root: Path | None = None, max_pages: int | None = None):
    """Read, segment and extract one document; raises ``AgreementError`` on bad input."""
    from pipeline.extract.agreement import build_agreement
    from pipeline.segment.outline import segment
    from schemas.agreement import Source

    layout = read_document(path, max_pages=max_pages)
    source = Source(path=display_path(path, root), sha256=sha256_of(path), format=layout.format, pages=layout.pages)
    return build_agreement(segment(layout), source)
