"""Text from any converter gives what its source gives: values, goals and targets.

``fixtures/converters/`` holds what real converters made of two fixtures (see its README and
``tools/make_converters.py``): the invented budget section and the Valtori agreement rendered to PDF
by LibreOffice, that PDF as ``pdftotext -layout`` and plain ``pdftotext`` write it, and Markdown as
Docling and marker write it. Each must give the indicator values (name, year, kind, value) and the
goals and targets of its source, as the hand-checked lists in ``test_budget.py`` and ``test_valtori.py``
give them. Where a converter destroys what the values need, the case is an expected failure that says
what was lost.
"""

from __future__ import annotations

import re

import pytest
from conftest import FIXTURES, VALTORI_TXT
from test_budget import VALUES_2025
from test_valtori import GOALS, TABLES, _expected

from pipeline.extract import extract_file
from pipeline.readers.markdown import read_markdown
from pipeline.readers.text import read_text

CONVERTERS = FIXTURES / "converters"
VALTORI_PART = ("t4", "t5", "t6", "t7")  # the tables of section 3.2 in the Markdown part of Valtori

COLUMN_WISE = pytest.mark.xfail(
    reason="plain pdftotext writes a table column by column (the names, then each column's cells in blocks "
    "that break at sub-headings and interleave with the next column's), so which cell belongs to which row "
    "is lost",
    strict=True,
)

# (file, source, what the format carries: "values", "goals")
CASES = [
    ("saaristovirasto-2025-pdftotext-layout.txt", "budget"),
    pytest.param("saaristovirasto-2025-pdftotext.txt", "budget", marks=COLUMN_WISE),
    ("saaristovirasto-2025-docling.md", "budget"),
    ("saaristovirasto-2025-marker.md", "budget"),
    ("valtori-pdftotext-layout.txt", "valtori"),
    pytest.param("valtori-pdftotext.txt", "valtori", marks=COLUMN_WISE),
    ("valtori-docling.md", "valtori-part"),
    ("valtori-marker.md", "valtori-part"),
    ("valtori.pdf", "valtori"),
]
GOAL_CASES = [
    ("saaristovirasto-2025-pdftotext-layout.txt", "budget"),
    ("saaristovirasto-2025-pdftotext.txt", "budget"),  # the goals are a dash list, not a table
    ("saaristovirasto-2025-docling.md", "budget"),
    ("saaristovirasto-2025-marker.md", "budget"),
    ("valtori-pdftotext-layout.txt", "valtori"),
    pytest.param(
        "valtori-pdftotext.txt",
        "valtori",
        marks=pytest.mark.xfail(
            reason="Valtori's goals and targets are tables (year | target), which plain pdftotext writes column "
            "by column: every year first, then every target",
            strict=True,
        ),
    ),
    ("valtori-docling.md", "valtori-part"),
    ("valtori-marker.md", "valtori-part"),
    ("valtori.pdf", "valtori"),
]

_cache: dict[str, object] = {}


def extracted(name: str):
    if name not in _cache:
        _cache[name] = extract_file(CONVERTERS / name, root=CONVERTERS)
    return _cache[name]


def expected_values(source: str) -> list[tuple]:
    if source == "budget":
        return [(name, year, kind, value) for name, *_, cells in VALUES_2025 for year, kind, value, *_ in cells]
    tables = sorted(TABLES) if source == "valtori" else VALTORI_PART
    return [
        (name, year, kind, value if value is not None else text)
        for table in TABLES
        if table in tables
        for name, _unit, _scale, _flag, cells in _expected(table)
        for year, kind, value, text in cells
    ]


def values(agreement) -> list[tuple]:
    return [
        (i.name, v.year, v.kind, v.value if v.value is not None else v.text)
        for i in agreement.indicators
        for v in i.values
    ]


def expected_goals(source: str) -> list[tuple]:
    if source == "budget":
        return [
            ("Yhteysalusliikenne on luotettavaa ja aikataulut pitävät kaikkina vuodenaikoina.", []),
            ("Alusten päästöt vähenevät siirtymällä sähkö- ja hybridikäyttöön.", []),
            ("Henkilöstö voi hyvin.", []),
        ]
    goals = GOALS if source == "valtori" else [g for g in GOALS if g[0] == "t8"]
    return [(table, number, title, years) for table, number, title, years, _parent in goals]


def goals(agreement, source: str) -> list[tuple]:
    if source == "budget":
        return [(g.title, [t.year for t in g.targets]) for g in agreement.goals]
    expected = expected_goals(source)
    got = [(g.table_id, g.number, g.title, [t.year for t in g.targets]) for g in agreement.goals]
    # A goal's title is compared by its start, as test_valtori does: the titles run on into their text.
    return [
        (table, number, want[2] if title.startswith(want[2]) else title, years)
        for (table, number, title, years), want in zip(got, expected + [("", "", "", [])] * len(got), strict=False)
    ]


@pytest.mark.parametrize(("name", "source"), CASES)
def test_values_are_those_of_the_source(name, source):
    assert values(extracted(name)) == expected_values(source)


@pytest.mark.parametrize(("name", "source"), GOAL_CASES)
def test_goals_and_targets_are_those_of_the_source(name, source):
    assert goals(extracted(name), source) == expected_goals(source)


SOURCES = {"budget": FIXTURES / "budget" / "saaristovirasto-2025.txt", "valtori": VALTORI_TXT}


def region_warnings(agreement) -> list[str]:
    """The warnings about table-like regions, without the line they name (lines differ by format)."""
    return [re.sub(r"line \d+ ", "", w) for w in agreement.warnings if "table-like region" in w]


@pytest.mark.parametrize(
    ("name", "source"),
    [("saaristovirasto-2025-pdftotext-layout.txt", "budget"), ("valtori-pdftotext-layout.txt", "valtori")],
)
def test_layout_text_reads_every_table_and_drops_page_marks(name, source):
    agreement = extracted(name)
    reference = extract_file(SOURCES[source], root=FIXTURES)
    assert not any("(11)" in i.name or "32.30" in i.name for i in agreement.indicators)
    assert all(i.provenance.line and all(v.provenance.line for v in i.values) for i in agreement.indicators)
    # every table-like region is read as the source's is: the budget's share column ("osuus (%)") alone is no values
    assert region_warnings(agreement) == region_warnings(reference)
    assert (agreement.coverage.cells_seen, agreement.coverage.cells_extracted) == (
        reference.coverage.cells_seen,
        reference.coverage.cells_extracted,
    )
    assert [(t.id, t.caption, t.header) for t in agreement.tables] == [
        (t.id, t.caption, t.header) for t in reference.tables
    ]


@pytest.mark.parametrize(
    ("name", "source", "dropped"),
    [
        ("saaristovirasto-2025-pdftotext-layout.txt", "budget", set()),
        # Docling and marker drop the page headers ("32.30 141"), which alone give the budget item's number
        ("saaristovirasto-2025-docling.md", "budget", {"title"}),
        ("saaristovirasto-2025-marker.md", "budget", {"title"}),
        ("valtori-pdftotext-layout.txt", "valtori", set()),
    ],
)
def test_sections_and_metadata_are_those_of_the_source(name, source, dropped):
    """Headings and paragraphs without blank lines between them: the outline and the first page read the same."""
    agreement = extracted(name)
    reference = extract_file(SOURCES[source], root=FIXTURES)
    assert [(s.number, s.title, s.level) for s in agreement.sections] == [
        (s.number, s.title, s.level) for s in reference.sections
    ]
    got, want = agreement.agreement.model_dump(), reference.agreement.model_dump()
    assert {k: v for k, v in got.items() if k not in dropped} == {k: v for k, v in want.items() if k not in dropped}
    assert agreement.document.kind == reference.document.kind


def test_budget_pdf_reads_as_its_text():
    """The budget section's PDF, read by the PDF reader, gives the values and goals of its text: its cells
    are set to the bottom (a wrapped name's values stand on its last line: ``Sähkö- ja hybridialusten
    osuus liikennöidystä`` / ``kapasiteetista, % 22 28 35``), a sub-heading (``Toiminnallinen tehokkuus``)
    is a row of its own, the appropriation's history (``2025 talousarvio 48 210 000``) is no table, the
    goals are a dash list and ``1) …`` under a table is its footnote."""
    budget = extracted("saaristovirasto-2025.pdf")
    assert values(budget) == expected_values("budget")
    assert goals(budget, "budget") == expected_goals("budget")


def test_plain_pdftotext_tables_are_said_to_be_unreadable_not_misread():
    """Column by column, no cell can be tied to its row: nothing is read, and the reader says so."""
    budget = extracted("saaristovirasto-2025-pdftotext.txt")
    assert budget.indicators == []
    assert any(
        w.startswith("line 55: the table with the header '2023 toteutuma | 2024 arvio | 2025 tavoite' (line 46) is "
                     "written column by column") for w in budget.warnings
    )  # fmt: skip
    valtori = extracted("valtori-pdftotext.txt")
    assert valtori.indicators == []
    assert sum("written column by column" in w for w in valtori.warnings) >= 4


# --- the readers on small invented pieces of text ------------------------------------------------


def table_rows(layout) -> list[list[list[str]]]:
    return [[[" / ".join(c.lines) for c in row] for row in b.rows] for b in layout.blocks if b.kind == "table"]


def test_aligned_columns_with_right_aligned_numbers_and_names_wrapped_above():
    text = (
        "Toiminnan tunnusluvut\n"
        "                                        2024          2025         2026\n"
        "Mittari                            toteutuma         arvio      tavoite\n"
        "Palvelut\n"
        "Käsitellyt hakemukset, kpl         12 480        13 000       13 500\n"
        "Sähköisesti vireille tulleiden\n"
        "hakemusten osuus, %                  81,5            85          >88\n"
        "Talous\n"
        "Kustannukset per hakemus, euroa        46            45           44\n"
        "\n"
        "Teksti jatkuu taulukon jälkeen kokonaisena virkkeenä, joka on pidempi kuin nimet.\n"
    )
    layout = read_text(text)
    assert table_rows(layout) == [
        [
            ["Mittari", "2024 / toteutuma", "2025 / arvio", "2026 / tavoite"],
            ["Palvelut", "", "", ""],
            ["Käsitellyt hakemukset, kpl", "12 480", "13 000", "13 500"],
            ["Sähköisesti vireille tulleiden / hakemusten osuus, %", "81,5", "85", ">88"],
            ["Talous", "", "", ""],
            ["Kustannukset per hakemus, euroa", "46", "45", "44"],
        ]
    ]
    caption = next(b for b in layout.blocks if b.kind == "paragraph")
    assert caption.lines == ["Toiminnan tunnusluvut"]
    assert layout.blocks[-1].lines[0].startswith("Teksti jatkuu")


def test_aligned_columns_with_names_and_cells_wrapped_below_and_a_collapsed_gap():
    text = (
        "mittari              Toteuma      Arvio       Tavoite\n"
        "                     2023         2024        2025\n"
        "Asiakastyytyväisyys  4,1          Uusi        4,3\n"
        "(asteikko 1-5)                    mittari\n"
        "Käsittelyaika,       31           30          28\n"
        "vuorokautta\n"
        "Henkilötyövuodet     1 204 330 1 150 000      1 180 000\n"
    )
    assert table_rows(read_text(text)) == [
        [
            ["mittari", "Toteuma / 2023", "Arvio / 2024", "Tavoite / 2025"],
            ["Asiakastyytyväisyys / (asteikko 1-5)", "4,1", "Uusi / mittari", "4,3"],
            ["Käsittelyaika, / vuorokautta", "31", "30", "28"],
            ["Henkilötyövuodet", "1 204 330", "1 150 000", "1 180 000"],  # one space between two cells: split
        ]
    ]


def line_at(*cells: tuple[int, str]) -> str:
    """A line with each text starting at its column."""
    text = ""
    for column, cell in cells:
        text = text.ljust(column) + cell
    return text + "\n"


def test_aligned_table_goes_on_after_a_page_break_that_moved_its_columns():
    # The next page's cells stand between the columns of the page before: only their order places them.
    text = (
        line_at((0, "mittari"), (19, "Toteuma 2023"), (36, "Arvio 2024"), (51, "Tavoite 2025"), (68, "TAE"))
        + line_at((0, "Laskutusaste, %"), (19, "72"), (36, "73"), (51, "74"), (68, "-"))
        + "Tukipyyntöjen\n\n"
        + line_at((25, "3 (8)"))
        + "\f"
        + line_at((0, "ratkaisuaika, h"), (32, "5,9"), (47, "4,0"), (64, "3,8"), (72, "-"))
        + line_at((0, "Sairauspoissaolot"), (32, "9,4"), (47, "8,0"), (64, "8,0"), (72, "TAE"))
    )
    layout = read_text(text)
    assert table_rows(layout) == [
        [
            ["mittari", "Toteuma 2023", "Arvio 2024", "Tavoite 2025", "TAE"],
            ["Laskutusaste, %", "72", "73", "74", "-"],
            ["Tukipyyntöjen / ratkaisuaika, h", "5,9", "4,0", "3,8", "-"],
            ["Sairauspoissaolot", "9,4", "8,0", "8,0", "TAE"],
        ]
    ]
    assert layout.running == ["3 (8)"]


def test_goal_table_rows_start_at_a_year_or_a_numbered_goal():
    text = (
        "        1. Asiakkaat saavat palvelut sähköisesti.\n"
        "2024    Sähköinen asiointi on käytössä kaikissa\n"
        "        palveluissa (100 %)\n"
        "2025    -\n"
        "        2. Henkilöstö voi hyvin.\n"
        "2024    Työtyytyväisyys vähintään 3,8\n"
    )
    assert table_rows(read_text(text)) == [
        [
            ["", "1. Asiakkaat saavat palvelut sähköisesti."],
            ["2024", "Sähköinen asiointi on käytössä kaikissa / palveluissa (100 %)"],
            ["2025", "-"],
            ["", "2. Henkilöstö voi hyvin."],
            ["2024", "Työtyytyväisyys vähintään 3,8"],
        ]
    ]


@pytest.mark.parametrize(
    "text",
    [
        # one amount a line: a list
        "Jäsenmaksut                              515 000\nMatkat                                    12 000\n",
        "Ensimmäinen virke päättyy.  Toinen alkaa kahden välilyönnin jälkeen ja jatkuu pitkään eteenpäin.\n"
        "Seuraava rivi on tavallista tekstiä ilman sarakkeita ja päättyy pisteeseen tässä kohdassa.\n",
    ],
)
def test_text_that_is_no_table_stays_text(text):
    assert table_rows(read_text(text)) == []


def test_markdown_pipe_tables_as_converters_write_them():
    text = (
        "Toiminnan menot (1 000 euroa)\n"
        "\n"
        "| **Mittari** | **2024<br>toteutuma** | **2025<br>arvio** |\n"
        "|:---:|:---:|:---:|\n"
        "| Menot \\| brutto | 1 200 | &gt;1 300 |\n"
        "|  | 5 | 6 |\n"
        "\n"
        "1) Sisältää siirrot.\n"
        "\n"
        "|             | 2024      | 2025   |\n"
        "|-------------|-----------|--------|\n"
        "|             | toteutuma | esitys |\n"
        "| Tulot       | 300       | 310    |\n"
    )
    layout = read_markdown(text)
    assert table_rows(layout) == [
        [["Mittari", "2024 / toteutuma", "2025 / arvio"], ["Menot | brutto", "1 200", ">1 300"], ["", "5", "6"]],
        [["", "2024 / toteutuma", "2025 / esitys"], ["Tulot", "300", "310"]],  # years and kinds as two rows: one
    ]
    note = next(b for b in layout.blocks if b.lines and b.lines[0].startswith("1)"))
    assert note.kind == "paragraph"  # a footnote after the table, not a numbered list


def test_aligned_header_cells_that_span_the_year_columns():
    # "Alustava tavoite" over three years; "Kehys" centred under a run of three years that name nothing else
    text = (
        line_at((0, "mittari"), (30, "Toteuma"), (42, "Alustava tavoite"))
        + line_at((31, "2023"), (40, "2024"), (48, "2025"), (56, "2026"))
        + line_at((0, "Laskutusaste, %"), (31, "72"), (40, "73"), (48, "74"), (56, "75"))
        + "\n"
        + line_at((0, "Määrärahat (1000 euroa)"), (30, "2023 TP"), (40, "2024"), (48, "2025"), (56, "2026"))
        + line_at((47, "Kehys"))
        + line_at((0, "Bruttomenot"), (30, "419 078"), (40, "454 652"), (48, "465 668"), (56, "513 533"))
    )
    assert table_rows(read_text(text)) == [
        [
            [
                "mittari",
                "Toteuma / 2023",
                "Alustava tavoite / 2024",
                "Alustava tavoite / 2025",
                "Alustava tavoite / 2026",
            ],
            ["Laskutusaste, %", "72", "73", "74", "75"],
        ],
        [
            ["Määrärahat (1000 euroa)", "2023 TP", "2024 / Kehys", "2025 / Kehys", "2026 / Kehys"],
            ["Bruttomenot", "419 078", "454 652", "465 668", "513 533"],
        ],
    ]
