"""Hard limits per document: its worker process is killed at the time or the memory limit, the document
fails (and is quarantined by ingest) with that reason, and the others are extracted and stored.

The two PDFs (``tests/pdfgen.py``: ``slow_pdf``, ``hungry_pdf``) were checked by hand against pdfplumber
alone; each stays inside the reader's own bounds, so only the worker's limits stop it.
"""

from __future__ import annotations

import os
import shutil
import signal

import pytest
from clitools import assert_one_error_line, run_cli
from conftest import KEHA_MD, VALTORI_TXT
from pdfgen import hungry_pdf, slow_pdf

from pipeline.errors import UnreadableDocument
from pipeline.workers import Limits, format_size, parse_size, run_isolated
from schemas.catalog import Catalog, QuarantineRecord

MiB = 1 << 20


# --- the command line -------------------------------------------------------------------------------


def test_a_page_that_takes_minutes_is_stopped_at_the_time_limit_and_the_rest_is_written(tmp_path):
    slow, out = slow_pdf(tmp_path / "hidas.pdf"), tmp_path / "out"
    result = run_cli("extract", slow, VALTORI_TXT, "-o", out, "--timeout", "2", "--jobs", "2")
    assert result.returncode == 3, result.stderr
    assert assert_one_error_line(result) == f"agreements: error: {slow}: stopped at the time limit of 2 s (--timeout)"
    assert sorted(p.name for p in out.iterdir()) == ["valtori-tulossopimus-2024-2027-txt.json"]


def test_a_page_that_needs_too_much_memory_is_stopped_at_the_memory_limit_and_the_rest_is_written(tmp_path):
    hungry, out = hungry_pdf(tmp_path / "ahne.pdf"), tmp_path / "out"
    result = run_cli("extract", VALTORI_TXT, hungry, "-o", out, "--max-memory", "150MiB", "--jobs", "1")
    assert result.returncode == 3, result.stderr
    line = assert_one_error_line(result)
    assert line == f"agreements: error: {hungry}: stopped at the memory limit of 150 MiB (--max-memory)"
    assert sorted(p.name for p in out.iterdir()) == ["valtori-tulossopimus-2024-2027-txt.json"]


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--max-memory", "paljon", "not a size: 'paljon'"),
        ("--max-memory", "100KiB", "less than 1 MiB"),
        ("--jobs", "0", "must be at least 1"),
        ("--timeout", "-1", "cannot be negative"),
    ],
)
def test_bad_limits_are_usage_errors(option, value, says):
    result = run_cli("extract", VALTORI_TXT, option, value)
    assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr


# --- ingest: quarantined with the reason, the others stored ---------------------------------------------


def test_ingest_quarantines_a_document_stopped_at_a_limit_and_stores_the_others(prefect_api, tmp_path):
    from pipeline.flows.ingest import ingest

    sources, output = tmp_path / "sources", tmp_path / "output"
    sources.mkdir()
    shutil.copy(VALTORI_TXT, sources)
    shutil.copy(KEHA_MD, sources)
    slow_pdf(sources / "hidas.pdf")
    report = ingest(sources=str(sources), output=str(output), max_seconds=3, workers=2)
    slow_error = "hidas.pdf: stopped at the time limit of 3 s (--timeout)"
    assert report["quarantined"] == [{"source": "hidas.pdf", "error": slow_error}]
    assert sorted(v["source"] for v in report["versions"]) == [KEHA_MD.name, VALTORI_TXT.name]

    hungry_pdf(sources / "ahne.pdf")  # the next run: a document over the memory limit
    report = ingest(sources=str(sources), output=str(output), max_seconds=300, max_memory=150 * MiB)
    hungry_error = "ahne.pdf: stopped at the memory limit of 150 MiB (--max-memory)"
    assert report["quarantined"] == [{"source": "ahne.pdf", "error": hungry_error}]
    assert sorted(report["known"]) == sorted([KEHA_MD.name, VALTORI_TXT.name, "hidas.pdf"])

    catalog = Catalog.model_validate_json((output / "catalog.json").read_text(encoding="utf-8"))
    statuses = {d.source: (d.status, d.error) for d in catalog.documents.values()}
    assert statuses == {
        VALTORI_TXT.name: ("version", None),
        KEHA_MD.name: ("version", None),
        "hidas.pdf": ("quarantined", slow_error),
        "ahne.pdf": ("quarantined", hungry_error),
    }
    record = next(d for d in catalog.documents.values() if d.source == "ahne.pdf")
    quarantined = QuarantineRecord.model_validate_json((output / record.quarantine_path).read_text(encoding="utf-8"))
    assert (quarantined.source, quarantined.error) == ("ahne.pdf", hungry_error)
    assert sorted(catalog.series) == ["keha-keskus-yleishallinto", "valtori"]

    # A third run: a file over the size limit, refused by its size before it is read.
    big = sources / "iso.txt"
    big.write_text(VALTORI_TXT.read_text(encoding="utf-8") + "\n" * 70_000, encoding="utf-8")
    size = big.stat().st_size
    report = ingest(sources=str(sources), output=str(output), max_bytes=64 * 1024)
    assert report["quarantined"] == [
        {"source": "iso.txt", "error": f"iso.txt: {format_size(size)}, more than the limit of 64 KiB (--max-bytes)"}
    ]


# --- the worker process itself ------------------------------------------------------------------------


def _crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _bug(key: str) -> None:
    return {}[key]


def _answer(value: int) -> int:
    return value * 2


def test_a_worker_that_crashes_fails_its_document_saying_how():
    with pytest.raises(UnreadableDocument) as raised:
        run_isolated(_crash, limits=Limits(), label="kaatuu.pdf")
    assert str(raised.value) == "kaatuu.pdf: the worker process reading it was killed by SIGSEGV"


def test_an_extractor_bug_comes_back_as_itself_with_the_workers_traceback():
    with pytest.raises(KeyError) as raised:
        run_isolated(_bug, "avain", limits=Limits(), label="x")
    assert raised.value.args == ("avain",)
    [note] = raised.value.__notes__
    assert note.startswith("in the worker process:\n") and "in _bug" in note


def test_a_worker_returns_its_result_and_what_it_used():
    result, usage = run_isolated(_answer, 21, limits=Limits(seconds=60, memory=512 * MiB), label="x")
    assert result == 42
    assert 0 < usage.seconds < 60 and 0 < usage.peak_rss < 512 * MiB


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1GiB", 1 << 30),
        ("512MiB", 512 * MiB),
        ("512 mib", 512 * MiB),
        ("1,5G", 3 << 29),
        ("800MB", 800_000_000),
        ("2097152", 2 * MiB),
        ("none", None),
        ("0", None),
    ],
)
def test_sizes(text, size):
    assert parse_size(text) == size


def test_sizes_are_written_in_the_units_they_are_given_in():
    assert [format_size(s) for s in (1 << 30, 150 * MiB, 3 << 29, 1536 * 1024)] == [
        "1 GiB",
        "150 MiB",
        "1.5 GiB",
        "1.5 MiB",
    ]


def _start_a_worker_in_a_daemon(answers) -> None:
    from pipeline.workers import IsolationUnavailable

    try:
        run_isolated(_answer, 1, limits=Limits(), label="x")
        answers.put("started")
    except IsolationUnavailable as exc:
        answers.put(str(exc))


def test_where_no_worker_process_may_start_the_run_is_told_why():
    """A daemonic process (a Dask worker under a nanny, by default) may not have children: that is the run's
    trouble, said in one line naming the setting, not a document's (the flow lets it fail the run)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    answers = context.Queue()
    daemon = context.Process(target=_start_a_worker_in_a_daemon, args=(answers,), daemon=True)
    daemon.start()
    answer = answers.get(timeout=60)
    daemon.join()
    assert answer.startswith("cannot start a worker process here (daemonic processes are not allowed to have")
    assert "DASK_DISTRIBUTED__WORKER__DAEMON=False" in answer
