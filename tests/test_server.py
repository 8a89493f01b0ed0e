"""The temporary Prefect API server of an ``agreements ingest`` run with no configured API: the run is recorded
in it (flow run, task runs and their events, in ``PREFECT_HOME``'s database), and it never outlives the run,
even one killed with ``kill -9``."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
from conftest import KEHA_MD, VALTORI_TXT


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PREFECT_API_URL", "AGREEMENTS_DEBUG"}}
    return {**env, "PREFECT_HOME": str(home)}


def _command(sources: Path, output: Path) -> list[str]:
    script = Path(sys.executable).with_name("agreements")
    return [str(script), "ingest", "--sources", str(sources), "--output", str(output), "--workers", "1"]


def _sources(folder: Path, *documents: Path) -> Path:
    folder.mkdir()
    for document in documents:
        shutil.copy(document, folder)
    return folder


def test_a_run_is_recorded_in_its_own_server_and_the_server_ends_with_it(tmp_path):
    home = tmp_path / "home"
    sources = _sources(tmp_path / "sources", VALTORI_TXT, KEHA_MD)
    result = subprocess.run(
        _command(sources, tmp_path / "output"), env=_env(home), capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert "2 new versions" in result.stderr
    with sqlite3.connect(home / "prefect.db") as db:
        runs = db.execute("select name, state_type from flow_run").fetchall()
        tasks = db.execute("select count(*) from task_run").fetchone()[0]
        events = dict(db.execute("select event, count(*) from events group by event").fetchall())
    assert len(runs) == 1 and runs[0][1] == "COMPLETED", runs
    assert tasks >= 2  # at least one extract task per document
    # Its events were recorded before the server stopped, with no heartbeat: no server is left to read one.
    assert events["prefect.flow-run.Completed"] == 1 and events["prefect.task-run.Completed"] == tasks
    assert "prefect.flow-run.heartbeat" not in events
    # Nothing of the run is left: no process whose command line is the server's.
    assert not [
        p for p in psutil.process_iter(["cmdline"]) if "pipeline.flows.server" in " ".join(p.info["cmdline"] or [])
    ]


def test_the_server_dies_when_the_run_is_killed(tmp_path):
    sources = _sources(tmp_path / "sources", VALTORI_TXT, KEHA_MD)
    run = subprocess.Popen(
        _command(sources, tmp_path / "output"),
        env=_env(tmp_path / "home"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server = None
        deadline = time.monotonic() + 120
        while server is None and time.monotonic() < deadline and run.poll() is None:
            for child in psutil.Process(run.pid).children(recursive=True):
                try:
                    if "pipeline.flows.server" in " ".join(child.cmdline()):
                        server = child
                except psutil.NoSuchProcess:
                    continue
            time.sleep(0.05)
        assert server is not None, "the run started no server of its own"
        run.send_signal(signal.SIGKILL)
        run.wait()
        gone, alive = psutil.wait_procs([server], timeout=30)
        assert gone and not alive, "the temporary server outlived its run"
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
