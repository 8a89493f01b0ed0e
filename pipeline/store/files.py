"""Files that are written whole or not at all, and a lock that serialises writers of one folder."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import AgreementError


class WriteError(AgreementError, OSError):
    """A file of the output folder could not be written (read-only, full, a name the file system refuses).

    The message is one line naming the path; an ``OSError`` still (code that handles those goes on
    handling it) and an ``AgreementError`` (the ingest quarantines the one document whose write failed).
    """


def write_error(path: Path, cause: OSError) -> WriteError:
    """``PATH: cannot write (reason)`` for ``cause``, which may name another path (a parent that is a file)."""
    if isinstance(cause, WriteError):
        return cause
    failed = cause.filename if cause.filename is not None else path
    reason = cause.strerror or str(cause)
    if isinstance(cause, FileExistsError) and Path(failed).exists() and not Path(failed).is_dir():
        reason = "a file is where a folder should be"  # ``mkdir`` of a folder whose name a file has
    error = WriteError(f"{printable(os.fsdecode(failed))}: cannot write ({reason})")
    error.errno = cause.errno
    return error


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
    flushed to disk before the rename: a crash leaves the old file or the new one, never half. A
    failure to create, flush or rename it is a ``WriteError`` naming the path; what the block raises
    passes through as it is.
    """
    try:
        handle, temp = temporary_file(path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        raise write_error(path, exc) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            try:
                out.flush()
                os.fsync(out.fileno())
            except OSError as exc:
                raise write_error(path, exc) from exc
        try:
            os.replace(temp, path)
        except OSError as exc:
            raise write_error(path, exc) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that readers see the old file or the whole new one."""
    _write_bytes(path, text.encode("utf-8"))


def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_file(path) as out:
        try:
            out.write(data)
        except OSError as exc:  # a full disk, a file size limit
            raise write_error(path, exc) from exc


def write_if_changed(path: Path, text: str) -> bool:
    """``write_atomic`` unless the file already says exactly this (its time stays: a publisher that
    syncs by time copies only what changed); True when it wrote."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    _write_bytes(path, data)
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
        if link and source.stat().st_mode & 0o777 == 0o666 & ~umask() and sha256_file(source) == sha256:
            with contextlib.suppress(FileExistsError, OSError):
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(source, target)
            if target.exists():
                return True
        digest = hashlib.sha256()
        with atomic_file(target) as out, open_regular(source) as data:
            while chunk := data.read(1 << 20):
                digest.update(chunk)
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise write_error(target, exc) from exc
            if digest.hexdigest() != sha256:
                raise _Differs
        return True
    except (_Differs, FileNotFoundError, NotRegularFile):
        return False


class _Differs(Exception):
    """The bytes found are not the ones the hash names."""


def printable(name: str) -> str:
    """A file name as JSON and messages can carry it: a name that is not UTF-8 (``os.fsdecode`` gives its
    bad bytes as lone surrogates, which no JSON encoder takes) gets U+FFFD for them. For showing and
    recording only: the file is opened by its real ``Path``."""
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that no byte made
        return name.encode("utf-8", "replace").decode("utf-8")


def read_copy(source: Path, folder: Path, *, max_bytes: int | None = None) -> tuple[Path, str]:
    """Copy a document's bytes, read once, into ``folder`` under its own name; the copy and its sha256.

    What is extracted is then exactly what is hashed and recorded, even if the document is replaced
    or edited while it is read. Only a regular file is read (``NotRegularFile`` otherwise), and no more
    than ``max_bytes`` of it (``DocumentTooLarge`` past that).
    """
    from pipeline.readers import too_large  # here: the command line imports this module at start

    target = folder / source.name
    digest = hashlib.sha256()
    size = 0
    with open_regular(source) as data, target.open("wb") as out:
        if max_bytes is not None and os.fstat(data.fileno()).st_size > max_bytes:  # refused before it is read
            raise too_large(printable(os.fsdecode(source)), os.fstat(data.fileno()).st_size, max_bytes)
        while chunk := data.read(1 << 20):
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:  # it grew while it was read
                raise too_large(printable(os.fsdecode(source)), size, max_bytes)
            digest.update(chunk)
            out.write(chunk)
    return target, digest.hexdigest()


class NotRegularFile(OSError):
    """A path that is a FIFO, a device, a socket or a folder where a file's bytes were expected; the
    message says which (``is a FIFO (named pipe), not a file``)."""


def open_regular(path: Path) -> BinaryIO:
    """``path`` open for reading, refused (``NotRegularFile``) unless it is a regular file.

    Opened without blocking and checked on the open descriptor, so a FIFO put where a document was
    cannot hang the reader, and a file swapped for a device after a check is still refused.
    """
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(handle).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(_kind(mode))
        os.set_blocking(handle, True)
        return os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in a few words."""
    kinds = {
        stat.S_ISDIR: "is a directory",
        stat.S_ISFIFO: "is a FIFO (named pipe), not a file",
        stat.S_ISCHR: "is a character device, not a file",
        stat.S_ISBLK: "is a block device, not a file",
        stat.S_ISSOCK: "is a socket, not a file",
    }
    return next((kind for test, kind in kinds.items() if test(mode)), "is not a regular file")


def sha256_file(path: Path) -> str:
    """The sha256 of a regular file's bytes (``NotRegularFile`` for anything else)."""
    digest = hashlib.sha256()
    with open_regular(path) as data:
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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        opened = path.open("a+")
    except OSError as exc:  # a read-only or missing output folder: the run cannot start
        raise write_error(path, exc) from exc
    with opened as handle:
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
            try:
                handle.seek(0)
                handle.truncate()
                handle.write(f"{os.getpid()}\n")
                handle.flush()
            except OSError as exc:
                raise write_error(path, exc) from exc
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
