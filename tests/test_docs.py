"""The documentation in the repository says what the code does: the command synopsis is the parser's own,
and the files the README points to exist."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "tools"))

from synopsis import DOC, render  # noqa: E402


def test_the_command_synopsis_is_current():
    assert DOC.read_text(encoding="utf-8") == render(), "docs/commands.md is stale: run `make docs`"


def test_every_command_has_its_section():
    text = DOC.read_text(encoding="utf-8")
    for command in ("extract", "diff", "list", "ingest", "serve", "evaluate", "export", "schema", "repair"):
        assert f"## agreements {command}\n" in text
        assert f"usage: agreements {command} " in text


def test_the_readme_points_at_files_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = set(re.findall(r"\]\(((?:docs|schemas|benchmarks|tests)/[^)#\s]+)", readme))
    assert {"docs/output-contract.md", "docs/commands.md"} <= links
    missing = sorted(link for link in links if not (ROOT / link).exists())
    assert not missing, missing
