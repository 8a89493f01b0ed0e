"""Benchmark ``agreements extract``: against pdfplumber's own plain page loop, one job against two, and a
worker's memory over a 450-page PDF. Each figure is a ratio (or a peak) measured in this one run.

Every timing is a whole process (interpreter start-up and imports included). The processes compared
take turns, A, B, A, B…, so that drift in the machine's load hits both alike.

* ``plumber``: A ``agreements extract <10 PDFs> -o DIR --jobs 1`` against B ``python -c <script>
  <10 PDFs>``, a script that opens each PDF with pdfplumber and calls ``page.extract_text()``,
  ``page.extract_tables()`` and ``page.close()`` on every page. The 10 PDFs are the two sample
  fixtures, five copies each. Target: A/B ≤ 1.0.
* ``jobs``: ``agreements extract <40 PDFs> -o DIR --jobs 2`` against the same with ``--jobs 1`` (the two
  samples, 20 copies each). Target: jobs 1 / jobs 2 ≥ 1.7 on 2 cores.
* ``memory``: ``agreements extract -v`` over one 450-page PDF (the samples' pages again and again,
  joined with ``pdfunite`` from poppler-utils; the part is skipped, saying so, without it): the worker
  process's peak resident memory, as the command reports it. Target: under 400 MB.

The CLI's own peak memory comes from ``os.wait4``; a worker's (each document runs in a process of its
own, which ``wait4`` does not see) from the ``-v`` line ``peak memory N MiB``.

Run from the project root: ``.venv/bin/python benchmarks/bench_extract.py [--part plumber|jobs|memory]
[--rounds N] [--jobs-rounds N]``. The report is Markdown on stdout and the same figures in
``benchmarks/results/latest.json``. It reports, it does not assert: it exits 0 unless a child process
failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = ("valtori-tulossopimus-2024-2027.pdf", "keha-keskus-tulossopimus-2025.pdf")
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
TARGET_PLUMBER = 1.0  # extract (one process of work) at most pdfplumber's plain loop
TARGET_JOBS = 1.7  # two jobs at least 1.7 times as fast as one, on 2 cores
TARGET_WORKER_MIB = 400 * 1_000_000 / 2**20  # 400 MB
BIG_PAGES = 450
STARTUP_RUNS = 10
PEAK = re.compile(r"peak memory (\d+) MiB")

# The baseline: pdfplumber's own plain loop over every page of every PDF given as argument.
BASELINE_SCRIPT = """\
import sys
import pdfplumber
for path in sys.argv[1:]:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
            page.close()
"""


class ChildFailed(Exception):
    """A timed child process exited with a non-zero code."""


@dataclass
class Run:
    seconds: float
    max_rss_kib: int  # of the process itself, not of the worker processes it starts
    stderr: str


def run_timed(argv: list[str], label: str) -> Run:
    """Run ``argv`` to completion; return its wall time, peak RSS (from ``os.wait4``) and stderr."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # we reaped it; tell Popen so
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        if proc.returncode != 0:
            raise ChildFailed(f"{label} exited with code {proc.returncode}\n  command: {argv[:3]}...\n{stderr[-2000:]}")
    return Run(seconds, usage.ru_maxrss, stderr)  # ru_maxrss is in KiB on Linux


def copies(folder: Path, count: int) -> list[Path]:
    """``count`` copies of each sample PDF under distinct names."""
    folder.mkdir(parents=True, exist_ok=True)
    pdfs = []
    for name in SAMPLES:
        source = FIXTURES / name
        if not source.is_file():
            raise SystemExit(f"bench: missing fixture {source}")
        for copy in range(1, count + 1):
            target = folder / f"{source.stem}-copy{copy}.pdf"
            shutil.copyfile(source, target)
            pdfs.append(target)
    return pdfs


def count_pages(pdfs: list[Path]) -> int:
    total = 0
    for path in pdfs:
        with pdfplumber.open(path) as pdf:
            total += len(pdf.pages)
    return total


def worker_peak_mib(run: Run) -> int:
    """The largest worker peak among the ``-v`` lines of an ``agreements extract -v`` run."""
    peaks = [int(m) for m in PEAK.findall(run.stderr)]
    return max(peaks) if peaks else 0


def summarise(runs: list[Run], pages: int) -> dict:
    median = statistics.median(r.seconds for r in runs)
    return {
        "median_s": round(median, 3),
        "pages_per_s": round(pages / median, 2),
        "peak_rss_mib": round(max(r.max_rss_kib for r in runs) / 1024, 1),
        "worker_peak_rss_mib": max(worker_peak_mib(r) for r in runs),
        "runs_s": [round(r.seconds, 3) for r in runs],
    }


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench_plumber(agreements: str, work: Path, rounds: int) -> dict:
    pdfs = copies(work / "plumber", 5)
    pages = count_pages(pdfs)
    args = [str(p) for p in pdfs]
    startup = [run_timed([agreements, "--version"], "agreements --version") for _ in range(STARTUP_RUNS)]
    runs_a: list[Run] = []
    runs_b: list[Run] = []
    for n in range(1, rounds + 1):
        out = work / f"plumber-out-{n}"  # a fresh, empty output folder per round
        runs_a.append(run_timed([agreements, "extract", *args, "-o", str(out), "--jobs", "1", "-v"], "extract"))
        written = len(list(out.glob("*.json")))
        if written != len(pdfs):
            raise ChildFailed(f"agreements extract wrote {written} JSON files, expected {len(pdfs)}")
        runs_b.append(run_timed([sys.executable, "-c", BASELINE_SCRIPT, *args], "pdfplumber baseline"))
        say(f"plumber {n}/{rounds}: extract {runs_a[-1].seconds:.2f} s, pdfplumber {runs_b[-1].seconds:.2f} s")
    ratio = statistics.median(r.seconds for r in runs_a) / statistics.median(r.seconds for r in runs_b)
    return {
        "documents": len(pdfs),
        "pages": pages,
        "rounds": rounds,
        "extract_jobs_1": summarise(runs_a, pages),
        "pdfplumber_loop": summarise(runs_b, pages),
        "ratio": round(ratio, 3),
        "target": TARGET_PLUMBER,
        "met": ratio <= TARGET_PLUMBER,
        "startup_ms_median": round(statistics.median(r.seconds for r in startup) * 1000, 1),
    }


def bench_jobs(agreements: str, work: Path, rounds: int) -> dict:
    pdfs = copies(work / "jobs", 20)
    pages = count_pages(pdfs)
    args = [str(p) for p in pdfs]
    runs: dict[str, list[Run]] = {"1": [], "2": []}
    for n in range(1, rounds + 1):
        for jobs in ("2", "1") if n % 2 else ("1", "2"):
            out = work / f"jobs-out-{jobs}-{n}"
            runs[jobs].append(run_timed([agreements, "extract", *args, "-o", str(out), "--jobs", jobs, "-v"], jobs))
        say(f"jobs {n}/{rounds}: --jobs 1 {runs['1'][-1].seconds:.2f} s, --jobs 2 {runs['2'][-1].seconds:.2f} s")
    ratio = statistics.median(r.seconds for r in runs["1"]) / statistics.median(r.seconds for r in runs["2"])
    return {
        "documents": len(pdfs),
        "pages": pages,
        "rounds": rounds,
        "jobs_1": summarise(runs["1"], pages),
        "jobs_2": summarise(runs["2"], pages),
        "speedup": round(ratio, 3),
        "target": TARGET_JOBS,
        "met": ratio >= TARGET_JOBS,
        "cpus": os.cpu_count(),
    }


def big_pdf(folder: Path, pages: int) -> Path | None:
    """A PDF of ``pages`` pages joined from the samples' (``pdfunite``), or None without it."""
    pdfunite = shutil.which("pdfunite")
    if pdfunite is None:
        return None
    counts = {name: count_pages([FIXTURES / name]) for name in SAMPLES}
    (first, a), (second, b) = counts.items()
    for n in range(pages // b + 1):  # n copies of the second sample, the rest of the first
        if (pages - n * b) % a == 0:
            parts = [FIXTURES / first] * ((pages - n * b) // a) + [FIXTURES / second] * n
            break
    else:
        raise SystemExit(f"bench: cannot make {pages} pages from {a}- and {b}-page samples")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"pitka-{pages}-sivua.pdf"
    subprocess.run([pdfunite, *map(str, parts), str(target)], check=True)
    return target


def bench_memory(agreements: str, work: Path) -> dict:
    pdf = big_pdf(work / "memory", BIG_PAGES)
    if pdf is None:
        say("memory: skipped: pdfunite (Debian package poppler-utils) is not installed")
        return {"skipped": "pdfunite (poppler-utils) is not installed"}
    pages = count_pages([pdf])
    run = run_timed([agreements, "extract", str(pdf), "-o", str(work / "memory" / "out.json"), "-v"], "extract")
    peak = worker_peak_mib(run)
    say(f"memory: {pages} pages in {run.seconds:.1f} s, worker peak {peak} MiB")
    return {
        "pages": pages,
        "seconds": round(run.seconds, 2),
        "worker_peak_rss_mib": peak,
        "cli_peak_rss_mib": round(run.max_rss_kib / 1024, 1),
        "target_mib": round(TARGET_WORKER_MIB, 1),
        "met": 0 < peak < TARGET_WORKER_MIB,
    }


def report(results: dict) -> None:
    if "plumber" in results:
        r = results["plumber"]
        a, b = r["extract_jobs_1"], r["pdfplumber_loop"]
        print(f"## extract vs pdfplumber: {r['documents']} PDFs, {r['pages']} pages, {r['rounds']} rounds\n")
        print("| process | median s | pages/s | peak RSS MiB | worker peak RSS MiB |")
        print("|---|---:|---:|---:|---:|")
        print(
            f"| `agreements extract --jobs 1` | {a['median_s']:.2f} | {a['pages_per_s']:.1f} | "
            f"{a['peak_rss_mib']:.0f} | {a['worker_peak_rss_mib']} |"
        )
        print(f"| pdfplumber plain loop | {b['median_s']:.2f} | {b['pages_per_s']:.1f} | {b['peak_rss_mib']:.0f} | – |")
        verdict = "met" if r["met"] else "NOT met"
        print(f"\nextract / pdfplumber: **{r['ratio']:.2f}** (target ≤ {r['target']}: {verdict})")
        print(f"CLI start-up (`agreements --version`, median of {STARTUP_RUNS}): {r['startup_ms_median']:.0f} ms\n")
    if "jobs" in results:
        r = results["jobs"]
        one, two = r["jobs_1"], r["jobs_2"]
        print(f"## extract --jobs 2 vs --jobs 1: {r['documents']} PDFs, {r['pages']} pages, {r['rounds']} rounds, "
              f"{r['cpus']} CPUs\n")  # fmt: skip
        print("| process | median s | pages/s | worker peak RSS MiB |")
        print("|---|---:|---:|---:|")
        for label, s in (("--jobs 1", one), ("--jobs 2", two)):
            print(f"| `agreements extract {label}` | {s['median_s']:.2f} | {s['pages_per_s']:.1f} | "
                  f"{s['worker_peak_rss_mib']} |")  # fmt: skip
        verdict = "met" if r["met"] else "NOT met"
        print(f"\nspeed-up, jobs 1 / jobs 2: **{r['speedup']:.2f}** (target ≥ {r['target']}: {verdict})\n")
    if "memory" in results:
        r = results["memory"]
        if "skipped" in r:
            print(f"## memory: skipped ({r['skipped']})\n")
        else:
            verdict = "met" if r["met"] else "NOT met"
            print(f"## memory: one {r['pages']}-page PDF\n")
            print(f"worker peak RSS: **{r['worker_peak_rss_mib']} MiB** (target < 400 MB = "
                  f"{r['target_mib']:.0f} MiB: {verdict}); {r['seconds']:.1f} s; the CLI process itself "
                  f"{r['cli_peak_rss_mib']:.0f} MiB\n")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("plumber", "jobs", "memory", "all"), default="all")
    parser.add_argument("--rounds", type=int, default=5, help="A/B rounds of the pdfplumber comparison (default 5)")
    parser.add_argument("--jobs-rounds", type=int, default=3, help="rounds of jobs 1 vs jobs 2 (default 3)")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.jobs_rounds < 1:
        parser.error("rounds must be at least 1")
    agreements = str(Path(sys.executable).parent / "agreements")  # the venv's, not resolved: it defines the venv
    if not os.access(agreements, os.X_OK):
        raise SystemExit(f"bench: {agreements} not found; run with the project's venv python (.venv/bin/python)")
    parts = ("plumber", "jobs", "memory") if args.part == "all" else (args.part,)
    results: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "pdfplumber": pdfplumber.__version__,
        "load_average_at_start": os.getloadavg()[0],
    }
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        work = Path(tmp)
        try:
            if "plumber" in parts:
                results["plumber"] = bench_plumber(agreements, work, args.rounds)
            if "jobs" in parts:
                results["jobs"] = bench_jobs(agreements, work, args.jobs_rounds)
            if "memory" in parts:
                results["memory"] = bench_memory(agreements, work)
        except ChildFailed as exc:
            say(f"bench: FAILED: {exc}")
            return 1
    results["load_average_at_end"] = os.getloadavg()[0]
    report(results)
    print(f"load average (1 min) at start {results['load_average_at_start']:.2f}, "
          f"at end {results['load_average_at_end']:.2f}")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
