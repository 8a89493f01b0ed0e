"""The ingest flow against the session's Prefect test server: samples in, catalog out, nothing twice,
revisions diffed, broken documents quarantined, the lock and a killed run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clitools import run_cli
from conftest import KEHA_MD, KEHA_PDF, VALTORI_PDF, VALTORI_TXT
from versions import KEHA_REVISION, VALTORI_REVISION, apply

from schemas.agreement import Agreement, Coverage
from schemas.catalog import Catalog, QuarantineRecord
from schemas.diff import AgreementDiff

SAMPLES = (VALTORI_PDF, VALTORI_TXT, KEHA_MD, KEHA_PDF)


def ingest(sources: Path, output: Path, **options) -> dict:
    from pipeline.flows.ingest import ingest as flow

    return flow(sources=str(sources), output=str(output), **options)


def catalog(output: Path) -> Catalog:
    return Catalog.model_validate_json((output / "catalog.json").read_text(encoding="utf-8"))


def revision_text() -> str:
    return apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION)


@pytest.fixture(scope="module")
def samples(prefect_api, tmp_path_factory) -> Path:
    """The four sample files ingested once: ``work/sources`` → ``work/output``."""
    work = tmp_path_factory.mktemp("samples")
    (work / "sources").mkdir()
    for path in SAMPLES:
        shutil.copy(path, work / "sources" / path.name)
    report = ingest(work / "sources", work / "output")
    (work / "first-report.json").write_text(json.dumps(report), encoding="utf-8")
    return work


@pytest.fixture
def work(samples, tmp_path) -> Path:
    """A private copy of the ingested samples (sources and output side by side, links intact)."""
    copy = tmp_path / "work"
    shutil.copytree(samples, copy)
    return copy


def test_samples_become_two_series_with_the_other_formats_as_copies(samples):
    report = json.loads((samples / "first-report.json").read_text(encoding="utf-8"))
    assert sorted(v["source"] for v in report["versions"]) == [
        "keha-keskus-tulossopimus-2025.md",
        "valtori-tulossopimus-2024-2027.pdf",
    ]
    assert sorted((c["source"], c["copy_of"]) for c in report["copies"]) == [
        ("keha-keskus-tulossopimus-2025.pdf", "keha-keskus-tulossopimus-2025.md"),
        ("valtori-tulossopimus-2024-2027.txt", "valtori-tulossopimus-2024-2027.pdf"),
    ]
    assert report["quarantined"] == [] and report["diffs"] == []
    output = samples / "output"
    cat = catalog(output)
    assert sorted(cat.series) == ["keha-keskus-yleishallinto", "valtori"]
    [valtori] = cat.series["valtori"].versions
    assert (valtori.signed_on.isoformat(), valtori.period.start, valtori.period.end) == ("2023-12-13", 2024, 2027)
    assert (valtori.goals, valtori.indicators, valtori.diff) == (11, 52, None)
    assert [c.source for c in valtori.copies] == ["valtori-tulossopimus-2024-2027.txt"]
    assert valtori.json_path == f"versions/valtori/2023-12-13-{valtori.sha256[:12]}.json"
    agreement = Agreement.model_validate_json((output / valtori.json_path).read_text(encoding="utf-8"))
    assert agreement.source.path == "valtori-tulossopimus-2024-2027.pdf" and len(agreement.indicators) == 52
    assert {d.status for d in cat.documents.values()} == {"version", "copy"} and len(cat.documents) == 4
    index = (output / "index.html").read_text(encoding="utf-8")
    assert 'data-series="valtori"' in index and 'data-series="keha-keskus-yleishallinto"' in index
    assert f'href="{valtori.json_path}"' in index


def test_a_second_run_processes_nothing(work):
    output = work / "output"
    before = {p: p.stat().st_mtime_ns for p in (output / "versions").rglob("*.json")}
    report = ingest(work / "sources", output)
    assert report["versions"] == [] and report["copies"] == [] and report["diffs"] == []
    assert sorted(report["known"]) == sorted(p.name for p in SAMPLES)
    assert {p: p.stat().st_mtime_ns for p in (output / "versions").rglob("*.json")} == before


def test_a_revision_yields_one_new_version_one_diff_and_an_artifact(work, prefect_api):
    (work / "sources" / "valtori-tulossopimus-2025-tarkistus.txt").write_text(revision_text(), encoding="utf-8")
    report = ingest(work / "sources", work / "output")
    assert report["versions"] == [{"source": "valtori-tulossopimus-2025-tarkistus.txt", "series_id": "valtori"}]
    assert report["diffs"] == [
        {
            "series_id": "valtori",
            "old": "valtori-tulossopimus-2024-2027.pdf",
            "new": "valtori-tulossopimus-2025-tarkistus.txt",
            "changes": 47,
        }
    ]
    output = work / "output"
    first, second = catalog(output).series["valtori"].versions
    assert second.signed_on.isoformat() == "2024-12-16" and second.diff.previous == first.sha256
    assert second.diff.total == 47 and second.diff.by_change["confirmed"] == 10
    diff = AgreementDiff.model_validate_json((output / second.diff.json_path).read_text(encoding="utf-8"))
    assert diff.summary.total == 47 and diff.old.sha256 == first.sha256
    page = (output / second.diff.html_path).read_text(encoding="utf-8")
    assert 'data-path="agreement/signed_on"' in page
    # The review page links to both documents' copies in the output folder, relative to itself.
    review = output / second.diff.html_path
    for version, name in zip(
        (first, second), ("valtori-tulossopimus-2024-2027.pdf", "valtori-tulossopimus-2025-tarkistus.txt"), strict=True
    ):
        href = next(p.split('"')[0] for p in page.split('href="')[1:] if version.document_path in p.split('"')[0])
        target = (review.parent / href.split("#")[0]).resolve()
        assert target.is_relative_to(output.resolve()) and target.name == version.document_path.split("/")[-1]
        assert target.read_bytes() == (work / "sources" / name).read_bytes()
    assert f'href="{second.diff.html_path}"' in (output / "index.html").read_text(encoding="utf-8")
    # The Prefect UI shows the diff's Markdown as an artifact.
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["diff-valtori"])))
    assert any("**47 changes**" in (a.data or "") for a in artifacts)


def test_an_earlier_version_found_later_goes_before_and_the_diffs_follow(work):
    """Versions are ordered by the agreement's date, not by when they were found."""
    sources, output = work / "sources", work / "output"
    (sources / "valtori-2025.txt").write_text(revision_text(), encoding="utf-8")
    ingest(sources, output)
    older = revision_text().replace("16.12.2024", "1.6.2024")  # a mid-year revision, found after the next one
    (sources / "valtori-2024-kesa.txt").write_text(older, encoding="utf-8")
    report = ingest(sources, output)
    versions = catalog(output).series["valtori"].versions
    assert [v.signed_on.isoformat() for v in versions] == ["2023-12-13", "2024-06-01", "2024-12-16"]
    assert [v.diff.previous if v.diff else None for v in versions] == [None, versions[0].sha256, versions[1].sha256]
    made = [(d["new"], d["changes"]) for d in report["diffs"]]
    assert made == [("valtori-2024-kesa.txt", 47), ("valtori-2025.txt", 1)]
    assert len(list((output / "diffs" / "valtori").iterdir())) == 2  # the replaced diff is gone


def test_broken_documents_are_quarantined_and_the_rest_goes_on(work):
    sources, output = work / "sources", work / "output"
    (sources / "rikki.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    (sources / "tyhja.txt").write_text("", encoding="utf-8")
    (sources / "keha-2025-tarkistus.md").write_text(
        apply(KEHA_MD.read_text(encoding="utf-8"), KEHA_REVISION), encoding="utf-8"
    )
    report = ingest(sources, output)
    assert [v["source"] for v in report["versions"]] == ["keha-2025-tarkistus.md"]
    assert [d["changes"] for d in report["diffs"]] == [9]
    assert sorted(q["source"] for q in report["quarantined"]) == ["rikki.pdf", "tyhja.txt"]
    cat = catalog(output)
    broken = {d.source: d for d in cat.documents.values() if d.status == "quarantined"}
    assert sorted(broken) == ["rikki.pdf", "tyhja.txt"]
    record = QuarantineRecord.model_validate_json((output / broken["tyhja.txt"].quarantine_path).read_text())
    assert (record.source, record.error, record.extractor) == ("tyhja.txt", "tyhja.txt: empty file", "agreements 0.2.0")
    assert record.sha256 == broken["tyhja.txt"].sha256
    assert "tyhja.txt: empty file" in (output / "index.html").read_text(encoding="utf-8")
    # Known now: not tried again, unless asked.
    assert ingest(sources, output)["quarantined"] == []
    again = ingest(sources, output, retry_quarantined=True)
    assert sorted(q["source"] for q in again["quarantined"]) == ["rikki.pdf", "tyhja.txt"]


def test_cli_ingest_exit_codes(work, prefect_api):
    env = {"PREFECT_API_URL": prefect_api}
    ok = run_cli("ingest", "--sources", work / "sources", "--output", work / "output", env=env)
    assert ok.returncode == 0, ok.stderr
    summary = ok.stderr.splitlines()[-1]
    assert summary.startswith("agreements: 0 new versions, 0 same as a known version, 4 already known")
    (work / "sources" / "rikki.pdf").write_bytes(b"%PDF-1.4\n")
    failed = run_cli("ingest", "--sources", work / "sources", "--output", work / "output", env=env)
    assert failed.returncode == 3
    assert "agreements: quarantined: rikki.pdf: rikki.pdf:" in failed.stderr and "Traceback" not in failed.stderr
    bad = work / "bad.toml"
    bad.write_text('[[source]]\nname = "x"\nkind = "http"\nurl = "ftp://example.org/"\n', encoding="utf-8")
    usage = run_cli("ingest", "--sources", bad, "--output", work / "output", env=env)
    assert usage.returncode == 2
    assert (
        usage.stderr
        == f"agreements: error: {bad}: [[source]] #1 (x): url: Value error, not an http(s) URL: 'ftp://example.org/'\n"
    )


def test_an_agreement_with_nothing_in_it_is_quarantined_and_low_coverage_is_listed(work, prefect_api):
    """A first page alone is no empty version; a document whose tables were not all read is named."""
    from test_coverage import FIRST_PAGE, OFFICES

    from pipeline.extract.coverage import NO_CONTENT

    sources, output = work / "sources", work / "output"
    (sources / "ensimmainen-sivu.txt").write_text(FIRST_PAGE, encoding="utf-8")
    (sources / "toimipaikat.txt").write_text(OFFICES, encoding="utf-8")
    result = run_cli("ingest", "--sources", sources, "--output", output, env={"PREFECT_API_URL": prefect_api})
    assert result.returncode == 3, result.stderr
    coverage = "4 of 8 numeric cells (50%), 1 table-like region without values"
    assert f"agreements: quarantined: ensimmainen-sivu.txt: {NO_CONTENT}\n" in result.stderr
    assert f"agreements: low coverage: toimipaikat.txt: {coverage}\n" in result.stderr
    assert result.stderr.splitlines()[-1].startswith(
        "agreements: 1 new versions, 0 same as a known version, 4 already known, 0 diffs, 1 failed, "
        "1 with low coverage; see "
    )
    cat = catalog(output)
    first_page = next(d for d in cat.documents.values() if d.source == "ensimmainen-sivu.txt")
    stored = next(d for d in cat.documents.values() if d.source == "toimipaikat.txt")
    assert (first_page.status, first_page.error, first_page.series_id) == ("quarantined", NO_CONTENT, stored.series_id)
    record = QuarantineRecord.model_validate_json((output / first_page.quarantine_path).read_text(encoding="utf-8"))
    assert record.error == NO_CONTENT
    series = cat.series[stored.series_id]
    assert [v.source for v in series.versions] == ["toimipaikat.txt"]  # no empty version beside it
    assert {s.series_id: s.kind for s in cat.series.values()} == {
        "valtori": "tulossopimus",
        "keha-keskus-yleishallinto": "tulossopimus",
        stored.series_id: "tulossopimus",
    }
    assert series.versions[0].coverage == Coverage(cells_seen=8, cells_extracted=4, regions_without_values=1)
    assert cat.series["valtori"].versions[0].coverage == Coverage(cells_seen=263, cells_extracted=263)
    index = (output / "index.html").read_text(encoding="utf-8")
    assert index.count('data-kind="tulossopimus"') == 3 and '<div class="coverage low"' in index
    # The run's summary in the Prefect UI lists the document with low coverage.
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["ingest-summary"]))
        )
    summary = max(artifacts, key=lambda a: a.created).data
    assert f"| {stored.series_id} | toimipaikat.txt | {coverage} | yes |" in summary
    assert f"- quarantined `ensimmainen-sivu.txt`: {NO_CONTENT}" in summary


def test_concurrent_runs_take_turns(tmp_path, prefect_api):
    """Two processes ingest the same folder at once: each document is processed once, by one of them."""
    sources, output = tmp_path / "sources", tmp_path / "output"
    sources.mkdir()
    shutil.copy(VALTORI_TXT, sources)
    shutil.copy(KEHA_MD, sources)
    (sources / "valtori-2025.txt").write_text(revision_text(), encoding="utf-8")
    command = _cli_command("ingest", "--sources", sources, "--output", output)
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    runs = [subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=300)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    new = sorted(line for out in outputs for line in out.splitlines() if "new version of" in line)
    assert new == [
        "agreements: new version of keha-keskus-yleishallinto: keha-keskus-tulossopimus-2025.md",
        "agreements: new version of valtori: valtori-2025.txt",
        "agreements: new version of valtori: valtori-tulossopimus-2024-2027.txt",
    ]
    cat = catalog(output)
    assert len(cat.documents) == 3 and [v.source for v in cat.series["valtori"].versions] == [
        "valtori-tulossopimus-2024-2027.txt",
        "valtori-2025.txt",
    ]
    assert cat.series["valtori"].versions[1].diff.total == 47


def test_a_killed_run_leaves_a_readable_catalog_and_the_next_run_finishes(tmp_path, prefect_api):
    sources, output = tmp_path / "sources", tmp_path / "output"
    sources.mkdir()
    shutil.copy(VALTORI_TXT, sources / "a-valtori.txt")
    (sources / "b-valtori-2025.txt").write_text(revision_text(), encoding="utf-8")
    shutil.copy(KEHA_MD, sources / "c-keha.md")
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    run = subprocess.Popen(
        _cli_command("ingest", "--sources", sources, "--output", output), env=env, stderr=subprocess.PIPE, text=True
    )
    for line in run.stderr:  # kill it as soon as the first version is in
        if "new version of" in line:
            run.send_signal(signal.SIGKILL)
            break
    run.wait(timeout=60)
    assert run.returncode == -signal.SIGKILL
    partial = catalog(output)  # readable, whole
    assert 1 <= len(partial.documents) < 3
    report = ingest(sources, output)
    assert not list(output.rglob("*.tmp"))  # whatever the dead run was writing is swept
    assert len(report["versions"]) + len(partial.documents) == 3
    cat = catalog(output)
    assert len(cat.documents) == 3
    second = cat.series["valtori"].versions[1]
    assert second.diff is not None and (output / second.diff.html_path).exists()


def _cli_command(*args) -> list[str]:
    script = Path(sys.executable).with_name("agreements")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]
    return [*command, *map(str, args)]


def test_lock_waits_for_the_other_holder(tmp_path):
    """The lock is a real flock: a second holder waits until the first lets go."""
    from pipeline.store.files import LockTimeout, locked

    lock = tmp_path / ".ingest.lock"
    hold = (
        f"import fcntl, time; f = open({str(lock)!r}, 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
        "print('locked', flush=True); time.sleep(1.5)"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "locked\n"  # the other process holds it now
    with pytest.raises(LockTimeout), locked(lock, timeout=0.3):
        pass
    start = time.monotonic()
    with locked(lock, timeout=10):
        waited = time.monotonic() - start
    holder.wait()
    assert waited > 0.3  # it waited for the holder to let go


def test_serve_refuses_a_bad_schedule():
    result = run_cli("serve", "--cron", "every morning", "--sources", VALTORI_TXT.parent)
    assert result.returncode == 2
    assert result.stderr.startswith("agreements: error: --cron 'every morning':")


def test_serve_registers_a_scheduled_deployment(tmp_path, prefect_api):
    """`agreements serve` against a Prefect API: the deployment appears with its cron schedule."""
    from prefect.client.orchestration import get_client

    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    server = subprocess.Popen(
        _cli_command("serve", "--cron", "15 5 * * 1-5", "--sources", VALTORI_TXT.parent, "--output", tmp_path),
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        deployment = None
        with get_client(sync_client=True) as client:
            while deployment is None and time.monotonic() < deadline and server.poll() is None:
                try:
                    deployment = client.read_deployment_by_name("ingest/agreements-ingest")
                except Exception:
                    time.sleep(0.5)
        assert deployment is not None, server.stderr.read() if server.poll() is not None else "no deployment"
        [schedule] = deployment.schedules
        assert (schedule.schedule.cron, schedule.schedule.timezone) == ("15 5 * * 1-5", "Europe/Helsinki")
        expected = {"sources": str(VALTORI_TXT.parent.resolve()), "output": str(tmp_path.resolve())}
        assert deployment.parameters == expected
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def test_prefect_yaml_deploys_the_ingest_flow():
    """The deployment file for work pools points at the real flow, with parameters it accepts."""
    import inspect

    import yaml
    from prefect import Flow
    from prefect.schedules import Cron

    from pipeline.flows import ingest as module

    config = yaml.safe_load((Path(__file__).parents[1] / "prefect.yaml").read_text(encoding="utf-8"))
    [deployment] = config["deployments"]
    path, name = deployment["entrypoint"].split(":")
    assert path == "pipeline/flows/ingest.py" and Path(module.__file__).as_posix().endswith(path)
    flow = getattr(module, name)
    assert isinstance(flow, Flow) and flow.name == "ingest"
    assert set(deployment["parameters"]) <= set(inspect.signature(flow.fn).parameters)
    [schedule] = deployment["schedules"]
    Cron(schedule["cron"], timezone=schedule["timezone"])  # valid
    assert deployment["concurrency_limit"] == 1


def test_budget_sections_of_one_agency_are_one_series_in_year_order(prefect_api, tmp_path):
    """Budget-proposal sections carry no date: the year they are for orders them, whatever came first."""
    budget = Path(__file__).parent / "fixtures" / "budget"
    sources, output = tmp_path / "sources", tmp_path / "output"
    sources.mkdir()
    shutil.copy(budget / "saaristovirasto-2026.txt", sources)
    ingest(sources, output)
    shutil.copy(budget / "saaristovirasto-2025.txt", sources)
    report = ingest(sources, output)
    series = catalog(output).series["saaristovirasto-talousarvioesitys"]
    assert series.kind == "talousarvioesitys"
    assert [(v.period.start, v.signed_on) for v in series.versions] == [(2025, None), (2026, None)]
    assert series.versions[0].diff is None and series.versions[1].diff is not None
    diff = AgreementDiff.model_validate_json((output / series.versions[1].diff.json_path).read_text(encoding="utf-8"))
    assert diff.old.sha256 == series.versions[0].sha256
    confirmed = {(c.title, c.detail.year) for c in diff.changes if c.change == "confirmed"}
    assert ("Bruttomenot", 2025) in confirmed  # 2025 budget_proposal → budget
    assert len(report["diffs"]) == 1
