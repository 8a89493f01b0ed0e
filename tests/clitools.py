"""Running the real ``agreements`` command in tests, and checking its one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _command() -> list[str]:
    script = Path(sys.executable).with_name("agreements")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]


def _env(env: dict[str, str] | None) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k != "AGREEMENTS_DEBUG"}, **(env or {})}


def run_cli(
    *args: str | Path,
    cwd: Path | None = None,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    stdin: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """The installed console script (or ``python -m pipeline.cli``), without AGREEMENTS_DEBUG; ``stdin``: a file
    whose bytes it reads on stdin (else none: an empty stdin)."""
    with open(stdin or os.devnull, "rb") as source:
        return subprocess.run(
            [*_command(), *map(str, args)],
            stdin=source,
            capture_output=True,
            text=True,
            env=_env(env),
            timeout=timeout,
            check=False,
            cwd=cwd,
        )


def run_cli_on_terminal(*args: str | Path, cwd: Path | None = None, timeout: float = 300) -> tuple[int, str, str]:
    """The command with stdin and stderr on a pseudo-terminal, as a person at a terminal runs it (stdout still
    a pipe): its exit code, stdout, and everything it showed on the terminal (control sequences included)."""
    import pty
    import select
    import tempfile
    import time

    leader, follower = pty.openpty()
    with (
        tempfile.TemporaryFile() as out,  # not a pipe: a command that writes much there must not wait for a reader
        subprocess.Popen(
            [*_command(), *map(str, args)], stdin=follower, stdout=out, stderr=follower, env=_env(None), cwd=cwd
        ) as process,
    ):
        os.close(follower)
        shown, stop = bytearray(), time.monotonic() + timeout
        while time.monotonic() < stop:
            if select.select([leader], [], [], 0.1)[0]:
                try:
                    data = os.read(leader, 1 << 16)
                except OSError:  # the terminal's other end closed: the command ended
                    break
                if not data:
                    break
                shown += data
            elif process.poll() is not None:
                break
        else:
            process.kill()
        os.close(leader)
        code = process.wait()
        out.seek(0)
        return code, out.read().decode("utf-8"), shown.decode("utf-8", errors="replace")


def assert_one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("agreements: error:"), result.stderr
    return lines[0]
