"""Running the real ``agreements`` command in tests, and checking its one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(
    *args: str | Path, cwd: Path | None = None, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed console script (or ``python -m pipeline.cli``), without AGREEMENTS_DEBUG."""
    script = Path(sys.executable).with_name("agreements")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]
    env = {**{k: v for k, v in os.environ.items() if k != "AGREEMENTS_DEBUG"}, **(env or {})}
    return subprocess.run(
        [*command, *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout, check=False, cwd=cwd
    )


def assert_one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("agreements: error:"), result.stderr
    return lines[0]
