"""Shared fixtures: each sample agreement is extracted once per test session; one Prefect test
server per session, with its own home, so no run, cache or result leaks into or out of the tests."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Before anything imports Prefect: a private home (results, caches, the harness's settings), no
# telemetry, and Prefect's console quiet (its logs still reach the test server).
_PREFECT_HOME = tempfile.mkdtemp(prefix="agreements-prefect-home-")
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
os.environ.pop("PREFECT_API_URL", None)

FIXTURES = Path(__file__).parent / "fixtures"
VALTORI_TXT = FIXTURES / "valtori-tulossopimus-2024-2027.txt"
VALTORI_PDF = FIXTURES / "valtori-tulossopimus-2024-2027.pdf"
KEHA_MD = FIXTURES / "keha-keskus-tulossopimus-2025.md"
KEHA_PDF = FIXTURES / "keha-keskus-tulossopimus-2025.pdf"

_cache: dict[Path, object] = {}


def extracted(path: Path):
    """The Agreement for a fixture, extracted once per session."""
    if path not in _cache:
        from pipeline.extract import extract_file

        _cache[path] = extract_file(path, root=FIXTURES)
    return _cache[path]


@pytest.fixture(scope="session")
def valtori_txt():
    return extracted(VALTORI_TXT)


@pytest.fixture(scope="session")
def valtori_pdf():
    return extracted(VALTORI_PDF)


@pytest.fixture(scope="session")
def keha_md():
    return extracted(KEHA_MD)


@pytest.fixture(scope="session")
def keha_pdf():
    return extracted(KEHA_PDF)


@pytest.fixture(scope="session", params=["txt", "pdf"])
def valtori(request, valtori_txt, valtori_pdf):
    return valtori_txt if request.param == "txt" else valtori_pdf


@pytest.fixture(scope="session", params=["md", "pdf"])
def keha(request, keha_md, keha_pdf):
    return keha_md if request.param == "md" else keha_pdf


VERSIONS = FIXTURES / "versions"


@pytest.fixture(scope="session")
def valtori_revision_txt(tmp_path_factory):
    """The Valtori agreement with ``tests/versions.py``'s revision applied, as text."""
    from versions import VALTORI_REVISION, apply

    path = tmp_path_factory.mktemp("versions") / "valtori-revision.txt"
    path.write_text(apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION), encoding="utf-8")
    return extracted(path)


@pytest.fixture(scope="session")
def keha_revision_md(tmp_path_factory):
    """The KEHA agreement with ``tests/versions.py``'s revision applied, as Markdown."""
    from versions import KEHA_REVISION, apply

    path = tmp_path_factory.mktemp("versions") / "keha-revision.md"
    path.write_text(apply(KEHA_MD.read_text(encoding="utf-8"), KEHA_REVISION), encoding="utf-8")
    return extracted(path)


@pytest.fixture(scope="session")
def prefect_api() -> str:
    """The session's one Prefect test server (SQLite in a temporary folder); its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield PREFECT_API_URL.value()


# --- a real browser (Debian's chromium, driven by Playwright) for the pages' tests ---------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("AGREEMENTS_SKIP_BROWSER"):
            pytest.skip("AGREEMENTS_SKIP_BROWSER is set")
        pytest.fail("chromium not found: `make system-deps` as root installs it (Debian package chromium)")
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
