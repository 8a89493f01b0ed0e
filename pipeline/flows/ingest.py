"""The ``ingest`` flow: Prefect wiring around the plain steps of ``pipeline.ingest`` and ``pipeline.store``.

discover → (fetch: retried when a retry can help) → skip known hashes → extract (a task per new
document, ``workers`` at a time; each runs its extraction in a worker process of its own, killed past
the time or memory limit) → store (a task per document: a version, a copy, or quarantine) → diff (a
task per pair of neighbouring versions that lacks its diff, a killed run's too) → index (the index and
the pages) → artifacts (the run's summary with links to the index and the review pages, a link to the
index, and a diff summary per new diff).

What an operator sees in Prefect: runs named ``ingest-2026-11-23T06:00`` (when the run was due, in the
local time of the machine that runs it), a task run per step and document (``extract <document>``,
``store <document>``, ``diff <series>: <old> → <new>``). A document that is bad input (not an agreement,
empty, over a limit) is foreseen: its extract and store task runs end ``Quarantined`` (a completed
state) with the reason, logged once at WARNING, without a traceback; an internal error (a bug the
document triggers, a store that fails) fails its task run with the traceback at ERROR, and the
document is quarantined all the same. One document never stops the run. A run with quarantined
documents or failed fetches ends ``Partially completed`` (a completed state) whose message names them.

Where the extractions run: the extract task runs are Prefect's ``ThreadPoolTaskRunner``'s, in the flow's
process, each waiting on its document's extraction: on this machine, a worker process of its own
(``workers`` threads: ``workers`` extractions at once, on as many processes); with ``dask_address``, a
Dask task on that cluster, which forks the worker process on the Dask worker's machine (as many threads as
the cluster has). Not Prefect's ``ProcessPoolTaskRunner``: killing one of its processes at a limit would
break the pool, and every document still in it (``pipeline.workers``). Not ``prefect-dask``'s
``DaskTaskRunner`` either: it runs each task run's engine on the Dask worker, which there rebuilds Prefect's
settings and two API clients per task (about 0.1 s of CPU each time, a sixth of an extraction here) and needs
the Prefect API reachable from every Dask worker; here Prefect stays at the edge, and the cluster only
extracts.

The store, diff and index tasks run in the flow's own thread, one at a time, in the order the
documents were found: the catalog is the same whatever the number of workers, and is never written by
two hands. The whole run holds the output folder's lock: two runs at once take turns, so no document
is processed twice.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import logging
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import regex
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from prefect.states import Completed, State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

import pipeline
from pipeline.errors import AgreementError
from pipeline.extract.coverage import LOW_SHARE, describe, is_low
from pipeline.ingest import Candidate, extract_candidate, folder_candidates
from pipeline.ingest.config import HttpSettings, HttpSource, SourcesConfig, dask_address, load_sources
from pipeline.ingest.fetch import Download, FetchError, FetchState, Link, client, download, fetch_index, select
from pipeline.store.catalog import Store, low_coverage, refusal
from pipeline.store.files import relative_to
from pipeline.store.index import write_index
from pipeline.workers import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MEMORY,
    DEFAULT_SECONDS,
    IsolationUnavailable,
    Limits,
    default_workers,
    start_forkserver,
)

progress = logging.getLogger("agreements.ingest")  # the CLI prints these lines


def _say(message: str, level: int = logging.INFO) -> None:
    progress.log(level, message)
    with contextlib.suppress(MissingContextError):  # outside a run
        get_run_logger().log(level, message)


def _transient(_task, _task_run, state) -> bool:
    """Retry a fetch only when it can help (a 5xx or a timeout, not a 404 or a too-large file)."""
    error = state.result(raise_on_failure=False)
    return bool(getattr(error, "transient", False))


@task(name="fetch-index", cache_policy=NO_CACHE, retry_condition_fn=_transient)
def fetch_index_task(source: HttpSource, settings: HttpSettings) -> list[Link]:
    return fetch_index(source, settings)


@task(name="download", cache_policy=NO_CACHE, retry_condition_fn=_transient, task_run_name="download {link.name}")
def download_task(
    link: Link, source: HttpSource, settings: HttpSettings, folder: Path, known: dict | None, http
) -> Download:
    """``known``: what the URL gave last time (``FetchState``); ``http``: the source's client, for all its links."""
    return download(link, source, settings, folder, known, http)


QUARANTINED = "Quarantined"  # the state of a document's task runs when it goes to quarantine
PARTIAL = "Partially completed"  # the state of a run with quarantined documents or failed fetches
_RUN_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}  # the output folder's trouble: every document would fail


@dataclass(frozen=True)
class Rejected:
    """A document its extraction refused as bad input (an ``AgreementError``: empty, not an agreement, over a
    limit), and why; the store step quarantines it."""

    reason: str


def _quarantined(reason: str, data: object) -> State:
    """The end of a document's task run when the document goes to quarantine: the task did its work (a
    completed state, no traceback), named so that the operator sees it, with the reason as its message."""
    return Completed(name=QUARANTINED, message=reason, data=data)


def run_name() -> str:
    """``ingest-2026-11-23T06:00``: when the run was due (a scheduled run's slot, not the seconds later it
    started; a run started by hand: when it was created), in the local time of the machine that runs it."""
    from prefect.runtime import flow_run

    return f"ingest-{flow_run.scheduled_start_time.astimezone():%Y-%m-%dT%H:%M}"


@task(name="discover", cache_policy=NO_CACHE, task_run_name="discover {config.base}")
def discover_task(config: SourcesConfig) -> list[Candidate]:
    """Every document of the folder sources, hashed (the HTTP sources are fetched by tasks of their own)."""
    found = folder_candidates(config, warn=lambda line: _say(line, logging.WARNING))
    get_run_logger().info(f"{len(found)} documents in the folder sources of {config.base}")
    return found


class ClusterLost(RuntimeError):
    """The Dask cluster went away during the run: no document can be extracted there (the run's trouble, not
    the documents'; those not yet stored are extracted by the next run)."""


class DaskCluster:
    """A Dask cluster that extracts (``--dask-address``): an extract task hands its document to it and waits."""

    CHECK_SECONDS = 5.0  # how often a wait looks whether the cluster is still there

    def __init__(self, client, address: str) -> None:
        self.client = client  # a connected ``distributed.Client``
        self.address = address

    def extract(self, candidate: Candidate, limits: Limits):
        """``extract_candidate`` as a Dask task: its worker process forked on a Dask worker's machine, under
        ``limits``; what it raises is raised here. Raises ``ClusterLost`` when the cluster goes away: a task
        waiting then is cancelled, and one submitted after would wait for ever."""
        from distributed.client import FutureCancelledError

        try:
            future = self.client.submit(extract_candidate, candidate, limits=limits, pure=False)
        except Exception:
            if self.client.status == "running":
                raise
            raise self._lost() from None
        try:
            while True:
                try:
                    return future.result(timeout=self.CHECK_SECONDS)
                except TimeoutError:
                    if future.done():
                        raise  # the extraction's own
                    if self.client.status != "running":
                        raise self._lost() from None
                except FutureCancelledError:
                    raise self._lost() from None
        finally:
            future.release()

    def _lost(self) -> ClusterLost:
        return ClusterLost(
            f"lost the connection to the Dask cluster at {self.address}; the documents not stored yet are "
            "extracted by the next run"
        )


@task(name="extract", cache_policy=NO_CACHE, task_run_name="extract {candidate.source}")
def extract_task(candidate: Candidate, limits: Limits, cluster: DaskCluster | None = None):
    """The document's Agreement, or ``Rejected`` (the task run ends ``Quarantined``) when the document is bad
    input. No retries: a corrupt PDF stays corrupt. The extraction runs in a worker process of its own, here
    or (``cluster``) on a Dask worker's machine."""
    try:
        if cluster is None:
            agreement, usage = extract_candidate(candidate, limits=limits)
        else:
            agreement, usage = cluster.extract(candidate, limits)
    except AgreementError as exc:  # foreseen: the document's fault, said in one line (the store step logs it)
        reason = str(exc).replace(str(candidate.path), candidate.source)
        return _quarantined(reason, Rejected(reason))
    with contextlib.suppress(MissingContextError):
        pages = f"{agreement.source.pages} pages in " if agreement.source.pages else ""
        get_run_logger().info(
            f"{candidate.source}: {pages}{usage.seconds:.1f} s, peak memory {usage.peak_rss / 2**20:.0f} MiB"
        )
    return agreement


@task(name="store", cache_policy=NO_CACHE, task_run_name="store {candidate.source}")
def store_task(candidate: Candidate, outcome: object, store: Store) -> list[tuple[str, dict]] | State:
    """Record one document in the catalog: a new version (its diffs follow, as tasks of their own), a copy
    of a known version, or quarantine with the reason (``outcome``: ``Rejected``, the exception its
    extraction raised, or an Agreement with nothing in it). Returns the lines of the run's report it adds.

    Runs in the flow's thread, one document at a time: the catalog has one writer. If recording fails, the
    catalog in memory goes back to what was saved before this document; a write that failed for this document
    alone (an ``AgreementError``) quarantines it here, anything else is raised (an internal error: the flow
    quarantines the document and goes on) unless the output folder itself is full or read-only.
    """
    if isinstance(outcome, Rejected):
        return _quarantined(outcome.reason, [("quarantined", _quarantine(candidate, outcome.reason, store))])
    if isinstance(outcome, BaseException):  # an internal error its extraction met
        error = f"internal error ({type(outcome).__name__}: {outcome})".replace(str(candidate.path), candidate.source)
        return _quarantined(error, [("quarantined", _quarantine(candidate, error, store, level=logging.ERROR))])
    agreement = outcome
    reason = refusal(agreement)
    if reason is not None:  # looks like an agreement, says nothing: not an empty version
        entry = _quarantine(candidate, reason, store, series_id=agreement.agreement.series_id)
        return _quarantined(reason, [("quarantined", entry)])
    try:
        added = store.add(
            agreement, origin=candidate.origin, local_path=relative_to(candidate.path, store.root), diffs=False
        )
    except Exception as exc:
        store.catalog = Store(store.root).catalog  # every change is saved whole: the saved one is the one before
        if isinstance(exc, AgreementError) and getattr(exc, "errno", None) not in _RUN_ERRNOS:
            error = f"could not be stored: {exc}"  # a write this document's files alone met (a name refused...)
            return _quarantined(error, [("quarantined", _quarantine(candidate, error, store))])
        raise
    if added.status == "copy":
        _say(f"same as {added.version.source}: {candidate.source}")
        return [("copies", {"source": candidate.source, "copy_of": added.version.source})]
    _say(f"new version of {added.series_id}: {candidate.source}")
    lines = [("versions", {"source": candidate.source, "series_id": added.series_id})]
    if is_low(agreement.coverage):
        coverage = describe(agreement.coverage)
        lines.append(("low_coverage", {"source": candidate.source, "series_id": added.series_id, "coverage": coverage}))
        _say(f"low coverage: {candidate.source}: {coverage}", logging.WARNING)
    return lines


def _quarantine(
    candidate: Candidate, error: str, store: Store, *, series_id: str | None = None, level: int = logging.WARNING
) -> dict:
    """Quarantine a document with the reason, say so in one line (WARNING: bad input; ERROR: an internal error)."""
    store.quarantine(
        sha256=candidate.sha256,
        source=candidate.source,
        origin=candidate.origin,
        error=error,
        extractor=_extractor(),
        series_id=series_id,
    )
    _say(f"quarantined: {candidate.source}: {error}", level)
    return {"source": candidate.source, "error": error}


def diff_run_name(parameters: dict) -> str:
    """``diff valtori: valtori-2024.pdf → valtori-2025.pdf``."""
    store, series_id, index = parameters["store"], parameters["series_id"], parameters["index"]
    versions = store.versions(series_id)
    if not 0 < index < len(versions):
        return f"diff {series_id}"
    return f"diff {series_id}: {versions[index - 1].source} → {versions[index].source}"


@task(name="diff", cache_policy=NO_CACHE, task_run_name=diff_run_name)
def diff_task(store: Store, series_id: str, index: int) -> dict | None:
    """Diff version ``index`` of a series against the one before it and write its review page (a pair that
    lacks its diff: new in this run, or left by a killed run); a Markdown artifact for the Prefect UI. Returns
    the run's report line, with the review page's path."""
    from pipeline.diff.markdown import render_markdown

    diff = store.diff(series_id, index)
    if diff is None:  # the first version of its series now: no diff
        return None
    review = (store.root / store.versions(series_id)[index].diff.html_path).resolve()
    create_markdown_artifact(
        markdown=f"Review page: {_file_link(review)}\n\n{render_markdown(diff)}",
        key=_artifact_key("diff", diff.series_id),
        description=f"Changes in {diff.series_id}: {diff.old.path} → {diff.new.path}",
    )
    _say(f"diff {diff.series_id}: {diff.summary.total} changes ({diff.old.path} → {diff.new.path})")
    line = {"series_id": diff.series_id, "old": diff.old.path, "new": diff.new.path, "changes": diff.summary.total}
    return {"line": line, "review": review}


@task(name="index", cache_policy=NO_CACHE, task_run_name="index {store.root}")
def index_task(store: Store) -> Path:
    """The index page, the version and series pages; returns the index's path."""
    write_index(store)
    return (store.root / "index.html").resolve()


def _retrying(fn, settings: HttpSettings):
    delays = [settings.backoff * 2**n for n in range(settings.retries)]
    return fn.with_options(retries=settings.retries, retry_delay_seconds=delays)


def _http_candidates(config, store: Store, report: dict) -> Iterator[Candidate]:
    """Every HTTP source's documents, each as soon as it has come in: its extraction starts while the next
    ones download. Failures are reported, and tried again next run. What each URL gave is kept in the
    downloads folder's state file, read once and written in batches and when the fetching ends."""
    folder = store.root / "downloads"
    state = FetchState(folder)
    try:
        for source in config.sources:
            if not isinstance(source, HttpSource):
                continue
            try:
                links = _retrying(fetch_index_task, config.http)(source, config.http)
            except FetchError as exc:
                _say(f"fetch failed: {exc}", logging.WARNING)
                report["fetch_failed"].append(str(exc))
                continue
            chosen, skipped = select(source, links)
            for reason in skipped:
                _say(f"skipped link: {reason}", logging.WARNING)
            report["skipped_links"].extend(skipped)
            with client(config.http) as http:
                for link in chosen:
                    try:
                        got = _retrying(download_task, config.http)(
                            link, source, config.http, folder, state.known(link.url), http
                        )
                    except FetchError as exc:
                        _say(f"fetch failed: {exc}", logging.WARNING)
                        report["fetch_failed"].append(str(exc))
                        store.quarantine_fetch(
                            source=link.url, origin=source.name, error=str(exc), extractor=_extractor()
                        )
                        continue
                    state.record(got)
                    store.fetched(link.url)
                    yield Candidate(got.path, link.url, source.name, got.sha256)
    finally:
        state.save()


def _new(candidates: Iterable[Candidate], store: Store, report: dict) -> Iterator[Candidate]:
    """The candidates to extract, as they come: the first of each hash the catalog does not know (as it is
    then: a document stored earlier in the run is known); the others are reported as known."""
    seen: set[str] = set()
    for candidate in candidates:
        if store.known(candidate.sha256) or candidate.sha256 in seen:
            report["known"].append(candidate.source)
            continue
        seen.add(candidate.sha256)
        yield candidate


def _peeked(items: Iterator[Candidate]) -> Iterator[Candidate] | None:
    """``items`` as they are, or None when there are none (known by asking for the first)."""
    first = next(items, None)
    return None if first is None else itertools.chain([first], items)


def _extractor() -> str:
    return f"agreements {pipeline.__version__}"


def _artifact_key(*parts: str) -> str:
    text = unicodedata.normalize("NFKD", "-".join(parts)).encode("ascii", "ignore").decode().lower()
    return regex.sub(r"[^a-z0-9]+", "-", text).strip("-")[:100]


@flow(name="ingest", flow_run_name=run_name, log_prints=False)
def ingest(
    sources: str = "sources",
    output: str = "output",
    retry_quarantined: bool = False,
    max_pages: int = 500,
    max_seconds: float | None = DEFAULT_SECONDS,
    max_memory: int | None = DEFAULT_MEMORY,
    workers: int | None = None,
    dask_address: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> dict:
    """Ingest what is new in ``sources`` into ``output``; returns what the run did. The run ends ``Partially
    completed`` (a completed state whose message names them) when documents were quarantined or fetches failed.

    ``sources`` and ``output`` are the run's parameters in Prefect: give them as absolute paths (the CLI
    does); a relative one is taken from the folder the run happens to start in.
    ``workers`` (default: the sources file's ``[run] workers``, else this machine's cores) extractions
    run at once; ``dask_address`` (default, unless ``workers`` is given: ``[run] dask_address``) sends them
    to a Dask cluster instead.
    ``max_seconds``, ``max_memory`` (bytes of resident memory) and ``max_bytes`` (the file's size) bound each
    one; ``None`` (or 0): no limit.
    """
    config = load_sources(Path(sources).resolve())
    limits = Limits(
        seconds=max_seconds or None, memory=max_memory or None, pages=max_pages or None, bytes=max_bytes or None
    )
    report: dict[str, list] = {
        "versions": [],
        "copies": [],
        "quarantined": [],
        "fetch_failed": [],
        "skipped_links": [],
        "diffs": [],
        "diff_failed": [],
        "known": [],
        "low_coverage": [],
    }
    reviews: list[Path] = []  # the review page of each diff in report["diffs"]
    store = Store(Path(output).resolve())
    with store.locked():
        if retry_quarantined:
            for source in store.forget_quarantined():
                _say(f"retrying quarantined: {source}")
        # the folders' documents, then each HTTP one as it comes in (extracted and stored while the next download)
        new = _peeked(
            _new(itertools.chain(discover_task(config), _http_candidates(config, store, report)), store, report)
        )
        extracted = 0
        if new is not None:
            address = dask_address or (None if workers else config.run.dask_address)  # --workers N: here
            with (
                _extractors(workers or config.run.workers, address) as (parallel, cluster),
                ThreadPoolTaskRunner(max_workers=parallel) as runner,
            ):
                for candidate, outcome in _extracted(runner, new, limits, parallel, cluster):
                    extracted += 1
                    for key, line in _stored(candidate, outcome, store):
                        report[key].append(line)
        get_run_logger().info(f"{extracted} new documents, {len(report['known'])} already known")
        for series_id, index in store.stale_diffs():
            made = _diffed(store, series_id, index, report)
            if made is not None:
                report["diffs"].append(made["line"])
                reviews.append(made["review"])
        index = index_task(store)
    create_markdown_artifact(
        markdown=_run_summary(report, store, index, reviews),
        key="ingest-summary",
        description="What the last ingest run did",
    )
    create_link_artifact(
        link=index.as_uri(), link_text=str(index), key="ingest-index", description="The catalog's index page"
    )
    problems = _problems(report, extracted)
    if problems is None:
        return report
    return Completed(name=PARTIAL, message=problems, data=report)


@contextlib.contextmanager
def _extractors(workers: int | None, address: str | None) -> Iterator[tuple[int, DaskCluster | None]]:
    """How many extract tasks run at once (each in a thread of the flow), and the Dask cluster they hand their
    documents to (None: worker processes on this machine)."""
    if not address:
        yield workers or default_workers(), None
        return
    from distributed import Client

    address = dask_address(address)
    with Client(address, set_as_default=False) as client:
        # Each Dask worker's forkserver (its extraction modules imported once) starts now, not at its first
        # task (it returns once the server is spawned; its imports go on meanwhile); on a long-lived cluster it
        # is already running from an earlier run.
        client.run(start_forkserver)
        parallel = max(sum(client.nthreads().values()), 1)
        _say(f"extracting on the Dask cluster at {address} ({parallel} thread{'s' if parallel > 1 else ''})")
        yield parallel, DaskCluster(client, address)


def _extracted(
    runner, candidates: Iterable[Candidate], limits: Limits, parallel: int, cluster: DaskCluster | None = None
) -> Iterator[tuple[Candidate, object]]:
    """Each candidate with its Agreement, or the exception its extraction raised, in the candidates'
    order. ``candidates`` may come in slowly (downloads): each is submitted as it comes, and the results
    are given back, in order, as soon as they are there, before the next candidate is waited for; no more
    than ``2 × parallel`` wait, so that ``parallel`` run at once and few finished ones wait in memory."""
    window = max(2 * parallel, 1)
    pending: deque = deque()
    for candidate in candidates:
        parameters = {"candidate": candidate, "limits": limits, "cluster": quote(cluster)}
        pending.append((candidate, runner.submit(extract_task, parameters)))
        while pending and (len(pending) >= window or pending[0][1].wrapped_future.done()):
            yield _outcome(*pending.popleft())
    while pending:
        yield _outcome(*pending.popleft())


def _outcome(candidate: Candidate, future) -> tuple[Candidate, object]:
    try:
        return candidate, future.result()
    except (IsolationUnavailable, ClusterLost):
        raise  # the run's trouble (no worker process can start here, the cluster is gone), not the document's
    except Exception as exc:  # a bad document, a limit reached, or an extractor bug it triggers
        return candidate, exc


def _stored(candidate: Candidate, outcome: object, store: Store) -> list[tuple[str, dict]]:
    """The store step of one document; a store that fails (a name the file system refuses...) quarantines
    the document with the reason, and the run goes on, unless the output folder itself is the trouble."""
    try:
        # quote: no walk through the Agreement's fields. The state, for what a task returns as its own state is
        # what a direct call gives; its result is the data (or the task's exception, raised).
        return store_task(candidate, quote(outcome), store, return_state=True).result()
    except OSError as exc:
        if exc.errno in _RUN_ERRNOS:
            raise
        error = f"could not be stored ({type(exc).__name__}: {exc})"
    except AgreementError as exc:  # foreseen (StoreError): a name or a record this document cannot have, in one line
        return [("quarantined", _quarantine(candidate, f"could not be stored: {exc}", store))]
    except Exception as exc:
        error = f"could not be stored: internal error ({type(exc).__name__}: {exc})"
    return [("quarantined", _quarantine(candidate, error, store, level=logging.ERROR))]


def _diffed(store: Store, series_id: str, index: int, report: dict) -> dict | None:
    """The diff step of one pair of versions; one that fails is said and left for the next run (``repair``)."""
    try:
        return diff_task(store, series_id, index, return_state=True).result()
    except OSError as exc:
        if exc.errno in _RUN_ERRNOS:
            raise
        error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:
        error = f"internal error ({type(exc).__name__}: {exc})"
    store.catalog = Store(store.root).catalog  # as saved before this diff
    _say(f"diff failed: {series_id} (version {index + 1}): {error}; the next run tries again", logging.ERROR)
    report["diff_failed"].append(f"{series_id} (version {index + 1}): {error}")
    return None


def _problems(report: dict, new: int, shown: int = 10) -> str | None:
    """What keeps a run from plain success, in one message (the state's); None when nothing does."""
    parts = []
    if report["quarantined"]:
        items = [f"{q['source']} ({q['error'].removeprefix(q['source'] + ': ')})" for q in report["quarantined"]]
        parts.append(f"{len(items)} of {new} new documents quarantined: {_listing(items, shown)}")
    if report["fetch_failed"]:
        parts.append(f"{len(report['fetch_failed'])} fetches failed: {_listing(report['fetch_failed'], shown)}")
    if report["diff_failed"]:
        parts.append(f"{len(report['diff_failed'])} diffs failed: {_listing(report['diff_failed'], shown)}")
    return "; ".join(parts) or None


def _listing(items: list[str], shown: int) -> str:
    more = f", and {len(items) - shown} more (the run's ingest-summary artifact lists them all)"
    return ", ".join(items[:shown]) + (more if len(items) > shown else "")


def _file_link(path: Path) -> str:
    """A Markdown link to a file (``file://``), with its path in words: a browser may refuse to follow a
    ``file://`` link from the Prefect UI's page, and the path can then be copied."""
    return f"[{path.name}]({path.as_uri()}) (`{path}`)"


def _run_summary(report: dict, store: Store, index: Path, reviews: list[Path]) -> str:
    counts = store.summary()
    low = low_coverage(store)
    lines = [
        "# Ingest run",
        "",
        f"Index: {_file_link(index)}",
        "",
        f"- new versions: {len(report['versions'])}; same as a known version: {len(report['copies'])}; "
        f"already known: {len(report['known'])}",
        f"- quarantined: {len(report['quarantined'])}; fetch failures: {len(report['fetch_failed'])}",
        f"- catalog: {counts['series']} series, {counts['versions']} versions, {counts['quarantined']} quarantined, "
        f"{len(low)} with low coverage",
        "",
    ]
    if low:
        new = {d["source"] for d in report["low_coverage"]}
        lines += [
            f"Low coverage: a table-like region gave no values, or under {LOW_SHARE:.0%} of the numeric cells in "
            "table-like regions became values (each version's warnings name the regions).",
            "",
            "| series | version | coverage | new in this run |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {s.series_id} | {v.source} | {describe(v.coverage)} | {'yes' if v.source in new else ''} |"
            for s, v in low
        ]
        lines.append("")
    if report["diffs"]:
        lines += ["| series | old | new | changes | review page |", "|---|---|---|---|---|"]
        lines += [
            f"| {d['series_id']} | {d['old']} | {d['new']} | {d['changes']} | {_file_link(review)} |"
            for d, review in zip(report["diffs"], reviews, strict=True)
        ]
        lines.append("")
    for item in report["quarantined"]:
        lines.append(f"- quarantined `{item['source']}`: {item['error']}")
    for failure in report["fetch_failed"]:
        lines.append(f"- fetch failed: {failure}")
    for failure in report["diff_failed"]:
        lines.append(f"- diff failed: {failure}")
    return "\n".join(lines) + "\n"
