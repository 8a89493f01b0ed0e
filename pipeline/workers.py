"""Each document extracted in a process of its own, under hard limits on time and memory.

Why a process per document: the PDF reader checks its time limit between pages, so one pathological
page could hold a run for as long as pdfplumber takes, and a document that makes the parser allocate
without bound could take the machine's memory. A process can be stopped at any instant, whatever it
is doing; a thread cannot. A pool of long-lived processes cannot either: killing one of its workers
breaks the whole pool (``concurrent.futures``' ``BrokenProcessPool``, and so Prefect's
``ProcessPoolTaskRunner``), and every other document in it would fail with it.

How: a worker is forked, one per document, from a small server process (``multiprocessing``'s
``forkserver``) that imported the extraction modules once, so it starts in milliseconds with nothing
to import, and it inherits neither the caller's threads nor its memory (a Prefect flow's, a Dask
worker's). The calling thread waits for the result, watching the clock and the worker's resident
memory, and kills the worker (SIGKILL) past either limit; the document fails with that reason and
the caller goes on. The worker also caps its own address space (``RLIMIT_AS``) at its size at start
plus the memory limit, so an allocation too large to be seen growing fails at once rather than
swapping the machine.

As with any ``multiprocessing`` start method but ``fork``, a script that extracts this way must do its work
under ``if __name__ == "__main__":`` (the server imports the caller's main module once).

Parallelism is the caller's: N threads, each waiting on one worker, run N extractions on N processes
(``agreements extract --jobs``; the ingest flow's task runner). On a Dask cluster each task forks its
worker on the Dask worker's machine.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from pipeline.errors import AgreementError, DocumentTooLarge, DocumentTooSlow, UnreadableDocument
from pipeline.readers import DEFAULT_MAX_BYTES

DEFAULT_SECONDS = 300.0
DEFAULT_MEMORY = 1 << 30  # 1 GiB resident: a 450-page agreement needs well under half of it
POLL_SECONDS = 0.05  # how often the clock and the worker's memory are looked at
EXIT_GRACE_SECONDS = 5.0  # for a worker that has answered to end
# What a worker needs, imported once in the server it is forked from. A name that does not exist
# (a module renamed) is skipped by the server: the worker then imports it itself, a little slower.
# ``__main__`` first: the caller's main script is imported once there, as multiprocessing does for
# every process it starts, instead of once in every worker (a `dask worker`'s or pytest's costs).
PRELOAD = (
    "__main__",
    "pipeline.extract",
    "pipeline.extract.agreement",
    "pipeline.segment.outline",
    "pipeline.readers.pdf",
    "pipeline.readers.text",
    "pipeline.readers.markdown",
    "schemas.agreement",
    "psutil",
)


class IsolationUnavailable(RuntimeError):
    """A worker process cannot be started here: the run's trouble, not the document's."""


@dataclass(frozen=True)
class Limits:
    """What one document may cost: seconds of wall time, bytes of resident memory, pages, and the
    size of its file in bytes (None: no limit)."""

    seconds: float | None = DEFAULT_SECONDS
    memory: int | None = DEFAULT_MEMORY
    pages: int | None = 500
    bytes: int | None = DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class Usage:
    """What a worker used: wall seconds from start to result, and its peak resident memory in bytes."""

    seconds: float
    peak_rss: int


_SIZE = regex.compile(r"(?i)^\s*(\d+(?:[.,]\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?\s*$")
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_DECIMAL = {"kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}


def parse_size(text: str) -> int | None:
    """Bytes from ``1GiB``, ``512MiB``, ``1.5G``, ``800MB`` (decimal) or ``1073741824``; ``none`` or ``0``: no limit.

    Raises ``ValueError`` with the accepted forms.
    """
    if text.strip().lower() in ("none", "0", "off"):
        return None
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (e.g. 1GiB, 512MiB, 800MB, or none)")
    number = float(match.group(1).replace(",", "."))
    unit = (match.group(2) or "").lower()
    factor = _DECIMAL.get(unit) or _UNITS[unit[:1]]
    size = int(number * factor)
    if size < 1 << 20:
        raise ValueError(f"{text!r} is less than 1 MiB: no extraction fits in that")
    return size


def format_size(size: int) -> str:
    """``1 GiB``, ``150 MiB``: the binary units ``--max-memory`` takes."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) or value >= 100 else f"{value:.1f} {unit}"
    return f"{size} B"


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity, which containers and ``taskset`` narrow)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# --- one document in one worker ---------------------------------------------------------------


def extract_isolated(
    path: Path,
    *,
    root: Path | None = None,
    limits: Limits | None = None,
    progress: Callable[[int, int], None] | None = None,
):
    """``pipeline.extract.extract_file`` in a worker process of its own, under ``limits``.

    Returns ``(agreement, usage)``. Raises ``AgreementError`` for a bad document, for one that went
    past a limit (``DocumentTooSlow``, ``DocumentTooLarge``) and for one whose worker died
    (``UnreadableDocument``), each with a one-line reason that names ``path``; an extractor bug comes
    back as its own exception, with the worker's traceback as a note.
    """
    limits = limits or Limits()
    return run_isolated(
        _extract, path, root, limits.pages, limits.bytes, limits=limits, label=str(path), progress=progress
    )


def _extract(
    path: Path,
    root: Path | None,
    max_pages: int | None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
):
    """Extract from a private copy of the document's bytes, read once and hashed as they are copied:
    ``source.sha256`` is the hash of exactly what was extracted, whatever happens to the file meanwhile."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="agreements-read-") as folder:
        copy, sha256 = _read_copy(path, Path(folder), max_bytes)
        return extract_copy(copy, sha256, path, root=root, max_pages=max_pages, progress=progress, max_bytes=max_bytes)


def extract_copy(
    copy: Path,
    sha256: str,
    path: Path,
    *,
    root: Path | None = None,
    max_pages: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
):
    """The Agreement of a document's private copy (``pipeline.store.files.read_copy``), recorded as the
    document ``path`` with the hash of the copied bytes; errors name ``path``. No time limit of its own:
    the caller's (``run_isolated``'s watcher)."""
    from pipeline.extract import display_path, extract_file
    from pipeline.store.files import printable

    try:
        agreement = extract_file(copy, max_pages=max_pages, progress=progress, max_bytes=max_bytes)
    except AgreementError as exc:  # its message names the copy: name the document
        raise type(exc)(str(exc).replace(str(copy), str(path))) from None
    agreement.source.path = printable(display_path(path, root))
    agreement.source.sha256 = sha256
    return agreement


def _read_copy(path: Path, folder: Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> tuple[Path, str]:
    """``read_copy`` with its failures as one line that names the document."""
    from pipeline.store.files import NotRegularFile, printable, read_copy

    shown = printable(str(path))
    try:
        return read_copy(path, folder, max_bytes=max_bytes)
    except FileNotFoundError:
        raise UnreadableDocument(f"{shown}: no such file") from None
    except NotRegularFile as exc:
        raise UnreadableDocument(f"{shown}: {exc}") from None
    except OSError as exc:
        from pipeline.readers import not_a_file

        kind = not_a_file(path)  # a socket cannot even be opened to be told apart
        raise UnreadableDocument(f"{shown}: {kind or f'cannot read ({exc.strerror or exc})'}") from None


def run_isolated(
    fn: Callable[..., Any],
    *args: Any,
    limits: Limits,
    label: str,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Any, Usage]:
    """``fn(*args)`` in a fresh worker process, killed past ``limits.seconds`` or ``limits.memory``.

    ``fn`` and its arguments and result must pickle (a module-level function). ``label`` names the
    subject in the errors (the document's path). With ``progress``, ``fn`` is given a ``progress=``
    callable of its own whose calls come back over the pipe and are made here, in the calling thread.
    """
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(
        target=_work, args=(sender, fn, args, limits.memory, progress is not None), name=f"extract {label}"[:60]
    )
    try:
        worker.start()
    except AssertionError as exc:  # "daemonic processes are not allowed to have children"
        raise IsolationUnavailable(
            f"cannot start a worker process here ({exc}); a Dask worker needs "
            "DASK_DISTRIBUTED__WORKER__DAEMON=False (or `dask worker --no-nanny`)"
        ) from exc
    except OSError as exc:
        raise IsolationUnavailable(f"cannot start a worker process ({exc})") from exc
    finally:
        sender.close()  # the worker holds the only writing end now: its death reads as EOF
    started = time.monotonic()
    peak = 0
    answered = False
    try:
        watched = _watch(worker.pid)
        while True:
            if receiver.poll(POLL_SECONDS):
                try:
                    status, payload, worker_peak = receiver.recv()
                except (EOFError, OSError):  # the worker died without a word
                    worker.join()
                    raise _died(label, worker.exitcode) from None
                if status == "progress":  # a report on the way, not the answer: the limits are still watched
                    if progress is not None:
                        progress(*payload)
                else:
                    answered = True
                    usage = Usage(time.monotonic() - started, max(peak, worker_peak))
                    if status == "ok":
                        return payload, usage
                    if isinstance(payload, MemoryError) and limits.memory:
                        raise _over_memory(label, limits.memory) from payload
                    raise payload
            elapsed = time.monotonic() - started
            if limits.seconds is not None and elapsed > limits.seconds:
                _kill(worker)
                raise DocumentTooSlow(f"{label}: stopped at the time limit of {limits.seconds:g} s (--timeout)")
            rss = _rss(watched)
            peak = max(peak, rss)
            if limits.memory is not None and rss > limits.memory:
                _kill(worker)
                raise _over_memory(label, limits.memory)
    finally:
        if answered:
            worker.join(timeout=EXIT_GRACE_SECONDS)  # it exits once it has answered; if it hangs, it is killed
        if worker.is_alive():
            _kill(worker)  # a limit, or the caller interrupted
        worker.join()
        worker.close()
        receiver.close()


def start_forkserver() -> None:
    """Start the forkserver now, so that its imports (the extraction modules) overlap whatever the caller does
    next instead of waiting for the first document: ``agreements ingest`` calls it as soon as it knows it has
    work, while Prefect's API server boots. Returns at once; the first worker forked waits for the imports."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def _context():
    """The forkserver context, with the extraction modules preloaded in the server (set before it starts)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def _work(sender, fn: Callable[..., Any], args: tuple, memory: int | None, reports: bool = False) -> None:
    """In the worker: cap the address space, run, send back ``(status, payload, peak RSS bytes)``;
    with ``reports``, ``("progress", args, 0)`` too, each time ``fn`` calls its ``progress``."""
    _die_with_server()
    if memory is not None:
        _cap_address_space(memory)

    def progress(*report: Any) -> None:
        sender.send(("progress", report, 0))

    try:
        outcome = ("ok", fn(*args, progress=progress) if reports else fn(*args))
    except BaseException as exc:
        outcome = ("error", _portable(exc))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    try:
        sender.send((*outcome, peak))
    except Exception as exc:  # a result that does not pickle: an extractor bug, said as one
        sender.send(("error", RuntimeError(f"the worker's result could not be sent back ({exc})"), peak))
    sender.close()


def _die_with_server() -> None:
    """Be killed when the server this worker was forked from ends, which it does when its own parent
    does: a worker must not outlive the caller that would have stopped it at its limits (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _cap_address_space(memory: int) -> None:
    """``RLIMIT_AS`` at the worker's size now plus ``memory``: the watcher's backstop."""
    import psutil

    limit = psutil.Process().memory_info().vms + memory
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _portable(exc: BaseException) -> BaseException:
    """The exception as the caller will raise it: a ``MemoryError`` anywhere in its chain becomes that
    ``MemoryError`` (a reader may wrap it), and the worker's traceback rides along as a note."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, MemoryError):
            return MemoryError(str(cause))
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, AgreementError):
        return exc
    exc.add_note("in the worker process:\n" + "".join(traceback.format_exception(exc)))
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        stand_in = RuntimeError(f"{type(exc).__name__}: {exc}")
        stand_in.__notes__ = exc.__notes__
        return stand_in
    return exc


def _watch(pid: int | None):
    import psutil

    try:
        return psutil.Process(pid)
    except psutil.Error:  # already gone: the pipe says how
        return None


def _rss(watched) -> int:
    import psutil

    if watched is None:
        return 0
    try:
        return watched.memory_info().rss
    except psutil.Error:
        return 0


def _kill(worker) -> None:
    with contextlib.suppress(OSError, ValueError):
        worker.kill()
    worker.join()


def _over_memory(label: str, memory: int) -> DocumentTooLarge:
    return DocumentTooLarge(f"{label}: stopped at the memory limit of {format_size(memory)} (--max-memory)")


def _died(label: str, exitcode: int | None) -> AgreementError:
    """A worker that ended without a result: crashed (a parser's segfault), or killed from outside
    (the kernel's OOM killer, an operator)."""
    if exitcode is not None and exitcode < 0:
        try:
            how = f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"was killed by signal {-exitcode}"
    else:
        how = f"exited with code {exitcode}"
    return UnreadableDocument(f"{label}: the worker process reading it {how}")


# --- many documents ----------------------------------------------------------------------------


def map_isolated(
    fn: Callable[[Any], tuple[Any, Usage]], items: Iterable[Any], *, jobs: int
) -> Iterator[tuple[Any, Any, BaseException | None]]:
    """``fn(item)`` for every item, ``jobs`` at a time, yielded in the items' order as
    ``(item, result, error)``. At most ``2 × jobs`` results wait to be taken, however many items."""
    items = list(items)
    window = max(2 * jobs, 1)
    with ThreadPoolExecutor(max_workers=max(jobs, 1), thread_name_prefix="extract") as pool:
        pending = [pool.submit(fn, item) for item in items[:window]]
        for index, item in enumerate(items):
            future = pending[index]
            if index + window < len(items):
                pending.append(pool.submit(fn, items[index + window]))
            try:
                yield item, future.result(), None
            except Exception as exc:
                yield item, None, exc
            pending[index] = None  # let the result go
