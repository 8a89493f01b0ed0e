"""Measure the extractor on real third-party text: ``make eval-real``.

Reads the folder of real material (default ``../shared/real`` beside the repository, or
``--real DIR`` / ``$AGREEMENTS_REAL``): each ``<stem>.txt`` is extracted with the real CLI
(``agreements extract``) into a temporary folder and scored against ``gold/<stem>.json`` by that
folder's own ``score.py``, which prints precision, recall and F1 of the values. Then, for every
pair of years of one agency (``poliisi-2025`` → ``poliisi-2026``), ``agreements diff`` reports how
the tables paired and what changed. Nothing of the material is copied into the repository.

Prints one line per section and a summary; exits 1 when a section scores under ``--min-f1``
(default 0.95), 2 when the material is not there.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT.parent / "shared" / "real"
SCORE_LINE = re.compile(
    r"P=(?P<p>[\d.]+) R=(?P<r>[\d.]+) F1=(?P<f>[\d.]+) \(matched (?P<tp>\d+), gold (?P<gold>\d+), "
    r"extracted (?P<pred>\d+)"
)


def agreements() -> str:
    venv = ROOT / ".venv" / "bin" / "agreements"
    return str(venv) if venv.exists() else "agreements"


def score(real: Path, gold: Path, extracted: Path) -> tuple[dict[str, str], float]:
    result = subprocess.run(
        [sys.executable, str(real / "score.py"), str(gold), str(extracted)],
        capture_output=True,
        text=True,
        check=True,
    )
    line = result.stdout.strip().splitlines()[0]
    match = SCORE_LINE.search(line)
    if match is None:
        return {"line": line}, 0.0
    return match.groupdict(), float(match.group("f"))


def kinds_right(gold: Path, extracted: Path) -> str:
    """Whether every column kind of the gold appears in the extraction (``esitys`` → budget_proposal)."""
    wanted = Counter(v["kind"] for v in json.loads(gold.read_text(encoding="utf-8"))["values"])
    doc = json.loads(extracted.read_text(encoding="utf-8"))
    got = Counter(v["kind"] for i in doc["indicators"] for v in i["values"])
    missing = sorted(k for k in wanted if not got.get(k))
    return "kinds ok" if not missing else f"kinds MISSING {', '.join(missing)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=Path(os.environ.get("AGREEMENTS_REAL", DEFAULT)))
    parser.add_argument("--min-f1", type=float, default=0.95)
    parser.add_argument("--misses", action="store_true", help="list every miss and false hit")
    args = parser.parse_args(argv)
    real: Path = args.real
    texts = sorted(real.glob("*.txt")) if real.is_dir() else []
    if not texts or not (real / "score.py").exists():
        print(f"eval-real: no real material at {real} (a folder of <stem>.txt, gold/<stem>.json and score.py)")
        return 2
    failed = []
    with tempfile.TemporaryDirectory(prefix="agreements-eval-real-") as tmp:
        out = Path(tmp)
        print(
            f"{'section':<14} {'P':>6} {'R':>6} {'F1':>6} {'matched/gold':>13} {'extracted':>9}  {'document':<18} kinds"
        )
        for text in texts:
            gold = real / "gold" / f"{text.stem}.json"
            target = out / f"{text.stem}.json"
            run = subprocess.run(
                [agreements(), "extract", str(text), "-o", str(target)], capture_output=True, text=True
            )
            if run.returncode not in (0, 3) or not target.exists():
                print(f"{text.stem:<16} extraction failed: {run.stderr.strip().splitlines()[-1:]}")
                failed.append(text.stem)
                continue
            if not gold.exists():
                print(f"{text.stem:<16} (no gold file)")
                continue
            found, f1 = score(real, gold, target)
            doc = json.loads(target.read_text(encoding="utf-8"))
            kind = doc.get("document", {}).get("kind", "?")
            if "p" not in found:
                print(f"{text.stem:<14} {found['line']}")
            else:
                counts = f"{found['tp']}/{found['gold']}"
                print(
                    f"{text.stem:<14} {found['p']:>6} {found['r']:>6} {found['f']:>6} {counts:>13} {found['pred']:>9}  "
                    f"{kind:<18} {kinds_right(gold, target)}"
                )
            if args.misses:
                detail = subprocess.run(
                    [sys.executable, str(real / "score.py"), str(gold), str(target), "--misses"],
                    capture_output=True,
                    text=True,
                )
                for extra in detail.stdout.splitlines()[1:]:
                    print(f"    {extra.strip()}")
            if f1 < args.min_f1:
                failed.append(text.stem)
        print()
        pairs = _pairs([p.stem for p in texts])
        for old, new in pairs:
            folder = out / f"diff-{old}-{new}"
            run = subprocess.run(
                [agreements(), "diff", str(out / f"{old}.json"), str(out / f"{new}.json"), "-o", str(folder)],
                capture_output=True,
                text=True,
            )
            summary = _diff_summary(folder / "diff.json") if (folder / "diff.json").exists() else run.stderr.strip()
            print(f"diff {old} → {new}: {summary}")
    if failed:
        print(f"\nunder F1 {args.min_f1}: {', '.join(failed)}")
        return 1
    print(f"\nall {len(texts)} sections at F1 ≥ {args.min_f1}")
    return 0


def _pairs(stems: list[str]) -> list[tuple[str, str]]:
    """Consecutive years of one agency: ``poliisi-2025`` → ``poliisi-2026``."""
    by_agency: dict[str, list[tuple[int, str]]] = {}
    for stem in stems:
        match = re.match(r"^(.*)-(\d{4})$", stem)
        if match:
            by_agency.setdefault(match.group(1), []).append((int(match.group(2)), stem))
    pairs = []
    for years in by_agency.values():
        ordered = [stem for _, stem in sorted(years)]
        pairs.extend(itertools.pairwise(ordered))
    return pairs


def _diff_summary(path: Path) -> str:
    diff = json.loads(path.read_text(encoding="utf-8"))
    changes = diff["changes"]
    tables = Counter(c["change"] for c in changes if c["entity"] == "table")
    values = Counter(c["change"] for c in changes if c["entity"] == "value")
    indicators = Counter(c["change"] for c in changes if c["entity"] == "indicator")
    return (
        f"{len(changes)} changes; tables {dict(tables) or 'all paired, unchanged'}; "
        f"indicators {dict(indicators)}; values {dict(values)}"
    )


if __name__ == "__main__":
    sys.exit(main())
