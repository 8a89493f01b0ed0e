"""``agreements diff`` as a reviewer and a script use it: exit 0 same, 1 changed, 2 trouble."""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import pytest
from clitools import assert_one_error_line, run_cli
from conftest import KEHA_MD, KEHA_PDF, VALTORI_PDF, VALTORI_TXT, extracted
from versions import VALTORI_REVISION, apply

from pipeline.diff import diff_agreements
from schemas.diff import AgreementDiff
from schemas.export import SCHEMA_DIR


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    """The Valtori text, its revision, and extracted JSON of both, in one folder."""
    folder = tmp_path_factory.mktemp("sources")
    shutil.copy(VALTORI_TXT, folder / "valtori.txt")
    revision = apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION)
    (folder / "valtori-2025.txt").write_text(revision, encoding="utf-8")
    for name in ("valtori.txt", "valtori-2025.txt"):
        agreement = extracted(folder / name)
        (folder / f"{name}.json").write_text(agreement.model_dump_json(indent=2), encoding="utf-8")
    return folder


def test_pdf_and_text_of_the_same_agreement_exit_0():
    pairs = [(VALTORI_PDF, VALTORI_TXT), (KEHA_PDF, KEHA_MD)]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda pair: run_cli("diff", *pair), pairs))
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "**No changes.**" in result.stdout and result.stderr == ""


def test_changes_exit_1_and_write_json_markdown_and_html(sources, tmp_path):
    out = tmp_path / "review"
    result = run_cli("diff", sources / "valtori.txt.json", sources / "valtori-2025.txt.json", "-o", out)
    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        f"47 changes (8 added, 13 removed, 12 changed, 4 renamed, 10 confirmed); review page: {out / 'diff.html'}\n"
    )
    assert sorted(p.name for p in out.iterdir()) == ["diff.html", "diff.json", "diff.md"]
    document = json.loads((out / "diff.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, json.loads((SCHEMA_DIR / "agreement-diff.schema.json").read_text(encoding="utf-8")))
    expected = diff_agreements(extracted(sources / "valtori.txt"), extracted(sources / "valtori-2025.txt"))
    assert AgreementDiff.model_validate(document) == expected
    markdown = (out / "diff.md").read_text(encoding="utf-8")
    assert "**47 changes**: 8 added, 13 removed, 12 changed, 4 renamed, 10 confirmed." in markdown
    # A confirmed figure that moved says how far, and each line names its document.
    assert (
        "| 2023 | 103 (Arvio 2023) | 102 (Toteuma 2023) | −1 (−1,0 %) | confirmed at another figure "
        "(old line 181, new line 181) |"
    ) in markdown
    assert "~~Automaattisten~~ **Automaattisesti** muodostettujen myyntilaskujen osuus, %" in markdown
    # The JSON inputs name their sources; the page links to them, relative to itself.
    html = (out / "diff.html").read_text(encoding="utf-8")
    old_href = Path(os.path.relpath(sources / "valtori.txt", out)).as_posix()
    assert old_href.startswith("../") and f'href="{old_href}"' in html


def test_documents_and_json_mix(sources):
    result = run_cli("diff", sources / "valtori.txt.json", sources / "valtori-2025.txt", "--format", "json")
    assert result.returncode == 1, result.stderr
    diff = AgreementDiff.model_validate_json(result.stdout)
    assert diff.summary.total == 47 and diff.new.path.endswith("valtori-2025.txt")


def test_json_against_its_own_source_is_a_re_extraction_without_changes(sources):
    result = run_cli("diff", sources / "valtori.txt.json", sources / "valtori.txt")
    assert result.returncode == 0, result.stderr
    assert "re-extraction of the same source: agreements 0.2.0 → agreements 0.2.0" in result.stdout


def test_different_agreements_exit_2_unless_forced(sources, tmp_path):
    out = tmp_path / "out"
    refused = run_cli("diff", sources / "valtori.txt", KEHA_MD, "-o", out)
    assert refused.returncode == 2
    assert assert_one_error_line(refused) == (
        "agreements: error: the documents are different agreements (series 'valtori' and "
        "'keha-keskus-yleishallinto'); use --force to compare them anyway"
    )
    assert not out.exists()
    forced = run_cli("diff", sources / "valtori.txt", KEHA_MD, "--force", "--format", "json")
    assert forced.returncode == 1
    assert AgreementDiff.model_validate_json(forced.stdout).forced


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda d: d / "missing.pdf", "missing.pdf: no such file"),
        (lambda d: _write(d / "other.json", '{"name": "not an agreement"}'), "other.json: not an extracted agreement"),
        (lambda d: _write(d / "broken.json", '{"schema_version": "1.0", '), "broken.json: not an extracted agreement"),
        (lambda d: _write(d / "empty.txt", ""), "empty.txt"),
    ],
    ids=["missing", "foreign-json", "truncated-json", "empty-text"],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(sources, tmp_path, make, says):
    bad = make(tmp_path)
    out = tmp_path / "out"
    for args in ((bad, sources / "valtori.txt.json"), (sources / "valtori.txt.json", bad)):
        result = run_cli("diff", *args, "-o", out)
        assert result.returncode == 2
        assert says in assert_one_error_line(result)
        assert result.stdout == "" and not out.exists()


def test_output_folder_that_is_a_file_exits_2(sources, tmp_path):
    blocker = _write(tmp_path / "taken", "")
    result = run_cli("diff", sources / "valtori.txt.json", sources / "valtori.txt.json", "-o", blocker)
    assert result.returncode == 2 and "is not a directory" in assert_one_error_line(result)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
