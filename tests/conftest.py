"""Shared fixtures: each sample agreement is extracted once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

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
