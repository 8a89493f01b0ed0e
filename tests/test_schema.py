"""The exported JSON Schema files are current, and the CLI's output validates against them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema

from schemas.export import MODELS, SCHEMA_DIR, render

ROOT = Path(__file__).resolve().parents[1]


def test_exported_schema_files_are_current():
    for name, model in MODELS.items():
        path = SCHEMA_DIR / f"{name}.schema.json"
        assert path.read_text(encoding="utf-8") == render(model), f"{path} is stale: run `agreements schema`"


def test_contract_fields_are_in_the_schema():
    schema = json.loads((SCHEMA_DIR / "agreement.schema.json").read_text(encoding="utf-8"))
    defs = schema["$defs"]
    assert set(schema["properties"]) >= {
        "schema_version",
        "source",
        "agreement",
        "sections",
        "tables",
        "goals",
        "indicators",
        "warnings",
    }
    assert set(defs["AgreementInfo"]["properties"]) >= {
        "title",
        "agency",
        "ministries",
        "period",
        "signed_on",
        "reference_numbers",
        "signatories",
        "series_id",
    }
    assert set(defs["Goal"]["properties"]) >= {"id", "title", "section_id", "parent_id", "targets", "provenance"}
    assert set(defs["Target"]["properties"]) >= {"year", "text", "satisfactory", "numbers", "provenance"}
    assert set(defs["Indicator"]["properties"]) >= {
        "id",
        "name",
        "unit",
        "scale",
        "table_id",
        "footnotes",
        "budget_target",
        "values",
    }
    assert set(defs["IndicatorValue"]["properties"]) >= {"year", "kind", "label", "value", "text", "provenance"}
    assert set(defs["Table"]["properties"]) >= {
        "id",
        "number",
        "caption",
        "section_id",
        "pages",
        "header",
        "rows",
        "footnotes",
    }


def test_diff_contract_fields_are_in_the_schema():
    schema = json.loads((SCHEMA_DIR / "agreement-diff.schema.json").read_text(encoding="utf-8"))
    defs = schema["$defs"]
    assert set(schema["properties"]) >= {"schema_version", "series_id", "old", "new", "changes", "summary"}
    assert set(schema["required"]) >= {"series_id", "old", "new", "changes", "summary"}
    assert set(defs["VersionRef"]["properties"]) >= {"sha256", "path", "signed_on"}
    change = defs["Change"]
    assert set(change["properties"]) >= {"change", "entity", "id", "path", "old", "new", "detail"}
    assert set(change["properties"]["change"]["enum"]) == {"added", "removed", "changed", "renamed", "confirmed"}
    assert set(change["properties"]["entity"]["enum"]) == {
        "agreement",
        "goal",
        "target",
        "indicator",
        "value",
        "table",
        "section",
    }
    assert set(defs["Summary"]["properties"]) >= {"total", "by_change", "by_entity"}


def test_cli_output_validates(tmp_path):
    out = tmp_path / "valtori.json"
    source = ROOT / "tests/fixtures/valtori-tulossopimus-2024-2027.txt"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", str(source), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads((SCHEMA_DIR / "agreement.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    assert document["agreement"]["agency"] == "Valtori"


def test_cli_writes_stdout_and_folders(tmp_path):
    sources = [
        ROOT / "tests/fixtures/valtori-tulossopimus-2024-2027.txt",
        ROOT / "tests/fixtures/keha-keskus-tulossopimus-2025.md",
    ]
    one = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", str(sources[1])], capture_output=True, text=True, check=False
    )
    assert one.returncode == 0 and json.loads(one.stdout)["agreement"]["agency"] == "KEHA-keskus"
    many = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", *map(str, sources), "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert many.returncode == 0, many.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "keha-keskus-tulossopimus-2025-md.json",
        "valtori-tulossopimus-2024-2027-txt.json",
    ]


def test_import_is_cheap():
    code = (
        "import sys, pipeline, pipeline.cli, pipeline.extract; "
        "heavy = [m for m in ('spacy', 'pdfplumber', 'prefect', 'libvoikko') if m in sys.modules]; "
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
