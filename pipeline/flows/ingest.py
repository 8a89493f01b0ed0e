"""The ``ingest`` flow: Prefect wiring around the plain steps of ``pipeline.ingest`` and ``pipeline.store``.

discover → (fetch: retried when a retry can help) → skip known hashes → extract (a task per new
document, ``workers`` at a time; each runs its extraction in a worker process of its own, killed past
the time or memory limit; a broken document fails its own task and lands in quarantine, the run goes
on) → store (version or copy; diffs against the neighbours) → repair what a killed run left → index
page → artifacts (the run's summary, and a diff summary per new version).

Where the extract tasks run: on this machine, Prefect's ``ThreadPoolTaskRunner`` with ``workers``
threads, each waiting on its document's worker process (so ``workers`` extractions run at once, on as
many processes); with ``dask_address``, ``prefect-dask``'s ``DaskTaskRunner`` on that Dask cluster,
where each task forks its worker process on the Dask worker's machine. Not Prefect's
``ProcessPoolTaskRunner``: killing one of its processes at a limit would break the pool, and every
document still in it (``pipeline.workers``).

The results are stored in the order the documents were found, one at a time, in the flow: the
catalog is the same whatever the number of workers, and is never written by two hands. The whole
run holds the output folder's lock: two runs at once take turns, so no document is processed twice.
"""

from __future__ import annotations

import contextlib
import logging
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import regex
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from prefect.task_runners import ThreadPoolTaskRunner

import pipeline
from pipeline.errors import AgreementError
from pipeline.extract.coverage import LOW_SHARE, describe, is_low
from pipeline.ingest import Candidate, extract_candidate, folder_candidates, split_new
from pipeline.ingest.config import HttpSettings, HttpSource, dask_address, load_sources
from pipeline.ingest.fetch import Download, FetchError, Link, download, fetch_index, select
from pipeline.store.catalog import Store, low_coverage, refusal
from pipeline.store.files import relative_to
from pipeline.store.index import write_index
from pipeline.workers import DEFAULT_MEMORY, DEFAULT_SECONDS, IsolationUnavailable, Limits, default_workers

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
def download_task(link: Link, source: HttpSource, settings: HttpSettings, folder: Path) -> Download:
    return download(link, source, settings, folder)


@task(name="extract", cache_policy=NO_CACHE, task_run_name="extract {candidate.source}")
def extract_task(candidate: Candidate, limits: Limits):
    """No retries: a corrupt PDF stays corrupt. The extraction runs in a worker process of its own."""
    agreement, usage = extract_candidate(candidate, limits=limits)
    with contextlib.suppress(MissingContextError):
        pages = f"{agreement.source.pages} pages in " if agreement.source.pages else ""
        get_run_logger().info(
            f"{candidate.source}: {pages}{usage.seconds:.1f} s, peak memory {usage.peak_rss / 2**20:.0f} MiB"
        )
    return agreement


def _retrying(fn, settings: HttpSettings):
    delays = [settings.backoff * 2**n for n in range(settings.retries)]
    return fn.with_options(retries=settings.retries, retry_delay_seconds=delays)


def _http_candidates(config, store: Store, report: dict) -> list[Candidate]:
    """Fetch every HTTP source's new documents; failures are reported, and tried again next run."""
    candidates = []
    folder = store.root / "downloads"
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
        for link in chosen:
            try:
                got = _retrying(download_task, config.http)(link, source, config.http, folder)
            except FetchError as exc:
                _say(f"fetch failed: {exc}", logging.WARNING)
                report["fetch_failed"].append(str(exc))
                store.quarantine_fetch(source=link.url, origin=source.name, error=str(exc), extractor=_extractor())
                continue
            store.fetched(link.url)
            candidates.append(Candidate(got.path, link.url, source.name, got.sha256))
    return candidates


def _extractor() -> str:
    return f"agreements {pipeline.__version__}"


def _artifact_key(*parts: str) -> str:
    text = unicodedata.normalize("NFKD", "-".join(parts)).encode("ascii", "ignore").decode().lower()
    return regex.sub(r"[^a-z0-9]+", "-", text).strip("-")[:100]


@flow(name="ingest", log_prints=False)
def ingest(
    sources: str = "sources",
    output: str = "output",
    retry_quarantined: bool = False,
    max_pages: int = 500,
    max_seconds: float | None = DEFAULT_SECONDS,
    max_memory: int | None = DEFAULT_MEMORY,
    workers: int | None = None,
    dask_address: str | None = None,
) -> dict:
    """Ingest what is new in ``sources`` into ``output``; returns what the run did.

    ``workers`` (default: the sources file's ``[run] workers``, else this machine's cores) extractions
    run at once; ``dask_address`` (default, unless ``workers`` is given: ``[run] dask_address``) sends them
    to a Dask cluster instead.
    ``max_seconds`` and ``max_memory`` (bytes of resident memory) bound each one; ``None``: no limit.
    """
    from pipeline.diff.markdown import render_markdown

    config = load_sources(Path(sources))
    limits = Limits(seconds=max_seconds or None, memory=max_memory or None, pages=max_pages)
    report: dict[str, list] = {
        "versions": [],
        "copies": [],
        "quarantined": [],
        "fetch_failed": [],
        "skipped_links": [],
        "diffs": [],
        "known": [],
        "low_coverage": [],
    }
    store = Store(Path(output))
    with store.locked():
        if retry_quarantined:
            for source in store.forget_quarantined():
                _say(f"retrying quarantined: {source}")
        candidates = folder_candidates(config) + _http_candidates(config, store, report)
        new, known = split_new(candidates, store.known)
        report["known"] = [candidate.source for candidate in known]
        if new:
            address = dask_address or (None if workers else config.run.dask_address)  # --workers N: here
            with _task_runner(workers or config.run.workers, address) as (runner, parallel):
                for candidate, outcome in _extracted(runner, new, limits, parallel):
                    _store_one(candidate, outcome, store, report)
        for diff in store.repair():
            report["diffs"].append(_announce(diff, render_markdown))
        write_index(store)
    summary = _run_summary(report, store)
    create_markdown_artifact(markdown=summary, key="ingest-summary", description="What the last ingest run did")
    return report


@contextlib.contextmanager
def _task_runner(workers: int | None, address: str | None) -> Iterator[tuple[object, int]]:
    """The started task runner for the extract tasks, and how many of them run at once."""
    if not address:
        workers = workers or default_workers()
        with ThreadPoolTaskRunner(max_workers=workers) as runner:
            yield runner, workers
        return
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings
    from prefect_dask import DaskTaskRunner

    address = dask_address(address)
    api = get_current_settings().api.url
    if not api:  # embedded mode: the Dask workers report to this run's temporary server, not to one of their own
        with get_client(sync_client=True) as client:
            api = str(client.api_url)
    _say(f"extracting on the Dask cluster at {address}; its workers report to the Prefect API at {api}")
    with temporary_settings(updates={PREFECT_API_URL: api}), DaskTaskRunner(address=address) as runner:
        try:
            yield runner, sum(runner.client.nthreads().values())
        finally:
            runner.client.run(_flush_prefect_records)


async def _flush_prefect_records() -> None:
    """On a Dask worker, at the end of a run: send what its tasks left queued for the Prefect API (task run
    events, logs) now, while this run's API is up, and stop those senders. The next run's tasks start their
    own: Prefect keeps one events sender per process, bound to the API it first met, and a later run's
    temporary server (a new port) would otherwise never hear of its task runs."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (EventsWorker, APILogWorker):
        await service.drain_all(timeout=30)  # Dask runs this in the worker's event loop: drain_all gives an awaitable


def _extracted(
    runner, candidates: list[Candidate], limits: Limits, parallel: int
) -> Iterator[tuple[Candidate, object]]:
    """Each candidate with its Agreement, or the exception its extraction raised, in the candidates'
    order. Tasks are submitted ahead of the one awaited, so that ``parallel`` run at once, but no more
    than ``2 × parallel`` finished results wait in memory to be stored."""
    window = max(2 * parallel, 1)
    futures = [runner.submit(extract_task, {"candidate": c, "limits": limits}) for c in candidates[:window]]
    for index, candidate in enumerate(candidates):
        if index + window < len(candidates):
            futures.append(runner.submit(extract_task, {"candidate": candidates[index + window], "limits": limits}))
        try:
            outcome = futures[index].result()
        except IsolationUnavailable:
            raise  # the run's trouble (no worker process can start here), not the document's
        except Exception as exc:  # a bad document, a limit reached, or an extractor bug it triggers
            outcome = exc
        futures[index] = None
        yield candidate, outcome


def _store_one(candidate: Candidate, outcome, store: Store, report: dict) -> None:
    """Store one extracted document; a failure quarantines it and the run goes on."""
    from pipeline.diff.markdown import render_markdown

    if isinstance(outcome, BaseException):
        exc = outcome
        error = str(exc) if isinstance(exc, AgreementError) else f"internal error ({type(exc).__name__}: {exc})"
        error = error.replace(str(candidate.path), candidate.source)
        store.quarantine(
            sha256=candidate.sha256,
            source=candidate.source,
            origin=candidate.origin,
            error=error,
            extractor=_extractor(),
        )
        report["quarantined"].append({"source": candidate.source, "error": error})
        _say(f"quarantined: {candidate.source}: {error}", logging.WARNING)
        return
    agreement = outcome
    reason = refusal(agreement)
    if reason is not None:  # looks like an agreement, says nothing: not an empty version
        store.quarantine(
            sha256=candidate.sha256,
            source=candidate.source,
            origin=candidate.origin,
            error=reason,
            extractor=_extractor(),
            series_id=agreement.agreement.series_id,
        )
        report["quarantined"].append({"source": candidate.source, "error": reason})
        _say(f"quarantined: {candidate.source}: {reason}", logging.WARNING)
        return
    added = store.add(agreement, origin=candidate.origin, local_path=relative_to(candidate.path, store.root))
    if added.status == "copy":
        report["copies"].append({"source": candidate.source, "copy_of": added.version.source})
        _say(f"same as {added.version.source}: {candidate.source}")
        return
    report["versions"].append({"source": candidate.source, "series_id": added.series_id})
    _say(f"new version of {added.series_id}: {candidate.source}")
    if is_low(agreement.coverage):
        coverage = describe(agreement.coverage)
        report["low_coverage"].append({"source": candidate.source, "series_id": added.series_id, "coverage": coverage})
        _say(f"low coverage: {candidate.source}: {coverage}", logging.WARNING)
    for diff in added.diffs:
        report["diffs"].append(_announce(diff, render_markdown))


def _announce(diff, render_markdown) -> dict:
    """A diff as a Markdown artifact in the Prefect UI, and a line of the run's report."""
    key = _artifact_key("diff", diff.series_id)
    create_markdown_artifact(
        markdown=render_markdown(diff),
        key=key,
        description=f"Changes in {diff.series_id}: {diff.old.path} → {diff.new.path}",
    )
    _say(f"diff {diff.series_id}: {diff.summary.total} changes ({diff.old.path} → {diff.new.path})")
    return {"series_id": diff.series_id, "old": diff.old.path, "new": diff.new.path, "changes": diff.summary.total}


def _run_summary(report: dict, store: Store) -> str:
    counts = store.summary()
    low = low_coverage(store)
    lines = [
        "# Ingest run",
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
        lines += ["| series | old | new | changes |", "|---|---|---|---|"]
        lines += [f"| {d['series_id']} | {d['old']} | {d['new']} | {d['changes']} |" for d in report["diffs"]]
        lines.append("")
    for item in report["quarantined"]:
        lines.append(f"- quarantined `{item['source']}`: {item['error']}")
    for failure in report["fetch_failed"]:
        lines.append(f"- fetch failed: {failure}")
    return "\n".join(lines) + "\n"
