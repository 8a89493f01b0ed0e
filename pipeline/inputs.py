"""What the command line's PATH arguments name: a file, a folder of documents, or ``-`` for stdin.

A folder is searched recursively (hidden files and folders skipped, symbolic links to folders not
followed, so a loop cannot hold a run) for the supported suffixes, or for ``--glob`` patterns. Each
document gets the name of its JSON file: ``NAME-FORMAT.json``, under the subfolder it was found in, so
``a/x.pdf`` and ``b/x.pdf`` of one folder do not overwrite each other.

stdin has no name to tell its format by: its bytes are kept in a temporary file named by what they
look like (``%PDF-``, JSON, Markdown headings or tables, else text), and read from there like any file.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.readers import MARKDOWN_SUFFIXES, TEXT_SUFFIXES

STDIN = "-"
STDIN_NAME = "<stdin>"  # how stdin is named in messages and in ``source.path``
SUPPORTED_SUFFIXES = frozenset({".pdf", *TEXT_SUFFIXES, *MARKDOWN_SUFFIXES})
# Markdown's own marks at a line start: an ATX heading (``## 2 Tavoitteet``) or a table's rule row (``|---|--:|``).
_MARKDOWN = regex.compile(r"(?m)^(?:#{1,6}[ \t]+\S|\|?[ \t]*:?-{3,}:?[ \t]*\|)")


@dataclass(frozen=True)
class Input:
    """One document to read: where it is, how messages name it, and its JSON file's name in ``-o DIR``."""

    path: Path
    shown: str
    json_name: Path
    from_folder: bool = False


def json_name(path: Path) -> str:
    """``valtori-2024-pdf.json`` for ``valtori-2024.pdf`` (``-txt`` without a suffix)."""
    return f"{path.stem}-{path.suffix.lstrip('.').lower() or 'txt'}.json"


def documents_in(folder: Path, patterns: list[str] | None = None) -> list[Path]:
    """The documents under ``folder``, sorted: files with a supported suffix, or matching a pattern.

    A pattern is matched, ignoring case, against the file's name and its path relative to
    ``folder`` (``*.pdf``, ``2025/*.md``); ``*`` crosses folders, as in ``fnmatch``.
    """
    found = []
    for top, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(top, name)
            relative = path.relative_to(folder).as_posix().lower()
            if patterns:
                chosen = any(fnmatch.fnmatchcase(name.lower(), p.lower()) or fnmatch.fnmatchcase(relative, p.lower())
                             for p in patterns)  # fmt: skip
            else:
                chosen = path.suffix.lower() in SUPPORTED_SUFFIXES
            if chosen and path.is_file():
                found.append(path)
    return found


def folder_inputs(folder: Path, patterns: list[str] | None = None) -> list[Input]:
    """Every document under ``folder``, its JSON named after its place in the folder."""
    return [
        Input(path, str(path), path.relative_to(folder).parent / json_name(path), from_folder=True)
        for path in documents_in(folder, patterns)
    ]


def sniff_suffix(data: bytes) -> str:
    """``.pdf``, ``.json``, ``.md`` or ``.txt`` from a document's first bytes, for a document without a name."""
    if data.lstrip()[:5] == b"%PDF-":
        return ".pdf"
    if data.lstrip()[:1] == b"{":  # an extracted agreement (``diff`` reads it; ``extract`` refuses JSON)
        return ".json"
    head = data[:65536].decode("utf-8", errors="replace")
    return ".md" if _MARKDOWN.search(head) else ".txt"


def stdin_input(data: bytes, folder: Path) -> Input:
    """stdin's bytes kept in ``folder`` (a temporary one) under a name that says their format."""
    path = folder / f"stdin{sniff_suffix(data)}"
    path.write_bytes(data)
    return Input(path, STDIN_NAME, Path(json_name(path)))
