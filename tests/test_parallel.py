"""Parallel runs store what a sequential run stores, byte for byte apart from the times: ``extract --jobs``,
the ingest flow on several workers, and the same flow on a real Dask cluster (``distributed.LocalCluster``,
two worker processes on 127.0.0.1)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from clitools import run_cli
from conftest import KEHA_MD, KEHA_PDF, VALTORI_TXT
from versions import KEHA_REVISION, VALTORI_REVISION, apply

TIMES = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), "<time>"),  # catalog and quarantine records
    (re.compile(r"updated \d{4}-\d\d-\d\d \d\d:\d\d UTC"), "updated <time> UTC"),  # the index page
    (re.compile(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d</td>"), "<td><time></td>"),  # its quarantine table
]


def snapshot(output: Path) -> dict[str, str | bytes]:
    """Every file of an output folder, the times in it replaced (the lock file holds a process id)."""
    files = {}
    for path in sorted(output.rglob("*")):
        if path.is_file() and path.name != ".ingest.lock":
            if path.suffix == ".pdf":  # a published document
                files[path.relative_to(output).as_posix()] = path.read_bytes()
                continue
            text = path.read_text(encoding="utf-8")
            for pattern, replacement in TIMES:
                text = pattern.sub(replacement, text)
            files[path.relative_to(output).as_posix()] = text
    return files


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    """Two agreements, a revision of each, the same agreement in a second format, and a broken PDF."""
    folder = tmp_path_factory.mktemp("parallel") / "sources"
    folder.mkdir()
    for path in (VALTORI_TXT, KEHA_MD, KEHA_PDF):
        shutil.copy(path, folder)
    (folder / "valtori-2025-tarkistus.txt").write_text(
        apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION), encoding="utf-8"
    )
    (folder / "keha-2025-tarkistus.md").write_text(
        apply(KEHA_MD.read_text(encoding="utf-8"), KEHA_REVISION), encoding="utf-8"
    )
    (folder / "rikki.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    return folder


@pytest.fixture(scope="module")
def dask_address():
    """A real Dask cluster: a scheduler and two single-threaded worker processes on 127.0.0.1.

    The workers are not daemonic processes, so that they may start the extraction's worker processes
    (a daemonic process may not have children): ``distributed.worker.daemon: False``, as the README says.
    The scheduler's HTTP server (health, metrics; no dashboard without bokeh) takes a free port on 127.0.0.1:
    with no address it takes 8787, which a second cluster of the session would find in use.
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def _tasks_run_on(address: str) -> int:
    """How many tasks the Dask scheduler has seen finish, with a result or an error, since it started."""
    from distributed import Client

    def finished(dask_scheduler) -> int:
        counts = [prefix.state_counts for prefix in dask_scheduler.task_prefixes.values()]
        return sum(count["memory"] + count["erred"] for count in counts)

    with Client(address) as client:
        return client.run_on_scheduler(finished)


def test_ingest_on_two_workers_and_on_dask_stores_what_one_worker_stores(prefect_api, sources, dask_address, tmp_path):
    from pipeline.flows.ingest import ingest

    runs = {"one": {"workers": 1}, "two": {"workers": 2}, "dask": {"dask_address": dask_address}}
    reports, snapshots = {}, {}
    before = _tasks_run_on(dask_address)
    for name, options in runs.items():
        reports[name] = ingest(sources=str(sources), output=str(tmp_path / name), **options)
        snapshots[name] = snapshot(tmp_path / name)
    assert _tasks_run_on(dask_address) - before == 6  # every new document was extracted on the cluster
    report = reports["one"]
    assert [v["source"] for v in report["versions"]] == [
        "keha-2025-tarkistus.md",
        "keha-keskus-tulossopimus-2025.md",
        "valtori-2025-tarkistus.txt",
        "valtori-tulossopimus-2024-2027.txt",
    ]
    assert report["copies"] == [
        {"source": "keha-keskus-tulossopimus-2025.pdf", "copy_of": "keha-keskus-tulossopimus-2025.md"}
    ]
    assert [q["source"] for q in report["quarantined"]] == ["rikki.pdf"]
    # The revisions were found first (file names sort so), then the older versions slotted in before them.
    assert sorted((d["series_id"], d["changes"]) for d in report["diffs"]) == [
        ("keha-keskus-yleishallinto", 9),
        ("valtori", 47),
    ]
    assert reports["two"] == report and reports["dask"] == report
    # catalog, index, 4 versions, 2 diffs of 3 files, 1 quarantine record; 4 version and 2 series pages;
    # 5 documents published (4 versions, 1 copy); the copy's extraction (its PDF pages for the exports)
    assert len(snapshots["one"]) == 25
    assert snapshots["two"] == snapshots["one"]
    assert snapshots["dask"] == snapshots["one"]


def test_extract_with_two_jobs_writes_what_one_job_writes(tmp_path, sources):
    inputs = [VALTORI_TXT, KEHA_MD, sources / "rikki.pdf", KEHA_PDF]
    results = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs-{jobs}"
        results[jobs] = run_cli("extract", *inputs, "-o", out, "--jobs", jobs)
    assert results["1"].returncode == results["2"].returncode == 3
    assert results["1"].stderr == results["2"].stderr
    assert results["1"].stderr.startswith(f"agreements: error: {sources / 'rikki.pdf'}: ")
    one, two = snapshot(tmp_path / "jobs-1"), snapshot(tmp_path / "jobs-2")
    assert sorted(one) == [
        "keha-keskus-tulossopimus-2025-md.json",
        "keha-keskus-tulossopimus-2025-pdf.json",
        "valtori-tulossopimus-2024-2027-txt.json",
    ]
    assert two == one
    # And what a worker process returns is what extraction in this process gives.
    from conftest import extracted

    assert one["valtori-tulossopimus-2024-2027-txt.json"] == (
        extracted(VALTORI_TXT).model_copy(deep=True).model_dump_json(indent=2) + "\n"
    ).replace(f'"path": "{VALTORI_TXT.name}"', f'"path": "{VALTORI_TXT.as_posix()}"')


def test_the_dask_address_can_come_from_the_sources_file(tmp_path):
    from pipeline.ingest.config import load_sources

    (tmp_path / "sources.toml").write_text('[run]\ndask_address = "127.0.0.1:8786"\nworkers = 3\n', encoding="utf-8")
    run = load_sources(tmp_path).run
    assert (run.dask_address, run.workers) == ("tcp://127.0.0.1:8786", 3)
    (tmp_path / "sources.toml").write_text('[run]\ndask_address = "http://example.org/"\n', encoding="utf-8")
    result = run_cli("ingest", "--sources", tmp_path, "--output", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.startswith(f"agreements: error: {tmp_path / 'sources.toml'}: run.dask_address: ")
    assert not os.path.exists(tmp_path / "out")


def test_a_dask_cluster_lost_during_a_run_fails_the_run_and_keeps_what_was_stored(prefect_api, tmp_path):
    """The cluster goes away while a document is extracted there: the run fails at once with one line (not a
    quarantine per document left, nor a wait for ever), what was stored stays, and the next run goes on."""
    import threading
    import time

    import dask
    from distributed import LocalCluster
    from pdfgen import slow_pdf

    from pipeline.flows.ingest import ClusterLost, ingest
    from pipeline.store.catalog import Store

    sources, output = tmp_path / "sources", tmp_path / "output"
    sources.mkdir()
    shutil.copy(VALTORI_TXT, sources / "a-valtori.txt")
    slow_pdf(sources / "b-hidas.pdf")  # minutes of pdfplumber: still being extracted when the cluster goes
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        )
    failure: list[BaseException] = []

    def run() -> None:
        try:
            ingest(sources=str(sources), output=str(output), dask_address=cluster.scheduler_address)
        except BaseException as exc:  # what the flow raised, to be looked at in the test's thread
            failure.append(exc)

    runner = threading.Thread(target=run)
    try:
        runner.start()
        deadline = time.monotonic() + 120
        while not (output / "catalog.json").is_file() and time.monotonic() < deadline:
            time.sleep(0.2)  # the first document stored, the second being extracted
        assert (output / "catalog.json").is_file(), "the first document was never stored"
    finally:
        cluster.close()
    runner.join(timeout=120)
    assert not runner.is_alive(), "the run went on waiting for a cluster that is gone"
    assert len(failure) == 1 and isinstance(failure[0], ClusterLost), failure
    assert str(failure[0]) == (
        f"lost the connection to the Dask cluster at {cluster.scheduler_address}; the documents not stored yet "
        "are extracted by the next run"
    )
    catalog = Store(output).catalog
    assert [d.source for d in catalog.documents.values()] == ["a-valtori.txt"]  # nothing quarantined for it
    report = ingest(sources=str(sources), output=str(output), workers=1, max_seconds=2)  # the next run, here
    assert report["known"] == ["a-valtori.txt"]
    assert [q["source"] for q in report["quarantined"]] == ["b-hidas.pdf"]  # extracted again: its own limit
