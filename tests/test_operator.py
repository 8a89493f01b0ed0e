"""What an operator sees in Prefect, read back from the Prefect API: a run with a quarantined document ends
"Partially completed" (a completed state naming the document), runs are named for their time, every step is a
named task run, bad input is one WARNING line without a traceback, the artifacts link the index and the review
page, the parameters are absolute paths; and ``serve`` says what is wrong with a cron expression or a time zone."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from pathlib import Path

import pytest
from clitools import assert_one_error_line, run_cli
from conftest import KEHA_MD, VALTORI_TXT
from versions import VALTORI_REVISION, apply

REVISION = "valtori-2025.txt"


def _client():
    from prefect.client.orchestration import get_client

    return get_client(sync_client=True)


def _flow_run(output: Path):
    """The ingest flow run that wrote ``output`` (its ``output`` parameter)."""
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with _client() as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["ingest"])))
    [run] = [r for r in runs if r.parameters.get("output") == str(output.resolve())]
    return run


def _task_runs(flow_run_id) -> dict[str, object]:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with _client() as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return {run.name: run for run in runs}


@pytest.fixture(scope="module")
def ran(prefect_api, tmp_path_factory) -> tuple[Path, object, object]:
    """``agreements ingest`` run from its folder with relative paths, recorded by the session's Prefect server:
    two agreements, a revision of one (a diff) and an empty file (quarantined). (work folder, CLI result,
    flow run)."""
    work = tmp_path_factory.mktemp("operator")
    sources = work / "sources"
    sources.mkdir()
    shutil.copy(VALTORI_TXT, sources)
    shutil.copy(KEHA_MD, sources)
    (sources / REVISION).write_text(apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION), encoding="utf-8")
    (sources / "tyhja.txt").write_text("", encoding="utf-8")
    result = run_cli(
        "ingest", "--sources", "sources", "--output", "output", cwd=work, env={"PREFECT_API_URL": prefect_api}
    )
    return work, result, _flow_run(work / "output")


def test_a_run_with_a_quarantined_document_ends_partially_completed(ran):
    _, result, flow_run = ran
    assert result.returncode == 3, result.stderr  # the CLI's exit code: some failed
    assert result.stderr.splitlines()[-1].startswith(
        "agreements: 3 new versions, 0 same as a known version, 0 already known, 1 diffs, 1 failed; see "
    )
    assert (flow_run.state.type.value, flow_run.state.name) == ("COMPLETED", "Partially completed")
    assert flow_run.state.message == "1 of 4 new documents quarantined: tyhja.txt (empty file)"


def test_a_run_without_trouble_ends_plainly_completed(ran, prefect_api):
    from pipeline.flows.ingest import ingest

    work, _, _ = ran
    sources = work / "clean"
    sources.mkdir()
    shutil.copy(KEHA_MD, sources)
    state = ingest(sources=str(sources), output=str(work / "clean-output"), return_state=True)
    assert (state.type.value, state.name, state.message) == ("COMPLETED", "Completed", None)
    assert state.result()["versions"] == [{"source": KEHA_MD.name, "series_id": "keha-keskus-yleishallinto"}]


def test_the_run_is_named_for_its_start_in_local_time_with_absolute_parameters(ran):
    work, _, flow_run = ran
    assert re.fullmatch(r"ingest-\d{4}-\d\d-\d\dT\d\d:\d\d", flow_run.name)
    assert flow_run.name == f"ingest-{flow_run.expected_start_time.astimezone():%Y-%m-%dT%H:%M}"
    # Given relative (the CLI ran in `work`), recorded absolute: the run can be read, and run again, anywhere.
    assert flow_run.parameters["sources"] == str((work / "sources").resolve())
    assert flow_run.parameters["output"] == str((work / "output").resolve())


def test_every_step_is_a_named_task_run(ran):
    work, _, flow_run = ran
    documents = sorted([VALTORI_TXT.name, KEHA_MD.name, REVISION, "tyhja.txt"])
    runs = _task_runs(flow_run.id)
    assert sorted(runs) == sorted(
        [
            f"discover {(work / 'sources').resolve()}",
            *(f"extract {name}" for name in documents),
            *(f"store {name}" for name in documents),
            f"diff valtori: {VALTORI_TXT.name} → {REVISION}",
            f"index {(work / 'output').resolve()}",
        ]
    )
    states = {name: (run.state.type.value, run.state.name, run.state.message or "") for name, run in runs.items()}
    quarantined = ("COMPLETED", "Quarantined", "tyhja.txt: empty file")
    assert states.pop("extract tyhja.txt") == states.pop("store tyhja.txt") == quarantined
    assert set(states.values()) == {("COMPLETED", "Completed", "")}


def test_bad_input_is_one_warning_without_a_traceback(ran):
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    _, result, flow_run = ran
    with _client() as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run.id])))
    assert logs, "no logs recorded"
    assert [
        (log.level, log.message) for log in logs if "tyhja.txt" in log.message and log.level >= logging.WARNING
    ] == [(logging.WARNING, "quarantined: tyhja.txt: tyhja.txt: empty file")]
    assert [log.message for log in logs if log.level >= logging.ERROR] == []
    assert not any("Traceback" in log.message for log in logs)
    assert "agreements: quarantined: tyhja.txt: tyhja.txt: empty file\n" in result.stderr


def test_the_artifacts_link_the_index_and_the_review_page(ran):
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    work, _, flow_run = ran
    output = (work / "output").resolve()
    index = output / "index.html"
    with _client() as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run.id]))
        )
    by_key = {artifact.key: artifact for artifact in artifacts}
    assert sorted(by_key) == ["diff-valtori", "ingest-index", "ingest-summary"]
    # A link artifact (Prefect keeps it as Markdown).
    assert by_key["ingest-index"].data == f"[{index}]({index.as_uri()})"
    [review] = (output / "diffs" / "valtori").glob("*/diff.html")
    summary, diff = by_key["ingest-summary"].data, by_key["diff-valtori"].data
    assert f"Index: [index.html]({index.as_uri()}) (`{index}`)" in summary
    link = f"[diff.html]({review.as_uri()}) (`{review}`)"
    assert f"| valtori | {VALTORI_TXT.name} | {REVISION} | 47 | {link} |" in summary
    assert "- quarantined `tyhja.txt`: tyhja.txt: empty file" in summary
    assert diff.startswith(f"Review page: {link}\n\n")
    assert "**47 changes**" in diff


def test_a_document_that_cannot_be_stored_is_quarantined_and_the_run_goes_on(prefect_api, tmp_path):
    """A real failure of the file system while storing one document (its version file's name is taken by
    a folder): that document is quarantined with the reason, the other is stored, the run ends partial."""
    from pipeline.flows.ingest import ingest
    from schemas.catalog import Catalog

    sources, output = tmp_path / "sources", tmp_path / "output"
    sources.mkdir()
    shutil.copy(VALTORI_TXT, sources)
    shutil.copy(KEHA_MD, sources)
    sha = hashlib.sha256(KEHA_MD.read_bytes()).hexdigest()
    (output / "versions" / "keha-keskus-yleishallinto" / f"2025-01-27-{sha[:12]}.json").mkdir(parents=True)
    state = ingest(sources=str(sources), output=str(output), return_state=True)
    report = state.result()
    [quarantined] = report["quarantined"]
    assert quarantined["source"] == KEHA_MD.name
    folder = output.resolve() / "versions" / "keha-keskus-yleishallinto"
    assert quarantined["error"].startswith(f"could not be stored: {folder}/.2025-01-27-{sha[:12]}.json.")
    assert quarantined["error"].endswith(": cannot write (Is a directory)")  # its temporary file, renamed onto it
    assert report["versions"] == [{"source": VALTORI_TXT.name, "series_id": "valtori"}]
    assert (state.type.value, state.name) == ("COMPLETED", "Partially completed")
    assert state.message.startswith(f"1 of 2 new documents quarantined: {KEHA_MD.name} (could not be stored")
    catalog = Catalog.model_validate_json((output / "catalog.json").read_text(encoding="utf-8"))
    assert sorted(catalog.series) == ["valtori"]  # nothing of the failed document's version is left in it
    assert {d.source: (d.status, d.error) for d in catalog.documents.values()} == {
        VALTORI_TXT.name: ("version", None),
        KEHA_MD.name: ("quarantined", quarantined["error"]),
    }
    runs = _task_runs(_flow_run(output).id)
    # A write error the store names (``WriteError``): the document's, said without a traceback.
    failed = runs[f"store {KEHA_MD.name}"].state
    assert (failed.type.value, failed.name, failed.message) == ("COMPLETED", "Quarantined", quarantined["error"])
    assert runs[f"store {VALTORI_TXT.name}"].state.name == "Completed"


# --- serve: a bad schedule is refused in one line that says why ------------------------------------------


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (
            ["--cron", "61 * * * *"],
            "--cron '61 * * * *': minute field '61' is not valid: 0-59 (numbers, names, ranges a-b, lists a,b, "
            "steps */n)",
        ),
        (
            ["--timezone", "Europe/Helsinkii"],
            "--timezone 'Europe/Helsinkii': unknown time zone; did you mean 'Europe/Helsinki'? (an IANA name, "
            "e.g. Europe/Helsinki or UTC)",
        ),
        (["--cron", "0 6 30 2 *"], "--cron '0 6 30 2 *': never fires (no date matches every field)"),
    ],
)
def test_serve_says_what_is_wrong_with_the_schedule(options, says, tmp_path):
    result = run_cli("serve", *options, "--sources", VALTORI_TXT.parent, "--output", tmp_path / "output")
    assert result.returncode == 2
    assert assert_one_error_line(result) == f"agreements: error: {says}"
    assert not (tmp_path / "output").exists()


FIVE_FIELDS = "a cron expression has 5 fields (minute hour day-of-month month day-of-week)"


@pytest.mark.parametrize(
    ("cron", "says"),
    [
        ("* * * *", f"{FIVE_FIELDS}, this one has 4"),
        ("every morning", f"{FIVE_FIELDS}, this one has 2"),
        ("0 25 * * *", "hour field '25' is not valid: 0-23"),
        ("0 6 * 13 *", "month field '13' is not valid: 1-12 or jan-dec"),
        ("0 6 * * 1-9", "day-of-week field '1-9' is not valid: 0-6 or sun-sat"),
        ("*/0 * * * *", "minute field '*/0' is not valid: 0-59"),
        ("H 6 * * *", "random or hashed values ('H') are not supported"),
        ("@dayly", "not a shorthand cron knows (@hourly, @daily, @weekly, @monthly, @yearly) nor 5 fields"),
        ("15 5 * * 1-5", None),
        ("0 6 * * mon-fri", None),
        ("@daily", None),
    ],
)
def test_cron_problems(cron, says):
    from pipeline.flows.schedule import cron_problem

    problem = cron_problem(cron)
    if says is None:
        assert problem is None
    else:
        assert problem.startswith(f"--cron {cron!r}: {says}")


def test_a_bad_time_zone_is_named_before_the_cron():
    from pipeline.flows.schedule import timezone_problem

    assert timezone_problem("Europe/Helsinki") is None and timezone_problem("UTC") is None
    assert timezone_problem("Mars/Olympus") == (
        "--timezone 'Mars/Olympus': unknown time zone (an IANA name, e.g. Europe/Helsinki or UTC)"
    )
    result = run_cli("serve", "--cron", "61 * * * *", "--timezone", "Europe/Helsinkii", "--sources", VALTORI_TXT.parent)
    assert assert_one_error_line(result).startswith("agreements: error: --timezone 'Europe/Helsinkii': unknown time")
