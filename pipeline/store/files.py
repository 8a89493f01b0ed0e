"""Files that are written whole or not at all, and a lock that serialises writers of one folder."""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one.

    The temporary file sits beside the target (same file system, so the rename is atomic) and is
    flushed to disk before the rename: a crash leaves the old file or the new one, never half.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


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
