"""`agreements serve` as an operator runs it: a real `prefect server start`, the deployment served against it,
and a scheduled run that completes and writes `output/`. Registering a deployment proves nothing about its
schedule (SQLAlchemy 2.1 broke Prefect 3.8.8's scheduler while the deployment still registered), so the test
waits for the scheduler's own run. A cron fires once a minute: the test takes about a minute and a half.

Without a lasting API, `serve` refuses in one line instead of serving into a temporary server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from clitools import assert_one_error_line, run_cli
from conftest import VALTORI_TXT

from schemas.catalog import Catalog

SERVER_START_SECONDS = 120  # `prefect server start` migrates a new SQLite database first
RUN_SECONDS = 200  # up to 60 s to the next minute, the runner's poll, a Python process, the extraction
FINISHED = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
BIN = Path(sys.executable).parent  # the venv's scripts: agreements, prefect


def _agreements(*args: str | Path) -> list[str]:
    return [str(BIN / "agreements"), *map(str, args)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(home: Path, **settings: str) -> dict[str, str]:
    """This test's own Prefect: its own home, none of the session's PREFECT_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "AGREEMENTS_DEBUG"}
    return {**env, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **settings}


@contextmanager
def _process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A process in a group of its own (with whatever it starts), ended as a group whatever happens."""
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield process
        finally:
            for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
                try:
                    os.killpg(process.pid, sig)
                    process.wait(timeout=wait)
                    break
                except ProcessLookupError:  # the group is gone already
                    break
                except subprocess.TimeoutExpired:
                    continue


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _wait_for_health(api: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, f"prefect server exited {server.returncode}:\n{_tail(log)}"
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"prefect server did not answer in {SERVER_START_SECONDS} s:\n{_tail(log)}")


def _finished_runs(api: str) -> list[dict]:
    answer = httpx.post(
        f"{api}/flow_runs/filter",
        json={"flow_runs": {"state": {"type": {"any_": sorted(FINISHED)}}}, "limit": 10},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()


def test_a_scheduled_run_fires_against_a_real_prefect_server_and_writes_output(tmp_path):
    sources, output = tmp_path / "sources", tmp_path / "output"
    sources.mkdir()
    (sources / VALTORI_TXT.name).write_bytes(VALTORI_TXT.read_bytes())
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    server_env = _environment(
        tmp_path / "server-home",
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2",  # default 60: the first runs are due within a minute
        PREFECT_UI_ENABLED="false",
    )
    server_command = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    serve_env = _environment(tmp_path / "serve-home", PREFECT_API_URL=api, PREFECT_RUNNER_POLL_FREQUENCY="2")
    serve_command = _agreements("serve", "--cron", "* * * * *", "--sources", sources, "--output", output)
    server_log, serve_log = tmp_path / "server.log", tmp_path / "serve.log"

    with _process(server_command, server_env, server_log) as server:
        _wait_for_health(api, server, server_log)
        with _process(serve_command, serve_env, serve_log) as serve:
            deadline = time.monotonic() + RUN_SECONDS
            runs: list[dict] = []
            while not runs and time.monotonic() < deadline:
                assert serve.poll() is None, f"serve exited {serve.returncode}:\n{_tail(serve_log)}"
                runs = _finished_runs(api)
                time.sleep(1)
            assert runs, f"no scheduled run finished in {RUN_SECONDS} s:\n{_tail(serve_log)}\n{_tail(server_log)}"

    [run] = runs
    assert run["state_type"] == "COMPLETED", f"{run['state_name']}: {run['state']['message']}\n{_tail(serve_log)}"
    assert run["auto_scheduled"] is True and run["deployment_id"] is not None  # the scheduler's, not a manual run
    assert run["expected_start_time"][17:19] == "00"  # on the minute, as the cron says
    assert run["parameters"] == {"sources": str(sources.resolve()), "output": str(output.resolve())}
    cat = Catalog.model_validate_json((output / "catalog.json").read_text(encoding="utf-8"))
    assert [(d.source, d.status) for d in cat.documents.values()] == [(VALTORI_TXT.name, "version")]
    assert [v.source for v in cat.series["valtori"].versions] == [VALTORI_TXT.name]
    assert (output / "index.html").is_file()


def test_serve_without_a_prefect_api_refuses(tmp_path):
    """No PREFECT_API_URL: Prefect would serve into a temporary server that dies with the command."""
    env = _environment(tmp_path / "home")
    result = subprocess.run(
        _agreements("serve", "--sources", VALTORI_TXT.parent, "--output", tmp_path / "output"),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    line = assert_one_error_line(result)
    assert "prefect server start" in line and "PREFECT_API_URL=http://127.0.0.1:4200/api" in line
    assert not (tmp_path / "output").exists()


def test_serve_with_an_api_that_does_not_answer_refuses(tmp_path):
    api = f"http://127.0.0.1:{_free_port()}/api"  # nothing listens there
    result = run_cli("serve", "--sources", VALTORI_TXT.parent, env={"PREFECT_API_URL": api})
    assert result.returncode == 2
    line = assert_one_error_line(result)
    assert f"no Prefect server answers at PREFECT_API_URL={api}" in line and "prefect server start" in line
