"""Readers: one per input format, each returning the same ``Layout``.

``read_document`` picks the reader from the file's bytes first (a PDF is a PDF whatever its
name), then from its extension, and turns every failure into an ``AgreementError``.

Reading is bounded before it starts: only a regular file is read (a FIFO would block for ever, a
link to ``/dev/zero`` would never end), its size is taken from the open file and checked against
``max_bytes``, and its bytes are read once, at most that many, whatever the file does meanwhile.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import DocumentTooLarge, EmptyDocument, UnreadableDocument
from pipeline.layout import Layout

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
# A document's size limit (``--max-bytes``): text, the densest format, is read within the default time
# and memory limits at this size (about 40 s and 600 MiB); agreements are well under 1 MiB, a PDF of
# the 500 pages allowed a few MiB.
DEFAULT_MAX_BYTES = 16 << 20
# Byte order marks of the Unicode encodings a text may come in besides UTF-8; UTF-32 first, as its
# little-endian mark begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _unicode_bom(data: bytes) -> str | None:
    """The codec of a UTF-16 or UTF-32 text that starts with its byte order mark, else None."""
    return next((codec for bom, codec in _BOMS if data.startswith(bom)), None)


def detect_format(path: Path, head: bytes) -> str:
    """``pdf``, ``markdown`` or ``text`` for a file, from its first bytes and its name."""
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        raise UnreadableDocument(f"{path}: not a PDF file (no %PDF header)")
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in TEXT_SUFFIXES or not suffix or _unicode_bom(head):
        return "text"
    if b"\x00" in head:
        raise UnreadableDocument(f"{path}: binary file of unsupported type {suffix!r}")
    return "text"


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the two encodings Finnish files come in; UTF-16
    and UTF-32 when their byte order mark says so (Windows' "Unicode" text), whose zero bytes are
    characters, not the binary data they mean in any other text."""
    codec = _unicode_bom(data)
    if codec is not None:
        text = data.decode(codec, errors="replace")  # the codec takes the mark and its byte order
    elif b"\x00" in data[:4096]:
        raise UnreadableDocument(f"{path}: binary data, not a text document")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_NOT_A_FILE = {
    stat.S_ISDIR: "is a directory",
    stat.S_ISFIFO: "is a FIFO (named pipe), not a file",
    stat.S_ISCHR: "is a character device, not a file",
    stat.S_ISBLK: "is a block device, not a file",
    stat.S_ISSOCK: "is a socket, not a file",
}


def _not_a_file(mode: int) -> str | None:
    """What a file that is not a regular file is, in a few words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _NOT_A_FILE.items() if test(mode)), "is not a regular file")


def not_a_file(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file (``is a socket, not a file``), looked at without
    opening it; None for a regular file or one that cannot be looked at."""
    try:
        return _not_a_file(os.stat(path).st_mode)
    except OSError:
        return None


def read_bytes(path: Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` (None: no limit); one-line
    ``UnreadableDocument`` for anything else, ``DocumentTooLarge`` past the limit.

    The path is looked at first (a socket cannot be opened to say what it is), then opened without
    blocking (a FIFO put there meanwhile answers at once) and checked again on the open file, whose
    size is known before anything is read.
    """
    try:
        kind = _not_a_file(os.stat(path).st_mode)
        if kind is not None:
            raise UnreadableDocument(f"{path}: {kind}")
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnreadableDocument(f"{path}: no such file") from None
    except OSError as exc:
        reason = "a broken link" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
        raise UnreadableDocument(f"{path}: cannot read ({reason})") from None
    with os.fdopen(handle, "rb") as data:
        info = os.fstat(handle)
        kind = _not_a_file(info.st_mode)
        if kind is not None:
            raise UnreadableDocument(f"{path}: {kind}")
        if max_bytes is not None and info.st_size > max_bytes:
            raise too_large(path, info.st_size, max_bytes)
        os.set_blocking(handle, True)
        try:
            content = data.read() if max_bytes is None else data.read(max_bytes + 1)
        except OSError as exc:
            raise UnreadableDocument(f"{path}: cannot read ({exc.strerror or exc})") from None
    if max_bytes is not None and len(content) > max_bytes:  # it grew while it was read
        raise too_large(path, len(content), max_bytes)
    return content


def too_large(path: Path | str, size: int, max_bytes: int) -> DocumentTooLarge:
    """The one line for a file of ``size`` bytes over the ``max_bytes`` limit."""
    from pipeline.workers import format_size

    return DocumentTooLarge(
        f"{path}: {format_size(size)}, more than the limit of {format_size(max_bytes)} (--max-bytes)"
    )


def read_document(
    path: Path,
    *,
    max_pages: int | None = None,
    deadline: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> Layout:
    """Read any supported file into a ``Layout``; raises ``AgreementError`` subclasses.

    ``max_bytes`` bounds the file's size (``read_bytes``). ``deadline`` (a ``time.monotonic()``
    value) bounds PDF reading, the only part whose time grows with what a publisher puts on a page;
    text and Markdown are read in one linear pass. ``progress(pages done, pages)`` watches a PDF being
    read (a progress bar); it changes nothing.
    """
    data = read_bytes(path, max_bytes)
    if not data.strip():
        raise EmptyDocument(f"{path}: empty file")
    fmt = detect_format(path, data[:1024])
    if fmt == "pdf":
        from pipeline.readers.pdf import read_pdf

        return read_pdf(path, max_pages=max_pages, deadline=deadline, progress=progress, data=data)
    text = decode_text(data, path)
    del data
    if not text.strip():
        raise EmptyDocument(f"{path}: no text")
    if fmt == "markdown":
        from pipeline.readers.markdown import read_markdown

        return read_markdown(text)
    from pipeline.readers.text import read_text

    return read_text(text)
