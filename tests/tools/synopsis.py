"""``docs/commands.md``: every command's full ``--help``, written from the parser itself, so the documented
synopsis is the one the command line has (``agreements`` only; a test fails when the file is stale).

Run ``make docs`` (``.venv/bin/python tests/tools/synopsis.py``) after changing an option.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "commands.md"
WIDTH = "100"  # argparse wraps at $COLUMNS: fixed, so the file does not depend on the terminal

HEAD = """# Commands

Every command's `--help`, as the command line prints it (written by `make docs`, checked
by a test). Exit codes and examples: README.md, "Command line".
"""


def render() -> str:
    """The whole page: the top-level help, then each subcommand's, in the parser's order."""
    from pipeline.cli import build_parser

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        parser = build_parser()
        parts = [HEAD, "## agreements\n", f"```text\n{parser.format_help().rstrip()}\n```\n"]
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        for name, command in commands.choices.items():
            parts += [f"## agreements {name}\n", f"```text\n{command.format_help().rstrip()}\n```\n"]
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return "\n".join(parts)


def main() -> int:
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(), encoding="utf-8")
    print(DOC, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
