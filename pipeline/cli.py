"""The ``agreements`` command line.

``extract``, ``diff`` and ``schema`` call the pipeline's plain functions directly; they never start
Prefect. Bad input gives one line on stderr and a non-zero exit code, never a traceback, and an
output file is written whole (temporary file + rename) or not at all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pipeline
from pipeline.store.files import relative_to, write_atomic

if TYPE_CHECKING:
    from pipeline.inputs import Input
    from schemas.catalog import Catalog, SeriesEntry
    from schemas.diff import AgreementDiff

EXIT_OK = 0
EXIT_RUN_FAILED = 1  # ingest/serve could not run (lock timeout, Prefect failure)
EXIT_USAGE = 2  # argparse's own code for bad arguments
EXIT_BAD_INPUT = 3  # some inputs were bad (extract), or quarantined (ingest)
# ``diff`` follows diff(1): 0 the same, 1 different, 2 trouble (bad input included).
EXIT_SAME, EXIT_DIFFERENT, EXIT_TROUBLE = 0, 1, 2
DIFF_FILES = ("diff.json", "diff.md", "diff.html")
# The checkout the package runs from: ``evaluate``'s gold files and samples are found there wherever it is run.
REPOSITORY = Path(pipeline.__file__).resolve().parent.parent


def _extract(args: argparse.Namespace) -> int:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="agreements-stdin-") as scratch:
        return _extract_inputs(args, Path(scratch))


def _extract_inputs(args: argparse.Namespace, scratch: Path) -> int:
    """``extract``: every input read, each bad one said in one line; the others are still written."""
    from pipeline.errors import AgreementError
    from pipeline.inputs import STDIN, Input, folder_inputs, json_name, stdin_input
    from pipeline.progress import progress, wanted
    from pipeline.workers import extract_isolated, map_isolated

    if args.paths.count(STDIN) > 1:
        return _usage("stdin (-) can be read only once")
    if STDIN in args.paths and sys.stdin.isatty():
        return _usage("- reads the document from stdin, which is a terminal: pipe one in (< FILE)")
    inputs: list[Input] = []
    failed = 0
    for arg in args.paths:
        if arg == STDIN:
            inputs.append(stdin_input(sys.stdin.buffer.read(), scratch))
        elif Path(arg).is_dir():
            found = folder_inputs(Path(arg), args.glob)
            if not found:
                wanted_names = " or ".join(args.glob) if args.glob else "*.pdf, *.txt or *.md"
                print(
                    f"agreements: error: {arg}: a directory with no documents to read ({wanted_names})", file=sys.stderr
                )
                failed += 1
            inputs.extend(found)
        else:
            inputs.append(Input(Path(arg), arg, Path(json_name(Path(arg)))))
    single = len(args.paths) == 1 and not any(item.from_folder for item in inputs)
    out = args.output
    if out in (None, "-") and not single:
        suffix = "; -o - writes one document's JSON to stdout" if out == "-" else ""
        return _usage(f"several inputs (or a folder) need -o DIR for their JSON files{suffix}")
    folder = None if out in (None, "-") else Path(out)
    if folder is not None and single and not (folder.is_dir() or out.endswith(("/", os.sep))):
        folder = None  # one input and -o FILE
    if folder is not None and folder.exists() and not folder.is_dir():
        return _usage(f"{folder} is not a directory")
    if folder is not None:  # two inputs with one JSON name: the second is refused, before any work
        first: dict[Path, str] = {}
        for item in list(inputs):
            shown = first.setdefault(item.json_name, item.shown)
            if shown != item.shown:
                print(f"agreements: error: {item.shown}: its JSON would overwrite that of {shown} "
                      f"({folder / item.json_name}); extract one of them on its own", file=sys.stderr)  # fmt: skip
                inputs.remove(item)
                failed += 1
    root = Path(args.root) if args.root else None
    limits = _limits_of(args)

    with progress(len(inputs), enabled=wanted(args.quiet)) as bar:

        def extract(item: Input) -> tuple:
            with bar.document(Path(item.shown).name) as pages:
                return extract_isolated(item.path, root=root, limits=limits, progress=pages)

        # ``--jobs`` documents at once, each in a worker process of its own; written and reported in order.
        for item, result, exc in map_isolated(extract, inputs, jobs=args.jobs or _cores()):
            if exc is not None:
                bad_input = isinstance(exc, AgreementError)
                if not bad_input and os.environ.get("AGREEMENTS_DEBUG"):
                    raise exc
                line = f"agreements: error: {exc}" if bad_input else _internal_error(item.shown, exc)
                print(_named(line, item), file=sys.stderr)
                failed += 1
                continue
            agreement, usage = result
            agreement.source.path = _named(agreement.source.path, item)
            target = Path(out) if folder is None and out not in (None, "-") else None
            target = folder / item.json_name if folder is not None else target
            if not _write_json(agreement.model_dump_json(indent=2) + "\n", target):
                failed += 1
                continue
            for warning in [] if args.quiet else _loud_warnings(agreement):
                print(f"agreements: warning: {item.shown}: {warning}", file=sys.stderr)
            if args.verbose:
                print(
                    f"{item.shown}: {len(agreement.goals)} goals, {len(agreement.indicators)} indicators, "
                    f"{len(agreement.warnings)} warnings; {usage.seconds:.1f} s, "
                    f"peak memory {usage.peak_rss / 2**20:.0f} MiB",
                    file=sys.stderr,
                )
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _named(text: str, item: Input) -> str:
    """``text`` naming stdin as ``<stdin>``, not as the temporary file its bytes were read from."""
    from pipeline.inputs import STDIN_NAME

    return text.replace(str(item.path), STDIN_NAME) if item.shown == STDIN_NAME else text


def _write_json(text: str, target: Path | None) -> bool:
    """``text`` to ``target`` whole (or to stdout for None); a file that cannot be written is one line, False."""
    if target is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    try:
        write_atomic(target, text)
    except OSError as exc:
        print(f"agreements: error: {target}: cannot write ({exc.strerror or exc})", file=sys.stderr)
        return False
    return True


def _usage(message: str) -> int:
    """A usage error: one line, exit 2."""
    print(f"agreements: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _cores() -> int:
    from pipeline.workers import default_workers

    return default_workers()


def _limits_of(args: argparse.Namespace):
    """The per-document limits the options ask for (0 or none: no limit)."""
    from pipeline.workers import Limits

    return Limits(
        seconds=args.timeout or None, memory=args.max_memory, pages=args.max_pages or None, bytes=args.max_bytes
    )


def _loud_warnings(agreement) -> list[str]:
    """What ``extract`` says on stderr even without ``-v``: an empty extraction, or low coverage."""
    from pipeline.extract.coverage import NO_CONTENT, describe, is_low

    if NO_CONTENT in agreement.warnings:
        return [NO_CONTENT]
    return [f"low coverage: {describe(agreement.coverage)}"] if is_low(agreement.coverage) else []


def _internal_error(subject: object, exc: Exception) -> str:
    return (
        f"agreements: error: {subject}: internal error ({type(exc).__name__}: {exc}); "
        "rerun with AGREEMENTS_DEBUG=1 for details"
    )


def source_href(agreement, given: Path, out_dir: Path) -> str | None:
    """A relative link from ``out_dir`` to the document an agreement was read from, if it is here.

    For a document input that is the file given; for extracted JSON, ``source.path`` as it stands
    or relative to the JSON file's folder.
    """
    from urllib.parse import quote

    if given.suffix.lower() == ".json":
        recorded = Path(agreement.source.path)
        candidates = [recorded] if recorded.is_absolute() else [recorded, given.parent / recorded]
    else:
        candidates = [given]
    for candidate in candidates:
        if candidate.is_file():
            return quote(relative_to(candidate, out_dir))
    return None


def _diff(args: argparse.Namespace) -> int:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="agreements-stdin-") as scratch:
        return _diff_sides(args, Path(scratch))


def _diff_sides(args: argparse.Namespace, scratch: Path) -> int:
    """``diff``: two documents or JSON files (one may be stdin), or a series' last two versions."""
    from pipeline.diff import diff_agreements
    from pipeline.errors import AgreementError
    from pipeline.extract import load_agreement
    from pipeline.inputs import STDIN, STDIN_NAME, Input, stdin_input
    from pipeline.progress import progress, wanted

    out = None if args.output in (None, "-") else Path(args.output)
    if out is not None and out.exists() and not out.is_dir():
        print(f"agreements: error: {out} is not a directory", file=sys.stderr)
        return EXIT_TROUBLE
    if args.series is not None:
        if args.old or args.new:
            return _usage("--series ID compares the series' last two versions: give no OLD and NEW")
        return _diff_series(args, out)
    if args.old is None or args.new is None:
        return _usage("diff needs OLD and NEW (files, or - for one of them), or --series ID")
    if args.old == args.new == STDIN:
        return _usage("stdin (-) can be only one of OLD and NEW")
    if STDIN in (args.old, args.new) and sys.stdin.isatty():
        return _usage("- reads a document from stdin, which is a terminal: pipe one in (< FILE)")
    sides = [
        stdin_input(sys.stdin.buffer.read(), scratch) if arg == STDIN else Input(Path(arg), arg, Path())
        for arg in (args.old, args.new)
    ]
    root = Path(args.root) if args.root else None
    loaded = []
    try:
        with progress(2, enabled=wanted(args.quiet)) as bar:
            for side in sides:
                with bar.document(Path(side.shown).name) as pages:
                    agreement = load_agreement(
                        side.path,
                        root=root,
                        max_pages=args.max_pages or None,
                        max_seconds=args.timeout,
                        progress=pages,
                        max_bytes=args.max_bytes,
                    )
                if side.shown == STDIN_NAME:
                    agreement.source.path = STDIN_NAME
                loaded.append(agreement)
        diff = diff_agreements(*loaded, force=args.force)
    except AgreementError as exc:
        print(_named(_named(f"agreements: error: {exc}", sides[0]), sides[1]), file=sys.stderr)
        return EXIT_TROUBLE
    except Exception as exc:
        if os.environ.get("AGREEMENTS_DEBUG"):
            raise
        print(_internal_error(f"{args.old} → {args.new}", exc), file=sys.stderr)
        return EXIT_TROUBLE
    hrefs = [source_href(agreement, side.path, out) if out is not None and side.shown != STDIN_NAME else None
             for agreement, side in zip(loaded, sides, strict=True)]  # fmt: skip
    return _diff_out(args, diff, out, hrefs)


def _diff_out(args: argparse.Namespace, diff: AgreementDiff, out: Path | None, hrefs: list[str | None]) -> int:
    """The diff to stdout (Markdown or JSON), or its three files into ``out``; exit 0 (same) or 1 (changes)."""
    from pipeline.diff.html import render_html
    from pipeline.diff.markdown import render_markdown

    status = EXIT_DIFFERENT if diff.summary.total else EXIT_SAME
    if out is None:
        sys.stdout.write(diff.model_dump_json(indent=2) + "\n" if args.format == "json" else render_markdown(diff))
        return status
    texts = {
        "diff.json": diff.model_dump_json(indent=2) + "\n",
        "diff.md": render_markdown(diff),
        "diff.html": render_html(diff, old_href=hrefs[0], new_href=hrefs[1]),
    }
    for name in DIFF_FILES:
        try:
            write_atomic(out / name, texts[name])
        except OSError as exc:
            print(f"agreements: error: {out / name}: cannot write ({exc.strerror or exc})", file=sys.stderr)
            return EXIT_TROUBLE
    if not args.quiet:
        summary = diff.summary
        counts = ", ".join(f"{n} {kind}" for kind, n in summary.by_change.items())
        print(
            f"{summary.total} changes{f' ({counts})' if counts else ''}; review page: {out / 'diff.html'}",
            file=sys.stderr,
        )
    return status


def _diff_series(args: argparse.Namespace, out: Path | None) -> int:
    """The last two versions of a series in the catalog of ``--catalog``, diffed as stored."""
    from urllib.parse import quote

    from pipeline.diff import diff_agreements
    from pipeline.extract import load_agreement

    catalog = _read_catalog(Path(args.catalog))
    if catalog is None:
        return EXIT_TROUBLE
    series = catalog.series.get(args.series)
    if series is None:
        known = ", ".join(sorted(catalog.series)) or "none"
        return _usage(f"no series {args.series!r} in {Path(args.catalog) / 'catalog.json'} (series: {known})")
    if len(series.versions) < 2:
        return _usage(f"series {args.series!r} has {len(series.versions)} version: nothing to compare it with")
    versions = series.versions[-2:]
    try:
        old, new = (load_agreement(Path(args.catalog) / v.json_path) for v in versions)
        diff = diff_agreements(old, new, force=args.force)
    except Exception as exc:  # AgreementError: a stored version that is missing or broken
        if os.environ.get("AGREEMENTS_DEBUG"):
            raise
        print(f"agreements: error: {exc}", file=sys.stderr)
        return EXIT_TROUBLE
    hrefs = [
        quote(relative_to(Path(args.catalog) / v.document_path, out)) if out is not None and v.document_path else None
        for v in versions
    ]
    return _diff_out(args, diff, out, hrefs)


def _read_catalog(output: Path) -> Catalog | None:
    """The catalog of an ingest output folder, or None after one line saying why not."""
    from pydantic import ValidationError

    from schemas.catalog import Catalog

    path = output / "catalog.json"
    try:
        return Catalog.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problem = f"{output}: no catalog.json (run `agreements ingest` first, or give the output folder)"
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"{path}: cannot read ({exc})"
    except ValidationError as exc:
        problem = f"{path}: not a catalog ({exc.error_count()} problems; first: {exc.errors()[0]['msg']})"
    print(f"agreements: error: {problem}", file=sys.stderr)
    return None


def _list(args: argparse.Namespace) -> int:
    """``list``: the series of an output folder, their versions, and each series' latest diff."""
    output = Path(args.output)
    catalog = _read_catalog(output)
    if catalog is None:
        return EXIT_USAGE
    quarantined = sum(1 for d in catalog.documents.values() if d.status == "quarantined")
    if args.format == "json":
        listing = {
            "series": [_series_listing(series) for series in catalog.series.values()],
            "quarantined": quarantined,
        }
        sys.stdout.write(json.dumps(listing, indent=2, ensure_ascii=False, default=str) + "\n")
        return EXIT_OK
    for series in catalog.series.values():
        sys.stdout.write(f"{series.series_id}  {series.title}  ({_count(len(series.versions), 'version')})\n")
        for version in series.versions:
            when = version.signed_on or version.ingested_at.date()
            sys.stdout.write(
                f"  {when}  {version.sha256[:12]}  {version.format:<8}  {_count(version.goals, 'goal')}, "
                f"{_count(version.indicators, 'indicator')}, {_count(version.warnings, 'warning')}  "
                f"{output / version.json_path}\n"
            )
        latest = series.versions[-1].diff if series.versions else None
        if latest is not None:
            counts = ", ".join(f"{n} {kind}" for kind, n in latest.by_change.items())
            sys.stdout.write(
                f"  latest diff: {latest.total} changes{f' ({counts})' if counts else ''}  "
                f"{output / latest.html_path}\n"
            )
    if not catalog.series:
        sys.stdout.write(f"no series in {output / 'catalog.json'}\n")
    if quarantined:
        sys.stdout.write(f"{quarantined} documents quarantined: {output / 'quarantine'}\n")
    return EXIT_OK


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _series_listing(series: SeriesEntry) -> dict:
    """A series for ``list --format json``: what the table shows, with paths relative to the output folder."""
    versions = [
        version.model_dump(mode="json", include={"sha256", "source", "format", "title", "signed_on", "ingested_at",
                                                 "json_path", "page_path", "goals", "indicators", "warnings"})
        for version in series.versions
    ]  # fmt: skip
    latest = series.versions[-1].diff if series.versions else None
    return {
        "series_id": series.series_id,
        "kind": series.kind,
        "agency": series.agency,
        "title": series.title,
        "page_path": series.page_path,
        "versions": versions,
        "latest_diff": latest.model_dump(mode="json") if latest else None,
    }


def quiet_prefect(verbose: bool) -> None:
    """Prefect's console chatter off (its logs still reach the Prefect API/UI) unless ``-v``.

    Must run before Prefect is imported; an operator's own PREFECT_* settings win.
    """
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "INFO" if verbose else "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _progress_to_stderr() -> None:
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("agreements: %(message)s"))
    logger = logging.getLogger("agreements.ingest")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _ingest(args: argparse.Namespace) -> int:
    from pipeline.errors import AgreementError
    from pipeline.ingest.config import load_sources

    sources, output = Path(args.sources), Path(args.output)
    try:
        config = load_sources(sources)  # a bad config is a usage error, before Prefect starts
    except AgreementError as exc:
        print(f"agreements: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if output.exists() and not output.is_dir():
        print(f"agreements: error: {output} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    quiet_prefect(args.verbose)
    _progress_to_stderr()  # what discovery refuses (links out of the sources...) is said, with or without work
    known = _nothing_new(config, output, retry_quarantined=args.retry_quarantined)
    if known is not None:
        print(
            f"agreements: nothing new: {known} documents already known; no Prefect run; see {output / 'index.html'}",
            file=sys.stderr,
        )
        return EXIT_OK
    on_dask = bool(args.dask_address or (config.run.dask_address and args.workers is None))
    if not on_dask:
        from pipeline.workers import start_forkserver

        start_forkserver()  # its imports overlap Prefect's: the first document does not wait for them
    from pipeline.flows.server import api_for_run

    try:
        # a temporary Prefect API server, unless one is set, booting while the flow's modules are imported
        with api_for_run(prepare=("pipeline.flows.ingest", *(("distributed",) if on_dask else ()))):
            from pipeline.flows.ingest import ingest

            report = ingest(
                sources=str(sources.resolve()),  # the run's parameters in Prefect: absolute, as `serve` gives them
                output=str(output.resolve()),
                retry_quarantined=args.retry_quarantined,
                max_pages=args.max_pages,
                max_seconds=args.timeout or None,
                max_memory=args.max_memory,
                workers=args.workers,
                dask_address=args.dask_address,
                max_bytes=args.max_bytes,
            )
    except Exception as exc:
        if os.environ.get("AGREEMENTS_DEBUG"):
            raise
        print(f"agreements: error: ingest failed ({type(exc).__name__}: {exc})", file=sys.stderr)
        return EXIT_RUN_FAILED
    failed = len(report["quarantined"]) + len(report["fetch_failed"]) + len(report["diff_failed"])
    low = f", {len(report['low_coverage'])} with low coverage" if report["low_coverage"] else ""
    print(
        f"agreements: {len(report['versions'])} new versions, {len(report['copies'])} same as a known version, "
        f"{len(report['known'])} already known, {len(report['diffs'])} diffs, {failed} failed{low}; "
        f"see {output / 'index.html'}",
        file=sys.stderr,
    )
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _nothing_new(config, output: Path, *, retry_quarantined: bool) -> int | None:
    """How many documents are known, when a run would do nothing and no Prefect API is configured;
    else None, and the flow runs. With an API, every run is recorded there, nothing-new runs too
    (cheap against a running server); in the default set-up Prefect's temporary server alone would
    cost ~10 s, for nothing."""
    from pipeline.ingest import nothing_new

    known = nothing_new(config, output, retry_quarantined=retry_quarantined)
    if known is None:
        return None
    from prefect.settings import get_current_settings

    return None if get_current_settings().api.url else known


def _serve(args: argparse.Namespace) -> int:
    from pipeline.errors import AgreementError
    from pipeline.ingest.config import load_sources

    try:
        load_sources(Path(args.sources))
    except AgreementError as exc:
        print(f"agreements: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    quiet_prefect(args.verbose)
    from pipeline.flows.schedule import cron_problem, timezone_problem

    problem = timezone_problem(args.timezone) or cron_problem(args.cron)  # the time zone first: cron needs one
    if problem is not None:
        print(f"agreements: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    problem = _no_lasting_api()
    if problem is not None:
        print(f"agreements: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from prefect.schedules import Cron

    from pipeline.flows.ingest import ingest

    _progress_to_stderr()
    parameters = {"sources": str(Path(args.sources).resolve()), "output": str(Path(args.output).resolve())}
    print(f"agreements: serving deployment {args.name!r} on cron {args.cron!r} ({args.timezone})", file=sys.stderr)
    try:
        ingest.serve(
            name=args.name,
            schedule=Cron(args.cron, timezone=args.timezone),
            parameters=parameters,
            print_starting_message=args.verbose,
        )
    except Exception as exc:
        if os.environ.get("AGREEMENTS_DEBUG"):
            raise
        print(f"agreements: error: serve failed ({type(exc).__name__}: {exc})", file=sys.stderr)
        return EXIT_RUN_FAILED
    return EXIT_OK


def _no_lasting_api() -> str | None:
    """Why ``serve`` would not last here, or None.

    Without ``PREFECT_API_URL`` Prefect starts a temporary API server inside this process: the deployment, its
    schedule and its runs would live and die with it, and nobody could see them. An API that does not answer
    would fail later with a long error; both are refused up front, saying what to do.
    """
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        return (
            "serve needs a Prefect server that outlives it: run `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        error = client.api_healthcheck()
    if error is not None:
        return (
            f"no Prefect server answers at PREFECT_API_URL={url} ({type(error).__name__}): start it with "
            "`prefect server start`, or point PREFECT_API_URL at one that runs"
        )
    return None


def _evaluate(args: argparse.Namespace) -> int:
    from pipeline.errors import AgreementError
    from pipeline.evaluate import ENTITIES, evaluate, gold_for, load_gold, render_coverage, render_table
    from pipeline.extract import load_agreement

    gold_dir = Path(args.gold) if args.gold else REPOSITORY / "tests" / "gold"
    sources = Path(args.sources) if args.sources else REPOSITORY / "sources"
    if not gold_dir.is_dir():
        print(f"agreements: error: {gold_dir}: no such folder of gold files (give --gold DIR)", file=sys.stderr)
        return EXIT_USAGE
    thresholds: dict[str, float] = {}
    for spec in args.min_f1:
        entity, _, value = spec.partition("=")
        try:
            thresholds[entity] = float(value)
        except ValueError:
            entity = ""
        if entity not in ENTITIES:
            print(f"agreements: error: --min-f1 {spec!r}: expected ENTITY=F1 with ENTITY in {', '.join(ENTITIES)}",
                  file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
    if not args.paths and not sources.is_dir():
        print(f"agreements: error: {sources}: no such folder (give PATHs, or --sources DIR)", file=sys.stderr)
        return EXIT_USAGE
    paths = [Path(p) for p in args.paths] or sorted(
        p for p in sources.iterdir() if p.is_file() and gold_for(p, gold_dir)
    )
    if not paths:
        print(f"agreements: error: no documents with a gold file in {gold_dir}", file=sys.stderr)
        return EXIT_USAGE
    evaluations = []
    try:
        for path in paths:
            gold_path = gold_for(path, gold_dir)
            if gold_path is None:
                print(f"agreements: error: {path}: no gold file {gold_dir}/{path.name.split('.')[0]}.yaml",
                      file=sys.stderr)  # fmt: skip
                return EXIT_USAGE
            evaluations.append(evaluate(load_agreement(path), load_gold(gold_path)))
    except AgreementError as exc:
        print(f"agreements: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        sys.stdout.write(json.dumps([e.model_dump() for e in evaluations], indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_table(evaluations))
        for ev in evaluations:
            for heading, findings in (("missed", ev.misses), ("false hits", ev.false_hits)):
                if findings:
                    sys.stdout.write(f"\n{ev.source} ({ev.format}), {heading}:\n")
                    for f in findings:
                        sys.stdout.write(f"  {f.entity}: {f.item}{f' ({f.note})' if f.note else ''}\n")
        sys.stdout.write(render_coverage(evaluations))
    below = [
        f"{ev.source} {entity} F1 {ev.scores[entity].f1:.3f} < {limit}"
        for ev in evaluations
        for entity, limit in thresholds.items()
        if ev.scores[entity].f1 < limit
    ]
    for line in below:
        print(f"agreements: below threshold: {line}", file=sys.stderr)
    return 1 if below else EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from pipeline.export import export

    output = Path(args.output)
    if not (output / "catalog.json").is_file():
        print(f"agreements: error: {output}: no catalog.json (run `agreements ingest` first)", file=sys.stderr)
        return EXIT_USAGE
    delimiter = args.delimiter if args.delimiter is not None else ";" if args.excel_fi else ","
    if len(delimiter) != 1 or delimiter in '"\r\n':
        message = f"--delimiter must be one character, not a quote or a newline: {delimiter!r}"
        print(f"agreements: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    if args.excel_fi and delimiter != ";":
        print(f"agreements: error: --excel-fi writes ';', not {delimiter!r}: leave out --delimiter", file=sys.stderr)
        return EXIT_USAGE
    from pipeline.errors import AgreementError

    formats = ["csv", "jsonl", "parquet"] if args.format == "all" else [args.format]
    for fmt in formats:
        try:
            done = export(
                output,
                fmt,
                target=Path(args.to) if args.to else None,
                delimiter=delimiter,
                decimal_comma=args.decimal_comma or args.excel_fi,
                excel=args.excel or args.excel_fi,
            )
        except AgreementError as exc:  # a corrupt catalog (`agreements repair`), a folder it cannot write
            print(f"agreements: error: {exc}", file=sys.stderr)
            return EXIT_RUN_FAILED
        for path in done.paths:
            print(path)
        for note in dict.fromkeys(done.notes):
            print(f"agreements: warning: {note}", file=sys.stderr)
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from schemas.export import SCHEMA_DIR, write_all

    for path in write_all(Path(args.output) if args.output else SCHEMA_DIR):
        print(path)
    return EXIT_OK


def _repair(args: argparse.Namespace) -> int:
    """Rebuild a corrupt (or missing, or with ``--rebuild`` any) catalog from the files the output folder
    keeps, make the diffs it lacks, and write the pages; says what it did on stderr."""
    from pipeline.errors import AgreementError
    from pipeline.store.catalog import CATALOG, Store
    from pipeline.store.files import LockTimeout
    from pipeline.store.index import write_index

    output = Path(args.output)
    if not output.is_dir() or not ((output / CATALOG).exists() or (output / "versions").is_dir()):
        print(
            f"agreements: error: {output}: not an ingest output folder (no catalog.json, no versions/)", file=sys.stderr
        )
        return EXIT_USAGE
    _progress_to_stderr()  # the rebuild's line
    store = Store(output)
    try:
        with store.locked(timeout=args.lock_timeout):
            if store.rebuilt is None and args.rebuild:
                store.rebuilt = store.recover()
                print(f"agreements: {store.rebuilt.describe()}", file=sys.stderr)
            made = store.repair()
            write_index(store)
    except (AgreementError, LockTimeout) as exc:  # a catalog it cannot read, a folder it cannot write
        print(f"agreements: error: {exc}", file=sys.stderr)
        return EXIT_RUN_FAILED
    counts = store.summary()
    state = "rebuilt" if store.rebuilt else "valid"
    print(
        f"agreements: {output / CATALOG}: {state}; {counts['series']} series, {counts['versions']} versions, "
        f"{counts['quarantined']} quarantined; {len(made)} diffs made; see {output / 'index.html'}",
        file=sys.stderr,
    )
    return EXIT_OK


def _limits(command: argparse.ArgumentParser, *, hard: bool = True, size: bool = True) -> None:
    """What one document may cost: pages, seconds, memory and file size (a hostile upload must not stall
    anything).

    ``hard``: each document runs in a worker process of its own, killed at the time or memory limit;
    otherwise (``diff``) the time limit is checked between PDF pages and between reading, segmenting
    and extracting. ``size``: the command takes ``--max-bytes``.
    """
    command.add_argument(
        "--max-pages", type=_pages, default=500, metavar="N", help="refuse longer PDFs (default 500; 0: no limit)"
    )
    command.add_argument(
        "--timeout",
        type=_seconds,
        default=300,
        metavar="SECONDS",
        help="stop a document after this (default 300; 0: no limit)"
        + ("; its worker process is killed" if hard else ", checked between PDF pages and between steps"),
    )
    if size:
        from pipeline.readers import DEFAULT_MAX_BYTES

        command.add_argument(
            "--max-bytes",
            type=_size,
            default=DEFAULT_MAX_BYTES,
            metavar="SIZE",
            help="refuse a document file larger than this, before reading it (default 16MiB; e.g. 64MiB; "
            "none: no limit)",
        )
    if hard:
        command.add_argument(
            "--max-memory",
            type=_size,
            default=1 << 30,
            metavar="SIZE",
            help="stop a document whose worker process needs more memory than this (default 1GiB; e.g. 512MiB; "
            "none: no limit)",
        )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a time limit cannot be negative: {text!r}")
    return value


def _size(text: str) -> int | None:
    from pipeline.workers import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _pages(text: str) -> int:
    """A page limit: a whole number, 0 (or ``none``) for no limit."""
    if text.strip().lower() == "none":
        return 0
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of pages: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a page limit cannot be negative: {text!r} (0: no limit)")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _address(text: str) -> str:
    from pipeline.ingest.config import dask_address

    try:
        return dask_address(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _flow_options(command: argparse.ArgumentParser) -> None:
    """The options ``ingest`` and ``serve`` share: where from, where to, how loud."""
    command.add_argument(
        "--sources",
        default="sources",
        help="a sources.toml, or a folder (with one, or of agreements); default sources/",
    )
    command.add_argument("--output", default="output", help="the output folder (default output/)")
    command.add_argument("-v", "--verbose", action="store_true", help="Prefect's own log lines too")


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error in one line (and exit 2) like every other error of the command."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"agreements: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="agreements", description="Turn Finnish performance agreements (tulossopimus) into validated JSON."
    )
    parser.add_argument("--version", action="version", version=f"agreements {pipeline.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser(
        "extract",
        help="extract agreements (PDF, text, Markdown) into JSON",
        description="Extract each document into JSON. PATH is a file, a folder (searched recursively) or - "
        "(stdin). Exit 0: all extracted; 2: usage; 3: some input was bad (the others are written).",
    )
    extract.add_argument("paths", nargs="+", metavar="PATH", help="a document, a folder of them, or - for stdin")
    extract.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="one PATH: a JSON file, an existing folder (or DIR/) to write into, or - for stdout (the default); "
        "several PATHs or a folder: the folder for their JSON files",
    )
    extract.add_argument(
        "--glob",
        action="append",
        metavar="PATTERN",
        help="in a folder, the files to read (e.g. '*.pdf'; repeatable; default: *.pdf, *.txt, *.md)",
    )
    extract.add_argument("--root", help="record source paths relative to this folder")
    extract.add_argument(
        "--jobs",
        type=_positive,
        metavar="N",
        help="documents extracted at once, each in its own process (default: cores)",
    )
    _limits(extract)
    loudness = extract.add_mutually_exclusive_group()
    loudness.add_argument("-v", "--verbose", action="store_true", help="a summary line per document on stderr")
    loudness.add_argument(
        "-q", "--quiet", action="store_true", help="errors only: no warnings, no progress bar (shown on a terminal)"
    )
    extract.set_defaults(run=_extract)

    diff = commands.add_parser(
        "diff",
        help="what changed between two versions of an agreement (exit 0: none, 1: changes, 2: trouble)",
        description="Compare two versions of one agreement: source documents (PDF, text, Markdown) or "
        "extracted JSON files, in any mix, one of them - (stdin); or, with --series, the last two versions of a "
        "series in an ingest output folder. With -o, writes diff.json, diff.md and the review page diff.html.",
    )
    diff.add_argument("old", metavar="OLD", nargs="?", help="the older version (a file, or -)")
    diff.add_argument("new", metavar="NEW", nargs="?", help="the newer version (a file, or -)")
    diff.add_argument("--series", metavar="ID", help="instead of OLD NEW: the last two versions of this series")
    diff.add_argument(
        "--catalog", metavar="DIR", default="output", help="with --series: the ingest output folder (default output/)"
    )
    diff.add_argument(
        "-o", "--output", metavar="OUT_DIR", help="folder for diff.json, diff.md, diff.html (- or none: stdout)"
    )
    diff.add_argument(
        "--format", choices=("markdown", "json"), default="markdown", help="what to print without -o (default markdown)"
    )
    diff.add_argument("--force", action="store_true", help="compare even when the two are different agreements")
    diff.add_argument("--root", help="record source paths relative to this folder")
    _limits(diff, hard=False)
    diff.add_argument("-q", "--quiet", action="store_true", help="no summary line, no progress bar")
    diff.set_defaults(run=_diff)

    listing = commands.add_parser(
        "list",
        help="the series of an ingest output folder, their versions and each one's latest diff",
        description="List what `agreements ingest` stored: each series with its versions (date, hash, format, "
        "counts, JSON file) and its latest diff (changes and review page). Exit 2 without a catalog.",
    )
    listing.add_argument("--output", default="output", help="the ingest output folder (default output/)")
    listing.add_argument("--format", choices=("table", "json"), default="table", help="output (default: table)")
    listing.set_defaults(run=_list)

    ingest = commands.add_parser(
        "ingest",
        help="run the ingest flow once: new agreements in, JSON, catalog, diffs and index page out",
        description="Ingest what is new in the sources into the output folder (Prefect flow, embedded: no "
        "server needed; a run that finds nothing new ends without starting Prefect). Exit 0: all fine; 3: some "
        "documents failed (see output/quarantine/); 2: bad sources; 1: the run failed.",
    )
    _flow_options(ingest)
    ingest.add_argument("--retry-quarantined", action="store_true", help="try quarantined documents again")
    where = ingest.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="documents extracted at once on this machine, each in its own process (default: [run] workers, "
        "else the cores)",
    )
    where.add_argument(
        "--dask-address",
        type=_address,
        metavar="tcp://HOST:PORT",
        help="extract on this Dask cluster instead (default: [run] dask_address in the sources file)",
    )
    _limits(ingest)  # the ingest flow's limits are its parameters
    ingest.set_defaults(run=_ingest)

    serve = commands.add_parser(
        "serve",
        help="run the ingest flow on a schedule (Prefect deployment served by this process)",
        description="Serve the ingest flow as a Prefect deployment with a cron schedule; runs until stopped. "
        "Needs a Prefect API: `prefect server start` and PREFECT_API_URL (see README).",
    )
    serve.add_argument("--cron", default="0 6 * * *", help='cron schedule (default "0 6 * * *": 06:00 daily)')
    serve.add_argument("--timezone", default="Europe/Helsinki", help="time zone of the schedule")
    serve.add_argument("--name", default="agreements-ingest", help="deployment name")
    _flow_options(serve)
    serve.set_defaults(run=_serve)

    evaluate = commands.add_parser(
        "evaluate",
        help="precision, recall and F1 against the hand-written gold files (tests/gold/)",
        description="Extract each document (or read its JSON) and compare it with its gold file, by file stem. "
        "Exit 1 when a --min-f1 threshold is not met, 2 on bad input.",
    )
    evaluate.add_argument("paths", nargs="*", metavar="PATH", help="documents or JSON (default: SOURCES with gold)")
    evaluate.add_argument("--gold", help="folder of gold files (default: the repository's tests/gold)")
    evaluate.add_argument("--sources", help="where to look when no PATH is given (default: the repository's sources/)")
    evaluate.add_argument("--format", choices=("table", "json"), default="table", help="output (default: table)")
    evaluate.add_argument(
        "--min-f1", action="append", default=[], metavar="ENTITY=F1", help="fail below, e.g. values=1.0"
    )
    evaluate.set_defaults(run=_evaluate)

    export = commands.add_parser(
        "export",
        help="flat tables of every indicator value and yearly target in the catalog (CSV, JSON Lines, Parquet)",
        description="Write values.<format> and targets.<format>: one row per indicator value and per yearly "
        "target of every version in OUTPUT/catalog.json, values in base units (the printed cell times its "
        "scale). CSV is UTF-8 without a BOM, comma-separated, with a decimal point; formula-like text is "
        "neutralised with a leading '.",
    )
    export.add_argument("--format", choices=("csv", "jsonl", "parquet", "all"), default="csv")
    export.add_argument("--output", default="output", help="the ingest output folder (default output/)")
    export.add_argument("--to", help="folder for the files (default OUTPUT/exports)")
    export.add_argument("--delimiter", help="CSV delimiter (default ',')")
    export.add_argument("--decimal-comma", action="store_true", help="CSV numbers with a decimal comma (93,5)")
    export.add_argument("--excel", action="store_true", help="CSV with a UTF-8 byte-order mark, for Excel")
    export.add_argument(
        "--excel-fi", action="store_true", help="CSV for Excel in a Finnish locale: ';', decimal comma and a BOM"
    )
    export.set_defaults(run=_export)

    schema = commands.add_parser("schema", help="write the JSON Schema files of the output contract")
    schema.add_argument("-o", "--output", help="folder (default: the schemas/ package)")
    schema.set_defaults(run=_schema)

    repair = commands.add_parser(
        "repair",
        help="rebuild a corrupt catalog from the versions and diffs on disk; make the diffs a killed run left out",
        description="Check OUTPUT/catalog.json: if it is corrupt or missing (or with --rebuild), set it aside "
        "(catalog.json.corrupt-<UTC time>) and rebuild it from versions/, copies/, diffs/ and quarantine/; then "
        "make the diffs it lacks and write the index and pages. The next ingest run does the same by itself. "
        "Exit 0: done; 1: the folder cannot be read or written, or is locked; 2: not an output folder.",
    )
    repair.add_argument("--output", default="output", help="the ingest output folder (default output/)")
    repair.add_argument("--rebuild", action="store_true", help="rebuild the catalog even if it is valid")
    repair.add_argument(
        "--lock-timeout", type=_seconds, default=60, metavar="SECONDS", help="wait this long for a running ingest"
    )
    repair.set_defaults(run=_repair)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("agreements: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: one line, not a traceback, unless asked for
        if os.environ.get("AGREEMENTS_DEBUG"):
            raise
        print(_internal_error(args.command, exc), file=sys.stderr)
        return EXIT_RUN_FAILED


if __name__ == "__main__":
    sys.exit(main())
