"""Readers: one per input format, each returning the same ``Layout``.

``read_document`` picks the reader from the file's bytes first (a PDF is a PDF whatever its
name), then from its extension, and turns every failure into an ``AgreementError``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.errors import EmptyDocument, UnreadableDocument
from pipeline.layout import Layout

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}


def detect_format(path: Path, head: bytes) -> str:
    """``pdf``, ``markdown`` or ``text`` for a file, from its first bytes and its name."""
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        raise UnreadableDocument(f"{path}: not a PDF file (no %PDF header)")
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in TEXT_SUFFIXES or not suffix:
        return "text"
    if b"\x00" in head:
        raise UnreadableDocument(f"{path}: binary file of unsupported type {suffix!r}")
    return "text"


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the two encodings Finnish files come in."""
    if b"\x00" in data[:4096]:
        raise UnreadableDocument(f"{path}: binary data, not a text document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_document(
    path: Path,
    *,
    max_pages: int | None = None,
    deadline: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Layout:
    """Read any supported file into a ``Layout``; raises ``AgreementError`` subclasses.

    ``deadline`` (a ``time.monotonic()`` value) bounds PDF reading, the only part whose time grows
    with what a publisher puts on a page; text and Markdown are read in one linear pass.
    ``progress(pages done, pages)`` watches a PDF being read (a progress bar); it changes nothing.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except FileNotFoundError:
        raise UnreadableDocument(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UnreadableDocument(f"{path}: is a directory") from None
    except OSError as exc:
        raise UnreadableDocument(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not head.strip():
        raise EmptyDocument(f"{path}: empty file")
    fmt = detect_format(path, head)
    if fmt == "pdf":
        from pipeline.readers.pdf import read_pdf

        return read_pdf(path, max_pages=max_pages, deadline=deadline, progress=progress)
    text = decode_text(path.read_bytes(), path)
    if not text.strip():
        raise EmptyDocument(f"{path}: no text")
    if fmt == "markdown":
        from pipeline.readers.markdown import read_markdown

        return read_markdown(text)
    from pipeline.readers.text import read_text

    return read_text(text)
