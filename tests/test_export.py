"""`agreements export`: the catalog's values and targets as CSV, JSON Lines and Parquet, read back: values in
base units, breakdown rows under their total, the PDF's pages for a version kept from its text, CSV that
Python's csv reads as it is, Finnish Excel's CSV, and no formula left live."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pyarrow.parquet as pq
import pytest
from clitools import assert_one_error_line, run_cli
from conftest import KEHA_MD, KEHA_PDF, VALTORI_PDF, VALTORI_TXT, extracted
from versions import VALTORI_REVISION, apply

from pipeline.export import TARGET_COLUMNS, VALUE_COLUMNS
from pipeline.extract import extract_file
from pipeline.store.catalog import Store


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    """A catalog of two Valtori versions and one KEHA version, stored without Prefect; the PDFs of the first
    Valtori version and of KEHA come after their text and Markdown, so they are kept as copies."""
    folder = tmp_path_factory.mktemp("export")
    revised = folder / "valtori-2025.txt"
    revised.write_text(apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION), encoding="utf-8")
    store = Store(folder / "output")
    with store.locked():
        for path in (VALTORI_TXT, revised, KEHA_MD, VALTORI_PDF, KEHA_PDF):
            store.add(extracted(path), origin="test", local_path=None)
    assert store.summary()["copies"] == 2
    return folder / "output"


def _csv(path):
    """The rows as Python's csv reads a UTF-8 file, the way its documentation opens one (no ``utf-8-sig``)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


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
        assert row_csv["printed"] == row_json["printed"] == row_pq["printed"]
        assert (float(row_csv["value"]) if row_csv["value"] else None) == row_json["value"] == row_pq["value"]


def test_a_value_row_says_where_it_comes_from(output, tmp_path):
    run_cli("export", "--output", output, "--to", tmp_path)
    rows = _csv(tmp_path / "values.csv")
    sla = [r for r in rows if r["indicator"] == "Tukipyyntöjen SLA, %" and r["year"] == "2026"]
    assert [(r["signed_on"], r["latest"], r["kind"], r["label"], r["value"], r["printed"]) for r in sla] == [
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
    assert first["source"] == "valtori-tulossopimus-2024-2027.txt" and first["line"] == "212"
    # the text has no pages; its PDF, ingested as a copy, prints that row on page 8 (checked in the PDF)
    assert (first["page"], first["page_source"]) == ("8", "valtori-tulossopimus-2024-2027.pdf")
    assert (sla[1]["page"], sla[1]["page_source"]) == ("", "")  # the revision has no PDF
    costs = next(r for r in rows if r["indicator"] == "Toiminnan kustannusvastaavuus, euroa" and r["year"] == "2022")
    assert (costs["value"], costs["printed"], costs["unit"]) == ("-272090", "-272 090", "EUR")


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
            (r["printed"], _num(r["value"]), r["comparator"] or None, _num(r["value_max"]))
            for r in rows
            if r["document_kind"] == "tulossopimus" and r["printed"] in {">85", "vähintään 88 %", "90–95"}
        ]
        assert got == expected, fmt


def _num(value):
    return float(value) if value not in (None, "") else None


def test_values_are_in_base_units_beside_the_printed_cell(output, tmp_path):
    """Python's csv reads the default CSV as it is: the first header is ``series_id`` (no BOM glued to it), and a
    cell of a table in thousands of euros is worth a thousand times its print."""
    assert run_cli("export", "--output", output, "--to", tmp_path).returncode == 0
    raw = (tmp_path / "values.csv").read_bytes()
    assert raw.startswith(b"series_id,document_kind,")
    rows = _csv(tmp_path / "values.csv")
    assert list(rows[0])[:2] == ["series_id", "document_kind"]
    costs = [
        r
        for r in rows
        if r["indicator"] == "Toiminnan kokonaiskustannukset, 1000 euroa"
        and r["year"] == "2022"
        and r["latest"] == "false"
    ]
    assert [(r["value"], r["printed"], r["scale"], r["unit"], r["page"]) for r in costs] == [
        ("419078000", "419 078", "1000", "EUR", "7")  # fixture line 194, PDF page 7
    ]


def test_breakdown_rows_name_their_total(output, tmp_path):
    """``- Tori-…`` and ``- Tuve-…`` under ``Yksikköhintojen kehitys`` (fixture lines 183–185) name it as their
    parent, so the rows with an empty ``parent_id`` hold each figure once; ``group`` is the goal printed above."""
    run_cli("export", "--output", output, "--to", tmp_path)
    rows = [r for r in _csv(tmp_path / "values.csv") if r["latest"] == "false" and r["table_number"] == "4"]
    total = next(r for r in rows if r["indicator"] == "Yksikköhintojen kehitys, (2023=100)")
    parts = sorted({(r["indicator"], r["parent_id"]) for r in rows if r["parent_id"]})
    assert parts == [
        ("Tori-yksikköhintojen kehitys (2023=100)", total["indicator_id"]),
        ("Tuve-yksikköhintojen kehitys (2023=100)", total["indicator_id"]),
    ]
    assert total["parent_id"] == ""
    tori = next(r for r in rows if r["indicator"].startswith("Tori-") and r["year"] == "2022")
    assert (tori["printed"], tori["value"]) == ("100,3", "100.3")  # fixture line 184
    goal = "Valtori tuottaa palvelustrategiatyön avulla pitkäkätäimen kattavan suunnitelman palveluvalikoiman ja "
    grouped = {r["indicator"] for r in _csv(tmp_path / "values.csv") if r["group"].startswith(goal)}
    assert grouped == {
        "Kehitykseen käytetty osuus kokonaiskustannuksista, %",
        "Kehitykseen käytetty osuus kokonaishenkilötyövuosimäärästä, %",
    }


def test_targets_get_the_pdf_pages_of_a_version_kept_from_markdown(output, tmp_path):
    run_cli("export", "--output", output, "--to", tmp_path)
    keha = [r for r in _csv(tmp_path / "targets.csv") if r["series_id"] == "keha-keskus-yleishallinto"]
    assert keha and all(r["source"] == "keha-keskus-tulossopimus-2025.md" for r in keha)
    assert all(r["page"] and r["page_source"] == "keha-keskus-tulossopimus-2025.pdf" for r in keha)
    target = next(r for r in keha if r["text"].startswith("KEHA-keskus on toteuttanut LVV:lle siirtymäajan"))
    assert (target["year"], target["page"], target["line"]) == ("2026", "5", "151")  # PDF page 5, .md line 151


def test_a_copy_recorded_without_its_extraction_is_said(output, tmp_path):
    """A catalog from before copies kept their extraction: the rows have no page, and the export says why."""
    old = tmp_path / "old"
    shutil.copytree(output, old)
    catalog = json.loads((old / "catalog.json").read_text(encoding="utf-8"))
    for series in catalog["series"].values():
        for version in series["versions"]:
            for copy in version["copies"]:
                del copy["json_path"]
    (old / "catalog.json").write_text(json.dumps(catalog), encoding="utf-8")
    result = run_cli("export", "--output", old, "--to", tmp_path / "x")
    assert result.returncode == 0, result.stderr
    assert sorted(result.stderr.splitlines()) == [
        "agreements: warning: keha-keskus-yleishallinto 2025-01-27: its PDF keha-keskus-tulossopimus-2025.pdf was "
        "recorded without its extraction (before copies kept one), so its rows have no page",
        "agreements: warning: valtori 2023-12-13: its PDF valtori-tulossopimus-2024-2027.pdf was recorded without "
        "its extraction (before copies kept one), so its rows have no page",
    ]
    assert {r["page"] for r in _csv(tmp_path / "x" / "values.csv")} == {""}


def test_finnish_excel_csv(output, tmp_path):
    """``--excel-fi``: semicolons, decimal commas, no thousands separators in numbers, and the BOM Excel needs."""
    result = run_cli("export", "--output", output, "--to", tmp_path, "--excel-fi")
    assert result.returncode == 0, result.stderr
    raw = (tmp_path / "values.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfseries_id;document_kind;agency;")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    sla = next(r for r in rows if r["indicator"] == "Tukipyyntöjen SLA, %" and r["label"] == "Alustava tavoite 2026")
    assert (sla["value"], sla["printed"]) == ("93,5", "93,5")  # fixture line 212
    costs = next(r for r in rows if r["indicator"] == "Toiminnan kokonaiskustannukset, 1000 euroa")
    assert (costs["value"], costs["scale"]) == ("419078000", "1000")
    assert "419 078 000" not in raw.decode("utf-8-sig")
    assert not any("." in r["value"] for r in rows)
    decimal_only = run_cli("export", "--output", output, "--to", tmp_path / "d", "--decimal-comma")
    assert decimal_only.returncode == 0
    text = (tmp_path / "d" / "values.csv").read_text(encoding="utf-8")
    assert text.startswith("series_id,") and ',"93,5",' in text  # a comma delimiter quotes a decimal comma
    excel = run_cli("export", "--output", output, "--to", tmp_path / "e", "--excel")
    assert excel.returncode == 0
    assert (tmp_path / "e" / "values.csv").read_bytes().startswith(b"\xef\xbb\xbfseries_id,document_kind,")


def test_excel_fi_with_another_delimiter_is_refused(output, tmp_path):
    result = run_cli("export", "--output", output, "--to", tmp_path, "--excel-fi", "--delimiter", ",")
    assert result.returncode == 2
    assert assert_one_error_line(result) == "agreements: error: --excel-fi writes ';', not ',': leave out --delimiter"
    assert list(tmp_path.iterdir()) == []


def test_decimal_arithmetic_and_formulas_left_dead(tmp_path):
    """A table in millions of euros: ``1,1`` is 1100000 (a float product would be 1100000.0000000002); text that a
    spreadsheet would run gets a leading ``'``, while ``-5`` and ``+3,2`` stay numbers."""
    source = tmp_path / "keksitty.txt"
    source.write_text(
        "Valtiovarainministeriön ja Kuvitteellisen Palvelukeskuksen välinen tulossopimus vuosille 2025–2026\n\n"
        "Taulukko 1. Toiminnan talous (milj. euroa)\n"
        "mittari\tToteuma 2024\tTavoite 2025\tTavoite 2026\n"
        "Toimintamenot\t1,1\t0,1\t-5\n"
        '=HYPERLINK("http://example.invalid/x";"klik")\t+3,2\t@SUM(A1)\t=1+2\n',
        encoding="utf-8",
    )
    store = Store(tmp_path / "output")
    with store.locked():
        store.add(extract_file(source), origin="test", local_path=None)
    for options, delimiter in (((), ","), (("--excel-fi",), ";")):
        folder = tmp_path / f"x{delimiter}"
        assert run_cli("export", "--output", tmp_path / "output", "--to", folder, *options).returncode == 0
        text = (folder / "values.csv").read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
        got = [(r["indicator"], r["printed"], r["value"], r["scale"]) for r in rows]
        assert got == [
            ("Toimintamenot", "1,1", "1100000", "1000000"),
            ("Toimintamenot", "0,1", "100000", "1000000"),
            ("Toimintamenot", "-5", "-5000000", "1000000"),
            ('\'=HYPERLINK("http://example.invalid/x";"klik")', "+3,2", "3200000", "1000000"),
            ('\'=HYPERLINK("http://example.invalid/x";"klik")', "'@SUM(A1)", "", "1000000"),
            ('\'=HYPERLINK("http://example.invalid/x";"klik")', "'=1+2", "", "1000000"),
        ]
    jsonl = run_cli("export", "--format", "jsonl", "--output", tmp_path / "output", "--to", tmp_path / "j")
    assert jsonl.returncode == 0
    lines = (tmp_path / "j" / "values.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    assert (first["value"], first["printed"]) == (1100000, "1,1")  # JSON keeps the text as written: no formulas there
    assert json.loads(lines[3])["indicator"].startswith("=HYPERLINK(")


@pytest.mark.parametrize("delimiter", ['"', ";;", "\n"])
def test_a_delimiter_csv_cannot_write_is_refused(output, tmp_path, delimiter):
    result = run_cli("export", "--output", output, "--to", tmp_path, "--delimiter", delimiter)
    assert result.returncode == 2
    assert assert_one_error_line(result) == (
        f"agreements: error: --delimiter must be one character, not a quote or a newline: {delimiter!r}"
    )
    assert list(tmp_path.iterdir()) == []


def test_pandas_reads_both_csvs_as_they_are(output, tmp_path):
    """pandas, with its defaults, reads the default CSV (and ``--excel-fi``'s with ``sep=';', decimal=','``):
    the first column is ``series_id``, values are numbers in base units, and their sum is the sum of the rows."""
    import pandas as pd

    assert run_cli("export", "--output", output, "--to", tmp_path / "plain").returncode == 0
    assert run_cli("export", "--output", output, "--to", tmp_path / "fi", "--excel-fi").returncode == 0
    plain = pd.read_csv(tmp_path / "plain" / "values.csv", dtype={"printed": str})
    fi = pd.read_csv(tmp_path / "fi" / "values.csv", sep=";", decimal=",", encoding="utf-8-sig", dtype={"printed": str})
    assert list(plain.columns) == list(VALUE_COLUMNS) == list(fi.columns)
    assert plain["value"].dtype.kind == "f" and fi["value"].dtype.kind == "f"
    costs = plain[(plain["indicator"] == "Toiminnan kokonaiskustannukset, 1000 euroa") & (plain["year"] == 2022)]
    assert set(costs["value"]) == {419_078_000.0}  # fixture line 194: 419 078 in thousands of euros
    sla = fi[(fi["indicator"] == "Tukipyyntöjen SLA, %") & (fi["label"] == "Alustava tavoite 2026")]
    assert sorted(zip(sla["latest"], sla["value"], strict=True)) == [(False, 93.5), (True, 94.0)]  # line 212, revised
    assert plain["value"].sum() == pytest.approx(fi["value"].sum())
    assert len(plain) == len(_csv(tmp_path / "plain" / "values.csv"))


def test_a_corrupt_catalog_is_one_line(tmp_path):
    (tmp_path / "catalog.json").write_text('{"series": ', encoding="utf-8")
    result = run_cli("export", "--output", tmp_path, "--to", tmp_path / "exports")
    assert result.returncode == 1
    assert "catalog.json" in assert_one_error_line(result)
    assert not (tmp_path / "exports").exists()
