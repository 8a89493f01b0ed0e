"""Benchmark ``agreements ingest``: cold (every document new) and warm (nothing new), each against a
baseline measured in the same run.

Every figure is a whole ``agreements`` process, as ``make run`` or a cron job starts it, in
Prefect's embedded mode (it starts a temporary API server itself), with a fresh PREFECT_HOME.

* cold: N copies of the four sample files (two PDFs, a text and a Markdown file), made distinct by
  bytes that change no content (a PDF comment after ``%%EOF``, trailing newlines), ingested into
  an empty output folder. Baseline: ``agreements extract`` over the same files (no Prefect, no
  catalog, no diffs): the ratio is what ingestion adds to extraction.
* warm: the same folder again: nothing is new.
* warm, 1,000 known documents: a folder of 1,000 distinct text files that the catalog already knows
  (they are registered with ``Store`` directly, since extracting 1,000 documents is not what this
  measures), ingested again. Baseline: a run over an empty folder, the fixed cost of a run (Python,
  Prefect, its temporary server); the difference divided by 1,000 is the cost of a known document.

Run from the project root: ``.venv/bin/python benchmarks/bench_ingest.py [--copies N] [--known N]``.
Figures go to stdout (Markdown) and ``benchmarks/results/ingest.json``; it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = (
    "valtori-tulossopimus-2024-2027.pdf",
    "keha-keskus-tulossopimus-2025.pdf",
    "valtori-tulossopimus-2024-2027.txt",
    "keha-keskus-tulossopimus-2025.md",
)
RESULTS = ROOT / "benchmarks" / "results" / "ingest.json"
CLI = Path(sys.executable).with_name("agreements")


def distinct_copy(source: Path, target: Path, n: int) -> None:
    """A copy whose bytes differ from every other copy but whose content reads the same."""
    data = source.read_bytes()
    extra = f"\n% copy {n}\n".encode() if source.suffix == ".pdf" else b"\n" * (n + 1)
    target.write_bytes(data + extra)


def timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed, result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""


def register_known(folder: Path, output: Path) -> None:
    """Mark every file of ``folder`` as already seen, as a copy of the valtori version in ``output``."""
    sys.path.insert(0, str(ROOT))
    from pipeline.extract import sha256_of
    from pipeline.store.catalog import Store, now
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=3, help="copies of each sample for the cold run (default 3)")
    parser.add_argument("--known", type=int, default=1000, help="known documents for the warm run (default 1000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "PREFECT_HOME": str(work / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        env.pop("PREFECT_API_URL", None)
        sources, output = work / "sources", work / "output"
        sources.mkdir()
        for n in range(args.copies):
            for name in SAMPLES:
                stem, suffix = name.rsplit(".", 1)
                distinct_copy(FIXTURES / name, sources / f"{stem}-{n}.{suffix}", n)
        documents = len(SAMPLES) * args.copies
        print(f"cold: {documents} documents", file=sys.stderr)
        # Prefect's first start in a fresh home creates its database: do that outside the timings.
        (work / "empty").mkdir()
        timed([str(CLI), "ingest", "--sources", str(work / "empty"), "--output", str(work / "o0")], env)
        extract_s, _ = timed([str(CLI), "extract", *map(str, sorted(sources.iterdir())), "-o", str(work / "x")], env)
        cold_s, cold_line = timed([str(CLI), "ingest", "--sources", str(sources), "--output", str(output)], env)
        warm_s, warm_line = timed([str(CLI), "ingest", "--sources", str(sources), "--output", str(output)], env)
        print(f"  extract {extract_s:.1f} s; ingest cold {cold_s:.1f} s; warm {warm_s:.1f} s", file=sys.stderr)

        known = work / "known"
        known.mkdir()
        text = FIXTURES / SAMPLES[2]
        for n in range(args.known):
            distinct_copy(text, known / f"agreement-{n:04d}.txt", n)
        register_known(known, output)
        empty_s, _ = timed([str(CLI), "ingest", "--sources", str(work / "empty"), "--output", str(output)], env)
        known_s, known_line = timed([str(CLI), "ingest", "--sources", str(known), "--output", str(output)], env)
        print(f"  empty run {empty_s:.1f} s; {args.known} known {known_s:.1f} s", file=sys.stderr)

    per_known_ms = max(known_s - empty_s, 0) / args.known * 1000
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "cold": {"documents": documents, "ingest_s": round(cold_s, 2), "extract_s": round(extract_s, 2)},
        "warm": {"documents": documents, "ingest_s": round(warm_s, 2), "line": warm_line},
        "known": {"documents": args.known, "ingest_s": round(known_s, 2), "empty_run_s": round(empty_s, 2)},
        "per_known_document_ms": round(per_known_ms, 2),
        "cold_line": cold_line,
        "known_line": known_line,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print("| run | documents | seconds | baseline in the same run | seconds |")
    print("|---|---:|---:|---|---:|")
    print(f"| ingest, cold | {documents} | {cold_s:.1f} | `agreements extract`, same files | {extract_s:.1f} |")
    print(f"| ingest, warm (nothing new) | {documents} | {warm_s:.1f} | ingest of an empty folder | {empty_s:.1f} |")
    print(f"| ingest, {args.known} known | {args.known} | {known_s:.1f} | ingest of an empty folder | {empty_s:.1f} |")
    print(f"\ncost of a known document: {per_known_ms:.2f} ms; cold ingest / extract: {cold_s / extract_s:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
