"""The ``agreements`` command line.

``extract`` and ``schema`` call the pipeline's plain functions directly; they never start Prefect.
Bad input gives one line on stderr and a non-zero exit code, never a traceback, and an output
file is written whole (temporary file + rename) or not at all.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pipeline

EXIT_OK = 0
EXIT_USAGE = 2  # argparse's own code for bad arguments
EXIT_BAD_INPUT = 3


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _extract(args: argparse.Namespace) -> int:
    from pipeline.errors import AgreementError
    from pipeline.extract import extract_file

    paths = [Path(p) for p in args.paths]
    several = len(paths) > 1
    out = Path(args.output) if args.output else None
    if several and out is None:
        print("agreements: error: several inputs need -o DIR for their JSON files", file=sys.stderr)
        return EXIT_USAGE
    if several and out.exists() and not out.is_dir():
        print(f"agreements: error: {out} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    failed = 0
    for path in paths:
        try:
            agreement = extract_file(path, root=Path(args.root) if args.root else None, max_pages=args.max_pages)
        except AgreementError as exc:
            print(f"agreements: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        except Exception as exc:
            if os.environ.get("AGREEMENTS_DEBUG"):
                raise
            print(
                f"agreements: error: {path}: internal error ({type(exc).__name__}: {exc}); "
                "rerun with AGREEMENTS_DEBUG=1 for details",
                file=sys.stderr,
            )
            failed += 1
            continue
        text = agreement.model_dump_json(indent=2) + "\n"
        if out is None:
            sys.stdout.write(text)
        else:
            target = out / f"{path.stem}-{path.suffix.lstrip('.') or 'txt'}.json" if several else out
            write_atomic(target, text)
        if args.verbose:
            print(
                f"{path}: {len(agreement.goals)} goals, {len(agreement.indicators)} indicators, "
                f"{len(agreement.warnings)} warnings",
                file=sys.stderr,
            )
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from schemas.export import SCHEMA_DIR, write_all

    for path in write_all(Path(args.output) if args.output else SCHEMA_DIR):
        print(path)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agreements", description="Turn Finnish performance agreements (tulossopimus) into validated JSON."
    )
    parser.add_argument("--version", action="version", version=f"agreements {pipeline.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser("extract", help="extract agreements (PDF, text, Markdown) into JSON")
    extract.add_argument("paths", nargs="+", metavar="PATH")
    extract.add_argument("-o", "--output", help="JSON file (one PATH) or folder (several PATHs); default stdout")
    extract.add_argument("--root", help="record source paths relative to this folder")
    extract.add_argument("--max-pages", type=int, default=500, help="refuse PDFs longer than this (default 500)")
    extract.add_argument("-v", "--verbose", action="store_true", help="a summary line per document on stderr")
    extract.set_defaults(run=_extract)

    schema = commands.add_parser("schema", help="write the JSON Schema files of the output contract")
    schema.add_argument("-o", "--output", help="folder (default: the schemas/ package)")
    schema.set_defaults(run=_schema)
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


if __name__ == "__main__":
    sys.exit(main())
