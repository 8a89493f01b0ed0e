"""A run that finds nothing new ends without starting Prefect and writes nothing (exit 0); one that has
work, or a set-up with a Prefect API (where every run is recorded), runs the flow."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from clitools import run_cli
from conftest import KEHA_MD, VALTORI_TXT
from versions import VALTORI_REVISION, apply

from pipeline.ingest import nothing_new
from pipeline.ingest.config import load_sources


@pytest.fixture(scope="module")
def ingested(prefect_api, tmp_path_factory) -> Path:
    """``work/sources`` ingested into ``work/output``: two agreements, a revision (so a diff), an empty file."""
    from pipeline.flows.ingest import ingest

    work = tmp_path_factory.mktemp("noop")
    sources = work / "sources"
    sources.mkdir()
    shutil.copy(VALTORI_TXT, sources)
    shutil.copy(KEHA_MD, sources)
    (sources / "valtori-2025.txt").write_text(
        apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION), encoding="utf-8"
    )
    (sources / "tyhja.txt").write_text("", encoding="utf-8")
    report = ingest(sources=str(sources), output=str(work / "output"))
    assert len(report["versions"]) == 3 and len(report["diffs"]) == 1 and len(report["quarantined"]) == 1
    return work


@pytest.fixture
def work(ingested, tmp_path) -> Path:
    copy = tmp_path / "work"
    shutil.copytree(ingested, copy)
    return copy


def files(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


def test_nothing_new_ends_without_prefect_and_touches_nothing(ingested, tmp_path):
    output = ingested / "output"
    before = files(output)
    home = tmp_path / "prefect-home"  # a fresh Prefect home: its temporary server would put its database here
    result = run_cli("ingest", "--sources", ingested / "sources", "--output", output, env={"PREFECT_HOME": str(home)})
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        f"agreements: nothing new: 4 documents already known; no Prefect run; see {output / 'index.html'}\n"
    )
    assert files(output) == before  # the catalog, the index, the lock file: not even touched
    assert not (home / "prefect.db").exists()  # Prefect's server never started


def test_work_of_any_kind_is_seen(work, ingested):
    sources, output = work / "sources", work / "output"
    config = load_sources(sources)
    assert nothing_new(config, output) == 4
    assert nothing_new(config, output, retry_quarantined=True) is None  # tyhja.txt is to be tried again

    diff = next((output / "diffs").rglob("diff.html"))
    diff.unlink()  # as a run killed before it wrote the diff leaves it
    assert nothing_new(config, output) is None
    shutil.copytree(ingested / "output" / "diffs", output / "diffs", dirs_exist_ok=True)
    assert nothing_new(config, output) == 4

    (output / "index.html").unlink()
    assert nothing_new(config, output) is None
    shutil.copy(ingested / "output" / "index.html", output)

    (sources / "uusi.txt").write_text(VALTORI_TXT.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert nothing_new(config, output) is None  # new bytes: the flow decides whether it is a copy
    (sources / "uusi.txt").unlink()
    shutil.copy(VALTORI_TXT, sources / "sama-uudelleen.txt")  # known bytes under a new name: nothing new
    assert nothing_new(config, output) == 5

    assert nothing_new(load_sources(sources), work / "nowhere") is None  # no catalog yet


def test_http_sources_are_fetched_by_the_flow(work):
    (work / "sources" / "sources.toml").write_text(
        '[[source]]\nname = "kansio"\npath = "."\n\n'
        '[[source]]\nname = "verkko"\nkind = "http"\nurl = "http://127.0.0.1:9/tulossopimukset"\n',
        encoding="utf-8",
    )
    assert nothing_new(load_sources(work / "sources"), work / "output") is None


def test_with_a_prefect_api_every_run_is_a_recorded_flow_run(work, prefect_api):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    def runs() -> int:
        with get_client(sync_client=True) as client:
            return len(client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["ingest"]))))

    before = runs()
    result = run_cli(
        "ingest", "--sources", work / "sources", "--output", work / "output", env={"PREFECT_API_URL": prefect_api}
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1].startswith(
        "agreements: 0 new versions, 0 same as a known version, 4 already known, 0 diffs, 0 failed;"
    )
    assert runs() == before + 1
