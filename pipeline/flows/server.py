"""A temporary Prefect API server for one ``agreements ingest`` run: started early, and never outliving the run.

With no ``PREFECT_API_URL``, Prefect's embedded mode starts a temporary API server (uvicorn serving
``prefect.server.api.server:create_app`` in a subprocess, UI off) when the flow first needs an API: only
after this process has imported Prefect, then Prefect's whole server package (2–3 s, just to reach the class
that starts the subprocess), then waited for the subprocess to import that package again and boot (3 s), one
after the other. Here the same server, on the same database (``PREFECT_HOME``), is started as soon as the
command knows that it has work, before this process imports Prefect: its boot and this process's imports
overlap, and this process never imports ``prefect.server``. The run then uses it as a configured API
(``PREFECT_API_URL``), so the flow run, its task runs, logs and artifacts are recorded there as before.

The listening socket is bound here (127.0.0.1, a port the kernel picks) and handed to the server: no port
to guess or race for, and a request sent while the server boots waits in the socket's queue instead of
failing, so readiness is one request, not a polling loop.

The server dies with this process however it ends: at a normal end it is stopped (after the run's queued
events and logs are sent); if this process is killed (``kill -9`` too), the kernel sends the server
SIGTERM (Linux's ``PR_SET_PDEATHSIG``, set by the server on itself before it imports anything heavy). It
runs in a session of its own, so a Ctrl-C in the terminal reaches this process, which records the run's end
before stopping the server, rather than both at once.

Only the standard library is imported at module level: the command imports this before Prefect.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

STARTUP_SECONDS = 60.0  # a busy machine; Prefect's own default is 20 s
STOP_SECONDS = 10.0  # to finish writing what it was sent, before it is killed
# What Prefect's embedded mode gives its server (``SubprocessASGIServer``): no UI, ephemeral services.
SERVER_ENVIRONMENT = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
# A server that lives for one run does no bookkeeping of a lasting one, unless the environment says otherwise:
# no registration of every installed block type (it imports every installed Prefect collection, for blocks no
# run here uses) and no telemetry heartbeat (from a server that starts and stops with each run, each run would
# be a "session"; offline, each fails with an error logged).
SERVER_DEFAULTS = {
    "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
    "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}


class ServerFailed(RuntimeError):
    """The temporary API server did not start."""


@dataclass
class TemporaryServer:
    """A started server process and the API URL it serves."""

    process: subprocess.Popen
    api_url: str

    def wait_ready(self, timeout: float = STARTUP_SECONDS) -> None:
        """Return once the API answers; raise ``ServerFailed`` with the reason if it never will."""
        import httpx

        deadline = time.monotonic() + timeout
        while True:
            try:
                # The socket already listens: this waits in its queue until the server serves.
                response = httpx.get(f"{self.api_url}/health", timeout=max(deadline - time.monotonic(), 0.1))
            except httpx.TransportError as exc:
                if self.process.poll() is not None:
                    code = self.process.returncode
                    raise ServerFailed(f"the temporary Prefect API server exited with code {code}") from exc
                if time.monotonic() >= deadline:
                    raise ServerFailed(f"the temporary Prefect API server did not answer in {timeout:g} s") from exc
                time.sleep(0.05)
                continue
            if response.status_code == 200:
                return
            raise ServerFailed(f"the temporary Prefect API server answered {response.status_code} to /health")

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """SIGTERM (uvicorn's graceful shutdown: its services finish what they were sent), then SIGKILL."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def configured_api_url() -> str | None:
    """``PREFECT_API_URL`` from the environment: known without importing Prefect."""
    return os.environ.get("PREFECT_API_URL") or None


def start() -> TemporaryServer:
    """Start the server process; it boots while the caller goes on (see ``TemporaryServer.wait_ready``)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        port = listener.getsockname()[1]
        process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(listener.fileno()), str(os.getpid())],
            env={**SERVER_DEFAULTS, **os.environ, **SERVER_ENVIRONMENT},
            pass_fds=(listener.fileno(),),
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    finally:
        listener.close()  # the server holds it now: if the server dies, a waiting request fails instead of hanging
    return TemporaryServer(process, f"http://127.0.0.1:{port}/api")


@contextlib.contextmanager
def api_for_run(prepare: Iterable[str] = ()) -> Iterator[str | None]:
    """The Prefect API a run with work records to: a configured one as it is (yields None), else a temporary
    server of this run's own (yields its URL; it is the run's ``PREFECT_API_URL`` until the block ends).

    Call it before importing Prefect: the server boots while Prefect, and the modules named in ``prepare``
    (what the run needs next), are imported. Whether a Prefect profile or settings file configures an API is
    known only once Prefect's settings are loaded; in that case the server, started for nothing, is stopped at
    once and the configured API is used.

    A run on its temporary server sends no flow-run heartbeats. They let a lasting server notice a run that
    died; a temporary server dies with its run, so nothing would read them, and ending them costs each run up
    to a second (Prefect's heartbeat thread sleeps in whole seconds and is waited for at the run's end).
    """
    if configured_api_url():
        _import(prepare)
        yield None
        return
    server = start()
    try:
        from prefect.context import refresh_global_settings_context
        from prefect.settings import get_current_settings, temporary_settings

        if get_current_settings().api.url:
            server.stop()
            _import(prepare)
            yield None
            return
        os.environ["PREFECT_API_URL"] = server.api_url
        refresh_global_settings_context()  # every thread's settings, not only this context's
        try:
            _import(prepare)
            server.wait_ready()
            with temporary_settings(updates={"flows.heartbeat_frequency": None}):
                yield server.api_url
        finally:
            _send_queued()
            del os.environ["PREFECT_API_URL"]
            refresh_global_settings_context()
    finally:
        server.stop()


def _import(modules: Iterable[str]) -> None:
    for module in modules:
        importlib.import_module(module)


def _send_queued(timeout: float = 30) -> None:
    """Send what this process's Prefect queued for the API (events, logs) while the server is still up; at
    exit, where Prefect would otherwise do it, the server is gone."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (APILogWorker, EventsWorker):
        service.drain_all(timeout=timeout)


# --- in the server process --------------------------------------------------------------------


def _die_with(parent: int) -> None:
    """SIGTERM when the process that started this one ends, however it ends (Linux); if it has already
    ended, end now."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:
        raise SystemExit(0)


def main(fd: int, parent: int) -> None:
    """Serve Prefect's API app on the inherited listening socket ``fd`` until SIGTERM."""
    _die_with(parent)
    import uvicorn

    config = uvicorn.Config(
        "prefect.server.api.server:create_app",
        factory=True,
        lifespan="on",
        log_level="error",
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
