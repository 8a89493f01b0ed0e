"""Never silent: the numbers that stand in table-like regions and how many became values, a warning naming
every region that gave none, and a document with neither goals nor indicators extracted with a warning.

The fixtures are invented. Text regions are built as a ``Layout`` (a paragraph whose source lines look like
a table), so the tests hold whatever a reader learns to read; tab tables go through the real text reader.
"""

from __future__ import annotations

import json

import pytest
from clitools import run_cli
from conftest import VALTORI_PDF, VALTORI_TXT, extracted

from pipeline.extract import extract_file
from pipeline.extract.agreement import build_agreement
from pipeline.extract.coverage import NO_CONTENT, describe, header_years, is_low, trailing_cells
from pipeline.layout import Block, Cell, Layout, Provenance
from pipeline.segment.outline import segment
from schemas.agreement import Coverage, Source

TITLE = "Valtiovarainministeriön ja Kuvitteellisen Palvelukeskuksen välinen tulossopimus vuosille 2025–2027"


@pytest.mark.parametrize(
    ("line", "columns", "cells"),
    [
        ("Kenttätyö 12 34 56", None, 3),
        ("Jäsenmaksut 515 000", None, 1),  # one amount: a list, not a table
        ("Jäsenmaksut 515 000", 3, 1),
        ("Menot yhteensä 512 340 498 120 505 900", None, 1),  # may be one number
        ("Menot yhteensä 512 340 498 120 505 900", 3, 3),  # under three years: three cells
        ("2026 talousarvio 505 900 000", 3, 1),  # "000" is never a number of its own
        ("Sähköiset hakemukset, % 91 >85 >85", None, 3),
        ("Poissaolot, pv/htv 9,6 <8,5 <8,5", None, 3),
        ("Käsittelyaika alle 18 alle 17", None, 2),
        ("Osuus, % 45,1 - 44", 3, 2),  # the dash is a cell, without a number
        ("Tulot yhteensä 41 2 7 38 5 1 39 9 0", 3, 3),  # garbled by a converter: no more cells than columns
        ("Lisärahoitus (HO 2023) 1 400", None, 1),
        ("Vuonna 2023 asiakkaita oli keskimäärin 3 143.", None, 0),
    ],
)
def test_the_numeric_cells_that_end_a_line(line, columns, cells):
    assert trailing_cells(line, columns) == cells


@pytest.mark.parametrize(
    ("line", "years"),
    [
        ("2024 toteutuma 2025 tavoite 2026 tavoite", [2024, 2025, 2026]),
        ("2024 2025 2026", [2024, 2025, 2026]),
        ("Toteuma 2022 Arvio 2023 v. 2024", [2022, 2023, 2024]),
        ("Määrä kasvaa vuosina 2024 ja 2025 noin 5", []),  # a number that is no year: not a header
        ("Tavoitteena on, että vuosina 2024 ja 2025 kasvu jatkuu.", []),  # a sentence
    ],
)
def test_header_years(line, years):
    assert header_years(line) == years


def _paragraph(first_line: int, lines: list[str]) -> Block:
    return Block("paragraph", Provenance(line=first_line), lines=lines)


def _tab_table(first_line: int, rows: list[list[str]]) -> Block:
    cells = [
        [Cell([text] if text else [], Provenance(line=first_line + i)) for text in row] for i, row in enumerate(rows)
    ]
    return Block("table", Provenance(line=first_line), rows=cells)


def _agreement(*blocks: Block):
    layout = Layout(format="text", blocks=[_paragraph(1, [TITLE]), *blocks])
    return build_agreement(segment(layout), Source(path="keksitty.txt", sha256="0" * 64, format="text"))


INDICATOR_TABLE = [
    ["mittari", "Toteuma 2024", "Tavoite 2025", "Tavoite 2026"],
    ["Käsittelyaika, pv", "30", "28", "26"],
    ["Asiakastyytyväisyys (1-5)", "3,9", "4,0", "tbd"],
]


def test_a_numbers_table_left_as_text_gets_a_warning_with_its_line():
    agreement = _agreement(
        _paragraph(3, ["Taulukko 1. Palvelukyky"]),
        _tab_table(4, INDICATOR_TABLE),
        _paragraph(8, ["Henkilöstö kehittyy seuraavasti.", "2024 2025 2026", "Kenttätyö 12 34 56", "Hallinto 7 8 9"]),
    )
    # the tab table: 5 numeric cells read ("tbd" holds no number); the text: 6 numeric cells under its years
    assert agreement.coverage == Coverage(cells_seen=11, cells_extracted=5, regions_without_values=1)
    assert "a table-like region at line 9 (6 numeric cells) gave no indicator values" in agreement.warnings
    assert is_low(agreement.coverage) and describe(agreement.coverage) == (
        "5 of 11 numeric cells (45%), 1 table-like region without values"
    )


def test_a_converter_header_one_cell_per_line_and_thousands_groups():
    lines = [
        "Toiminnan menot (1 000 euroa)",
        "2024",
        "toteutuma",
        "2025",
        "varsinainen",
        "talousarvio",
        "2026",
        "esitys",
        "Menot yhteensä 512 340 498 120 505 900",
        "Tulot 4 210 3 900 4 000",
        "— siirtynyt edelliseltä vuodelta 61 200",  # one amount: no row
        "2026 talousarvio 505 900 000",  # one amount: no row
    ]
    agreement = _agreement(_tab_table(3, INDICATOR_TABLE), _paragraph(20, lines))
    assert agreement.coverage == Coverage(cells_seen=11, cells_extracted=5, regions_without_values=1)
    assert "a table-like region at line 21 (6 numeric cells) gave no indicator values" in agreement.warnings


def test_lines_of_single_amounts_and_prose_are_no_table():
    agreement = _agreement(
        _tab_table(3, INDICATOR_TABLE),
        _paragraph(
            8,
            [
                "Määrärahan mitoituksessa otetut muutokset (1 000 euroa)",
                "Jäsenmaksut 515 000",
                "Tilojen vuokrat -1 250",
                "Yhteensä 513 750",
                "Vuonna 2023 asiakkaita oli keskimäärin 3 143. Määrän arvioidaan kasvavan 2 %.",
            ],
        ),
    )
    assert agreement.coverage == Coverage(cells_seen=5, cells_extracted=5, regions_without_values=0)
    assert not [w for w in agreement.warnings if "table-like" in w]
    assert not is_low(agreement.coverage)


# Two tab tables: one whose "Muutos, %" column names no year, one with no years at all.
OFFICES = (
    f"{TITLE}\n\n"
    "Taulukko 1. Palvelukyky\n"
    "mittari\tToteuma 2024\tTavoite 2025\tMuutos, %\n"  # line 4
    "Käsittelyaika, pv\t30\t28\t-6,7\n"
    "Jonotusaika, min\t12\t10\t-16,7\n\n"
    "Taulukko 2. Toimipaikat\n"
    "Toimipaikka\tHenkilöä\tNeliöt\n"  # line 9
    "Pori\t120\t2 400\n"
    "Oulu\t80\t1 900\n"
)


def test_a_table_without_years_is_named_and_a_column_without_a_year_is_no_miss(tmp_path):
    """Through the real text reader: tab tables are table blocks whatever the reader learns next."""
    path = tmp_path / "keksitty.txt"
    path.write_text(OFFICES, encoding="utf-8")
    agreement = extract_file(path)
    # Under a year header only the years' cells count: "Muutos, %" names no year and holds no value by
    # design, so table 1 is read whole; table 2 has no year header and gave nothing.
    assert agreement.coverage == Coverage(cells_seen=8, cells_extracted=4, regions_without_values=1)
    assert not [w for w in agreement.warnings if w.startswith("a table-like region at line 4")]
    assert "a table-like region at line 9 (table t2, 4 numeric cells) gave no indicator values" in agreement.warnings


@pytest.mark.parametrize("path", [VALTORI_TXT, VALTORI_PDF], ids=["text", "pdf"])
def test_valtori_coverage_is_every_numeric_cell_of_its_tables(path):
    agreement = extracted(path)
    # The gold has 277 values; 14 of them hold no number (6 "Viite: Taulukko 7", 2 "Uusi mittari, ei
    # toteumaa", 6 "tbd"). Goal tables (years in the first column) are the goals' and not counted.
    assert agreement.coverage == Coverage(cells_seen=263, cells_extracted=263, regions_without_values=0)
    assert not [w for w in agreement.warnings if "table-like" in w]
    assert NO_CONTENT not in agreement.warnings


FIRST_PAGE = f"""{TITLE}

VM/2041/00.01.00/2024

Helsinki 12.12.2024

1 Johdanto

Tässä tulossopimuksessa sovitaan palvelukeskuksen tavoitteista ja voimavaroista vuosille 2025–2027.
"""


def test_a_first_page_alone_is_extracted_with_a_warning(tmp_path):
    path = tmp_path / "ensimmainen-sivu.txt"
    path.write_text(FIRST_PAGE, encoding="utf-8")
    agreement = extract_file(path)
    assert agreement.goals == [] and agreement.indicators == []
    assert agreement.agreement.title == TITLE
    assert NO_CONTENT in agreement.warnings
    assert agreement.coverage == Coverage()
    # The command writes what it has and says so: exit 0, the warning on stderr.
    out = tmp_path / "out.json"
    result = run_cli("extract", path, "-o", out)
    assert result.returncode == 0
    assert result.stderr == f"agreements: warning: {path}: {NO_CONTENT}\n"
    assert json.loads(out.read_text(encoding="utf-8"))["agreement"]["title"] == TITLE


def test_a_document_that_is_no_agreement_is_still_refused(tmp_path):
    path = tmp_path / "muistio.txt"
    path.write_text("Muistio\n\nKokous pidettiin 3.2.2025. Paikalla oli viisi henkeä.\n", encoding="utf-8")
    result = run_cli("extract", path)
    assert result.returncode == 3 and "not a performance agreement" in result.stderr


def test_evaluate_lists_the_documents_with_low_coverage(tmp_path):
    from conftest import FIXTURES

    from pipeline.evaluate import evaluate, load_gold, render_coverage

    path = tmp_path / "keksitty.txt"
    path.write_text(OFFICES, encoding="utf-8")
    gold = load_gold(FIXTURES.parent / "gold" / "valtori-tulossopimus-2024-2027.yaml")
    evaluations = [evaluate(extracted(VALTORI_TXT), gold), evaluate(extract_file(path), gold)]
    assert [e.low_coverage for e in evaluations] == [False, True]
    assert render_coverage(evaluations) == (
        "\nLow coverage (a table-like region without values, or under 95% of the numbers read):\n"
        f"  {path} (text): 4 of 8 numeric cells (50%), 1 table-like region without values\n"
    )
    assert render_coverage(evaluations[:1]) == ""
