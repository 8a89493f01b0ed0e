"""The command line's habits, through the real ``agreements`` command: ``-`` for stdin and stdout, a folder
as input, ``-o`` an existing folder, validated numbers, ``--quiet`` and the progress bar, ``list`` and
``diff --series``, defaults that do not depend on the current folder, configuration files refused, and
one bad input among several not stopping the others."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from clitools import assert_one_error_line, run_cli, run_cli_on_terminal
from conftest import KEHA_MD, KEHA_PDF, VALTORI_PDF, VALTORI_TXT, extracted
from versions import VALTORI_REVISION, apply

from pipeline.store.catalog import Store

REPOSITORY = Path(__file__).parent.parent
SOURCES_TOML = REPOSITORY / "sources" / "sources.toml"
EXIT_USAGE, EXIT_BAD_INPUT = 2, 3
COVER_ONLY = "Valtiovarainministeriön ja Kuvitteellisen viraston välinen tulossopimus vuosille 2031–2034\n\nSisällys\n"


def _json(text: str) -> dict:
    return json.loads(text)


def _plain(shown: str) -> str:
    """What a terminal showed, without its colours and cursor moves."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- - for stdin and stdout ------------------------------------------------------------------------------------


def test_extract_reads_a_pdf_from_stdin_and_names_it_stdin(tmp_path):
    result = run_cli("extract", "-", stdin=VALTORI_PDF, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    agreement = _json(result.stdout)
    assert agreement["source"] == {"path": "<stdin>", "sha256": _sha256(VALTORI_PDF), "format": "pdf", "pages": 11}
    from_file = extracted(VALTORI_PDF)
    assert [g["title"] for g in agreement["goals"]] == [g.title for g in from_file.goals]
    assert len(agreement["indicators"]) == len(from_file.indicators) == 52


def test_stdin_is_told_markdown_from_text_by_its_bytes(tmp_path):
    markdown = _json(run_cli("extract", "-", stdin=KEHA_MD).stdout)
    text = _json(run_cli("extract", "-", stdin=VALTORI_TXT).stdout)
    assert (markdown["source"]["format"], text["source"]["format"]) == ("markdown", "text")
    assert len(markdown["goals"]) == len(extracted(KEHA_MD).goals) == 61


def test_dash_o_dash_writes_to_stdout_and_no_file_named_dash(tmp_path):
    result = run_cli("extract", VALTORI_TXT, "-o", "-", cwd=tmp_path)
    assert result.returncode == 0 and _json(result.stdout)["agreement"]["agency"] == "Valtori"
    assert list(tmp_path.iterdir()) == []


def test_dash_o_dash_takes_one_document_only(tmp_path):
    result = run_cli("extract", VALTORI_TXT, KEHA_MD, "-o", "-", cwd=tmp_path)
    assert result.returncode == EXIT_USAGE and result.stdout == ""
    assert assert_one_error_line(result) == (
        "agreements: error: several inputs (or a folder) need -o DIR for their JSON files; "
        "-o - writes one document's JSON to stdout"
    )


def test_stdin_read_once_and_never_from_a_terminal(tmp_path):
    twice = run_cli("extract", "-", "-", "-o", tmp_path, stdin=VALTORI_TXT)
    assert twice.returncode == EXIT_USAGE
    assert assert_one_error_line(twice) == "agreements: error: stdin (-) can be read only once"
    code, stdout, shown = run_cli_on_terminal("extract", "-", cwd=tmp_path)
    assert code == EXIT_USAGE and stdout == ""
    assert shown.strip() == (
        "agreements: error: - reads the document from stdin, which is a terminal: pipe one in (< FILE)"
    )


def test_diff_reads_the_new_version_from_stdin(tmp_path):
    revised = tmp_path / "valtori-2025.txt"
    revised.write_text(apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION), encoding="utf-8")
    from_file = run_cli("diff", VALTORI_TXT, revised, "--format", "json")
    from_stdin = run_cli("diff", VALTORI_TXT, "-", "--format", "json", "-o", "-", stdin=revised)
    assert from_stdin.returncode == from_file.returncode == 1, from_stdin.stderr
    piped, named = _json(from_stdin.stdout), _json(from_file.stdout)
    assert piped["new"]["path"] == "<stdin>" and named["new"]["path"] == str(revised)
    assert piped["changes"] == named["changes"] and piped["summary"]["total"] == 47
    both = run_cli("diff", "-", "-", stdin=revised)
    assert both.returncode == EXIT_USAGE
    assert assert_one_error_line(both) == "agreements: error: stdin (-) can be only one of OLD and NEW"


# --- a folder as input -----------------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    """Documents two levels deep, one name twice in two subfolders, and what a folder walk must leave alone."""
    docs = tmp_path / "docs"
    for relative, source in [
        ("valtori.txt", VALTORI_TXT),
        ("2025/keha.md", KEHA_MD),
        ("2025/arkisto/valtori.txt", VALTORI_TXT),
        (".git/valtori.txt", VALTORI_TXT),  # hidden: skipped
        ("README.toml", SOURCES_TOML),  # not a supported suffix: skipped
    ]:
        (docs / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, docs / relative)
    return docs


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_folder_is_read_recursively_into_the_same_tree(folder, tmp_path):
    out = tmp_path / "json"
    result = run_cli("extract", folder, "-o", out)
    assert result.returncode == 0 and result.stderr == ""
    assert _tree(out) == ["2025/arkisto/valtori-txt.json", "2025/keha-md.json", "valtori-txt.json"]
    assert _json((out / "2025/keha-md.json").read_text())["source"]["path"] == str(folder / "2025/keha.md")


def test_glob_chooses_the_files_of_a_folder(folder, tmp_path):
    out = tmp_path / "json"
    result = run_cli("extract", folder, "--glob", "*.MD", "-o", out)  # patterns ignore case, like the suffixes
    assert result.returncode == 0 and _tree(out) == ["2025/keha-md.json"]


def test_a_folder_needs_an_output_folder_and_an_empty_one_is_said(folder, tmp_path):
    to_stdout = run_cli("extract", folder)
    assert to_stdout.returncode == EXIT_USAGE and to_stdout.stdout == ""
    assert assert_one_error_line(to_stdout).startswith("agreements: error: several inputs (or a folder) need -o DIR")
    empty = run_cli("extract", folder, "--glob", "*.pdf", "-o", tmp_path / "json")
    assert empty.returncode == EXIT_BAD_INPUT
    assert assert_one_error_line(empty) == f"agreements: error: {folder}: a directory with no documents to read (*.pdf)"


# --- -o an existing folder -------------------------------------------------------------------------------------


def test_dash_o_an_existing_folder_writes_into_it(tmp_path):
    out = tmp_path / "json"
    out.mkdir()
    result = run_cli("extract", VALTORI_TXT, "-o", out)
    assert result.returncode == 0 and result.stderr == ""
    assert _tree(out) == ["valtori-tulossopimus-2024-2027-txt.json"]
    new = run_cli("extract", KEHA_MD, "-o", f"{tmp_path / 'new'}/")  # a trailing slash: a folder, made
    assert new.returncode == 0 and _tree(tmp_path / "new") == ["keha-keskus-tulossopimus-2025-md.json"]


# --- numbers validated -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (["extract", VALTORI_TXT, "--max-pages", "-1"], "argument --max-pages: a page limit cannot be negative: '-1'"),
        (["extract", VALTORI_TXT, "--max-pages", "kymmenen"], "argument --max-pages: not a whole number of pages"),
        (["diff", VALTORI_TXT, VALTORI_TXT, "--max-pages", "-5"], "a page limit cannot be negative: '-5'"),
        (["extract", VALTORI_TXT, "--jobs", "-2"], "argument --jobs: must be at least 1: '-2'"),
        (["extract", VALTORI_TXT, "--timeout", "-1"], "argument --timeout: a time limit cannot be negative"),
    ],
)
def test_bad_numbers_are_refused_in_one_line(command, says):
    result = run_cli(*command)
    assert result.returncode == EXIT_USAGE and result.stdout == ""
    line = assert_one_error_line(result)
    assert says in line and line.endswith(f"(see agreements {command[0]} --help)")


def test_max_pages_0_means_no_limit():
    assert run_cli("extract", VALTORI_PDF, "--max-pages", "10").returncode == EXIT_BAD_INPUT  # 11 pages
    unlimited = run_cli("extract", VALTORI_PDF, "--max-pages", "0")
    assert unlimited.returncode == 0 and _json(unlimited.stdout)["source"]["pages"] == 11


# --- --quiet and the progress bar ------------------------------------------------------------------------------


def test_quiet_leaves_errors_only(tmp_path):
    cover = tmp_path / "kansilehti.txt"
    cover.write_text(COVER_ONLY, encoding="utf-8")
    loud = run_cli("extract", cover, "-o", tmp_path / "a.json")
    assert loud.returncode == 0 and loud.stderr.startswith(f"agreements: warning: {cover}: no goals and no indicators")
    quiet = run_cli("extract", cover, "-o", tmp_path / "b.json", "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and (tmp_path / "b.json").is_file()
    missing = run_cli("extract", cover, tmp_path / "puuttuu.txt", "-o", tmp_path / "c", "-q")
    assert missing.returncode == EXIT_BAD_INPUT
    assert assert_one_error_line(missing) == f"agreements: error: {tmp_path / 'puuttuu.txt'}: no such file"


def test_a_progress_bar_of_documents_and_pages_on_a_terminal_only(tmp_path):
    code, stdout, shown = run_cli_on_terminal("extract", KEHA_PDF, VALTORI_PDF, "-o", tmp_path / "tty")
    assert code == 0 and stdout == ""
    shown = _plain(shown)
    assert "documents" in shown and "2/2" in shown  # the documents, drawn last before the bar is cleared
    assert "/16 pages" in shown and "/11 pages" in shown  # each PDF's pages while it is read
    assert _tree(tmp_path / "tty") == [
        "keha-keskus-tulossopimus-2025-pdf.json",
        "valtori-tulossopimus-2024-2027-pdf.json",
    ]
    quiet_code, _, quiet_shown = run_cli_on_terminal("extract", KEHA_PDF, "-o", tmp_path / "quiet.json", "-q")
    assert quiet_code == 0 and quiet_shown == ""
    piped = run_cli("extract", KEHA_PDF, "-o", tmp_path / "piped.json")  # stderr a pipe: no bar
    assert piped.returncode == 0 and piped.stderr == ""


# --- list and diff --series ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    """An ingest output folder of two Valtori versions and one KEHA version, stored without Prefect."""
    folder = tmp_path_factory.mktemp("listing")
    revised = folder / "valtori-2025.txt"
    revised.write_text(apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION), encoding="utf-8")
    store = Store(folder / "output")
    with store.locked():
        for path in (VALTORI_TXT, revised, KEHA_MD):
            store.add(extracted(path), origin="test", local_path=None)
    return folder / "output"


def test_list_shows_series_versions_and_the_latest_diff(output, tmp_path):
    result = run_cli("list", "--output", output)
    assert result.returncode == 0 and result.stderr == ""
    catalog = json.loads((output / "catalog.json").read_text())
    old, new = catalog["series"]["valtori"]["versions"]
    keha = catalog["series"]["keha-keskus-yleishallinto"]["versions"][0]
    assert result.stdout.splitlines() == [
        "valtori  Valtiovarainministeriön ja Valtorin välinen tulossopimus vuosille 2024–2027  (2 versions)",
        f"  2023-12-13  {old['sha256'][:12]}  text      11 goals, 52 indicators, 0 warnings  "
        f"{output / old['json_path']}",
        f"  2024-12-16  {new['sha256'][:12]}  text      11 goals, 52 indicators, 0 warnings  "
        f"{output / new['json_path']}",
        "  latest diff: 47 changes (8 added, 13 removed, 12 changed, 4 renamed, 10 confirmed)  "
        f"{output / new['diff']['html_path']}",
        "keha-keskus-yleishallinto  Ohjaavien ministeriöiden ja KEHA-keskuksen välinen tulossopimus (yleishallinto) "
        "vuodelle 2025  (1 version)",
        f"  2025-01-27  {keha['sha256'][:12]}  markdown  61 goals, 0 indicators, 1 warning  "
        f"{output / keha['json_path']}",
    ]
    listing = _json(run_cli("list", "--output", output, "--format", "json").stdout)
    assert [s["series_id"] for s in listing["series"]] == ["valtori", "keha-keskus-yleishallinto"]
    assert listing["series"][0]["latest_diff"]["total"] == 47 and listing["series"][1]["latest_diff"] is None
    nothing = run_cli("list", "--output", tmp_path)
    assert nothing.returncode == EXIT_USAGE
    assert assert_one_error_line(nothing) == (
        f"agreements: error: {tmp_path}: no catalog.json (run `agreements ingest` first, or give the output folder)"
    )


def test_diff_series_compares_the_last_two_versions_as_stored(output, tmp_path):
    stored = json.loads((output / "catalog.json").read_text())["series"]["valtori"]["versions"][-1]["diff"]
    printed = run_cli("diff", "--series", "valtori", "--catalog", output)
    assert printed.returncode == 1 and printed.stdout == (output / stored["markdown_path"]).read_text()
    review = tmp_path / "review"
    written = run_cli("diff", "--series", "valtori", "--catalog", output, "-o", review)
    assert written.returncode == 1 and sorted(p.name for p in review.iterdir()) == ["diff.html", "diff.json", "diff.md"]
    assert _json((review / "diff.json").read_text()) == _json((output / stored["json_path"]).read_text())
    unknown = run_cli("diff", "--series", "vero", "--catalog", output)
    assert unknown.returncode == EXIT_USAGE
    assert assert_one_error_line(unknown) == (
        f"agreements: error: no series 'vero' in {output / 'catalog.json'} (series: keha-keskus-yleishallinto, valtori)"
    )
    alone = run_cli("diff", "--series", "keha-keskus-yleishallinto", "--catalog", output)
    assert alone.returncode == EXIT_USAGE
    assert assert_one_error_line(alone) == (
        "agreements: error: series 'keha-keskus-yleishallinto' has 1 version: nothing to compare it with"
    )


# --- defaults that do not depend on the current folder ---------------------------------------------------------


def test_evaluate_outside_the_repository_finds_its_gold_files(tmp_path):
    document = tmp_path / "valtori-tulossopimus-2024-2027.txt"
    shutil.copyfile(VALTORI_TXT, document)
    result = run_cli("evaluate", document, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [evaluation] = _json(result.stdout)
    assert evaluation["document"] == "valtori-tulossopimus-2024-2027" and evaluation["format"] == "text"
    missing = run_cli("evaluate", "--gold", "kulta", cwd=tmp_path)
    assert missing.returncode == EXIT_USAGE
    assert assert_one_error_line(missing) == "agreements: error: kulta: no such folder of gold files (give --gold DIR)"


# --- configuration and data files refused ----------------------------------------------------------------------


def test_a_toml_file_is_not_an_agreement(tmp_path):
    result = run_cli("extract", SOURCES_TOML, "-o", tmp_path / "sources.json")
    assert result.returncode == EXIT_BAD_INPUT and not (tmp_path / "sources.json").exists()
    assert (
        assert_one_error_line(result) == f"agreements: error: {SOURCES_TOML}: a TOML file, not a performance agreement"
    )
    piped = run_cli("extract", "-", stdin=SOURCES_TOML)  # no name to go by: its syntax says it
    assert piped.returncode == EXIT_BAD_INPUT and piped.stdout == ""
    assert assert_one_error_line(piped) == "agreements: error: <stdin>: a TOML file, not a performance agreement"


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("asetukset.ini", "[yleiset]\nnimi = tulossopimus\n; tulossopimukset 2025\n", "an INI file"),
        ("tulos.json", '{"title": "Tulossopimus 2025", "goals": []}\n', "a JSON file"),
        ("tulossopimus.yaml", "title: Tulossopimus 2025\ngoals:\n  - Palvelut\n", "a YAML file"),
        ("tulossopimus.html", "<!DOCTYPE html><title>Tulossopimus 2025</title>\n", "an HTML page"),
    ],
)
def test_other_data_files_are_not_agreements(tmp_path, name, content, kind):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run_cli("extract", path)
    assert result.returncode == EXIT_BAD_INPUT and result.stdout == ""
    assert assert_one_error_line(result) == f"agreements: error: {path}: {kind}, not a performance agreement"


# --- one bad input among several -------------------------------------------------------------------------------


def test_a_write_error_and_a_bad_file_do_not_stop_the_others(tmp_path):
    out = tmp_path / "json"
    (out / "valtori-tulossopimus-2024-2027-txt.json").mkdir(parents=True)  # a folder where its JSON would go
    broken = tmp_path / "rikki.pdf"
    broken.write_bytes(b"%PDF-1.4\n")
    result = run_cli("extract", VALTORI_TXT, broken, KEHA_MD, SOURCES_TOML, "-o", out)
    assert result.returncode == EXIT_BAD_INPUT
    lines = result.stderr.splitlines()
    assert len(lines) == 3 and all(line.startswith("agreements: error: ") for line in lines), result.stderr
    assert lines[0].startswith(f"agreements: error: {out / 'valtori-tulossopimus-2024-2027-txt.json'}: cannot write")
    assert lines[1].startswith(f"agreements: error: {broken}: ")
    assert lines[2] == f"agreements: error: {SOURCES_TOML}: a TOML file, not a performance agreement"
    assert _tree(out) == ["keha-keskus-tulossopimus-2025-md.json"]


def test_two_inputs_with_one_json_name_the_second_is_refused(tmp_path):
    other = tmp_path / "muu" / VALTORI_TXT.name
    other.parent.mkdir()
    shutil.copyfile(VALTORI_TXT, other)
    out = tmp_path / "json"
    result = run_cli("extract", VALTORI_TXT, other, KEHA_MD, "-o", out)
    assert result.returncode == EXIT_BAD_INPUT
    assert assert_one_error_line(result) == (
        f"agreements: error: {other}: its JSON would overwrite that of {VALTORI_TXT} "
        f"({out / 'valtori-tulossopimus-2024-2027-txt.json'}); extract one of them on its own"
    )
    assert _tree(out) == ["keha-keskus-tulossopimus-2025-md.json", "valtori-tulossopimus-2024-2027-txt.json"]
