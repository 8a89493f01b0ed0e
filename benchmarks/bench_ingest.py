"""Benchmark ``agreements ingest``: a backlog on one worker, two workers and a Dask cluster, and a run with
nothing new over 1,000 known documents. Each figure is a ratio (or a time) measured in this one run.

Every figure is a whole ``agreements`` process, as a cron job or an operator starts it, in each of the two
set-ups a run can have (``--api``):

* ``server``: a Prefect server already running on 127.0.0.1 (``prefect server start``, started before the
  timing, in a fresh ``PREFECT_HOME``), the run's ``PREFECT_API_URL``: the set-up of scheduled runs
  (``agreements serve`` requires a lasting API) and the one the README gives for backlogs. The server's
  recording of the runs is on the same two cores, and so in the figures; its boot is not.
* ``embedded``: no API configured: the run starts its own temporary Prefect API server (``make run``, an
  ingest by hand). Its boot (about 5 s of CPU: Prefect's server package imported) and its recording are in
  every run; in a fresh ``PREFECT_HOME`` whose first start (a run with one document: it creates Prefect's
  database) is not timed.

* ``backlog``: 40 new PDFs (the two sample PDFs, 20 copies each, made distinct by a PDF comment after
  ``%%EOF``, which changes no content) into an empty output folder, with ``--workers 1``, ``--workers 2``
  and ``--dask-address`` of a Dask ``LocalCluster`` of two single-threaded worker processes on 127.0.0.1
  (started before, and warmed up by importing the flow's module on each worker: an existing cluster, as
  an operator's would be). The runs take turns, round after round. Targets: workers 1 / workers 2 ≥ 1.6
  on 2 cores; Dask within 10 % of workers 2. The three catalogs are checked to record the same. Each set-up
  has its own figures, each checked against the same targets (see ``docs/testing.md``).
* ``noop``: 1,000 distinct text files the catalog already knows (registered with ``Store`` directly:
  extracting 1,000 documents is not what this measures), ingested again: nothing new, so no Prefect.
  Whole-process seconds (median of 5) and peak memory (``os.wait4``), embedded set-up. Target: under 3 s.
  For scale, the same against one new document: a run that has work, and so a Prefect flow run.

Run from the project root: ``.venv/bin/python benchmarks/bench_ingest.py [--part backlog|noop]
[--api server|embedded|both] [--rounds N] [--copies N] [--known N]``. Figures: Markdown on stdout, and
``benchmarks/results/ingest.json``. It reports, it does not assert.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PDFS = ("valtori-tulossopimus-2024-2027.pdf", "keha-keskus-tulossopimus-2025.pdf")
TEXT = FIXTURES / "valtori-tulossopimus-2024-2027.txt"
RESULTS = ROOT / "benchmarks" / "results" / "ingest.json"
CLI = Path(sys.executable).with_name("agreements")
TARGET_WORKERS = 1.6
TARGET_DASK = 0.10  # Dask within 10 % of the process pool
TARGET_NOOP_S = 3.0
NOOP_RUNS = 5
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def distinct_copy(source: Path, target: Path, n: int) -> None:
    """A copy whose bytes differ from every other copy but whose content reads the same."""
    data = source.read_bytes()
    extra = f"\n% copy {n}\n".encode() if source.suffix == ".pdf" else b"\n" * (n + 1)
    target.write_bytes(data + extra)


def timed(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Seconds, peak RSS in KiB (the process itself, from ``os.wait4``) and the last stderr line."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace").strip()
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return elapsed, usage.ru_maxrss, stderr.splitlines()[-1] if stderr else ""


def ingest(sources: Path, output: Path, env: dict[str, str], *options: str) -> tuple[float, int, str]:
    return timed([str(CLI), "ingest", "--sources", str(sources), "--output", str(output), *options], env)


def catalog_of(output: Path) -> str:
    """The catalog with its times taken out: what was recorded, whoever recorded it."""
    return TIME.sub("<time>", (output / "catalog.json").read_text(encoding="utf-8"))


@contextlib.contextmanager
def prefect_server(home: Path, env: dict[str, str]):
    """A Prefect server (``prefect server start``, no UI) on 127.0.0.1 for the block; yields its API URL.
    Waited for and stopped as the run's own temporary server is (``pipeline.flows.server``)."""
    from pipeline.flows.server import ServerFailed, TemporaryServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server_env = {**env, "PREFECT_HOME": str(home)}
    command = [str(CLI.with_name("prefect")), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=server_env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        server = TemporaryServer(process, f"http://127.0.0.1:{port}/api")
        try:
            try:
                server.wait_ready(timeout=90)
            except ServerFailed as exc:
                log.seek(0)
                raise SystemExit(f"{exc}:\n{log.read().decode()[-3000:]}") from None
            yield server.api_url
        finally:
            server.stop(timeout=30)


def start_cluster():
    """A Dask LocalCluster of two single-threaded worker processes on 127.0.0.1, warmed up.

    Its workers are not daemonic, so they may start the extraction's worker processes (README).
    """
    import dask
    from distributed import Client, LocalCluster

    from pipeline.workers import start_forkserver

    with dask.config.set({"distributed.worker.daemon": False, "distributed.logging.distributed": "error"}):
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
    with Client(cluster.scheduler_address) as client:
        client.run(lambda: bool(__import__("pipeline.ingest")))  # what the extraction tasks refer to
        client.run(start_forkserver)  # as after an earlier run: each worker's extraction forkserver is up
    return cluster


def backlog_sources(work: Path, copies: int) -> Path:
    sources = work / "backlog"
    if not sources.exists():
        sources.mkdir()
        for n in range(copies):
            for name in PDFS:
                stem = name.rsplit(".", 1)[0]
                distinct_copy(FIXTURES / name, sources / f"{stem}-{n:02d}.pdf", n)
    return sources


def bench_backlog(work: Path, env: dict[str, str], copies: int, rounds: int, api: str) -> dict:
    sources = backlog_sources(work, copies)
    documents = len(PDFS) * copies
    cluster = start_cluster()
    try:
        options = {
            "workers 1": ["--workers", "1"],
            "workers 2": ["--workers", "2"],
            "dask, 2 workers": ["--dask-address", cluster.scheduler_address],
        }
        times: dict[str, list[float]] = {name: [] for name in options}
        catalogs: dict[str, str] = {}
        for n in range(1, rounds + 1):
            order = list(options) if n % 2 else list(reversed(options))
            for name in order:
                output = work / f"backlog-out-{api}-{n}-{name.replace(' ', '-').replace(',', '')}"
                seconds, _, line = ingest(sources, output, env, *options[name])
                times[name].append(seconds)
                catalogs[name] = catalog_of(output)
                say(f"backlog ({api}) {n}/{rounds}: {name}: {seconds:.1f} s ({line})")
    finally:
        cluster.close()
    medians = {name: statistics.median(values) for name, values in times.items()}
    speedup = medians["workers 1"] / medians["workers 2"]
    dask = medians["dask, 2 workers"] / medians["workers 2"]
    return {
        "api": api,
        "documents": documents,
        "rounds": rounds,
        "median_s": {name: round(value, 2) for name, value in medians.items()},
        "runs_s": {name: [round(v, 2) for v in values] for name, values in times.items()},
        "speedup_workers_2": round(speedup, 3),
        "target_speedup": TARGET_WORKERS,
        "speedup_met": speedup >= TARGET_WORKERS,
        "dask_over_workers_2": round(dask, 3),
        "dask_met": abs(dask - 1) <= TARGET_DASK,
        "same_catalogs": len(set(catalogs.values())) == 1,
    }


def register_known(folder: Path, output: Path) -> None:
    """Mark every file of ``folder`` as already seen, as a copy of the valtori version in ``output``."""
    sys.path.insert(0, str(ROOT))
    from pipeline.extract import sha256_of
    from pipeline.store.catalog import Store, now
    from pipeline.store.index import write_index
    from schemas.catalog import DocumentRecord

    store = Store(output)
    with store.locked():
        version = store.catalog.series["valtori"].versions[0]
        for path in sorted(folder.iterdir()):
            sha = sha256_of(path)
            store.catalog.documents[sha] = DocumentRecord(
                sha256=sha, source=path.name, origin="known", status="copy", series_id="valtori",
                version=version.sha256, seen_at=now(),
            )  # fmt: skip
        store.save()
        write_index(store)


def bench_noop(work: Path, env: dict[str, str], known_count: int) -> dict:
    first, output = work / "first", work / "noop-out"
    first.mkdir()
    shutil.copy(TEXT, first)
    ingest(first, output, env)  # a catalog with the valtori series, and its index page
    known = work / "known"
    known.mkdir()
    for n in range(known_count):
        distinct_copy(TEXT, known / f"agreement-{n:04d}.txt", n)
    register_known(known, output)
    runs = [ingest(known, output, env) for _ in range(NOOP_RUNS)]
    line = runs[-1][2]
    seconds = statistics.median(r[0] for r in runs)
    peak_mib = max(r[1] for r in runs) / 1024
    say(f"noop: {known_count} known: {seconds:.2f} s, {peak_mib:.0f} MiB ({line})")
    distinct_copy(TEXT, known / "uusi.txt", known_count + 1)  # one new document: a run with work
    work_s, work_kib, work_line = ingest(known, output, env)
    say(f"noop: one new document: {work_s:.1f} s ({work_line})")
    return {
        "known": known_count,
        "median_s": round(seconds, 2),
        "runs_s": [round(r[0], 2) for r in runs],
        "peak_rss_mib": round(peak_mib, 1),
        "line": line,
        "target_s": TARGET_NOOP_S,
        "met": seconds < TARGET_NOOP_S and line.startswith("agreements: nothing new"),
        "one_new_document_s": round(work_s, 2),
        "one_new_document_peak_rss_mib": round(work_kib / 1024, 1),
        "one_new_document_line": work_line,
    }


def report(results: dict) -> None:
    for key in ("backlog_server", "backlog_embedded"):
        if key not in results:
            continue
        r = results[key]
        setup = "a running Prefect server" if r["api"] == "server" else "the run's own temporary Prefect server"
        print(f"## ingest backlog, {setup}: {r['documents']} new PDFs, {r['rounds']} rounds, whole processes\n")
        print("| run | median s | runs s |")
        print("|---|---:|---|")
        for name, median in r["median_s"].items():
            print(f"| `ingest` {name} | {median:.1f} | {', '.join(f'{v:.1f}' for v in r['runs_s'][name])} |")
        met = "met" if r["speedup_met"] else "NOT met"
        print(f"\nworkers 1 / workers 2: **{r['speedup_workers_2']:.2f}** (target ≥ {r['target_speedup']}: {met})")
        met = "met" if r["dask_met"] else "NOT met"
        print(f"Dask / workers 2: **{r['dask_over_workers_2']:.2f}** (target within 10 %: {met})")
        print(f"same catalogs from the three: {r['same_catalogs']}\n")
    if "noop" in results:
        r = results["noop"]
        met = "met" if r["met"] else "NOT met"
        print(f"## ingest with nothing new: {r['known']} known documents, median of {NOOP_RUNS}\n")
        print(f"**{r['median_s']:.2f} s**, peak RSS {r['peak_rss_mib']:.0f} MiB "
              f"(target < {r['target_s']:.0f} s: {met})")  # fmt: skip
        print(f"`{r['line']}`")
        print(f"For scale, one new document (a Prefect flow run, embedded server): {r['one_new_document_s']:.1f} s, "
              f"{r['one_new_document_peak_rss_mib']:.0f} MiB\n")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("backlog", "noop", "all"), default="all")
    parser.add_argument(
        "--api", choices=("server", "embedded", "both"), default="both", help="the backlog's set-up (default both)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the backlog's three runs (default 2)")
    parser.add_argument("--copies", type=int, default=20, help="copies of each sample PDF in the backlog (default 20)")
    parser.add_argument("--known", type=int, default=1000, help="known documents for the no-op run (default 1000)")
    args = parser.parse_args(argv)
    parts = ("backlog", "noop") if args.part == "all" else (args.part,)
    results: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average_at_start": os.getloadavg()[0],
    }
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "PREFECT_HOME": str(work / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        env.pop("PREFECT_API_URL", None)
        (work / "warm").mkdir()  # one document: a run with work starts Prefect, whose first start in a fresh home
        shutil.copy(FIXTURES / "keha-keskus-tulossopimus-2025.md", work / "warm")  # creates its database
        if "backlog" in parts and args.api in ("server", "both"):
            with prefect_server(work / "prefect-server-home", env) as url:
                served = {**env, "PREFECT_API_URL": url}
                ingest(work / "warm", work / "o-served", served)  # as the embedded set-up's warm-up
                results["backlog_server"] = bench_backlog(work, served, args.copies, args.rounds, "server")
        ingest(work / "warm", work / "o0", env)
        if "backlog" in parts and args.api in ("embedded", "both"):
            results["backlog_embedded"] = bench_backlog(work, env, args.copies, args.rounds, "embedded")
        if "noop" in parts:
            results["noop"] = bench_noop(work, env, args.known)
    results["load_average_at_end"] = os.getloadavg()[0]
    report(results)
    print(f"load average (1 min) at start {results['load_average_at_start']:.2f}, "
          f"at end {results['load_average_at_end']:.2f}")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
