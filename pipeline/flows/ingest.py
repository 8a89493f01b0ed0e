"""The ``ingest`` flow: Prefect wiring around the plain steps of ``pipeline.ingest`` and ``pipeline.store``.

discover → (fetch: retried when a retry can help) → skip known hashes → extract (a task per new
document; a broken one fails its own task and lands in quarantine, the run goes on) → store
(version or copy; diffs against the neighbours) → repair what a killed run left → index page →
artifacts (the run's summary, and a diff summary per new version).

The whole run holds the output folder's lock: two runs at once take turns, so no document is
processed twice and the catalog is never written by two hands.
"""

from __future__ import annotations

import contextlib
import logging
import unicodedata
from pathlib import Path

import regex
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError

import pipeline
from pipeline.errors import AgreementError
from pipeline.extract.coverage import LOW_SHARE, describe, is_low
from pipeline.ingest import Candidate, extract_candidate, folder_candidates
from pipeline.ingest.config import HttpSettings, HttpSource, load_sources
from pipeline.ingest.fetch import Download, FetchError, Link, download, fetch_index, select
from pipeline.store.catalog import Store, low_coverage, refusal
from pipeline.store.files import relative_to
from pipeline.store.index import write_index

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
def extract_task(candidate: Candidate, max_pages: int, max_seconds: float):
    """No retries: a corrupt PDF stays corrupt."""
    return extract_candidate(candidate, max_pages=max_pages, max_seconds=max_seconds)


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
    max_seconds: float = 300,
) -> dict:
    """Ingest what is new in ``sources`` into ``output``; returns what the run did."""
    from pipeline.diff.markdown import render_markdown

    config = load_sources(Path(sources))
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
        seen: set[str] = set()
        for candidate in candidates:
            if store.known(candidate.sha256) or candidate.sha256 in seen:
                report["known"].append(candidate.source)
                continue
            seen.add(candidate.sha256)
            _ingest_one(candidate, store, report, max_pages=max_pages, max_seconds=max_seconds)
        for diff in store.repair():
            report["diffs"].append(_announce(diff, render_markdown))
        write_index(store)
    summary = _run_summary(report, store)
    create_markdown_artifact(markdown=summary, key="ingest-summary", description="What the last ingest run did")
    return report


def _ingest_one(candidate: Candidate, store: Store, report: dict, *, max_pages: int, max_seconds: float) -> None:
    """Extract one new document and store it; a failure quarantines it and the run goes on."""
    from pipeline.diff.markdown import render_markdown

    try:
        agreement = extract_task(candidate, max_pages, max_seconds)
    except Exception as exc:  # a bad document, or an extractor bug it triggers
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
