"""`agreements export`: the catalog's values and targets as CSV, JSON Lines and Parquet, read back."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pyarrow.parquet as pq
import pytest
from clitools import assert_one_error_line, run_cli
from conftest import KEHA_MD, VALTORI_TXT, extracted
from versions import VALTORI_REVISION, apply

from pipeline.export import TARGET_COLUMNS, VALUE_COLUMNS
from pipeline.extract import extract_file
from pipeline.store.catalog import Store


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    """A catalog of two Valtori versions and one KEHA version, stored without Prefect."""
    folder = tmp_path_factory.mktemp("export")
    revised = folder / "valtori-2025.txt"
    revised.write_text(apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION), encoding="utf-8")
    store = Store(folder / "output")
    with store.locked():
        for path in (VALTORI_TXT, revised, KEHA_MD):
            store.add(extracted(path), origin="test", local_path=None)
    return folder / "output"


def _csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel shows ä and ö
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_three_formats_hold_the_same_rows(output, tmp_path):
    result = run_cli("export", "--format", "all", "--output", output, "--to", tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "targets.csv",
        "targets.jsonl",
        "targets.parquet",
        "values.csv",
        "values.jsonl",
        "values.parquet",
    ]
    values = _csv(tmp_path / "values.csv")
    targets = _csv(tmp_path / "targets.csv")
    # Valtori: 277 values in 2024, 277 - 11 removed + 6 added in the revision; KEHA has none.
    assert len(values) == 277 + 272 and list(values[0]) == VALUE_COLUMNS
    # Valtori 27 targets, its revision 27 (one dropped, one added), KEHA 47.
    assert len(targets) == 27 + 27 + 47 and list(targets[0]) == TARGET_COLUMNS
    jsonl = [json.loads(line) for line in (tmp_path / "values.jsonl").read_text(encoding="utf-8").splitlines()]
    parquet = pq.read_table(tmp_path / "values.parquet").to_pylist()
    assert len(jsonl) == len(parquet) == len(values)
    assert len(pq.read_table(tmp_path / "targets.parquet")) == len(targets)
    for row_csv, row_json, row_pq in zip(values, jsonl, parquet, strict=True):
        assert row_csv["text"] == row_json["text"] == row_pq["text"]
        assert (float(row_csv["value"]) if row_csv["value"] else None) == row_json["value"] == row_pq["value"]


def test_a_value_row_says_where_it_comes_from(output, tmp_path):
    run_cli("export", "--output", output, "--to", tmp_path)
    rows = _csv(tmp_path / "values.csv")
    sla = [r for r in rows if r["indicator"] == "Tukipyyntöjen SLA, %" and r["year"] == "2026"]
    assert [(r["signed_on"], r["latest"], r["kind"], r["label"], r["value"], r["text"]) for r in sla] == [
        ("2023-12-13", "false", "preliminary_target", "Alustava tavoite 2026", "93.5", "93,5"),
        ("2024-12-16", "true", "preliminary_target", "Alustava tavoite 2026", "94", "94"),
    ]
    first = sla[0]
    assert (first["series_id"], first["document_kind"], first["agency"], first["unit"], first["table_number"]) == (
        "valtori",
        "tulossopimus",
        "Valtori",
        "%",
        "7",
    )
    assert first["source"] == "valtori-tulossopimus-2024-2027.txt" and first["line"] == "212" and first["page"] == ""
    costs = next(r for r in rows if r["indicator"] == "Toiminnan kustannusvastaavuus, euroa" and r["year"] == "2022")
    assert (costs["value"], costs["text"], costs["unit"]) == ("-272090", "-272 090", "EUR")


def test_target_rows_and_finnish_excel_delimiter(output, tmp_path):
    result = run_cli("export", "--output", output, "--to", tmp_path, "--delimiter", ";")
    assert result.returncode == 0, result.stderr
    raw = (tmp_path / "targets.csv").read_bytes().decode("utf-8-sig")
    assert raw.splitlines()[0].startswith("series_id;document_kind;agency;signed_on;")
    rows = list(csv.DictReader(io.StringIO(raw, newline=""), delimiter=";"))
    hanke = [r for r in rows if r["goal_number"] == "Hanke 1" and r["year"] == "2025"]
    assert [(r["latest"], r["numbers"]) for r in hanke] == [("false", "75%"), ("true", "75%")]
    assert hanke[0]["parent_goal"].startswith("Valtori tuottaa palvelustrategiatyön avulla")
    keha = next(r for r in rows if r["goal"] == "Asiakaspalvelutyytyväisyys" and r["year"] == "2025")
    assert (keha["series_id"], keha["period_start"], keha["period_end"]) == (
        "keha-keskus-yleishallinto",
        "2025",
        "2025",
    )


def test_parquet_types_are_numbers_and_dates(output, tmp_path):
    run_cli("export", "--format", "parquet", "--output", output, "--to", tmp_path)
    schema = pq.read_schema(tmp_path / "values.parquet")
    assert [str(schema.field(c).type) for c in ("signed_on", "year", "value", "latest", "page")] == [
        "date32[day]",
        "int32",
        "double",
        "bool",
        "int32",
    ]


def test_export_without_a_catalog_is_refused(tmp_path):
    result = run_cli("export", "--output", tmp_path)
    assert result.returncode == 2
    assert (
        assert_one_error_line(result)
        == f"agreements: error: {tmp_path}: no catalog.json (run `agreements ingest` first)"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_default_folder_is_output_exports(output, tmp_path):
    copy = tmp_path / "output"
    shutil.copytree(output, copy)
    assert run_cli("export", "--format", "jsonl", "--output", copy).returncode == 0
    assert sorted(p.name for p in (copy / "exports").iterdir()) == ["targets.jsonl", "values.jsonl"]


def test_comparisons_ranges_and_the_document_kind_in_every_format(tmp_path):
    """``>85`` keeps 85 and ``>``, ``90–95`` is 90 up to 95; a budget proposal section says so in its rows."""
    source = tmp_path / "keksitty.txt"
    source.write_text(
        "Valtiovarainministeriön ja Kuvitteellisen Palvelukeskuksen välinen tulossopimus vuosille 2025–2026\n\n"
        "Taulukko 1. Palvelukyky\n"
        "mittari\tToteuma 2024\tTavoite 2025\tTavoite 2026\n"
        "Sähköiset hakemukset, %\t91\t>85\tvähintään 88 %\n"
        "Tyytyväisyys, %\t93\t90–95\t-\n",
        encoding="utf-8",
    )
    agreement = extract_file(source)
    proposal = agreement.model_copy(deep=True)
    proposal.document.kind = "talousarvioesitys"
    proposal.agreement.series_id = "keksitty-talousarvioesitys"
    proposal.source.sha256 = "f" * 64
    store = Store(tmp_path / "output")
    with store.locked():
        store.add(agreement, origin="test", local_path=None)
        store.add(proposal, origin="test", local_path=None)
    assert store.catalog.series["keksitty-talousarvioesitys"].kind == "talousarvioesitys"
    run_cli("export", "--format", "all", "--output", tmp_path / "output", "--to", tmp_path / "x")
    jsonl = [json.loads(line) for line in (tmp_path / "x" / "values.jsonl").read_text(encoding="utf-8").splitlines()]
    by_format = {
        "csv": _csv(tmp_path / "x" / "values.csv"),
        "jsonl": jsonl,
        "parquet": pq.read_table(tmp_path / "x" / "values.parquet").to_pylist(),
    }
    expected = [(">85", 85.0, ">", None), ("vähintään 88 %", 88.0, ">=", None), ("90–95", 90.0, None, 95.0)]
    for fmt, rows in by_format.items():
        assert len(rows) == 12, fmt  # two series, six cells each (the "-" cell is kept as text)
        kinds = sorted({(r["series_id"], r["document_kind"]) for r in rows})
        assert kinds == sorted(
            [("keksitty-talousarvioesitys", "talousarvioesitys"), (agreement.agreement.series_id, "tulossopimus")]
        )
        got = [
            (r["text"], _num(r["value"]), r["comparator"] or None, _num(r["value_max"]))
            for r in rows
            if r["document_kind"] == "tulossopimus" and r["text"] in {">85", "vähintään 88 %", "90–95"}
        ]
        assert got == expected, fmt


def _num(value):
    return float(value) if value not in (None, "") else None
