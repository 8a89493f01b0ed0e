"""What a layout variant's extraction gets differently from the .txt of the same agreement.

Extracts ``PATH`` (a PDF variant) and the reference text (by default the Valtori .txt) and prints
the goals as ``(number, title, [(year, text)])`` and the indicators as
``(name, [(year, kind, value)])`` that are not the same in both, aligned with difflib: ``-`` lines
are the reference's, ``+`` lines the variant's. Exit status 0 when nothing differs, 1 otherwise.

    .venv/bin/python tests/tools/compare_variant.py tests/fixtures/variants/valtori-unruled.pdf
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "fixtures" / "valtori-tulossopimus-2024-2027.txt"


def goal_rows(agreement) -> list[tuple]:
    return [(g.number, g.title, tuple((t.year, t.text) for t in g.targets)) for g in agreement.goals]


def indicator_rows(agreement) -> list[tuple]:
    return [(i.name, tuple((v.year, v.kind, v.value) for v in i.values)) for i in agreement.indicators]


def _short(row: tuple, width: int) -> str:
    text = repr(row)
    return text if width <= 0 or len(text) <= width else text[: width - 1] + "…"


def diff(label: str, ref: list[tuple], var: list[tuple], *, width: int, limit: int) -> int:
    """Print the differing rows of one list; returns how many rows differ (both sides)."""
    matcher = difflib.SequenceMatcher(a=ref, b=var, autojunk=False)
    changed = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    count = sum((i2 - i1) + (j2 - j1) for _, i1, i2, j1, j2 in changed)
    print(f"== {label}: reference {len(ref)}, variant {len(var)}, rows differing {count}")
    for shown, (_tag, i1, i2, j1, j2) in enumerate(changed):
        if limit and shown >= limit:
            print(f"   … {len(changed) - shown} more difference(s)")
            break
        for k in range(i1, i2):
            print(f"  - [{k}] {_short(ref[k], width)}")
        for k in range(j1, j2):
            print(f"  + [{k}] {_short(var[k], width)}")
        if i2 - i1 == j2 - j1:
            for a, b in zip(ref[i1:i2], var[j1:j2], strict=True):
                _detail(a, b)
    return count


def _where(x: str, y: str, context: int = 30) -> str:
    """The first place two texts part, with some context: ``…left[ref|var]right…``."""
    start = next((k for k, (a, b) in enumerate(zip(x, y, strict=False)) if a != b), min(len(x), len(y)))
    end_x, end_y = len(x), len(y)
    while end_x > start and end_y > start and x[end_x - 1] == y[end_y - 1]:
        end_x, end_y = end_x - 1, end_y - 1
    left = x[max(0, start - context) : start]
    return f"…{left}[{x[start:end_x]!r} → {y[start:end_y]!r}]{x[end_x : end_x + context]}…"


def _detail(a: tuple, b: tuple) -> None:
    """For a row that changed in place, say which parts differ and where."""
    for position, (x, y) in enumerate(zip(a, b, strict=True)):
        if x == y:
            continue
        if isinstance(x, str) and isinstance(y, str):
            print(f"      part {position}: {_where(x, y)}")
        elif isinstance(x, tuple) and isinstance(y, tuple):
            if len(x) == len(y):
                for u, v in zip(x, y, strict=True):
                    if u != v:
                        parts = [
                            f"{_where(p, q)}" if isinstance(p, str) else f"{p!r} → {q!r}"
                            for p, q in zip(u, v, strict=True)
                            if p != q
                        ]
                        print(f"      part {position}, item {u[0]}: {'; '.join(parts)}")
            else:
                missing = [v for v in x if v not in y]
                extra = [v for v in y if v not in x]
                print(
                    f"      part {position}: {len(x)} vs {len(y)} items; only in reference {missing[:4]}; "
                    f"only in variant {extra[:4]}"
                )
        else:
            print(f"      part {position}: {x!r} → {y!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="the variant to check (PDF)")
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--width", type=int, default=200, help="cut printed rows at this width (0: never)")
    parser.add_argument("--limit", type=int, default=0, help="show at most this many differences per list")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from pipeline.extract import extract_file

    ref = extract_file(args.reference)
    var = extract_file(args.path)
    print(
        f"reference {args.reference.name}: {len(ref.goals)} goals, {len(ref.indicators)} indicators, "
        f"{sum(len(i.values) for i in ref.indicators)} values"
    )
    print(
        f"variant   {args.path.name}: {len(var.goals)} goals, {len(var.indicators)} indicators, "
        f"{sum(len(i.values) for i in var.indicators)} values"
    )
    differing = diff("goals", goal_rows(ref), goal_rows(var), width=args.width, limit=args.limit)
    differing += diff("indicators", indicator_rows(ref), indicator_rows(var), width=args.width, limit=args.limit)
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
