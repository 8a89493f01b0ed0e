"""Benchmark ``agreements extract`` against pdfplumber's own plain page loop.

Both sides are timed as whole processes (interpreter start-up and imports included), alternating
A, B, A, B... so that drift in machine load hits both equally:

* A: ``agreements extract <10 PDFs> -o <tmp dir>``
* B: ``python -c <script> <10 PDFs>`` where the script opens each PDF with pdfplumber and calls
  ``page.extract_text()``, ``page.extract_tables()`` and ``page.close()`` for every page.

The 10 PDFs are the two sample fixtures, each copied five times under distinct names. The report
is a Markdown table on stdout and the same figures in ``benchmarks/results/latest.json``. The
script reports; it does not assert: it exits 0 unless a child process failed.

Run from the project root: ``.venv/bin/python benchmarks/bench_extract.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
COPIES = 5
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
BUDGET = 1.3  # the project's budget: extract may take at most 1.3x pdfplumber's plain loop
STARTUP_RUNS = 10

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
    max_rss_kib: int


def run_timed(argv: list[str], label: str) -> Run:
    """Run ``argv`` to completion; return its wall time and peak RSS (from ``os.wait4``)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # we reaped it; tell Popen so
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-2000:]
            raise ChildFailed(f"{label} exited with code {proc.returncode}\n  command: {argv[:3]}...\n{tail}")
    return Run(seconds, usage.ru_maxrss)  # ru_maxrss is in KiB on Linux


def make_corpus(folder: Path) -> list[Path]:
    pdfs = []
    for name in SAMPLES:
        source = FIXTURES / name
        if not source.is_file():
            raise SystemExit(f"bench: missing fixture {source}")
        for copy in range(1, COPIES + 1):
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


def summarise(runs: list[Run], pages: int) -> dict:
    median = statistics.median(r.seconds for r in runs)
    return {
        "median_s": round(median, 3),
        "pages_per_s": round(pages / median, 2),
        "peak_rss_mib": round(max(r.max_rss_kib for r in runs) / 1024, 1),
        "runs_s": [round(r.seconds, 3) for r in runs],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="A/B rounds (default 5)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    python = sys.executable  # not resolved: the venv's python is a symlink that defines the venv
    agreements = str(Path(python).parent / "agreements")
    if not os.access(agreements, os.X_OK):
        raise SystemExit(f"bench: {agreements} not found; run with the project's venv python (.venv/bin/python)")

    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        tmp_path = Path(tmp)
        corpus = tmp_path / "pdfs"
        corpus.mkdir()
        pdfs = make_corpus(corpus)
        pages = count_pages(pdfs)
        pdf_args = [str(p) for p in pdfs]

        try:
            startup = [run_timed([agreements, "--version"], "agreements --version") for _ in range(STARTUP_RUNS)]
            runs_a: list[Run] = []
            runs_b: list[Run] = []
            for round_no in range(1, args.rounds + 1):
                out = tmp_path / f"out-{round_no}"  # a fresh, empty output folder per round
                runs_a.append(run_timed([agreements, "extract", *pdf_args, "-o", str(out)], "A (agreements extract)"))
                written = len(list(out.glob("*.json")))
                if written != len(pdfs):
                    raise ChildFailed(f"A (agreements extract) wrote {written} JSON files, expected {len(pdfs)}")
                runs_b.append(run_timed([python, "-c", BASELINE_SCRIPT, *pdf_args], "B (pdfplumber baseline)"))
                print(
                    f"round {round_no}/{args.rounds}: A {runs_a[-1].seconds:.2f} s, B {runs_b[-1].seconds:.2f} s",
                    file=sys.stderr,
                    flush=True,
                )
        except ChildFailed as exc:
            print(f"bench: FAILED: {exc}", file=sys.stderr)
            return 1

    a, b = summarise(runs_a, pages), summarise(runs_b, pages)
    ratio = statistics.median(r.seconds for r in runs_a) / statistics.median(r.seconds for r in runs_b)
    startup_ms = statistics.median(r.seconds for r in startup) * 1000
    within = ratio <= BUDGET

    print(f"{len(pdfs)} documents, {pages} pages, {args.rounds} rounds (whole processes, start-up included)\n")
    print("| process | median s | pages/s | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    print(f"| A `agreements extract` | {a['median_s']:.2f} | {a['pages_per_s']:.1f} | {a['peak_rss_mib']:.0f} |")
    print(f"| B pdfplumber plain loop | {b['median_s']:.2f} | {b['pages_per_s']:.1f} | {b['peak_rss_mib']:.0f} |")
    print()
    print(f"ratio of medians A/B: {ratio:.2f} (budget {BUDGET})")
    print(f"CLI start-up (`agreements --version`, median of {STARTUP_RUNS}): {startup_ms:.0f} ms")
    if within:
        print(f"WITHIN BUDGET: A/B = {ratio:.2f} <= {BUDGET}")
    else:
        print(f"OVER BUDGET: A/B = {ratio:.2f} > {BUDGET} ({(ratio / BUDGET - 1) * 100:.0f}% above the budget)")

    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "pdfplumber": pdfplumber.__version__,
        "documents": len(pdfs),
        "pages": pages,
        "rounds": args.rounds,
        "A_agreements_extract": a,
        "B_pdfplumber_loop": b,
        "ratio_a_over_b": round(ratio, 3),
        "budget": BUDGET,
        "within_budget": within,
        "startup_ms_median": round(startup_ms, 1),
        "startup_runs_ms": [round(r.seconds * 1000, 1) for r in startup],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
