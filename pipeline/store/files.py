"""Files that are written whole or not at all, and a lock that serialises writers of one folder."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def temporary_file(folder: Path, *, prefix: str, suffix: str = ".tmp") -> tuple[int, Path]:
    """A new, empty file in ``folder`` with a random name, open for writing: its descriptor and path.

    Created with mode ``0666`` less the process's umask, as ``open()`` creates files (``0644`` under
    umask 022, ``0640`` under 027): what the pipeline publishes is as readable as the user asked.
    ``tempfile.mkstemp`` would make it ``0600`` whatever the umask, and a rename keeps the mode.
    """
    folder.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        path = folder / f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:
            continue


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` whole when the block ends, or not at all if it fails.

    The temporary file sits beside the target (same file system, so the rename is atomic) and is
    flushed to disk before the rename: a crash leaves the old file or the new one, never half.
    """
    handle, temp = temporary_file(path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that readers see the old file or the whole new one."""
    with atomic_file(path) as out:
        out.write(text.encode("utf-8"))


def write_if_changed(path: Path, text: str) -> bool:
    """``write_atomic`` unless the file already says exactly this (its time stays: a publisher that
    syncs by time copies only what changed); True when it wrote."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    with atomic_file(path) as out:
        out.write(data)
    return True


def publish_copy(source: Path, target: Path, sha256: str, *, link: bool = False) -> bool:
    """Put the bytes of ``source`` at ``target`` if they hash to ``sha256``; False (and nothing written)
    when they do not, or ``source`` is gone: a document edited or removed since it was read.

    ``link``: a hard link instead of a copy, where the file system allows it and the file is as
    readable as a new file would be; only for files nobody changes in place (the downloads, named by
    their hash), since a link shares its bytes and its mode with the original.
    """
    if target.exists():
        return True
    try:
        if link and source.stat().st_mode & 0o777 == 0o666 & ~umask() and _sha256(source) == sha256:
            with contextlib.suppress(FileExistsError, OSError):
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(source, target)
            if target.exists():
                return True
        digest = hashlib.sha256()
        with atomic_file(target) as out, source.open("rb") as data:
            while chunk := data.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
            if digest.hexdigest() != sha256:
                raise _Differs
        return True
    except (_Differs, FileNotFoundError):
        return False


class _Differs(Exception):
    """The bytes found are not the ones the hash names."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def umask() -> int:
    """The process's umask, read without changing it (``os.umask`` can only set it, racing other threads)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def relative_to(path: Path, root: Path) -> str:
    """``path`` as a relative POSIX path seen from the folder ``root`` (for links between files)."""
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()


class LockTimeout(Exception):
    """Another process held the lock for longer than we were willing to wait."""


@contextlib.contextmanager
def locked(path: Path, *, timeout: float = 3600.0, poll: float = 0.2) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the block.

    The kernel drops the lock when the process dies, so a killed run never leaves a stale lock.
    Local file systems only: on shared storage use a server-side lock (see README).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"{path}: still locked by another run after {timeout:.0f} s") from None
                time.sleep(poll)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
